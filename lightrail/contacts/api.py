"""HTTP routes of contacts."""

from __future__ import annotations

from fastapi import APIRouter, Depends
from starlette.requests import Request
from starlette.responses import Response

from lightrail.auth.badge import Principal
from lightrail.auth.requests import account_principal
from lightrail.contacts import service
from lightrail.contacts.schemas import CreateContact, UpdateContact
from lightrail.http.body import parse_body, read_json, validate_body
from lightrail.http.pagination import page_headers, page_request
from lightrail.http.responses import json_response, list_response
from lightrail.values.contact_values import contacts_holding

router = APIRouter()
SCOPE = "lightrailV2:contacts"


def require_contact_scope(principal: Principal, action: str, contact_id: object) -> None:
    """`:self` variants apply when the badge's contact is the one acted on (shopper tokens)."""
    if principal.contact_id is not None and principal.contact_id == contact_id:
        principal.require_scopes(f"{SCOPE}:{action}:self")
    else:
        principal.require_scopes(f"{SCOPE}:{action}")


@router.get("/v2/contacts")
async def list_contacts(request: Request, principal: Principal = Depends(account_principal)) -> Response:
    principal.require_scopes(f"{SCOPE}:list")
    page = page_request(request)
    value_id = request.query_params.get("valueId")
    # `valueId` is not an operator filter: contacts holding that value or one attached from it.
    extra = [contacts_holding(principal.account_id, value_id)] if value_id is not None else None
    items, result = await service.list_contacts(
        request.app.state.db, principal.account_id, request.query_params.multi_items(), page, extra
    )
    return list_response(request, items, page_headers(request, result))


@router.post("/v2/contacts")
async def create_contact(request: Request, principal: Principal = Depends(account_principal)) -> Response:
    principal.require_ids("teamMemberId")
    data = await read_json(request)
    require_contact_scope(principal, "create", data.get("id") if isinstance(data, dict) else None)
    body = validate_body(CreateContact, data, request.method)
    return json_response(await service.create_contact(request.app.state.db, principal.account_id, principal.created_by, body), 201)


@router.get("/v2/contacts/{contact_id}")
async def get_contact(contact_id: str, request: Request, principal: Principal = Depends(account_principal)) -> Response:
    require_contact_scope(principal, "read", contact_id)
    return json_response(await service.get_contact(request.app.state.db, principal.account_id, contact_id))


@router.patch("/v2/contacts/{contact_id}")
async def update_contact(contact_id: str, request: Request, principal: Principal = Depends(account_principal)) -> Response:
    require_contact_scope(principal, "update", contact_id)
    body = await parse_body(request, UpdateContact)
    return json_response(await service.update_contact(request.app.state.db, principal.account_id, contact_id, body))


@router.delete("/v2/contacts/{contact_id}")
async def delete_contact(contact_id: str, request: Request, principal: Principal = Depends(account_principal)) -> Response:
    require_contact_scope(principal, "delete", contact_id)
    return json_response(await service.delete_contact(request.app.state.db, principal.account_id, contact_id))
