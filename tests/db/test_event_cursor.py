"""The dispatcher's cursor over the outbox: every committed event is taken once, in commit order, and
none is passed over while the transaction that wrote it is still running."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator
from datetime import datetime, timezone

import asyncpg
import pytest
import sqlalchemy as sa
from alembic import command

from lightrail.db.engine import Database
from lightrail.db.migrate import alembic_config
from lightrail.events import backlog
from lightrail.events.outbox import INSERT
from tests.db.on_database import run_with_database

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def event(account: str, event_id: str) -> dict:
    return {
        "account_id": account, "id": event_id, "type": "test.cursor", "time": "2026-11-28T00:00:00.000Z",
        "data": {}, "created_at": datetime(2026, 11, 28, tzinfo=timezone.utc),
    }


def run(database_url: str, work) -> object:
    async def after_earlier_tests(db: Database):
        async with db.transaction() as conn:  # what earlier tests left
            await backlog.pass_all(conn)
        return await work(db)

    return run_with_database(database_url, after_earlier_tests, pool_size=3)


async def write(db: Database, account: str, *ids: str) -> None:
    async with db.transaction() as conn:
        await INSERT.execute(conn, [event(account, i) for i in ids])


async def take(db: Database, limit: int) -> list[str]:
    async with db.transaction() as conn:
        return [row.id for row in await backlog.take_next(conn, limit)]


def test_events_are_taken_once_in_commit_order_across_batches(database_url: str) -> None:
    account = f"cur-{uuid.uuid4().hex[:8]}"

    async def work(db: Database):
        await write(db, account, "a3", "a1", "a2")
        await write(db, account, "b2", "b1")
        batches = [await take(db, 2) for _ in range(3)]
        await write(db, account, "c1")
        async with db.read() as conn:
            waiting, oldest = await backlog.waiting(conn)
        return batches, await take(db, 10), waiting, oldest

    batches, later, waiting, oldest = run(database_url, work)
    taken = [i for batch in batches for i in batch]
    assert [len(batch) for batch in batches] == [2, 2, 1]
    # One transaction's events come together, before the next transaction's.
    assert sorted(taken[:3]) == ["a1", "a2", "a3"] and sorted(taken[3:]) == ["b1", "b2"]
    assert later == ["c1"]
    assert (waiting, oldest) == (1, datetime(2026, 11, 28, tzinfo=timezone.utc))


def test_a_running_transaction_holds_back_the_events_committed_after_it(database_url: str) -> None:
    """PostgreSQL hands out transaction ids at the first write, not at commit: an event of a transaction
    that started writing earlier can commit after a later one. Passing the later one would lose it."""
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite's writers take turns: a commit never lands behind another")
    account = f"cur-{uuid.uuid4().hex[:8]}"

    async def work(db: Database):
        seen = []
        async with db.transaction() as slow:
            await INSERT.execute(slow, [event(account, "early")])
            await write(db, account, "late")
            seen.append(await take(db, 10))
        seen.append(await take(db, 10))
        return seen

    assert run(database_url, work) == [[], ["early", "late"]]


def test_dispatchers_take_turns_at_the_cursor(database_url: str) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite's writer lock serialises the dispatchers' units of work")
    account = f"cur-{uuid.uuid4().hex[:8]}"

    async def work(db: Database):
        await write(db, account, "x1", "x2")
        async with db.transaction() as first:
            held = [row.id for row in await backlog.take_next(first, 1)]
            other = await take(db, 10)
        return held, other, await take(db, 10)

    # PostgreSQL orders one transaction's events by account and id.
    assert run(database_url, work) == (["x1"], [], ["x2"])


@pytest.fixture
def empty_database(database_url: str, tmp_path) -> Iterator[str]:
    if not database_url.startswith("postgresql"):
        yield f"sqlite:///{tmp_path / 'upgrade.db'}"
        return
    name = f"lightrail_upgrade_{uuid.uuid4().hex[:8]}"
    server = database_url.rsplit("/", 1)[0]

    async def admin(sql: str) -> None:
        conn = await asyncpg.connect(f"{server}/postgres")
        try:
            await conn.execute(sql)
        finally:
            await conn.close()

    asyncio.run(admin(f"CREATE DATABASE {name}"))
    yield f"{server}/{name}"
    asyncio.run(admin(f"DROP DATABASE {name} WITH (FORCE)"))


def test_upgrading_keeps_the_events_still_waiting_and_only_those(empty_database: str) -> None:
    """Before the cursor, the dispatcher marked each event dispatched; the upgrade starts the cursor
    between the two kinds, so nothing is lost or sent twice."""
    config = alembic_config(empty_database)
    command.upgrade(config, "webhooks_0001")
    command.upgrade(config, "core_0002")

    async def before(db: Database) -> None:
        async with db.transaction() as conn:
            for i, dispatched in ((1, True), (2, True), (3, False), (4, False)):
                await conn.execute(
                    sa.text("INSERT INTO events (account_id, id, type, time, data, created_at, dispatched_at) "
                            "VALUES ('a', :id, 't', 'x', '{}', :at, :done)"),
                    {"id": f"e{i}", "at": datetime(2026, 11, 27), "done": datetime(2026, 11, 27) if dispatched else None},
                )

    async def after(db: Database) -> tuple[list[str], list[str]]:
        await write(db, "a", "e5")
        async with db.read() as conn:
            # What a previous version's dispatcher, still running in a rolling deploy, would take.
            undispatched = (await conn.execute(sa.text("SELECT id FROM events WHERE dispatched_at IS NULL ORDER BY id"))).scalars()
            undispatched = list(undispatched)
        return await take(db, 10), undispatched

    asyncio.run(_with(empty_database, before))
    command.upgrade(config, "heads")
    taken, undispatched = asyncio.run(_with(empty_database, after))
    assert taken == ["e3", "e4", "e5"]
    if empty_database.startswith("postgresql"):
        assert undispatched == ["e3", "e4"]


async def _with(database_url: str, work):
    db = Database(database_url, pool_size=1)
    try:
        return await work(db)
    finally:
        await db.dispose()
