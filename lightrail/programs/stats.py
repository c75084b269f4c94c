"""GET /v2/programs/{id}/stats (core.md §11.3): what a program's active values hold, lost and redeemed."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from lightrail.db import clock
from lightrail.db.engine import Database
from lightrail.transactions.tables import internal_steps, lightrail_steps, stripe_steps, transactions
from lightrail.values.tables import values as v


def _bucket() -> dict[str, int]:
    return {"balance": 0, "count": 0}


async def program_stats(db: Database, account_id: str, program_id: str) -> dict[str, Any]:
    """An unknown program simply has nothing (the original did not check it exists)."""
    now = clock.now()
    stats: dict[str, Any] = {
        "outstanding": _bucket(), "canceled": _bucket(), "expired": _bucket(),
        "redeemed": {"balance": 0, "count": 0, "transactionCount": 0},
        "checkout": {"lightrailSpend": 0, "overspend": 0, "transactionCount": 0},
    }
    active_ids = sa.select(v.c.id).where(v.c.account_id == account_id, v.c.program_id == program_id, v.c.active.is_(True))
    root = transactions.alias("root")
    tx = transactions
    s = lightrail_steps
    async with db.read() as conn:
        held = await conn.execute(sa.select(v.c.balance, v.c.canceled, v.c.end_date).where(
            v.c.account_id == account_id, v.c.program_id == program_id, v.c.active.is_(True),
            sa.or_(v.c.balance > 0, v.c.balance.is_(None)),
        ))
        for row in held:
            name = "canceled" if row.canceled else "expired" if row.end_date is not None and row.end_date < now else "outstanding"
            stats[name]["balance"] += row.balance or 0
            stats[name]["count"] += 1
        steps = (await conn.execute(
            sa.select(s.c.value_id, s.c.balance_change, s.c.transaction_id, tx.c.root_transaction_id, root.c.transaction_type)
            .join(tx, sa.and_(tx.c.account_id == s.c.account_id, tx.c.id == s.c.transaction_id))
            .join(root, sa.and_(root.c.account_id == tx.c.account_id, root.c.id == tx.c.root_transaction_id))
            .where(s.c.account_id == account_id, s.c.value_id.in_(active_ids), root.c.transaction_type.in_(("checkout", "debit")))
        )).all()
        stats["redeemed"] = {
            "balance": -sum(step.balance_change or 0 for step in steps),
            "count": len({step.value_id for step in steps}),
            "transactionCount": len({step.root_transaction_id for step in steps}),
        }
        checkout_txs = sorted({step.transaction_id for step in steps if step.transaction_type == "checkout"})
        if checkout_txs:
            stats["checkout"] = await _checkout_stats(conn, account_id, checkout_txs, {
                step.root_transaction_id for step in steps if step.transaction_type == "checkout"
            })
    return stats


async def _checkout_stats(conn: Any, account_id: str, tx_ids: list[str], roots: set[str]) -> dict[str, int]:
    """Whole-transaction sums: other sources of the same checkouts count too, as in the original."""

    async def total(column: sa.ColumnElement[Any], table: sa.Table) -> int:
        query = sa.select(sa.func.coalesce(sa.func.sum(column), 0)).where(
            table.c.account_id == account_id, table.c.transaction_id.in_(tx_ids)
        )
        return int((await conn.execute(query)).scalar())

    lightrail = await total(lightrail_steps.c.balance_change, lightrail_steps)
    internal = await total(internal_steps.c.balance_change, internal_steps)
    stripe = await total(stripe_steps.c.amount, stripe_steps)
    totals = (await conn.execute(sa.select(transactions.c.totals).where(
        transactions.c.account_id == account_id, transactions.c.id.in_(tx_ids)
    ))).scalars()
    remainder = sum((t or {}).get("remainder") or 0 for t in totals)
    return {"lightrailSpend": -lightrail, "overspend": -internal - stripe + remainder, "transactionCount": len(roots)}
