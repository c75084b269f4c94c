"""API keys: badge tokens that never expire, listed per account and mode, revoked at once (platform.md §2.5, §4.10)."""

from __future__ import annotations

import uuid
from datetime import datetime, timezone
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from lightrail.accounts import repository
from lightrail.accounts.context import Accounts
from lightrail.accounts.repository import TEST_SUFFIX, base_id
from lightrail.accounts.tokens import api_key_token_hash
from lightrail.auth.badge import badge_payload, sign
from lightrail.db import clock
from lightrail.http.errors import ApiError

TOKEN_VERSION = 3


def key_not_found(token_id: str) -> ApiError:
    return ApiError(404, f"Could not find api key with id '{token_id}'.", "ApiKeyNotFound")


def api_key_token(secret: str, account_id: str, user_id: str, token_id: str, roles: list[str], scopes: list[str],
                  created: datetime) -> str:
    """Deterministic: the same key always signs to the same token, so it can be re-derived and checked."""
    payload = badge_payload(
        account_id=account_id, user_id=user_id, roles=roles, scopes=scopes, audience="API", issuer="EDHI",
        token_id=token_id, issued_at=round(created.timestamp() * 1000) / 1000,
    )
    return sign(payload, secret)


def _now_millis() -> datetime:
    now = datetime.now(timezone.utc)
    return now.replace(microsecond=now.microsecond // 1000 * 1000)


async def issue(conn: AsyncConnection, secret: str, account_id: str, user_id: str, name: str | None,
                roles: list[str], scopes: list[str]) -> dict[str, Any]:
    """Stores a key for the account as named in tokens (`-TEST` for test mode) and returns it with its token."""
    created = _now_millis()
    token_id = "tok-" + uuid.uuid4().hex
    token = api_key_token(secret, account_id, user_id, token_id, roles, scopes, created)
    values = {
        "account_id": account_id, "token_id": token_id, "user_id": user_id, "name": name, "roles": roles,
        "scopes": scopes, "token_version": TOKEN_VERSION, "created_date": created, "token_hash": api_key_token_hash(token),
    }
    await repository.insert_api_key(conn, values)
    return {**repository.api_key_json(await repository.get_api_key(conn, account_id, token_id)), "token": token}


async def create(ctx: Accounts, account_id: str, user_id: str, name: str | None) -> dict[str, Any]:
    """The key gets the roles and scopes the caller's membership has now."""
    async with ctx.db.transaction() as conn:
        member = await repository.get_member(conn, base_id(account_id), base_id(user_id))
        if member is None or member.invitation_created is not None:
            raise ApiError(403, "Only members of the account can create its API keys.")
        return await issue(conn, ctx.jwt_secret, account_id, user_id, name, member.roles, member.scopes)


async def list_keys(ctx: Accounts, account_id: str) -> list[dict[str, Any]]:
    async with ctx.db.read() as conn:
        return [repository.api_key_json(k) for k in await repository.list_api_keys(conn, [account_id])]


async def get_key(ctx: Accounts, account_id: str, token_id: str) -> dict[str, Any]:
    async with ctx.db.read() as conn:
        key = await repository.get_api_key(conn, account_id, token_id)
    if key is None:
        raise key_not_found(token_id)
    return repository.api_key_json(key)


async def delete_key(ctx: Accounts, account_id: str, token_id: str) -> None:
    async with ctx.db.transaction() as conn:
        key = await repository.get_api_key(conn, account_id, token_id)
        if key is None:
            raise key_not_found(token_id)
        await repository.revoke_api_key(conn, key, clock.now())
    ctx.guard.forget()


def both_modes(account_id: str) -> list[str]:
    return [base_id(account_id), base_id(account_id) + TEST_SUFFIX]
