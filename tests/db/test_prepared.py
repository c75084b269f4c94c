"""Prepared statements on the real test database: the same answers SQLAlchemy gives, in the same transaction."""

from __future__ import annotations

import asyncio
import uuid
from datetime import datetime, timezone

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from lightrail.db.engine import Database
from lightrail.db.prepared import Prepared, any_of, write_at_once
from lightrail.events.outbox import INSERT
from lightrail.events.tables import events
from tests.db.on_database import run_with_database

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

SELECT_BY_IDS = Prepared(
    sa.select(events).where(events.c.account_id == sa.bindparam("account"), any_of(events.c.id, "ids")).order_by(events.c.id)
)
MARK = Prepared(
    sa.update(events).where(events.c.account_id == sa.bindparam("account"), events.c.id == sa.bindparam("event"))
    .values(created_at=sa.bindparam("at", type_=events.c.created_at.type)).returning(events.c.id)
)
CREATED = datetime(2026, 11, 27, 12, 30, tzinfo=timezone.utc)


def event(account: str, event_id: str, data: object) -> dict:
    return {
        "account_id": account, "id": event_id, "type": "test.prepared", "time": "2026-11-27T00:00:00.000Z",
        "data": data, "created_at": CREATED,
    }


def test_insert_many_then_select_by_any_length_of_list(database_url: str) -> None:
    account = f"prep-{uuid.uuid4().hex[:8]}"
    data = {"b": [1, 2.5, None], "a": "ü"}

    async def work(db: Database):
        async with db.transaction() as conn:
            await INSERT.each_row.execute_many(conn, [event(account, f"e{i}", data) for i in range(3)])
        async with db.read() as conn:
            return [await SELECT_BY_IDS.all(conn, {"account": account, "ids": ids}) for ids in (["e0"], ["e2", "e1", "zz"], [])]

    one, two, none = run_with_database(database_url, work)
    assert [row.id for row in one] == ["e0"]
    assert [row["id"] for row in two] == ["e1", "e2"]
    assert none == []
    # Processors ran both ways: JSON text keeps key order, dates come back aware UTC.
    assert list(one[0].data) == ["b", "a"] and one[0].data == data
    assert one[0]._mapping["created_at"] == CREATED


def test_changed_rows_and_rollback_share_the_callers_transaction(database_url: str) -> None:
    account = f"prep-{uuid.uuid4().hex[:8]}"
    at = datetime(2026, 11, 28, tzinfo=timezone.utc)

    async def work(db: Database):
        async with db.transaction() as conn:
            await INSERT.each_row.execute_many(conn, [event(account, "kept", {})])
        changed = []
        with pytest.raises(RuntimeError):
            async with db.transaction() as conn:
                changed.append(len(await MARK.all(conn, {"account": account, "event": "kept", "at": at})))
                changed.append(len(await MARK.all(conn, {"account": account, "event": "missing", "at": at})))
                # Seen by SQLAlchemy on the same connection: one transaction, whichever layer wrote.
                seen = (await conn.execute(sa.select(events.c.created_at).where(events.c.account_id == account))).scalar_one()
                changed.append(seen)
                raise RuntimeError("roll back")
        async with db.read() as conn:
            after = await SELECT_BY_IDS.first(conn, {"account": account, "ids": ["kept"]})
        return changed, after

    changed, after = run_with_database(database_url, work)
    assert changed == [1, 0, at]
    assert after.created_at == CREATED


def test_unique_violation_is_sqlalchemys_integrity_error(database_url: str) -> None:
    account = f"prep-{uuid.uuid4().hex[:8]}"

    async def work(db: Database):
        async with db.transaction() as conn:
            await INSERT.each_row.execute_many(conn, [event(account, "dup", {})])
        with pytest.raises(IntegrityError):
            async with db.transaction() as conn:
                await INSERT.each_row.execute_many(conn, [event(account, "dup", {})])
        async with db.read() as conn:
            return await SELECT_BY_IDS.all(conn, {"account": account, "ids": ["dup"]})

    assert len(run_with_database(database_url, work)) == 1


