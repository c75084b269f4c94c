"""The outbox as the dispatcher reads it: events not yet fanned out to webhooks."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from lightrail.db.prepared import Prepared, Row
from lightrail.events.tables import events

_OLDEST_UNDISPATCHED = (
    sa.select(events.c.account_id, events.c.id)
    .where(events.c.dispatched_at.is_(None)).order_by(events.c.created_at).limit(sa.bindparam("limit", type_=sa.Integer))
    # Other dispatchers skip these rows rather than wait (SQLite has no row locks: its writer lock serialises).
    .with_for_update(skip_locked=True)
)
_TAKE = Prepared(
    sa.update(events)
    .where(sa.tuple_(events.c.account_id, events.c.id).in_(_OLDEST_UNDISPATCHED))
    .values(dispatched_at=sa.bindparam("at", type_=events.c.dispatched_at.type))
    .returning(events.c.account_id, events.c.id, events.c.type)
)


async def take_undispatched(conn: AsyncConnection, limit: int, at: datetime) -> list[Row]:
    """Marks the oldest undispatched events dispatched at `at` and returns them, in one statement; the
    caller's unit of work fans them out before it commits."""
    return await _TAKE.all(conn, {"limit": limit, "at": at})


async def public_event(conn: AsyncConnection, account_id: str, event_id: str) -> dict[str, Any] | None:
    """What a receiver sees: exactly id, type, time and data, in that order."""
    row = (await conn.execute(
        sa.select(events.c.id, events.c.type, events.c.time, events.c.data)
        .where(events.c.account_id == account_id, events.c.id == event_id)
    )).first()
    return None if row is None else {"id": row.id, "type": row.type, "time": row.time, "data": row.data}
