"""The outbox as the dispatcher reads it: events not yet fanned out to webhooks."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from lightrail.events.tables import events


async def claim_undispatched(conn: AsyncConnection, limit: int) -> list[Any]:
    """The oldest undispatched events, locked against other dispatchers (they skip, not wait)."""
    query = (
        sa.select(events.c.account_id, events.c.id, events.c.type)
        .where(events.c.dispatched_at.is_(None)).order_by(events.c.created_at).limit(limit)
    )
    if conn.dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    return list(await conn.execute(query))


async def mark_dispatched(conn: AsyncConnection, claimed: list[Any], at: datetime) -> None:
    by_account: dict[str, list[str]] = {}
    for row in claimed:
        by_account.setdefault(row.account_id, []).append(row.id)
    for account_id, ids in by_account.items():
        await conn.execute(
            sa.update(events).where(events.c.account_id == account_id, events.c.id.in_(ids)).values(dispatched_at=at)
        )


async def public_event(conn: AsyncConnection, account_id: str, event_id: str) -> dict[str, Any] | None:
    """What a receiver sees: exactly id, type, time and data, in that order."""
    row = (await conn.execute(
        sa.select(events.c.id, events.c.type, events.c.time, events.c.data)
        .where(events.c.account_id == account_id, events.c.id == event_id)
    )).first()
    return None if row is None else {"id": row.id, "type": row.type, "time": row.time, "data": row.data}
