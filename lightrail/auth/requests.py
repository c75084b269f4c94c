"""Authenticating an HTTP request: where the badge is read from, and the route dependency."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from starlette.requests import Request

from lightrail.auth.badge import BadgeVerifier, InvalidToken, Principal
from lightrail.http.errors import ApiError

SESSION_COOKIE = "gb_jwt_session"
SIGNATURE_COOKIE = "gb_jwt_signature"

# Refuses a verified principal whose key was revoked or whose account is frozen (the accounts service
# installs the real one; until then nothing is refused).
AccessGuard = Callable[[Principal], Awaitable[bool]]


async def allow_all(principal: Principal) -> bool:
    return False


def _token_from(request: Request) -> tuple[str | None, bool]:
    """The raw token and whether it came from the session cookies."""
    header = request.headers.get("authorization")
    if header is not None:
        return (header[len("Bearer "):] if header.startswith("Bearer ") else None), False
    session = request.cookies.get(SESSION_COOKIE)
    signature = request.cookies.get(SIGNATURE_COOKIE)
    if session and signature:
        if request.headers.get("x-requested-with") != "XMLHttpRequest":
            return None, True
        return f"{session}.{signature}", True
    return None, False


async def authenticate(request: Request) -> Principal:
    """The request's principal (cached on the request), or 401."""
    cached = getattr(request.state, "principal", None)
    if cached is not None:
        return cached
    token, from_cookies = _token_from(request)
    if not token:
        raise ApiError(401)
    verifier: BadgeVerifier = request.app.state.verifier
    try:
        principal = await verifier.verify(token)
    except InvalidToken:
        raise ApiError(401) from None
    if await request.app.state.access_guard(principal):
        raise ApiError(401)
    request.state.principal = principal
    request.state.account_id = principal.account_id
    if from_cookies:
        request.state.refresh_signature_cookie = token.rsplit(".", 1)[1]
    return principal


async def account_principal(request: Request) -> Principal:
    """A principal acting on an account: every core route needs the account id (403 without)."""
    principal = await authenticate(request)
    principal.require_ids("userId")
    return principal
