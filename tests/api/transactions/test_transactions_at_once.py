"""The write at once (`executor.execute_at_once`: one statement on PostgreSQL, one hop to SQLite's thread): a
plan made from Values read outside any transaction applies entirely, or, when any of them moved since,
not at all."""

from __future__ import annotations

import itertools

import pytest

from lightrail.db import clock
from lightrail.events.tables import events
from lightrail.transactions import executor
from lightrail.transactions.executor import LedgerPlan, ValueChange
from lightrail.transactions.service import skeleton
from lightrail.values import repository as value_repository
from lightrail.values.tables import values

_ids = itertools.count()


@pytest.fixture
def at_once(app, run_async, account_id):
    """Reads the Values, lets `between` run, then writes a debit of `amounts` (value id → amount) at once."""

    def write(amounts: dict[str, int], between=lambda: None, transaction_id: str | None = None):
        transaction_id = transaction_id or f"once-{next(_ids)}"

        async def read():
            async with app.state.db.read() as conn:
                return [await value_repository.get(conn, account_id, value_id) for value_id in amounts]

        rows = run_async(read)
        between()

        async def apply():
            now = clock.now()
            changes = [ValueChange(row._mapping, -amounts[row.id], None) for row in rows]
            plan = LedgerPlan(skeleton(transaction_id, "debit", "USD", now, "test"), changes, allow_remainder=False)
            db = app.state.db
            if db.is_sqlite:
                async with db.writer() as writer:
                    return await executor.execute_at_once(writer, account_id, plan, app.state.codes, now)
            async with db.read() as conn:
                return await executor.execute_at_once(conn, account_id, plan, app.state.codes, now)

        return transaction_id, run_async(apply)

    return write


def test_applies_every_change_steps_and_events(api, make_value, balance_of, at_once, db_rows, account_id) -> None:
    card = make_value(balance=1000)["id"]
    other = make_value(balance=50, usesRemaining=3)["id"]
    transaction_id, written = at_once({card: 300, other: 50})
    assert [(s["valueId"], s["balanceBefore"], s["balanceAfter"], s["balanceChange"]) for s in written["steps"]] == [
        (card, 1000, 700, -300), (other, 50, 0, -50),
    ]
    assert balance_of(card) == (700, None) and balance_of(other) == (0, 3)
    stored = api.get(f"/v2/transactions/{transaction_id}").json()
    assert [s["balanceAfter"] for s in stored["steps"]] == [700, 0]
    versions = {row["id"]: row["version"] for row in db_rows(values, account_id)}
    assert versions == {card: 1, other: 1}
    rows = db_rows(events, account_id)
    created = [row["data"]["newTransaction"] for row in rows if row["type"] == "lightrail.transaction.created"]
    assert [t["steps"] for t in created if t["id"] == transaction_id] == [written["steps"]]
    updates = {row["data"]["newValue"]["id"]: row["data"] for row in rows if row["type"] == "lightrail.value.updated"}
    assert (updates[card]["oldValue"]["balance"], updates[card]["newValue"]["balance"]) == (1000, 700)
    assert (updates[other]["oldValue"]["balance"], updates[other]["newValue"]["balance"]) == (50, 0)
    # Rendered before the write, the event still shows the Value exactly as it now is.
    assert updates[card]["newValue"] == api.get(f"/v2/values/{card}").json()


def test_a_value_changed_after_the_read_leaves_everything_as_it_was(api, make_value, balance_of, at_once) -> None:
    card = make_value(balance=1000)["id"]
    other = make_value(balance=500)["id"]

    def touch_other() -> None:
        # Only metadata changes, in the same second as the read: the version still tells.
        assert api.patch(f"/v2/values/{other}", json={"metadata": {"touched": True}}).status_code == 200

    transaction_id, written = at_once({card: 300, other: 100}, between=touch_other)
    assert written is None
    assert balance_of(card) == (1000, None) and balance_of(other) == (500, None)
    assert api.get(f"/v2/transactions/{transaction_id}").status_code == 404


def test_a_taken_transaction_id_writes_nothing(api, make_value, balance_of, at_once) -> None:
    card = make_value(balance=1000)["id"]
    first, _ = at_once({card: 100})
    again, written = at_once({card: 100}, transaction_id=first)
    assert written is None
    assert balance_of(card) == (900, None)


def test_the_api_debit_still_answers_for_a_value_that_moves(api, make_value, balance_of) -> None:
    card = make_value(balance=100)["id"]
    assert api.post("/v2/transactions/debit", json={
        "id": "once-api-1", "currency": "USD", "amount": 60, "source": {"rail": "lightrail", "valueId": card},
    }).status_code == 201
    response = api.post("/v2/transactions/debit", json={
        "id": "once-api-2", "currency": "USD", "amount": 60, "source": {"rail": "lightrail", "valueId": card},
    })
    assert response.status_code == 409 and response.json()["messageCode"] == "InsufficientBalance"
    assert balance_of(card) == (40, None)
