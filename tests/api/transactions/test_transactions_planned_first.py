"""`service.run` plans a transaction from Values read before any unit of work and writes it at once, guarded
(one statement on PostgreSQL, one hop to SQLite's thread); a Value that moved in between sends it back to
be planned again under the locks of a unit of work, never written from the stale plan."""

from __future__ import annotations

import itertools

import sqlalchemy as sa

from lightrail.transactions import service
from lightrail.transactions.executor import LedgerPlan, ValueChange
from lightrail.transactions.service import skeleton
from lightrail.values import repository as value_repository
from lightrail.values.tables import values

_ids = itertools.count()


def test_a_value_changed_after_planning_is_planned_again(app, api, make_value, balance_of, run_async, account_id) -> None:
    card = make_value(balance=1000)["id"]
    transaction_id = f"planned-{next(_ids)}"
    db = app.state.db
    balances_planned_from = []

    async def make_plan(conn, now):
        row = await value_repository.get(conn, account_id, card)
        balances_planned_from.append(row.balance)
        if len(balances_planned_from) == 1:
            # Another writer spends 100 after this plan read the Value (versions move with every update).
            async with db.transaction() as other:
                await other.execute(
                    sa.update(values).where(values.c.account_id == account_id, values.c.id == card)
                    .values(balance=values.c.balance - 100, version=values.c.version + 1)
                )
        return LedgerPlan(skeleton(transaction_id, "debit", "USD", now, "test"), [ValueChange(row._mapping, -300, None)], allow_remainder=False)

    written = run_async(lambda: service.run(db, app.state.codes, account_id, False, make_plan))
    assert balances_planned_from == [1000, 900]
    assert [(s["balanceBefore"], s["balanceAfter"]) for s in written["steps"]] == [(900, 600)]
    assert balance_of(card) == (600, None)
    assert [s["balanceAfter"] for s in api.get(f"/v2/transactions/{transaction_id}").json()["steps"]] == [600]


def test_an_unchanged_value_is_written_from_the_first_plan(app, make_value, balance_of, run_async, account_id) -> None:
    card = make_value(balance=1000)["id"]
    plans = []

    async def make_plan(conn, now):
        row = await value_repository.get(conn, account_id, card)
        plans.append(row.balance)
        return LedgerPlan(skeleton(f"planned-{next(_ids)}", "debit", "USD", now, "test"), [ValueChange(row._mapping, -250, None)], allow_remainder=False)

    run_async(lambda: service.run(app.state.db, app.state.codes, account_id, False, make_plan))
    assert plans == [1000]
    assert balance_of(card) == (750, None)
