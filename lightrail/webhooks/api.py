"""HTTP routes of webhooks (`/v2/webhooks`, the original's Gutenberg)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, FastAPI
from starlette.requests import Request
from starlette.responses import Response

from lightrail.auth.badge import Principal
from lightrail.auth.requests import account_principal
from lightrail.events.dispatcher import DispatchConfig, dispatch_events
from lightrail.http.body import parse_body
from lightrail.http.responses import json_response
from lightrail.secretbox import SecretBox
from lightrail.webhooks import service
from lightrail.webhooks.schemas import CreateWebhook, UpdateWebhook

router = APIRouter()
SCOPE = "lightrailV2:webhooks"


def install(app: FastAPI) -> None:
    app.state.webhook_box = SecretBox(app.state.settings.effective_code_secret, "lightrail webhooks")
    app.state.dispatch_config = DispatchConfig()
    app.state.background_workers.append(dispatch_events)


async def webhook_principal(principal: Principal = Depends(account_principal)) -> Principal:
    principal.require_ids("teamMemberId")
    return principal


def _allow_insecure(request: Request) -> bool:
    return request.app.state.settings.webhook_allow_insecure


def _no_content() -> Response:
    return Response(status_code=204)


@router.get("/v2/webhooks")
async def list_webhooks(request: Request, principal: Principal = Depends(webhook_principal)) -> Response:
    principal.require_scopes(f"{SCOPE}:list")
    return json_response(await service.list_webhooks(request.app.state.db, request.app.state.webhook_box, principal.account_id))


@router.post("/v2/webhooks")
async def create_webhook(request: Request, principal: Principal = Depends(webhook_principal)) -> Response:
    principal.require_scopes(f"{SCOPE}:create")
    body = await parse_body(request, CreateWebhook)
    webhook = await service.create_webhook(
        request.app.state.db, request.app.state.webhook_box, principal.account_id, principal.user_id, body,
        _allow_insecure(request),
    )
    return json_response(webhook, 201)


@router.get("/v2/webhooks/{webhook_id}")
async def get_webhook(webhook_id: str, request: Request, principal: Principal = Depends(webhook_principal)) -> Response:
    principal.require_scopes(f"{SCOPE}:get")
    return json_response(await service.get_webhook(
        request.app.state.db, request.app.state.webhook_box, principal.account_id, webhook_id,
    ))


@router.patch("/v2/webhooks/{webhook_id}")
async def update_webhook(webhook_id: str, request: Request, principal: Principal = Depends(webhook_principal)) -> Response:
    principal.require_scopes(f"{SCOPE}:update")
    body = await parse_body(request, UpdateWebhook)
    return json_response(await service.update_webhook(
        request.app.state.db, request.app.state.webhook_box, principal.account_id, webhook_id, body,
        _allow_insecure(request),
    ))


@router.delete("/v2/webhooks/{webhook_id}")
async def delete_webhook(webhook_id: str, request: Request, principal: Principal = Depends(webhook_principal)) -> Response:
    # The original guarded deletion with the update scope; there is no :delete scope.
    principal.require_scopes(f"{SCOPE}:update")
    await service.delete_webhook(request.app.state.db, principal.account_id, webhook_id)
    return _no_content()


@router.post("/v2/webhooks/{webhook_id}/secrets")
async def create_secret(webhook_id: str, request: Request, principal: Principal = Depends(webhook_principal)) -> Response:
    principal.require_scopes(f"{SCOPE}:secrets:create")
    secret = await service.create_secret(
        request.app.state.db, request.app.state.webhook_box, principal.account_id, webhook_id,
    )
    return json_response(secret, 201)


@router.get("/v2/webhooks/{webhook_id}/secrets/{secret_id}")
async def get_secret(
    webhook_id: str, secret_id: str, request: Request, principal: Principal = Depends(webhook_principal),
) -> Response:
    principal.require_scopes(f"{SCOPE}:secrets:get")
    return json_response(await service.get_secret(
        request.app.state.db, request.app.state.webhook_box, principal.account_id, webhook_id, secret_id,
    ))


@router.delete("/v2/webhooks/{webhook_id}/secrets/{secret_id}")
async def delete_secret(
    webhook_id: str, secret_id: str, request: Request, principal: Principal = Depends(webhook_principal),
) -> Response:
    principal.require_scopes(f"{SCOPE}:secrets:delete")
    await service.delete_secret(request.app.state.db, principal.account_id, webhook_id, secret_id)
    return _no_content()
