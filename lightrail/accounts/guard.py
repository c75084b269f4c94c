"""The access guard: refuses revoked API keys, and every token of a frozen account, on every route.

One indexed lookup per (account, token id) at most once a second per process, so a revocation made by
any process is in force everywhere within about a second (and at once in the process that made it).
"""

from __future__ import annotations

import time
from datetime import datetime, timezone
from typing import NamedTuple

import sqlalchemy as sa

from lightrail.accounts.repository import base_id
from lightrail.accounts.tables import accounts, revoked_api_keys
from lightrail.auth.badge import Principal
from lightrail.db.engine import Database

CACHE_SECONDS = 1.0
_MAX_ENTRIES = 10_000


class _Status(NamedTuple):
    frozen: bool
    sessions_revoked_at: datetime | None
    key_revoked: bool


class AccessGuard:
    def __init__(self, db: Database) -> None:
        self._db = db
        self._cache: dict[tuple[str, str | None], tuple[float, _Status]] = {}

    def forget(self) -> None:
        """Drops what this process knows, after it revoked something itself."""
        self._cache.clear()

    async def __call__(self, principal: Principal) -> bool:
        account_id = principal.account_id
        if not account_id:
            return False
        status = await self._status(account_id, principal.token_id)
        if status.frozen or status.key_revoked:
            return True
        return principal.token_id is None and _issued_before(principal, status.sessions_revoked_at)

    async def _status(self, account_id: str, token_id: str | None) -> _Status:
        key = (account_id, token_id)
        now = time.monotonic()
        cached = self._cache.get(key)
        if cached is not None and cached[0] > now:
            return cached[1]
        account = sa.select(accounts).where(accounts.c.account_id == base_id(account_id))
        revoked = sa.exists().where(revoked_api_keys.c.account_id == account_id, revoked_api_keys.c.token_id == (token_id or ""))
        async with self._db.read() as conn:
            row = (await conn.execute(sa.select(
                account.with_only_columns(accounts.c.frozen).scalar_subquery().label("frozen"),
                account.with_only_columns(accounts.c.sessions_revoked_at).scalar_subquery().label("revoked_at"),
                revoked.label("key_revoked"),
            ))).one()
        revoked_at = row.revoked_at
        if isinstance(revoked_at, str):
            revoked_at = datetime.fromisoformat(revoked_at)
        if revoked_at is not None and revoked_at.tzinfo is None:
            revoked_at = revoked_at.replace(tzinfo=timezone.utc)
        status = _Status(bool(row.frozen), revoked_at, bool(row.key_revoked))
        if len(self._cache) >= _MAX_ENTRIES:
            self._cache.clear()
        self._cache[key] = (now + CACHE_SECONDS, status)
        return status


def _issued_before(principal: Principal, moment: datetime | None) -> bool:
    issued = principal.claims.get("iat")
    if moment is None or not isinstance(issued, (int, float)):
        return False
    return issued < moment.timestamp()
