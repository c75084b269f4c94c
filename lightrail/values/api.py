"""HTTP routes of values, their codes and stats, and of the values of contacts."""

from __future__ import annotations

from fastapi import APIRouter, Depends, FastAPI
from starlette.requests import Request
from starlette.responses import Response

from lightrail.auth.badge import Principal
from lightrail.auth.requests import account_principal
from lightrail.contacts import service as contacts
from lightrail.http.body import parse_body, read_json, validate_body
from lightrail.http.pagination import page_headers, page_request
from lightrail.http.responses import json_response, list_response
from lightrail.values import contact_values, service
from lightrail.values.codes import CodeCipher
from lightrail.values.schemas import Attach, ChangeCode, CreateValue, Detach, UpdateValue

router = APIRouter()
SCOPE = "lightrailV2:values"


def install(app: FastAPI) -> None:
    app.state.codes = CodeCipher(app.state.settings.effective_code_secret)


def _flag(request: Request, name: str) -> bool:
    return request.query_params.get(name) == "true"


def _require_value_scope(principal: Principal, action: str, value_id: object) -> None:
    """`:self` variants apply when the badge is for the value acted on."""
    if principal.value_id is not None and principal.value_id == value_id:
        principal.require_scopes(f"{SCOPE}:{action}:self")
    else:
        principal.require_scopes(f"{SCOPE}:{action}")


async def _list(request: Request, principal: Principal, extra_conditions=None) -> Response:
    page = page_request(request)
    items, result = await service.list_values(
        request.app.state.db, request.app.state.codes, principal.account_id, request.query_params.multi_items(), page,
        show_code=_flag(request, "showCode"), with_stats=_flag(request, "stats"),
        format_currencies=_flag(request, "formatCurrencies"), extra_conditions=extra_conditions,
    )
    return list_response(request, items, page_headers(request, result))


@router.get("/v2/values")
async def list_values(request: Request, principal: Principal = Depends(account_principal)) -> Response:
    principal.require_scopes(f"{SCOPE}:list")
    return await _list(request, principal)


@router.post("/v2/values")
async def create_value(request: Request, principal: Principal = Depends(account_principal)) -> Response:
    principal.require_ids("teamMemberId")
    data = await read_json(request)
    _require_value_scope(principal, "create", data.get("id") if isinstance(data, dict) else None)
    body = validate_body(CreateValue, data, request.method)
    value = await service.create_value(
        request.app.state.db, request.app.state.codes, principal.account_id, principal.created_by, body,
        show_code=_flag(request, "showCode"),
    )
    return json_response(value, 201)


@router.get("/v2/values/{value_id}")
async def get_value(value_id: str, request: Request, principal: Principal = Depends(account_principal)) -> Response:
    _require_value_scope(principal, "read", value_id)
    value = await service.get_value(
        request.app.state.db, request.app.state.codes, principal.account_id, value_id,
        show_code=_flag(request, "showCode"), with_stats=_flag(request, "stats"),
    )
    return json_response(value)


@router.patch("/v2/values/{value_id}")
async def update_value(value_id: str, request: Request, principal: Principal = Depends(account_principal)) -> Response:
    _require_value_scope(principal, "update", value_id)
    body = await parse_body(request, UpdateValue)
    return json_response(await service.update_value(request.app.state.db, request.app.state.codes, principal.account_id, value_id, body))


@router.delete("/v2/values/{value_id}")
async def delete_value(value_id: str, request: Request, principal: Principal = Depends(account_principal)) -> Response:
    _require_value_scope(principal, "delete", value_id)
    return json_response(await service.delete_value(request.app.state.db, request.app.state.codes, principal.account_id, value_id))


@router.get("/v2/values/{value_id}/stats")
async def value_stats(value_id: str, request: Request, principal: Principal = Depends(account_principal)) -> Response:
    # The original guarded this route with the programs scope; clients' tokens are built around that.
    principal.require_scopes("lightrailV2:programs:read")
    return json_response(await service.value_stats(request.app.state.db, principal.account_id, value_id))


@router.post("/v2/values/{value_id}/changeCode")
async def change_code(value_id: str, request: Request, principal: Principal = Depends(account_principal)) -> Response:
    principal.require_scopes(f"{SCOPE}:update")
    body = await parse_body(request, ChangeCode)
    value = await service.change_code(
        request.app.state.db, request.app.state.codes, principal.account_id, value_id, body,
        show_code=_flag(request, "showCode"),
    )
    return json_response(value)


@router.get("/v2/values/{value_id}/contacts")
async def value_contacts(value_id: str, request: Request, principal: Principal = Depends(account_principal)) -> Response:
    principal.require_scopes("lightrailV2:contacts:list")
    page = page_request(request)
    items, result = await contacts.list_contacts(
        request.app.state.db, principal.account_id, request.query_params.multi_items(), page,
        [contact_values.contacts_holding(principal.account_id, value_id)],
    )
    return list_response(request, items, page_headers(request, result))


@router.get("/v2/contacts/{contact_id}/values")
async def contact_values_list(contact_id: str, request: Request, principal: Principal = Depends(account_principal)) -> Response:
    _require_value_scope_for_contact(principal, "list", contact_id)
    # The path's contact replaces any contactId filter of the query.
    params = [(k, v) for k, v in request.query_params.multi_items() if k.split(".")[0] != "contactId"]
    page = page_request(request)
    items, result = await service.list_values(
        request.app.state.db, request.app.state.codes, principal.account_id, params + [("contactId", contact_id)], page,
        show_code=_flag(request, "showCode"), with_stats=_flag(request, "stats"),
        format_currencies=_flag(request, "formatCurrencies"),
    )
    return list_response(request, items, page_headers(request, result))


def _require_value_scope_for_contact(principal: Principal, action: str, contact_id: str) -> None:
    if principal.contact_id is not None and principal.contact_id == contact_id:
        principal.require_scopes(f"{SCOPE}:{action}:self")
    else:
        principal.require_scopes(f"{SCOPE}:{action}")


@router.post("/v2/contacts/{contact_id}/values/attach")
async def attach(contact_id: str, request: Request, principal: Principal = Depends(account_principal)) -> Response:
    principal.require_ids("teamMemberId")
    data = await read_json(request)
    by_code_only = isinstance(data, dict) and "code" in data and "valueId" not in data
    # A contact's own token attaching by code may only claim values nobody holds (no-overwrite mode).
    own = principal.contact_id is not None and principal.contact_id == contact_id and by_code_only
    principal.require_scopes(f"{SCOPE}:attach:self" if own else f"{SCOPE}:attach")
    body = validate_body(Attach, data, request.method)
    value = await contact_values.attach(
        request.app.state.db, request.app.state.codes, principal.account_id, principal.created_by, contact_id, body,
        overwrite=not own,
    )
    return json_response(value)


@router.post("/v2/contacts/{contact_id}/values/detach")
async def detach(contact_id: str, request: Request, principal: Principal = Depends(account_principal)) -> Response:
    principal.require_ids("teamMemberId")
    principal.require_scopes(f"{SCOPE}:detach")
    body = await parse_body(request, Detach)
    return json_response(await contact_values.detach(request.app.state.db, request.app.state.codes, principal.account_id, contact_id, body.valueId))
