"""HTTP routes of transactions (transactions.md §2)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, FastAPI
from starlette.requests import Request
from starlette.responses import Response

from lightrail.auth.badge import Principal
from lightrail.auth.requests import account_principal
from lightrail.http.body import parse_body, read_json, validate_body
from lightrail.http.errors import ApiError
from lightrail.http.pagination import page_headers, page_request
from lightrail.http.responses import json_response, list_response
from lightrail.transactions import pending, service
from lightrail.transactions.schemas import Checkout, Credit, Debit, FollowUp, Transfer

router = APIRouter()
SCOPE = "lightrailV2:transactions"


def install(app: FastAPI) -> None:
    app.state.background_workers.append(pending.automatic_void_worker)


def _authorize_post(principal: Principal, action: str) -> None:
    principal.require_scopes(f"{SCOPE}:{action}")
    principal.require_ids("teamMemberId")


def _created(body: dict, always_created: bool = False) -> Response:
    return json_response(body, 201 if always_created or not body.get("simulated") else 200)


@router.post("/v2/transactions/credit")
async def credit(request: Request, principal: Principal = Depends(account_principal)) -> Response:
    _authorize_post(principal, "credit")
    body = await parse_body(request, Credit)
    state = request.app.state
    return _created(await service.credit(state.db, state.codes, principal.account_id, principal.created_by, body))


@router.post("/v2/transactions/debit")
async def debit(request: Request, principal: Principal = Depends(account_principal)) -> Response:
    _authorize_post(principal, "debit")
    body = await parse_body(request, Debit)
    state = request.app.state
    return _created(await service.debit(state.db, state.codes, principal.account_id, principal.created_by, body))


@router.post("/v2/transactions/transfer")
async def transfer(request: Request, principal: Principal = Depends(account_principal)) -> Response:
    _authorize_post(principal, "transfer")
    body = await parse_body(request, Transfer)
    state = request.app.state
    return _created(await service.transfer(state.db, state.codes, principal.account_id, principal.created_by, body))


@router.post("/v2/transactions/checkout")
async def checkout(request: Request, principal: Principal = Depends(account_principal)) -> Response:
    _authorize_post(principal, "checkout")
    data = await read_json(request)
    body = validate_body(Checkout, data, request.method)
    state = request.app.state
    return _created(await service.checkout(state.db, state.codes, principal.account_id, principal.created_by, body, data))


@router.post("/v2/transactions/{transaction_id}/reverse")
async def reverse(transaction_id: str, request: Request, principal: Principal = Depends(account_principal)) -> Response:
    _authorize_post(principal, "reverse")
    body = await parse_body(request, FollowUp)
    state = request.app.state
    return _created(await service.reverse(state.db, state.codes, principal.account_id, principal.created_by, transaction_id, body))


@router.post("/v2/transactions/{transaction_id}/capture")
async def capture(transaction_id: str, request: Request, principal: Principal = Depends(account_principal)) -> Response:
    _authorize_post(principal, "capture")
    body = await parse_body(request, FollowUp)
    state = request.app.state
    result = await service.capture(state.db, state.codes, principal.account_id, principal.created_by, transaction_id, body)
    return _created(result, always_created=True)


@router.post("/v2/transactions/{transaction_id}/void")
async def void(transaction_id: str, request: Request, principal: Principal = Depends(account_principal)) -> Response:
    _authorize_post(principal, "void")
    body = await parse_body(request, FollowUp)
    state = request.app.state
    result = await service.void(state.db, state.codes, principal.account_id, principal.created_by, transaction_id, body)
    return _created(result, always_created=True)


async def _list(request: Request, principal: Principal, params: list[tuple[str, str]]) -> Response:
    principal.require_scopes(f"{SCOPE}:list")
    page = page_request(request)
    items, result = await service.list_transactions(request.app.state.db, principal.account_id, params, page)
    return list_response(request, items, page_headers(request, result))


@router.get("/v2/transactions")
async def list_transactions(request: Request, principal: Principal = Depends(account_principal)) -> Response:
    return await _list(request, principal, request.query_params.multi_items())


@router.get("/v2/values/{value_id}/transactions")
async def value_transactions(value_id: str, request: Request, principal: Principal = Depends(account_principal)) -> Response:
    params = [(k, v) for k, v in request.query_params.multi_items() if k != "valueId"] + [("valueId", value_id)]
    return await _list(request, principal, params)


@router.get("/v2/transactions/{transaction_id}")
async def get_transaction(transaction_id: str, request: Request, principal: Principal = Depends(account_principal)) -> Response:
    principal.require_scopes(f"{SCOPE}:read")
    return json_response(await service.get_transaction(request.app.state.db, principal.account_id, transaction_id))


@router.get("/v2/transactions/{transaction_id}/chain")
async def chain(transaction_id: str, request: Request, principal: Principal = Depends(account_principal)) -> Response:
    principal.require_scopes(f"{SCOPE}:read")
    page = page_request(request)
    items = await service.chain(request.app.state.db, principal.account_id, transaction_id, request.query_params.multi_items(), page)
    return list_response(request, items, {"Limit": str(page.limit), "Max-Limit": str(page.max_limit), "Link": ""})


@router.patch("/v2/transactions/{transaction_id}")
async def patch_transaction(transaction_id: str, principal: Principal = Depends(account_principal)) -> Response:
    raise ApiError(403, "Cannot modify transactions.", "CannotModifyTransaction")


@router.delete("/v2/transactions/{transaction_id}")
async def delete_transaction(transaction_id: str, principal: Principal = Depends(account_principal)) -> Response:
    raise ApiError(403, "Cannot delete transactions.", "CannotDeleteTransaction")
