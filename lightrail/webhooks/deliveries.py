"""All SQL of webhook deliveries and their attempts."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from lightrail.db.upsert import insert_ignoring_duplicates
from lightrail.webhooks.tables import DELIVERY_PENDING, webhook_attempts, webhook_deliveries
from lightrail.webhooks.tables import webhooks as webhooks_table

d = webhook_deliveries


def _key(account_id: str, webhook_id: str, event_id: str) -> Any:
    return sa.and_(d.c.account_id == account_id, d.c.webhook_id == webhook_id, d.c.event_id == event_id)


async def add(conn: AsyncConnection, pairs: list[tuple[str, str, str]], now: datetime) -> None:
    """One pending delivery per (account, webhook, event), due now; a pair already there is kept."""
    if not pairs:
        return
    rows = [
        {"account_id": a, "webhook_id": w, "event_id": e, "status": DELIVERY_PENDING, "attempts": 0,
         "next_attempt_at": now, "created_at": now, "finished_at": None}
        for a, w, e in pairs
    ]
    await conn.execute(insert_ignoring_duplicates(d, conn.dialect.name), rows)


async def claim_due(conn: AsyncConnection, now: datetime, limit: int, lease_until: datetime) -> list[Any]:
    """Due pending deliveries, leased to the caller by moving them out of reach until `lease_until`."""
    query = (
        sa.select(d.c.account_id, d.c.webhook_id, d.c.event_id, d.c.attempts, d.c.created_at)
        .where(d.c.status == DELIVERY_PENDING, d.c.next_attempt_at <= now)
        .order_by(d.c.next_attempt_at).limit(limit)
    )
    if conn.dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    rows = list(await conn.execute(query))
    for row in rows:
        await conn.execute(
            sa.update(d).where(_key(row.account_id, row.webhook_id, row.event_id)).values(next_attempt_at=lease_until)
        )
    return rows


async def webhook(conn: AsyncConnection, account_id: str, webhook_id: str) -> Any | None:
    w = webhooks_table
    return (await conn.execute(sa.select(w).where(w.c.account_id == account_id, w.c.id == webhook_id))).first()


async def finish(
    conn: AsyncConnection, account_id: str, webhook_id: str, event_id: str, *, status: str, attempts: int,
    next_attempt_at: datetime | None, at: datetime,
) -> None:
    """Records the delivery's new state, unless it is no longer pending (a duplicate after a lost lease)."""
    values: dict[str, Any] = {"status": status, "attempts": attempts}
    if status == DELIVERY_PENDING:
        values["next_attempt_at"] = next_attempt_at
    else:
        values["finished_at"] = at
    await conn.execute(
        sa.update(d).where(_key(account_id, webhook_id, event_id), d.c.status == DELIVERY_PENDING).values(**values)
    )


async def add_attempt(
    conn: AsyncConnection, account_id: str, webhook_id: str, event_id: str, *, attempt: int, at: datetime,
    status_code: int | None, duration_ms: int, error: str | None,
) -> None:
    await conn.execute(sa.insert(webhook_attempts), {
        "account_id": account_id, "id": uuid.uuid4().hex, "webhook_id": webhook_id, "event_id": event_id,
        "attempt": attempt, "attempted_at": at, "status_code": status_code, "duration_ms": duration_ms, "error": error,
    })


async def attempts_of(conn: AsyncConnection, webhook_id: str, account_id: str | None = None) -> list[Any]:
    a = webhook_attempts
    query = sa.select(a).where(a.c.webhook_id == webhook_id).order_by(a.c.attempted_at, a.c.attempt)
    if account_id is not None:
        query = query.where(a.c.account_id == account_id)
    return list(await conn.execute(query))

