"""HTTP routes of currencies."""

from __future__ import annotations

from fastapi import APIRouter, Depends
from starlette.requests import Request
from starlette.responses import Response

from lightrail.auth.badge import Principal
from lightrail.auth.requests import account_principal
from lightrail.currencies import service
from lightrail.currencies.schemas import CreateCurrency, UpdateCurrency
from lightrail.http.body import parse_body
from lightrail.http.responses import json_response, list_response

router = APIRouter()
SCOPE = "lightrailV2:currencies"


@router.get("/v2/currencies")
async def list_currencies(request: Request, principal: Principal = Depends(account_principal)) -> Response:
    principal.require_scopes(f"{SCOPE}:list")
    return list_response(request, await service.list_currencies(request.app.state.db, principal.account_id))


@router.post("/v2/currencies")
async def create_currency(request: Request, principal: Principal = Depends(account_principal)) -> Response:
    principal.require_scopes(f"{SCOPE}:create")
    body = await parse_body(request, CreateCurrency)
    currency = await service.create_currency(request.app.state.db, principal.account_id, principal.created_by, body)
    return json_response(currency, 201)


@router.get("/v2/currencies/{code}")
async def get_currency(code: str, request: Request, principal: Principal = Depends(account_principal)) -> Response:
    principal.require_scopes(f"{SCOPE}:read")
    return json_response(await service.get_currency(request.app.state.db, principal.account_id, code))


@router.patch("/v2/currencies/{code}")
async def update_currency(code: str, request: Request, principal: Principal = Depends(account_principal)) -> Response:
    principal.require_scopes(f"{SCOPE}:update")
    body = await parse_body(request, UpdateCurrency)
    return json_response(await service.update_currency(request.app.state.db, principal.account_id, code, body))


@router.delete("/v2/currencies/{code}")
async def delete_currency(code: str, request: Request, principal: Principal = Depends(account_principal)) -> Response:
    principal.require_scopes(f"{SCOPE}:delete")
    return json_response(await service.delete_currency(request.app.state.db, principal.account_id, code))
