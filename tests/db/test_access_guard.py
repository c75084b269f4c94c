"""The access guard on the real test database: one lookup at a time per key, a revocation made in this
process never undone by a lookup that read the row before it, and web sessions issued before the
account's sessions were revoked refused."""

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
from tests.db.on_database import run_with_database

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


class CountedLookup:
    """The guard's real statement, counting its executions and able to hold them at a gate."""

    def __init__(self, real) -> None:
        self.real = real
        self.count = 0
        self.gate: asyncio.Event | None = asyncio.Event()
        self.started = asyncio.Event()

    async def first(self, conn, params):
        self.count += 1
        row = await self.real.first(conn, params)  # read before the gate: the answer may go stale while held
        self.started.set()
        if self.gate is not None:
            await self.gate.wait()
        return row


def principal(account_id: str, **claims) -> Principal:
    return Principal({"g": {"gui": account_id, "tmi": account_id}, **claims})


async def update_account(db: Database, account_id: str, **changes) -> None:
    async with db.transaction() as conn:
        await conn.execute(sa.update(accounts).where(accounts.c.account_id == account_id).values(**changes))


async def guarded_account(db: Database, monkeypatch, **changes) -> tuple[AccessGuard, CountedLookup, str]:
    """A new account (with `changes` applied), a guard, and its lookups counted and held at the gate."""
    account = f"guard-{uuid.uuid4().hex[:8]}"
    async with db.transaction() as conn:
        await conn.execute(sa.insert(accounts).values(
            account_id=account, name="guarded", require_mfa=False, created_date=datetime.now(timezone.utc), **changes,
        ))
    lookup = CountedLookup(guard_module._STATUS)
    monkeypatch.setattr(guard_module, "_STATUS", lookup)
    return AccessGuard(db), lookup, account


def test_callers_arriving_while_an_entry_is_read_wait_for_that_one_read(database_url, monkeypatch):
    async def work(db: Database):
        guard, lookup, account = await guarded_account(db, monkeypatch)
        callers = [asyncio.create_task(guard(principal(account))) for _ in range(20)]
        await lookup.started.wait()
        lookup.gate.set()
        refused = await asyncio.gather(*callers)
        return refused, lookup.count

    refused, lookups = run_with_database(database_url, work, pool_size=4)
    assert refused == [False] * 20
    assert lookups == 1


def test_forget_drops_an_answer_read_before_the_revocation(database_url, monkeypatch):
    async def work(db: Database):
        guard, lookup, account = await guarded_account(db, monkeypatch)
        early = asyncio.create_task(guard(principal(account)))
        await lookup.started.wait()  # it has read the account unfrozen
        await update_account(db, account, frozen="test")
        guard.forget()  # what the process that froze it does
        lookup.gate.set()
        lookup.gate = None
        early_refused = await early  # its own answer is what it read
        return early_refused, await guard(principal(account)), lookup.count

    early_refused, refused_after, lookups = run_with_database(database_url, work, pool_size=4)
    assert early_refused is False
    assert refused_after is True  # read again, not taken from the stale lookup
    assert lookups == 2


def test_a_caller_that_goes_away_does_not_cancel_the_others_lookup(database_url, monkeypatch):
    async def work(db: Database):
        guard, lookup, account = await guarded_account(db, monkeypatch, frozen="test")
        first = asyncio.create_task(guard(principal(account)))
        second = asyncio.create_task(guard(principal(account)))
        await lookup.started.wait()
        first.cancel()
        lookup.gate.set()
        return await second, first.cancelled(), lookup.count

    refused, cancelled, lookups = run_with_database(database_url, work, pool_size=4)
    assert (refused, cancelled, lookups) == (True, True, 1)


def test_web_sessions_issued_before_the_revocation_are_refused_and_api_keys_are_not(database_url, monkeypatch):
    revoked_at = datetime(2026, 11, 28, 12, 0, tzinfo=timezone.utc)

    async def work(db: Database):
        guard, lookup, account = await guarded_account(db, monkeypatch, sessions_revoked_at=revoked_at)
        lookup.gate = None
        moment = revoked_at.timestamp()
        return (
            await guard(principal(account, iat=moment - 1)),  # a session from before
            await guard(principal(account, iat=moment + 1)),  # one signed in since
            await guard(principal(account, iat=moment - 1, jti="key-1")),  # an API key: revoked one by one instead
        )

    assert run_with_database(database_url, work, pool_size=4) == (True, False, False)