def test_a_missing_parameter_is_an_error_not_a_null(database_url: str) -> None:
    async def work(db: Database):
        async with db.read() as conn:
            await SELECT_BY_IDS.all(conn, {"account": "x"})

    with pytest.raises(KeyError):
        run_with_database(database_url, work)


def _sqlite_only(database_url: str, why: str) -> None:
    if database_url.startswith("postgresql"):
        pytest.skip(why)


def _locked_row(account: str) -> dict:
    """MARK's parameters for the row that the cancellation tests write and then lock again."""
    return {"account": account, "event": "locked", "at": datetime(2026, 11, 28, tzinfo=timezone.utc)}


async def _insert_locked_row(db: Database, account: str) -> None:
    async with db.transaction() as conn:
        await INSERT.each_row.execute_many(conn, [event(account, "locked", {})])


def test_units_of_work_cancelled_at_any_point_leave_no_transaction_behind(database_url: str) -> None:
    """A request cancelled mid-way (a client gone) must not hand a connection still in its transaction,
    holding its row locks, to the next unit of work. Cancelled at every step of a write in turn."""
    locked = _locked_row(f"prep-{uuid.uuid4().hex[:8]}")

    async def work(db: Database):
        await _insert_locked_row(db, locked["account"])

        async def write() -> None:
            async with db.transaction() as conn:
                await MARK.all(conn, locked)
                # The same write through SQLAlchemy, as most services write.
                await conn.execute(MARK.statement, locked)

        for step in range(80):
            task = asyncio.create_task(write())
            await asyncio.sleep(step * 0.00005)
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
        # Every pooled connection is free of any transaction: each in turn takes the row's lock at once.
        changed = []
        async with asyncio.timeout(10):
            for _ in range(4):
                async with db.transaction() as conn:
                    changed.append(len(await MARK.all(conn, locked)))
        return changed

    assert run_with_database(database_url, work) == [1, 1, 1, 1]


# About a second of SQLite's time: long enough for a cancellation to land while SQLAlchemy awaits it.
_SLOW_COUNT = sa.text("WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 5000000) SELECT count(*) FROM c")


def test_a_statement_cancelled_through_sqlalchemy_leaves_sqlite_unlocked(database_url: str) -> None:
    """SQLAlchemy takes a cancelled statement for a lost connection and closes it; a SQLite connection
    closed while that statement is still referenced (here: the error, kept) would keep its write lock
    until the statement went. The connection is kept instead, and its rollback follows the statement."""
    _sqlite_only(database_url, "asyncpg's connection is closed, which ends its transaction on the server")
    locked = _locked_row(f"prep-{uuid.uuid4().hex[:8]}")

    async def work(db: Database):
        await _insert_locked_row(db, locked["account"])

        async def write() -> None:
            async with db.transaction() as conn:
                await MARK.all(conn, locked)
                await conn.execute(_SLOW_COUNT)

        task = asyncio.create_task(write())
        await asyncio.sleep(0.1)
        task.cancel()
        kept = await asyncio.gather(task, return_exceptions=True)
        async with asyncio.timeout(5), db.transaction() as conn:
            changed = await MARK.all(conn, locked)
        return kept, len(changed)

    kept, changed = run_with_database(database_url, work)
    assert isinstance(kept[0], asyncio.CancelledError) and changed == 1


