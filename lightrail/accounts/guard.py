"""The access guard: refuses revoked API keys, and every token of a frozen account, on every route.

One indexed lookup per (account, token id) at most once a second per process (one at a time), so a
revocation made by any process is in force everywhere within about a second (and at once in the
process that made it).
"""

from __future__ import annotations

import asyncio
import time
from datetime import datetime
from typing import NamedTuple

import sqlalchemy as sa

from lightrail.accounts.repository import base_id
from lightrail.accounts.tables import accounts, revoked_api_keys
from lightrail.auth.badge import Principal
from lightrail.db.engine import Database
from lightrail.db.prepared import Prepared

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
        # One lookup in flight per key: when an entry expires under load, the requests arriving before
        # it is read again wait for that one read instead of each starting their own.
        self._loading: dict[tuple[str, str | None], asyncio.Future[_Status]] = {}
        self._generation = 0

    def forget(self) -> None:
        """Drops what this process knows, after it revoked something itself (a lookup already in flight
        may have read the row before the change: its answer is not kept)."""
        self._cache.clear()
        self._loading.clear()
        self._generation += 1

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
        cached = self._cache.get(key)
        if cached is not None and cached[0] > time.monotonic():
            return cached[1]
        loading = self._loading.get(key)
        if loading is None:
            loading = self._loading[key] = asyncio.ensure_future(self._load(key))
            loading.add_done_callback(lambda done: self._settled(key, done))
        # A caller that goes away (its client disconnected) does not cancel the others' lookup.
        return await asyncio.shield(loading)

    async def _load(self, key: tuple[str, str | None]) -> _Status:
        account_id, token_id = key
        generation = self._generation
        async with self._db.read() as conn:
            row = await _STATUS.first(conn, {"account": base_id(account_id), "key_account": account_id, "token": token_id or ""})
        # The prepared statement's result processor already makes the date aware UTC on both databases.
        status = _Status(bool(row.frozen), row.revoked_at, bool(row.key_revoked))
        if generation == self._generation:
            if len(self._cache) >= _MAX_ENTRIES:
                self._cache.clear()
            self._cache[key] = (time.monotonic() + CACHE_SECONDS, status)
        return status

    def _settled(self, key: tuple[str, str | None], done: asyncio.Future[_Status]) -> None:
        if self._loading.get(key) is done:
            del self._loading[key]
        if not done.cancelled():
            done.exception()  # retrieved here too, so a failure whose callers all went away is not reported as lost


def _status_query() -> Prepared:
    account = sa.select(accounts).where(accounts.c.account_id == sa.bindparam("account"))
    revoked = sa.exists().where(
        revoked_api_keys.c.account_id == sa.bindparam("key_account"), revoked_api_keys.c.token_id == sa.bindparam("token"),
    )
    return Prepared(sa.select(
        account.with_only_columns(accounts.c.frozen).scalar_subquery().label("frozen"),
        account.with_only_columns(accounts.c.sessions_revoked_at).scalar_subquery().label("revoked_at"),
        revoked.label("key_revoked"),
    ))


_STATUS = _status_query()


def _issued_before(principal: Principal, moment: datetime | None) -> bool:
    issued = principal.claims.get("iat")
    if moment is None or not isinstance(issued, (int, float)):
        return False
    return issued < moment.timestamp()
