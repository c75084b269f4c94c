"""The write at once (`executor.execute_at_once`: one statement on PostgreSQL, one hop to SQLite's thread): a
plan made from Values read outside any transaction applies entirely, or, when any of them moved since,
not at all."""

from __future__ import annotations

import asyncio
import itertools

import pytest
import sqlalchemy as sa

from lightrail.db import clock
from lightrail.events.tables import events
from lightrail.transactions import executor
from lightrail.transactions.executor import LedgerPlan, ValueChange
from lightrail.transactions.group_commit import group_commit
from lightrail.transactions.service import skeleton
from lightrail.values import repository as value_repository
from lightrail.values.tables import values

_ids = itertools.count()


@pytest.fixture
def read_values(app, run_async, account_id):
    """The Values' rows as a plan reads them."""

    def read(value_ids):
        async def rows():
            async with app.state.db.read() as conn:
                return [await value_repository.get(conn, account_id, value_id) for value_id in value_ids]

        return run_async(rows)

    return read


def _debit(rows, amounts: dict[str, int], transaction_id: str, now) -> LedgerPlan:
    changes = [ValueChange(row._mapping, -amounts[row.id], None) for row in rows]
    return LedgerPlan(skeleton(transaction_id, "debit", "USD", now, "test"), changes, allow_remainder=False)


@pytest.fixture
def at_once(app, run_async, account_id, read_values):
    """Reads the Values, lets `between` run, then writes a debit of `amounts` (value id → amount) at once."""

    def write(amounts: dict[str, int], between=lambda: None, transaction_id: str | None = None):
        transaction_id = transaction_id or f"once-{next(_ids)}"
        rows = read_values(amounts)
        between()

        async def apply():
            now = clock.now()
            plan = _debit(rows, amounts, transaction_id, now)
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


# PostgreSQL: writes at once of one account that meet go together (`group_commit`).

def _postgresql_only(app) -> None:
    if app.state.db.is_sqlite:
        pytest.skip("SQLite's writes queue behind its one writer instead")


@pytest.fixture
def together(app, run_async, account_id, read_values):
    """Writes debits (transaction id → {value id: amount}) read first, all handed to the group commit at
    once; returns each one's outcome and the database transaction each row went in with."""
    _postgresql_only(app)

    def write(debits: dict[str, dict[str, int]], between=lambda: None) -> tuple[dict, dict[str, int]]:
        rows = {transaction_id: read_values(amounts) for transaction_id, amounts in debits.items()}
        between()

        async def apply():
            now = clock.now()
            writes = group_commit(app.state.db)
            outcomes = await asyncio.gather(*(
                executor.execute_at_once(writes, account_id, _debit(rows[t], amounts, t, now), app.state.codes, now)
                for t, amounts in debits.items()
            ))
            async with app.state.db.read() as conn:
                commits = await conn.execute(
                    sa.text("SELECT id, xmin::text AS commit FROM transactions WHERE account_id = :account AND transaction_type = 'debit'"),
                    {"account": account_id},
                )
                return dict(zip(debits, outcomes)), {row.id: row.commit for row in commits}

        return run_async(apply)

    return write


def test_writes_that_meet_go_in_one_commit(together, make_value, balance_of, db_rows, account_id) -> None:
    cards = [make_value(balance=100)["id"] for _ in range(4)]
    outcomes, commits = together({f"meet-{n}": {card: 10 + n} for n, card in enumerate(cards)})
    assert all(outcomes.values())
    assert [balance_of(card) for card in cards] == [(90, None), (89, None), (88, None), (87, None)]
    assert len(commits) == 4 and len(set(commits.values())) == 1
    rows = db_rows(events, account_id)
    created = sorted(row["data"]["newTransaction"]["id"] for row in rows if row["type"] == "lightrail.transaction.created")
    assert [t for t in created if t.startswith("meet-")] == ["meet-0", "meet-1", "meet-2", "meet-3"]
    debited = [row["data"]["newValue"] for row in rows if row["type"] == "lightrail.value.updated"]
    assert sorted((value["id"], value["balance"]) for value in debited) == sorted(zip(cards, [90, 89, 88, 87]))


