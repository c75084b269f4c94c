"""HTTP routes of users, accounts, account users, invitations and API keys (platform.md §4.4).

Lightrail's own billing (/v2/account/payments/*) and Intercom are not part of this software: those paths
answer the usual 404.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, FastAPI
from starlette.requests import Request
from starlette.responses import Response

from lightrail.accounts import apikeys, login, team, users
from lightrail.accounts.context import Accounts
from lightrail.accounts.ratelimit import client_ip
from lightrail.accounts.repository import base_id
from lightrail.accounts.schemas import (
    ChangeEmail, ChangePassword, CompleteMfa, ContactSupport, CreateAccount, CreateApiKey, ForgotPassword, Invite,
    Login, LoginMfa, Register, ResetPassword, StartMfa, Switch, UpdateAccount, UpdateAccountUser,
)
from lightrail.accounts.sessions import (
    TRUSTED_DEVICE_COOKIE, LoginOutcome, clear_session_cookies, set_session_cookies, set_trusted_device_cookie,
)
from lightrail.auth.badge import Principal
from lightrail.auth.requests import authenticate
from lightrail.http.body import parse_body
from lightrail.http.errors import ApiError
from lightrail.http.responses import json_response

router = APIRouter()
USERS = "lightrailV2:account:users"
KEYS = "lightrailV2:account:apiKeys"


def install(app: FastAPI) -> None:
    accounts = Accounts.from_settings(app.state.settings, app.state.db)
    app.state.accounts = accounts
    app.state.access_guard = accounts.guard


def _ctx(request: Request) -> Accounts:
    return request.app.state.accounts


def _me(principal: Principal) -> str:
    principal.require_ids("teamMemberId")
    return base_id(principal.user_id)


def _token_param(request: Request) -> str:
    token = request.query_params.get("token")
    if not token:
        raise ApiError(400, "Missing 'token' query param.")
    return token


def _session_response(outcome: LoginOutcome) -> Response:
    if outcome.redirect is not None:
        response = Response(status_code=302, headers={"Location": outcome.redirect})
    else:
        response = json_response(outcome.body)
    set_session_cookies(response, outcome.token)
    if outcome.trusted_device:
        set_trusted_device_cookie(response, outcome.trusted_device)
    return response


# --- unauthenticated --------------------------------------------------------------------------------------

@router.api_route("/v2/user/healthCheck", methods=["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"])
async def health(request: Request) -> Response:
    return json_response({})


@router.post("/v2/user/register")
async def register(request: Request) -> Response:
    body = await parse_body(request, Register)
    await users.register(_ctx(request), client_ip(request), body.email, body.password, body.name)
    return json_response({}, 201)


@router.get("/v2/user/register/verifyEmail")
async def verify_email(request: Request) -> Response:
    return _session_response(await users.verify_email(_ctx(request), _token_param(request)))


@router.get("/v2/user/register/acceptInvitation")
async def accept_invitation(request: Request) -> Response:
    outcome = await team.accept_invitation(_ctx(request), _token_param(request))
    if isinstance(outcome, str):
        return Response(status_code=302, headers={"Location": outcome})
    return _session_response(outcome)


@router.post("/v2/user/login")
async def log_in(request: Request) -> Response:
    body = await parse_body(request, Login)
    outcome = await login.login(_ctx(request), body.email, body.password, request.cookies.get(TRUSTED_DEVICE_COOKIE))
    return _session_response(outcome)


@router.api_route("/v2/user/logout", methods=["GET", "POST", "PUT", "PATCH", "DELETE"])
async def log_out(request: Request) -> Response:
    response = json_response({}, headers={"Location": "/app/#"})
    clear_session_cookies(response)
    return response


@router.post("/v2/user/forgotPassword")
async def forgot_password(request: Request) -> Response:
    body = await parse_body(request, ForgotPassword)
    await users.forgot_password(_ctx(request), client_ip(request), body.email)
    return json_response({})


@router.post("/v2/user/forgotPassword/complete")
async def reset_password(request: Request) -> Response:
    body = await parse_body(request, ResetPassword)
    return _session_response(await users.reset_password(_ctx(request), body.token, body.password))


@router.get("/v2/user/changeEmail/complete")
async def complete_change_email(request: Request) -> Response:
    return _session_response(await users.complete_change_email(_ctx(request), _token_param(request)))


# --- the user ---------------------------------------------------------------------------------------------

@router.get("/v2/user/ping")
async def ping(request: Request, principal: Principal = Depends(authenticate)) -> Response:
    principal.require_ids("teamMemberId")
    if request.query_params.get("refresh") == "false":
        # A page polling for the session must not keep it alive.
        request.state.refresh_signature_cookie = None
    return json_response({})


@router.get("/v2/user")
async def get_me(request: Request, principal: Principal = Depends(authenticate)) -> Response:
    principal.require_scopes("lightrailV2:user:read")
    _me(principal)
    return json_response(await users.describe_user(_ctx(request), principal))


@router.get("/v2/user/accounts")
async def my_accounts(request: Request, principal: Principal = Depends(authenticate)) -> Response:
    principal.require_scopes("lightrailV2:user:read")
    _me(principal)
    return json_response(await users.switchable_accounts(_ctx(request), principal))


@router.post("/v2/user/changePassword")
async def change_password(request: Request, principal: Principal = Depends(authenticate)) -> Response:
    principal.require_scopes("lightrailV2:user:update")
    user_id = _me(principal)
    body = await parse_body(request, ChangePassword)
    await users.change_password(_ctx(request), user_id, body.oldPassword, body.newPassword)
    return json_response({})


@router.post("/v2/user/changeEmail")
async def change_email(request: Request, principal: Principal = Depends(authenticate)) -> Response:
    principal.require_scopes("lightrailV2:user:update")
    user_id = _me(principal)
    body = await parse_body(request, ChangeEmail)
    return json_response(await users.change_email(_ctx(request), user_id, body.email))


@router.post("/v2/user/contactCustomerSupport")
async def contact_support(request: Request, principal: Principal = Depends(authenticate)) -> Response:
    _me(principal)
    body = await parse_body(request, ContactSupport)
    await users.contact_support(_ctx(request), principal, client_ip(request), body.customerSupportEmail, body.subject, body.message)
    return json_response({})


@router.get("/v2/user/login/mfa")
async def resend_mfa_code(request: Request, principal: Principal = Depends(authenticate)) -> Response:
    principal.require_scopes("lightrailV2:authenticate")
    return json_response({})


@router.post("/v2/user/login/mfa")
async def complete_mfa_login(request: Request, principal: Principal = Depends(authenticate)) -> Response:
    principal.require_scopes("lightrailV2:authenticate")
    user_id = _me(principal)
    body = await parse_body(request, LoginMfa)
    return _session_response(await login.complete_mfa_login(_ctx(request), user_id, body.code, body.trustThisDevice))


@router.get("/v2/user/mfa")
async def mfa_status(request: Request, principal: Principal = Depends(authenticate)) -> Response:
    principal.require_scopes("lightrailV2:user:mfa:read")
    return json_response(await users.mfa_status(_ctx(request), _me(principal)))


@router.post("/v2/user/mfa")
async def start_mfa(request: Request, principal: Principal = Depends(authenticate)) -> Response:
    principal.require_scopes("lightrailV2:user:mfa:update")
    user_id = _me(principal)
    body = await parse_body(request, StartMfa)
    return json_response(await users.start_mfa(_ctx(request), user_id, body.device))


@router.post("/v2/user/mfa/complete")
async def complete_mfa(request: Request, principal: Principal = Depends(authenticate)) -> Response:
    principal.require_scopes("lightrailV2:user:mfa:update")
    user_id = _me(principal)
    body = await parse_body(request, CompleteMfa)
    return json_response(await users.complete_mfa(_ctx(request), user_id, body.code))


@router.delete("/v2/user/mfa")
async def disable_mfa(request: Request, principal: Principal = Depends(authenticate)) -> Response:
    principal.require_scopes("lightrailV2:user:mfa:delete")
    await users.disable_mfa(_ctx(request), _me(principal))
    return json_response({})


@router.get("/v2/user/mfa/backupCodes")
async def backup_codes(request: Request, principal: Principal = Depends(authenticate)) -> Response:
    principal.require_scopes("lightrailV2:user:mfa:read")
    return json_response(await users.backup_codes(_ctx(request), _me(principal)))


# --- the account ------------------------------------------------------------------------------------------

def _account_id(principal: Principal, *scopes: str) -> str:
    principal.require_scopes(*scopes)
    principal.require_ids("userId")
    return principal.account_id


@router.get("/v2/account")
async def get_account(request: Request, principal: Principal = Depends(authenticate)) -> Response:
    return json_response(await team.get_account(_ctx(request), _account_id(principal, "lightrailV2:account:read")))


@router.patch("/v2/account")
async def update_account(request: Request, principal: Principal = Depends(authenticate)) -> Response:
    account_id = _account_id(principal, "lightrailV2:account:update")
    body = await parse_body(request, UpdateAccount)
    return json_response(await team.update_account(_ctx(request), account_id, body.model_dump(exclude_unset=True)))


@router.post("/v2/account")
async def create_account(request: Request, principal: Principal = Depends(authenticate)) -> Response:
    principal.require_scopes("lightrailV2:account:create")
    user_id = _me(principal)
    body = await parse_body(request, CreateAccount)
    return json_response(await team.create_account(_ctx(request), user_id, body.name), 201)


@router.post("/v2/account/switch")
async def switch(request: Request, principal: Principal = Depends(authenticate)) -> Response:
    principal.require_scopes("lightrailV2:user:read", "lightrailV2:user:update")
    _me(principal)
    body = await parse_body(request, Switch)
    return _session_response(await team.switch(_ctx(request), principal, body.accountId, body.mode))


@router.get("/v2/account/users")
async def list_users(request: Request, principal: Principal = Depends(authenticate)) -> Response:
    return json_response(await team.list_users(_ctx(request), _account_id(principal, f"{USERS}:list")))


@router.get("/v2/account/users/{user_id}")
async def get_user(user_id: str, request: Request, principal: Principal = Depends(authenticate)) -> Response:
    return json_response(await team.get_user(_ctx(request), _account_id(principal, f"{USERS}:read"), user_id))


@router.patch("/v2/account/users/{user_id}")
async def update_user(user_id: str, request: Request, principal: Principal = Depends(authenticate)) -> Response:
    _account_id(principal, f"{USERS}:update")
    body = await parse_body(request, UpdateAccountUser)
    return json_response(await team.update_user(_ctx(request), principal, user_id, body.model_dump(exclude_unset=True)))


@router.delete("/v2/account/users/{user_id}")
async def remove_user(user_id: str, request: Request, principal: Principal = Depends(authenticate)) -> Response:
    _account_id(principal, f"{USERS}:delete")
    await team.remove_user(_ctx(request), principal, user_id)
    return json_response({})


@router.post("/v2/account/invitations")
async def invite(request: Request, principal: Principal = Depends(authenticate)) -> Response:
    _account_id(principal, f"{USERS}:create")
    _me(principal)
    body = await parse_body(request, Invite)
    invitation = await team.invite(_ctx(request), principal, body.email, body.userPrivilegeType, body.roles, body.scopes)
    return json_response(invitation, 201)


@router.get("/v2/account/invitations")
async def list_invitations(request: Request, principal: Principal = Depends(authenticate)) -> Response:
    return json_response(await team.list_invitations(_ctx(request), _account_id(principal, f"{USERS}:list")))


@router.get("/v2/account/invitations/{user_id}")
async def get_invitation(user_id: str, request: Request, principal: Principal = Depends(authenticate)) -> Response:
    return json_response(await team.get_invitation(_ctx(request), _account_id(principal, f"{USERS}:read"), user_id))


@router.delete("/v2/account/invitations/{user_id}")
async def cancel_invitation(user_id: str, request: Request, principal: Principal = Depends(authenticate)) -> Response:
    await team.cancel_invitation(_ctx(request), _account_id(principal, f"{USERS}:delete"), user_id)
    return json_response({})


@router.get("/v2/account/apiKeys")
async def list_api_keys(request: Request, principal: Principal = Depends(authenticate)) -> Response:
    return json_response(await apikeys.list_keys(_ctx(request), _account_id(principal, f"{KEYS}:list")))


@router.post("/v2/account/apiKeys")
async def create_api_key(request: Request, principal: Principal = Depends(authenticate)) -> Response:
    account_id = _account_id(principal, f"{KEYS}:create")
    principal.require_ids("teamMemberId")
    body = await parse_body(request, CreateApiKey)
    return json_response(await apikeys.create(_ctx(request), account_id, principal.user_id, body.name), 201)


@router.get("/v2/account/apiKeys/{token_id}")
async def get_api_key(token_id: str, request: Request, principal: Principal = Depends(authenticate)) -> Response:
    return json_response(await apikeys.get_key(_ctx(request), _account_id(principal, f"{KEYS}:read"), token_id))


@router.delete("/v2/account/apiKeys/{token_id}")
async def delete_api_key(token_id: str, request: Request, principal: Principal = Depends(authenticate)) -> Response:
    await apikeys.delete_key(_ctx(request), _account_id(principal, f"{KEYS}:delete"), token_id)
    return json_response({})
