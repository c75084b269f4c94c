"""Web sessions: the badges Edhi issued to browsers (platform.md §2.4) and the cookies that carry them."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from starlette.responses import Response

from lightrail.auth.badge import badge_payload, sign

SESSION_SECONDS = 180 * 60
MFA_PENDING_SECONDS = 15 * 60
IDLE_SECONDS = 30 * 60
TRUSTED_DEVICE_SECONDS = 14 * 24 * 3600
TRUSTED_DEVICE_COOKIE = "gb_ttd"
PENDING_MFA_SCOPES = ["lightrailV2:authenticate", "lightrailV2:user:read"]


@dataclass
class LoginOutcome:
    """What a login-like request answers: the LoginResult body and the session token for the cookies."""

    body: dict[str, Any]
    token: str
    trusted_device: str | None = None
    # Email links answer with a redirect (and the same cookies) instead of the body.
    redirect: str | None = None


def _payload(account_id: str | None, user_id: str, roles: list[str], scopes: list[str], lifetime: int) -> dict[str, Any]:
    now = int(time.time())
    return badge_payload(
        account_id=account_id, user_id=user_id, roles=roles, scopes=scopes, audience="WEBAPP", issuer="EDHI",
        issued_at=now, expires_at=now + lifetime,
    )


def account_session(secret: str, account_id: str, user_id: str, roles: list[str], scopes: list[str]) -> str:
    return sign(_payload(account_id, user_id, roles, scopes, SESSION_SECONDS), secret)


def orphan_session(secret: str, user_id: str) -> str:
    """A session for a user without a usable account: enough to manage themselves and create an account."""
    return sign(_payload(None, user_id, ["self"], [], SESSION_SECONDS), secret)


def mfa_pending_session(secret: str, user_id: str) -> str:
    return sign(_payload(None, user_id, [], list(PENDING_MFA_SCOPES), MFA_PENDING_SECONDS), secret)


def _cookie(response: Response, name: str, value: str, *, max_age: int | None = None, expired: bool = False,
            httponly: bool = True) -> None:
    """Set-Cookie written as the original's `cookie` library wrote it (attribute order and case)."""
    parts = [f"{name}={value}"]
    if max_age is not None:
        parts.append(f"Max-Age={max_age}")
    parts.append("Path=/")
    if expired:
        parts.append("Expires=Thu, 01 Jan 1970 00:00:00 GMT")
    if httponly:
        parts.append("HttpOnly")
    parts.append("Secure")
    response.headers.append("set-cookie", "; ".join(parts))


def set_session_cookies(response: Response, token: str) -> None:
    head_payload, signature = token.rsplit(".", 1)
    _cookie(response, "gb_jwt_session", head_payload, max_age=SESSION_SECONDS, httponly=False)
    _cookie(response, "gb_jwt_signature", signature, max_age=IDLE_SECONDS)


def clear_session_cookies(response: Response) -> None:
    _cookie(response, "gb_jwt_session", "", expired=True, httponly=False)
    _cookie(response, "gb_jwt_signature", "", expired=True)


def set_trusted_device_cookie(response: Response, token: str) -> None:
    _cookie(response, TRUSTED_DEVICE_COOKIE, token, max_age=TRUSTED_DEVICE_SECONDS)
