"""The JWT "badge": reading, verifying and signing Lightrail tokens (spec platform.md §2)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import jwt

from lightrail.auth.scopes import RoleDefinitions, effective_scopes, has_scope
from lightrail.http.errors import ApiError

MERCHANT_ISSUER = "MERCHANT"
DEFAULT_SHOPPER = "defaultShopper"
_ID_CLAIMS = {
    "userId": "gui", "teamMemberId": "tmi", "merchantId": "gmi", "valueId": "gvi",
    "programId": "pid", "contactId": "coi", "serviceId": "si",
}

# Looks up a merchant's shared secret (set through /v1/storage/jwtSecret) by account id.
SharedSecretLookup = Callable[[str], Awaitable[str | None]]


async def no_shared_secrets(account_id: str) -> str | None:
    return None


class InvalidToken(Exception):
    pass


@dataclass(frozen=True)
class Principal:
    """Who is calling: the verified claims of the badge and the scopes they grant."""

    claims: dict[str, Any]
    scopes: frozenset[str] = field(default_factory=frozenset)

    def _g(self, short: str) -> str | None:
        return (self.claims.get("g") or {}).get(short) or None

    @property
    def account_id(self) -> str | None:
        return self._g("gui")

    @property
    def user_id(self) -> str | None:
        return self._g("tmi")

    @property
    def contact_id(self) -> str | None:
        return self._g("coi")

    @property
    def value_id(self) -> str | None:
        return self._g("gvi")

    @property
    def created_by(self) -> str:
        return self.user_id or self.account_id or ""

    @property
    def token_id(self) -> str | None:
        return self.claims.get("jti")

    @property
    def is_test(self) -> bool:
        return bool(self.account_id) and self.account_id.endswith("-TEST")

    @property
    def is_shopper(self) -> bool:
        return self.claims.get("iss") == MERCHANT_ISSUER

    def has_scope(self, scope: str) -> bool:
        return has_scope(self.scopes, scope)

    def require_scopes(self, *scopes: str) -> None:
        if not all(self.has_scope(s) for s in scopes):
            raise ApiError(403)

    def require_ids(self, *names: str) -> None:
        if not all(self._g(_ID_CLAIMS[n]) for n in names):
            raise ApiError(403)


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def js_number(value: float | int) -> Any:
    """A number written the way JavaScript writes it: 1593105017 rather than 1593105017.0."""
    return int(value) if float(value).is_integer() else value


def sign(payload: dict[str, Any], secret: str, header: dict[str, Any] | None = None) -> str:
    """Signs a payload exactly as given (key order kept), with the badge header {alg,typ,ver,vav}."""
    head = header or {"alg": "HS256", "typ": "JWT", "ver": 2, "vav": 1}
    compact = {"separators": (",", ":"), "ensure_ascii": False}
    signing_input = f"{_b64url(json.dumps(head, **compact).encode())}.{_b64url(json.dumps(payload, **compact).encode())}"
    signature = hmac.new(secret.encode(), signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{_b64url(signature)}"


def badge_payload(
    *,
    account_id: str | None,
    user_id: str | None = None,
    contact_id: str | None = None,
    roles: list[str] | None = None,
    scopes: list[str] | None = None,
    audience: str | None = None,
    issuer: str | None = None,
    token_id: str | None = None,
    issued_at: float | None = None,
    expires_at: float | None = None,
    metadata: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Claims in the order the original always emitted them (g, metadata, aud, iss, roles, scopes, jti, iat, exp)."""
    g = {k: v for k, v in (("gui", account_id), ("tmi", user_id), ("coi", contact_id)) if v is not None}
    payload: dict[str, Any] = {"g": g}
    if metadata is not None:
        payload["metadata"] = metadata
    if audience:
        payload["aud"] = audience
    if issuer:
        payload["iss"] = issuer
    if roles:
        payload["roles"] = list(roles)
    payload["scopes"] = list(scopes or [])
    if token_id:
        payload["jti"] = token_id
    if issued_at is not None:
        payload["iat"] = js_number(issued_at)
    if expires_at is not None:
        payload["exp"] = js_number(expires_at)
    return payload


class BadgeVerifier:
    """Turns a raw token into a Principal, or raises InvalidToken."""

    # Verified platform tokens are kept so that an API key used again and again is checked once: a
    # token's claims cannot change, and expiry is checked on every hit. Revocation is the access
    # guard's job and is not cached here.
    CACHE_SIZE = 10_000

    def __init__(self, secret: str, roles: RoleDefinitions, shared_secrets: SharedSecretLookup = no_shared_secrets):
        self._secret = secret
        self._roles = roles
        self.shared_secrets = shared_secrets
        self._verified: OrderedDict[str, tuple[Principal, float | None]] = OrderedDict()

    async def verify(self, token: str) -> Principal:
        hit = self._verified.get(token)
        if hit is not None:
            principal, expires = hit
            if expires is None or expires > time.time():
                return principal
            del self._verified[token]
        principal = await self._verify(token)
        if not principal.is_shopper:
            # Shopper tokens are not kept: their merchant may change the shared secret at any time.
            exp = principal.claims.get("exp")
            self._verified[token] = (principal, float(exp) if exp is not None else None)
            if len(self._verified) > self.CACHE_SIZE:
                self._verified.popitem(last=False)
        return principal

    async def _verify(self, token: str) -> Principal:
        try:
            unverified = jwt.decode(token, options={"verify_signature": False})
        except jwt.PyJWTError as e:
            raise InvalidToken(str(e)) from None
        if not isinstance(unverified, dict):
            raise InvalidToken("payload is not an object")
        secret = self._secret
        if unverified.get("iss") == MERCHANT_ISSUER:
            account_id = (unverified.get("g") or {}).get("gui") if isinstance(unverified.get("g"), dict) else None
            secret = await self.shared_secrets(account_id) if account_id else None
            if not secret:
                raise InvalidToken("no shared secret for merchant token")
        claims = self._decode(token, secret)
        if claims.get("iss") == MERCHANT_ISSUER:
            claims = _sanitise_shopper(claims)
        roles = claims.get("roles") or []
        scopes = claims.get("scopes") or []
        if not isinstance(roles, list) or not isinstance(scopes, list) or not isinstance(claims.get("g", {}), dict):
            raise InvalidToken("malformed claims")
        return Principal(claims, effective_scopes(
            [r for r in roles if isinstance(r, str)], [s for s in scopes if isinstance(s, str)], self._roles
        ))

    @staticmethod
    def _decode(token: str, secret: str) -> dict[str, Any]:
        try:
            return jwt.decode(
                token,
                secret,
                algorithms=["HS256"],
                # iat may be a legacy date string; aud/iss are informational in Lightrail.
                options={"verify_aud": False, "verify_iat": False, "verify_iss": False, "verify_nbf": False},
            )
        except jwt.PyJWTError as e:
            raise InvalidToken(str(e)) from None


def _sanitise_shopper(claims: dict[str, Any]) -> dict[str, Any]:
    """A merchant may sign shopper tokens but cannot grant them anything beyond the shopper role."""
    g = dict(claims.get("g") or {})
    g["gmi"] = g.get("gui")
    g["coi"] = g.get("coi") or DEFAULT_SHOPPER
    return {**claims, "g": g, "roles": ["shopper"], "scopes": []}
