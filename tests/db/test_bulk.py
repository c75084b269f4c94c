"""Bulk inserts on the real test database: every row and every kind of value arrives as sent, in the
caller's transaction, whether PostgreSQL takes the rows as one INSERT or by COPY."""

from __future__ import annotations

import uuid
from datetime import datetime, timezone

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from lightrail.db import bulk
from lightrail.db.bulk import BulkInsert
from lightrail.db.engine import Database
from lightrail.events.tables import events
from lightrail.transactions.tables import transactions
from tests.db.on_database import run_with_database

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

EVENTS = BulkInsert(events)
TRANSACTIONS = BulkInsert(transactions, list(transactions.c))
CREATED = datetime(2026, 11, 28, 17, 0, 5, 123000, tzinfo=timezone.utc)


def event(account: str, index: int) -> dict:
    data = {"n": index, "z": None, "a": ["ü", 1.5]} if index % 3 else {}
    return {
        "account_id": account, "id": f"e{index:05d}", "type": "test.bulk", "time": "2026-11-28T17:00:05.123Z",
        "data": data, "created_at": CREATED,
    }


# On PostgreSQL: every batch by COPY, or every batch as one INSERT.
BOTH_WAYS = pytest.mark.parametrize("copy_from", [1, 1000], ids=["copy", "insert"])


def test_rows_of_a_large_and_a_small_batch_arrive_whole(database_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bulk, "COPY_FROM", 10)  # on PostgreSQL the first batch goes by COPY, the second as an INSERT
    account = f"bulk-{uuid.uuid4().hex[:8]}"

    async def work(db: Database):
        async with db.transaction() as conn:
            await EVENTS.execute(conn, [event(account, i) for i in range(27)])
            await EVENTS.execute(conn, [event(account, i) for i in range(27, 30)])
            await EVENTS.execute(conn, [])
        async with db.read() as conn:
            query = sa.select(events.c.id, events.c.data, events.c.created_at).where(events.c.account_id == account).order_by(events.c.id)
            return (await conn.execute(query)).all()

    rows = run_with_database(database_url, work)
    assert [row.id for row in rows] == [f"e{i:05d}" for i in range(30)]
    assert rows[4].data == {"n": 4, "z": None, "a": ["ü", 1.5]} and list(rows[4].data) == ["n", "z", "a"]
    assert rows[3].data == {}
    assert {row.created_at for row in rows} == {CREATED}


@BOTH_WAYS
def test_nulls_booleans_and_dates_of_a_transaction_row(database_url: str, copy_from: int, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bulk, "COPY_FROM", copy_from)
    account = f"bulk-{uuid.uuid4().hex[:8]}"
    row = {
        "account_id": account, "id": "t1", "transaction_type": "credit", "currency": "USD", "totals": None,
        "line_items": [{"type": "product", "unitPrice": 100}], "payment_sources": None, "tax": None, "metadata": None,
        "pending": True, "pending_void_date": CREATED, "root_transaction_id": "t1", "next_transaction_id": None,
        "created_date": CREATED, "created_by": "someone",
    }

    async def work(db: Database):
        async with db.transaction() as conn:
            await conn.execute(sa.text(
                "INSERT INTO currencies (account_id, code, name, symbol, decimal_places, created_date, updated_date, created_by) "
                "VALUES (:a, 'USD', 'Dollar', '$', 2, :d, :d, 'x')"
            ), {"a": account, "d": CREATED.replace(tzinfo=None)})
            await TRANSACTIONS.execute(conn, [row])
        async with db.read() as conn:
            return (await conn.execute(sa.select(transactions).where(transactions.c.account_id == account))).one()._mapping

    stored = run_with_database(database_url, work)
    assert dict(stored) == row


@BOTH_WAYS
def test_a_clash_raises_and_keeps_nothing_of_the_batch(database_url: str, copy_from: int, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bulk, "COPY_FROM", copy_from)
    account = f"bulk-{uuid.uuid4().hex[:8]}"

    async def work(db: Database):
        with pytest.raises(IntegrityError):
            async with db.transaction() as conn:
                await EVENTS.execute(conn, [event(account, 1), event(account, 2)])
                await EVENTS.execute(conn, [event(account, 3), event(account, 1)])
        async with db.read() as conn:
            return (await conn.execute(sa.select(sa.func.count()).select_from(events).where(events.c.account_id == account))).scalar()

    assert run_with_database(database_url, work) == 0
