"""The outbox as the dispatcher reads it: the events after its cursor, in the order they committed.

Events are never marked: the dispatcher moves one cursor (`event_cursors`) past the events it takes.
That needs an order in which no event can turn up behind the cursor once it has passed:

- PostgreSQL: `commit_order`, the writing transaction's id. Ids are handed out when a transaction first
  writes, not when it commits, so a lower id may still be running while a higher one has committed.
  Only events of transactions older than every running one (the snapshot's xmin) are taken; a long
  transaction holds the events written after it back until it ends.
- SQLite: writers take turns, so a committed event's rowid is above every earlier commit's, and events
  are never deleted, so rowids are not reused.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from lightrail.db.prepared import Prepared, Row
from lightrail.events.tables import event_cursors, events

WEBHOOKS = "webhooks"

_ROWID = sa.literal_column("events.rowid", sa.BigInteger)
_FINISHED_TRANSACTIONS = sa.literal_column("pg_snapshot_xmin(pg_current_snapshot())::text::bigint", sa.BigInteger)


def _after(dialect: str, position: Any, account_id: Any, event_id: Any) -> sa.ColumnElement[bool]:
    if dialect == "postgresql":
        return sa.tuple_(events.c.commit_order, events.c.account_id, events.c.id) > sa.tuple_(position, account_id, event_id)
    return _ROWID > position


def _order(dialect: str) -> tuple[sa.ColumnElement[Any], ...]:
    return (events.c.commit_order, events.c.account_id, events.c.id) if dialect == "postgresql" else (_ROWID,)


def _next_events(dialect: str) -> Prepared:
    cursor = [sa.bindparam(name, type_=column.type) for name, column in
              (("position", event_cursors.c.position), ("event_account_id", events.c.account_id), ("event_id", events.c.id))]
    order = _order(dialect)
    statement = sa.select(events.c.account_id, events.c.id, events.c.type, order[0].label("position"))
    statement = statement.where(_after(dialect, *cursor))
    if dialect == "postgresql":
        statement = statement.where(events.c.commit_order < _FINISHED_TRANSACTIONS)
    return Prepared(statement.order_by(*order).limit(sa.bindparam("limit", type_=sa.Integer)))


_NEXT = {dialect: _next_events(dialect) for dialect in ("postgresql", "sqlite")}
# Dispatchers take turns: one that finds the cursor held returns at once (SQLite's writer lock
# serialises them without row locks).
_HOLD_CURSOR = Prepared(
    sa.select(event_cursors.c.position, event_cursors.c.event_account_id, event_cursors.c.event_id)
    .where(event_cursors.c.name == sa.bindparam("name")).with_for_update(skip_locked=True)
)
_MOVE_CURSOR = Prepared(
    sa.update(event_cursors).where(event_cursors.c.name == sa.bindparam("name")).values(
        position=sa.bindparam("position", type_=sa.BigInteger), event_account_id=sa.bindparam("event_account_id"),
        event_id=sa.bindparam("event_id"),
    )
)


async def take_next(conn: AsyncConnection, limit: int) -> list[Row]:
    """The next committed events after the dispatcher's cursor (account_id, id, type), oldest first, with
    the cursor moved past them; the caller's unit of work fans them out before it commits. None while
    another dispatcher holds the cursor."""
    cursor = await _HOLD_CURSOR.first(conn, {"name": WEBHOOKS})
    if cursor is None:
        return []
    taken = await _NEXT[conn.dialect.name].all(conn, {**cursor, "limit": limit})
    if taken:
        last = taken[-1]
        await _move_cursor(conn, last.position, last.account_id, last.id)
    return taken


async def _move_cursor(conn: AsyncConnection, position: int, account_id: str, event_id: str) -> None:
    await _MOVE_CURSOR.all(conn, {"name": WEBHOOKS, "position": position, "event_account_id": account_id, "event_id": event_id})


async def pass_all(conn: AsyncConnection) -> None:
    """Moves the cursor past every event there is, as taken, without returning them (an import's history)."""
    order = _order(conn.dialect.name)
    last = (await conn.execute(
        sa.select(order[0], events.c.account_id, events.c.id).order_by(*(column.desc() for column in order)).limit(1)
    )).first()
    if last is not None:
        await _move_cursor(conn, *last)


async def waiting(conn: AsyncConnection) -> tuple[int, datetime | None]:
    """How many events the dispatcher has not taken yet, and when the oldest of them was written."""
    after = _after(conn.dialect.name, event_cursors.c.position, event_cursors.c.event_account_id, event_cursors.c.event_id)
    count, oldest = (await conn.execute(
        sa.select(sa.func.count(), sa.func.min(events.c.created_at)).select_from(events)
        .join(event_cursors, sa.and_(event_cursors.c.name == WEBHOOKS, after))
    )).one()
    return count, oldest


async def public_event(conn: AsyncConnection, account_id: str, event_id: str) -> dict[str, Any] | None:
    """What a receiver sees: exactly id, type, time and data, in that order."""
    row = (await conn.execute(
        sa.select(events.c.id, events.c.type, events.c.time, events.c.data)
        .where(events.c.account_id == account_id, events.c.id == event_id)
    )).first()
    return None if row is None else {"id": row.id, "type": row.type, "time": row.time, "data": row.data}
