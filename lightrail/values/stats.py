"""Value statistics: `stats=true` on reads (core.md §11.1) and GET /v2/values/{id}/stats (§11.2)."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from lightrail.transactions.tables import lightrail_steps as s
from lightrail.transactions.tables import transactions as tx
from lightrail.values.tables import values as v

REDEEMING = ("checkout", "debit")


async def initial_stats(conn: AsyncConnection, account_id: str, rows: list[Any]) -> dict[str, dict[str, int | None]]:
    """What each value started with: its initialBalance step, or the step of the attach that created it."""
    stats = {
        row.id: {
            "initialBalance": None if row.balance is None else 0,
            "initialUsesRemaining": None if row.uses_remaining is None else 0,
        }
        for row in rows
    }
    if not stats:
        return stats
    query = (
        sa.select(s.c.value_id, s.c.balance_change, s.c.uses_remaining_change)
        .join(tx, sa.and_(tx.c.account_id == s.c.account_id, tx.c.id == s.c.transaction_id))
        .where(
            s.c.account_id == account_id,
            s.c.value_id.in_(list(stats)),
            sa.or_(
                tx.c.transaction_type == "initialBalance",
                sa.and_(tx.c.transaction_type == "attach", s.c.uses_remaining_change > 0),
            ),
        )
    )
    for step in await conn.execute(query):
        stats[step.value_id] = {"initialBalance": step.balance_change, "initialUsesRemaining": step.uses_remaining_change}
    return stats


def _total(totals: dict[str, Any] | None, key: str) -> int:
    return (totals or {}).get(key) or 0


async def value_performance(conn: AsyncConnection, account_id: str, value: Any) -> dict[str, Any]:
    children = list((await conn.execute(
        sa.select(v.c.id).where(v.c.account_id == account_id, v.c.attached_from_value_id == value.id)
    )).scalars())
    # A generic code's redemptions happen on the values attached from it, not on the code itself.
    value_ids = children or [value.id]
    steps = (await conn.execute(
        sa.select(s.c.transaction_id, s.c.balance_change, tx.c.transaction_type, tx.c.totals)
        .join(tx, sa.and_(tx.c.account_id == s.c.account_id, tx.c.id == s.c.transaction_id))
        .where(s.c.account_id == account_id, s.c.value_id.in_(value_ids), tx.c.transaction_type.in_(REDEEMING))
    )).all()
    by_root: dict[str, list[Any]] = defaultdict(list)
    for step in steps:
        by_root[step.transaction_id].append(step)
    endings = {}
    if by_root:
        query = sa.select(tx.c.root_transaction_id, tx.c.transaction_type).where(
            tx.c.account_id == account_id, tx.c.root_transaction_id.in_(list(by_root)),
            tx.c.id != tx.c.root_transaction_id, tx.c.next_transaction_id.is_(None),
        )
        endings = {row.root_transaction_id: row.transaction_type for row in await conn.execute(query)}
    result = {
        "redeemed": {"balance": 0, "transactionCount": 0},
        "checkout": {"lightrailSpend": 0, "overspend": 0, "transactionCount": 0},
        "attachedContacts": {"count": len(children) + (1 if value.contact_id is not None else 0)},
    }
    for root_id, root_steps in by_root.items():
        # A chain that ended in a void or reverse redeemed nothing.
        if endings.get(root_id, "capture") != "capture":
            continue
        result["redeemed"]["balance"] -= sum(step.balance_change or 0 for step in root_steps)
        result["redeemed"]["transactionCount"] += len(root_steps)
        first = root_steps[0]
        if first.transaction_type == "checkout":
            totals = first.totals
            result["checkout"]["lightrailSpend"] += _total(totals, "paidLightrail") + _total(totals, "discountLightrail")
            result["checkout"]["overspend"] += _total(totals, "paidStripe") + _total(totals, "paidInternal") + _total(totals, "remainder")
            result["checkout"]["transactionCount"] += len(root_steps)
    return result