def test_a_write_that_would_not_apply_leaves_the_others_of_its_batch_written(api, together, make_value, balance_of) -> None:
    cards = [make_value(balance=100)["id"] for _ in range(3)]

    def touch_second() -> None:
        assert api.patch(f"/v2/values/{cards[1]}", json={"metadata": {"touched": True}}).status_code == 200

    outcomes, commits = together({f"stale-{n}": {card: 30} for n, card in enumerate(cards)}, between=touch_second)
    assert [outcome is not None for outcome in outcomes.values()] == [True, False, True]
    assert [balance_of(card) for card in cards] == [(70, None), (100, None), (70, None)]
    assert sorted(commits) == ["stale-0", "stale-2"]


def test_an_id_clash_leaves_the_others_of_its_batch_written(together, at_once, make_value, balance_of) -> None:
    taken, _ = at_once({make_value(balance=100)["id"]: 1})
    cards = [make_value(balance=100)["id"] for _ in range(3)]
    outcomes, commits = together({"clash-0": {cards[0]: 5}, taken: {cards[1]: 5}, "clash-2": {cards[2]: 5}})
    assert [outcome is not None for outcome in outcomes.values()] == [True, False, True]
    assert [balance_of(card) for card in cards] == [(95, None), (100, None), (95, None)]


def test_two_writes_of_one_value_never_share_a_batch(together, make_value, balance_of) -> None:
    card = make_value(balance=100)["id"]
    other = make_value(balance=100)["id"]
    outcomes, commits = together({"same-0": {card: 10}, "same-1": {card: 20}, "same-2": {other: 30}})
    # Both debits of `card` planned from the same read: the first is written with the other card's, the
    # second waits for the next batch, where the version it read is no longer the Value's.
    assert [outcome is not None for outcome in outcomes.values()] == [True, False, True]
    assert balance_of(card) == (90, None) and balance_of(other) == (70, None)
    assert commits["same-0"] == commits["same-2"]


def test_a_write_cancelled_before_its_batch_left_is_not_written(app, run_async, account_id, read_values, make_value, balance_of) -> None:
    _postgresql_only(app)
    first, second = (make_value(balance=100)["id"] for _ in range(2))
    rows = read_values([first, second])

    async def race():
        now = clock.now()
        writes = group_commit(app.state.db)

        def debit(row, transaction_id):
            plan = _debit([row], {row.id: 40}, transaction_id, now)
            return asyncio.create_task(executor.execute_at_once(writes, account_id, plan, app.state.codes, now))

        alone = debit(rows[0], "cancel-0")
        await asyncio.sleep(0)  # it queues, and its batch is made ready to leave
        await asyncio.sleep(0)  # its batch leaves
        behind = debit(rows[1], "cancel-1")
        await asyncio.sleep(0)  # queued behind the batch in flight
        assert not behind.done()
        behind.cancel()
        assert await alone is not None
        with pytest.raises(asyncio.CancelledError):
            await behind

    run_async(race)
    assert balance_of(first) == (60, None) and balance_of(second) == (100, None)


def test_a_write_with_nothing_in_flight_leads_and_the_next_waits_for_it(app, run_async, account_id, read_values, make_value, balance_of) -> None:
    _postgresql_only(app)
    card = make_value(balance=100)["id"]
    rows = read_values([card])

    async def race():
        now = clock.now()
        writes = group_commit(app.state.db)
        async with writes.leading(account_id) as alone:
            assert alone
            async with writes.leading(account_id) as second:
                assert not second
            plan = _debit(rows, {card: 25}, "lead-1", now)
            behind = asyncio.create_task(executor.execute_at_once(writes, account_id, plan, app.state.codes, now))
            await asyncio.sleep(0.05)
            assert not behind.done()
        async with writes.leading(f"other-{account_id}") as other_account:
            assert other_account
        return await behind

    assert run_async(race) is not None
    assert balance_of(card) == (75, None)
