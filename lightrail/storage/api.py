"""HTTP routes of storage (`/v1/storage`, the original's KVS)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, FastAPI
from starlette.requests import Request
from starlette.responses import Response

from lightrail.auth.badge import Principal
from lightrail.auth.requests import account_principal
from lightrail.http.body import read_json
from lightrail.http.errors import ApiError
from lightrail.http.responses import json_response
from lightrail.storage import service
from lightrail.secretbox import SecretBox
from lightrail.storage.keys import validate_key
from lightrail.storage.shared_secrets import SharedSecrets
from lightrail.storage.special_keys import JWT_SECRET_KEY, PORTAL_SCOPE, read_scopes, write_scopes

router = APIRouter()
NO_CACHE = {"Cache-Control": "no-cache, no-store, must-revalidate"}


def install(app: FastAPI) -> None:
    box = SecretBox(app.state.settings.effective_code_secret, "lightrail storage")
    app.state.storage_box = box
    app.state.shared_secrets = SharedSecrets(app.state.db, box)
    app.state.verifier.shared_secrets = app.state.shared_secrets.lookup


async def health(request: Request) -> Response:
    return json_response({})


router.add_api_route(
    "/v1/storage/healthCheck", health, methods=["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"],
    include_in_schema=False,
)


@router.get("/v1/storage")
async def list_keys(request: Request, principal: Principal = Depends(account_principal)) -> Response:
    principal.require_scopes(PORTAL_SCOPE)
    return json_response(await service.list_keys(request.app.state.db, principal.account_id), headers=NO_CACHE)


@router.get("/v1/storage/{key}")
async def get_item(key: str, request: Request, principal: Principal = Depends(account_principal)) -> Response:
    principal.require_scopes(*read_scopes(key))
    validate_key(key)
    value = await service.get_item(request.app.state.db, request.app.state.storage_box, principal.account_id, key)
    return json_response(value, headers=NO_CACHE)


@router.put("/v1/storage/{key}")
async def put_item(key: str, request: Request, principal: Principal = Depends(account_principal)) -> Response:
    principal.require_scopes(*write_scopes(key))
    validate_key(key)
    if not (await request.body()).strip():
        raise ApiError(422, "The PUT body must be a JSON value.")
    value = await read_json(request)
    await service.put_item(request.app.state.db, request.app.state.storage_box, principal.account_id, key, value)
    _forget_changed_secret(request, principal, key)
    return json_response({"success": True})


@router.delete("/v1/storage/{key}")
async def delete_item(key: str, request: Request, principal: Principal = Depends(account_principal)) -> Response:
    principal.require_scopes(*write_scopes(key))
    validate_key(key)
    await service.delete_item(request.app.state.db, principal.account_id, key)
    _forget_changed_secret(request, principal, key)
    return json_response({"success": True})


def _forget_changed_secret(request: Request, principal: Principal, key: str) -> None:
    if key == JWT_SECRET_KEY:
        request.app.state.shared_secrets.forget(principal.account_id)
