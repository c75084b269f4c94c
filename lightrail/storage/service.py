"""Key-value storage per account (platform.md §5): behaviour, no HTTP."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

import orjson

from lightrail.db.engine import Database
from lightrail.http.errors import ApiError
from lightrail.storage import repository
from lightrail.secretbox import SecretBox, UndecryptableSecret
from lightrail.storage.special_keys import HIDDEN_KEYS, JWT_SECRET_KEY, is_encrypted

MAX_VALUE_LENGTH = 10240
NOT_FOUND = "Resource not found.  The resource type was understood but nothing lives there."


def _binding(account_id: str, key: str) -> str:
    return f"storage\0{account_id}\0{key}"


def _js_length(text: str) -> int:
    """String length as JavaScript counts it (UTF-16 code units), which is what the original limited."""
    return len(text.encode("utf-16-le")) // 2


async def list_keys(db: Database, account_id: str) -> dict[str, list[str]]:
    async with db.read() as conn:
        return {"keys": await repository.list_keys(conn, account_id, HIDDEN_KEYS)}


async def get_item(db: Database, box: SecretBox, account_id: str, key: str) -> Any:
    async with db.read() as conn:
        row = await repository.get(conn, account_id, key)
    if row is None:
        raise ApiError(404, NOT_FOUND)
    if row.encrypted:
        return orjson.loads(box.open(row.value, _binding(account_id, key)))
    return row.value


async def put_item(db: Database, box: SecretBox, account_id: str, key: str, value: Any) -> None:
    compact = orjson.dumps(value).decode()
    if _js_length(compact) > MAX_VALUE_LENGTH:
        raise ApiError(413, "Payload too large.  The max value size is 10 KiB.")
    if key == JWT_SECRET_KEY and not (isinstance(value, str) and value):
        # Shopper tokens are verified with this value as an HMAC key: anything but a string is unusable.
        raise ApiError(422, "The jwtSecret must be a non-empty string.")
    encrypted = is_encrypted(key)
    row = {
        "account_id": account_id,
        "key": key,
        "value": box.seal(compact, _binding(account_id, key)) if encrypted else value,
        "encrypted": encrypted,
        "updated_date": datetime.now(timezone.utc),
    }
    async with db.transaction() as conn:
        await repository.put(conn, row)


async def delete_item(db: Database, account_id: str, key: str) -> None:
    async with db.transaction() as conn:
        await repository.delete(conn, account_id, key)


async def shared_secret(db: Database, box: SecretBox, account_id: str) -> str | None:
    """The merchant's secret for shopper tokens, or None when the account has not set one."""
    try:
        value = await get_item(db, box, account_id, JWT_SECRET_KEY)
    except (ApiError, UndecryptableSecret):
        # Unreadable (e.g. the code secret was changed) counts as unset: the shopper gets 401, not 500.
        return None
    return value if isinstance(value, str) and value else None