def test_postgresql_plans_a_statement_with_an_array_parameter_once(database_url: str) -> None:
    """PostgreSQL's default would plan `id = ANY($1)` afresh on every execution (its generic plan, costed
    for an array of unknown length, never looks cheaper than a custom one): the engine's sessions keep
    the generic plan."""
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite has no plan cache to choose from")
    account = f"prep-{uuid.uuid4().hex[:8]}"

    async def work(db: Database):
        async with db.read() as conn:
            for i in range(8):
                assert await SELECT_BY_IDS.all(conn, {"account": account, "ids": [f"e{i}"]}) == []
            plans = await conn.exec_driver_sql(
                "SELECT generic_plans, custom_plans FROM pg_prepared_statements WHERE statement = $1",
                (SELECT_BY_IDS.bound(conn, [])[0],),
            )
            return plans.one()

    generic, custom = run_with_database(database_url, work)
    assert (generic, custom) == (8, 0)


def test_sqlite_writes_at_once_entirely_or_not_at_all(database_url: str) -> None:
    """SQLite's write at once: every statement in one hop to the connection's thread, in one unit of work;
    a guarded statement that changes no row, or a constraint violation, leaves nothing written."""
    _sqlite_only(database_url, "PostgreSQL writes at once in one statement")
    account = f"prep-{uuid.uuid4().hex[:8]}"
    at = datetime(2026, 11, 28, tzinfo=timezone.utc)

    async def work(db: Database):
        async with db.writer() as writer:
            first = await write_at_once(writer, [(INSERT.each_row, [event(account, "a", {}), event(account, "b", {})], False)])
            guarded = await write_at_once(writer, [
                (MARK, [{"account": account, "event": "a", "at": at}], True),
                (INSERT.each_row, [event(account, "c", {})], False),
                (MARK, [{"account": account, "event": "missing", "at": at}], True),
            ])
            with pytest.raises(IntegrityError):
                await write_at_once(writer, [(INSERT.each_row, [event(account, "d", {}), event(account, "a", {})], False)])
        async with db.read() as conn:
            rows = await SELECT_BY_IDS.all(conn, {"account": account, "ids": ["a", "b", "c", "d"]})
        return first, guarded, rows

    first, guarded, rows = run_with_database(database_url, work)
    assert (first, guarded) == (True, False)
    assert [(row.id, row.created_at) for row in rows] == [("a", CREATED), ("b", CREATED)]


_NO_WRITER = "PostgreSQL writes at once on the request's own connection"


def test_sqlite_writer_is_set_up_as_the_pooled_connections_are(database_url: str) -> None:
    _sqlite_only(database_url, _NO_WRITER)

    def settings(connection):
        return [connection.execute(f"PRAGMA {name}").fetchone()[0] for name in ("journal_mode", "foreign_keys", "busy_timeout", "synchronous")]

    async def work(db: Database):
        async with db.writer() as writer:
            return await writer.call(settings), writer.dialect.name

    assert run_with_database(database_url, work) == (["wal", 1, 10000, 1], "sqlite")


def test_sqlite_writer_serves_every_loop_and_a_loop_that_ends_mid_write_leaves_nothing_locked(database_url: str) -> None:
    """The writer's call runs on its own thread to its COMMIT whatever becomes of its caller; a
    pooled connection's transaction in the next loop then finds the database free."""
    _sqlite_only(database_url, _NO_WRITER)
    account = f"prep-{uuid.uuid4().hex[:8]}"
    db = Database(database_url, pool_size=2)

    async def write_then_end_the_loop() -> None:
        async with db.writer() as writer:
            written = asyncio.ensure_future(write_at_once(writer, [(INSERT.each_row, [event(account, "a", {})], False)]))
            await asyncio.sleep(0)
            written.cancel()

    async def then_in_another_loop():
        async with db.writer() as writer:
            await write_at_once(writer, [(INSERT.each_row, [event(account, "b", {})], False)])
        async with db.transaction() as conn:
            await INSERT.execute(conn, [event(account, "c", {})])
            rows = await SELECT_BY_IDS.all(conn, {"account": account, "ids": ["a", "b", "c"]})
        await db.dispose()
        return [row.id for row in rows]

    asyncio.run(write_then_end_the_loop())
    assert asyncio.run(asyncio.wait_for(then_in_another_loop(), 5)) == ["a", "b", "c"]
