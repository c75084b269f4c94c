"""`lightrail verify`: every Value's balance and uses must equal the sum of its ledger steps."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Optional

import sqlalchemy as sa
import typer

from lightrail.db.engine import Database
from lightrail.settings import load_settings
from lightrail.transactions.tables import lightrail_steps
from lightrail.values.tables import values


@dataclass(frozen=True)
class Mismatch:
    account_id: str
    value_id: str
    field: str
    stored: int
    from_steps: int


def _ledger_query(account_id: str | None) -> sa.Select:
    s, v = lightrail_steps.c, values.c
    sums = (
        sa.select(
            s.account_id, s.value_id,
            sa.func.coalesce(sa.func.sum(s.balance_change), 0).label("balance_sum"),
            sa.func.coalesce(sa.func.sum(s.uses_remaining_change), 0).label("uses_sum"),
        )
        .group_by(s.account_id, s.value_id)
        .subquery()
    )
    query = sa.select(
        v.account_id, v.id, v.balance, v.uses_remaining,
        sa.func.coalesce(sums.c.balance_sum, 0).label("balance_sum"),
        sa.func.coalesce(sums.c.uses_sum, 0).label("uses_sum"),
    ).select_from(values.outerjoin(sums, sa.and_(sums.c.account_id == v.account_id, sums.c.value_id == v.id)))
    return query.where(v.account_id == account_id) if account_id else query


async def find_mismatches(db: Database, account_id: str | None = None) -> list[Mismatch]:
    """Values whose stored balance or usesRemaining differs from their steps (null means not tracked)."""
    found = []
    async with db.read() as conn:
        for row in (await conn.execute(_ledger_query(account_id))).all():
            for field, stored, from_steps in (("balance", row.balance, row.balance_sum), ("usesRemaining", row.uses_remaining, row.uses_sum)):
                if stored is not None and stored != from_steps:
                    found.append(Mismatch(row.account_id, row.id, field, stored, int(from_steps)))
    return found


def verify(account: Optional[str] = typer.Option(None, "--account", help="Only this account's Values.")) -> None:
    """Recomputes each Value's balance and usesRemaining from its transaction steps; exits 1 on any mismatch."""

    async def run() -> list[Mismatch]:
        db = Database(load_settings().effective_database_url, pool_size=1)
        try:
            return await find_mismatches(db, account)
        finally:
            await db.dispose()

    mismatches = asyncio.run(run())
    for m in mismatches:
        typer.echo(f"{m.account_id} {m.value_id}: {m.field} is {m.stored} but its steps add up to {m.from_steps}", err=True)
    if mismatches:
        raise typer.Exit(1)
    typer.echo("ledger consistent")
