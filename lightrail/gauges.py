"""Gauges that need the database (backlogs, outstanding value), refreshed by a background worker."""

from __future__ import annotations

from datetime import datetime, timezone

import sqlalchemy as sa
from fastapi import FastAPI

from lightrail import metrics
from lightrail.db.engine import Database
from lightrail.events import backlog
from lightrail.transactions.tables import transactions
from lightrail.values.tables import values
from lightrail.workers import run_periodically

INTERVAL_SECONDS = 15.0


async def refresh_gauges(db: Database) -> None:
    metrics.db_pool_in_use.set(db.engine.pool.checkedout())
    try:
        async with db.read() as conn:
            waiting, oldest_at = await backlog.waiting(conn)
            overdue = (await conn.execute(
                sa.select(sa.func.count()).select_from(transactions).where(
                    transactions.c.pending.is_(True),
                    transactions.c.next_transaction_id.is_(None),
                    transactions.c.pending_void_date < datetime.now(timezone.utc),
                )
            )).scalar_one()
            outstanding = (await conn.execute(
                sa.select(values.c.currency, sa.func.coalesce(sa.func.sum(values.c.balance), 0))
                .where(values.c.canceled.is_(False)).group_by(values.c.currency)
            )).all()
    except Exception:
        metrics.database_up.set(0)
        raise
    metrics.database_up.set(1)
    metrics.outbox_backlog.set(waiting)
    metrics.outbox_oldest_age.set((datetime.now(timezone.utc) - oldest_at).total_seconds() if oldest_at else 0)
    metrics.pending_overdue.set(overdue)
    for currency, total in outstanding:
        metrics.value_outstanding.labels(currency).set(total)


async def gauges_worker(app: FastAPI) -> None:
    await run_periodically("gauges", INTERVAL_SECONDS, lambda: refresh_gauges(app.state.db))
