"""The access guard on the real test database: one lookup at a time per key, and a revocation made in
this process is never undone by a lookup that read the row before it."""

from __future__ import annotations

import asyncio
import uuid
from datetime import datetime, timezone

import pytest
import sqlalchemy as sa

from lightrail.accounts import guard as guard_module
from lightrail.accounts.guard import AccessGuard
from lightrail.accounts.tables import accounts
from lightrail.auth.badge import Principal
from lightrail.db.engine import Database

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


class CountedLookup:
    """The guard's real statement, counting its executions and able to hold them at a gate."""

    def __init__(self, real) -> None:
        self.real = real
        self.count = 0
        self.gate: asyncio.Event | None = None
        self.started = asyncio.Event()

    async def first(self, conn, params):
        self.count += 1
        row = await self.real.first(conn, params)  # read before the gate: the answer may go stale while held
        self.started.set()
        if self.gate is not None:
            await self.gate.wait()
        return row


def principal(account_id: str) -> Principal:
    return Principal({"g": {"gui": account_id, "tmi": account_id}})


def run(database_url: str, work):
    async def main():
        db = Database(database_url, pool_size=4)
        try:
            return await work(db)
        finally:
            await db.dispose()

    return asyncio.run(main())


async def insert_account(db: Database, account_id: str) -> None:
    async with db.transaction() as conn:
        await conn.execute(sa.insert(accounts).values(
            account_id=account_id, name="guarded", require_mfa=False, created_date=datetime.now(timezone.utc),
        ))


async def freeze(db: Database, account_id: str) -> None:
    async with db.transaction() as conn:
        await conn.execute(sa.update(accounts).where(accounts.c.account_id == account_id).values(frozen="test"))


def test_callers_arriving_while_an_entry_is_read_wait_for_that_one_read(database_url, monkeypatch):
    account = f"guard-{uuid.uuid4().hex[:8]}"

    async def work(db: Database):
        lookup = CountedLookup(guard_module._STATUS)
        monkeypatch.setattr(guard_module, "_STATUS", lookup)
        await insert_account(db, account)
        guard = AccessGuard(db)
        lookup.gate = asyncio.Event()
        callers = [asyncio.create_task(guard(principal(account))) for _ in range(20)]
        await lookup.started.wait()
        lookup.gate.set()
        refused = await asyncio.gather(*callers)
        return refused, lookup.count

    refused, lookups = run(database_url, work)
    assert refused == [False] * 20
    assert lookups == 1


def test_forget_drops_an_answer_read_before_the_revocation(database_url, monkeypatch):
    account = f"guard-{uuid.uuid4().hex[:8]}"

    async def work(db: Database):
        lookup = CountedLookup(guard_module._STATUS)
        monkeypatch.setattr(guard_module, "_STATUS", lookup)
        await insert_account(db, account)
        guard = AccessGuard(db)
        lookup.gate = asyncio.Event()
        early = asyncio.create_task(guard(principal(account)))
        await lookup.started.wait()  # it has read the account unfrozen
        await freeze(db, account)
        guard.forget()  # what the process that froze it does
        lookup.gate.set()
        lookup.gate = None
        early_refused = await early  # its own answer is what it read
        return early_refused, await guard(principal(account)), lookup.count

    early_refused, refused_after, lookups = run(database_url, work)
    assert early_refused is False
    assert refused_after is True  # read again, not taken from the stale lookup
    assert lookups == 2


def test_a_caller_that_goes_away_does_not_cancel_the_others_lookup(database_url, monkeypatch):
    account = f"guard-{uuid.uuid4().hex[:8]}"

    async def work(db: Database):
        lookup = CountedLookup(guard_module._STATUS)
        monkeypatch.setattr(guard_module, "_STATUS", lookup)
        await insert_account(db, account)
        await freeze(db, account)
        guard = AccessGuard(db)
        lookup.gate = asyncio.Event()
        first = asyncio.create_task(guard(principal(account)))
        second = asyncio.create_task(guard(principal(account)))
        await lookup.started.wait()
        first.cancel()
        lookup.gate.set()
        return await second, first.cancelled(), lookup.count

    refused, cancelled, lookups = run(database_url, work)
    assert (refused, cancelled, lookups) == (True, True, 1)
