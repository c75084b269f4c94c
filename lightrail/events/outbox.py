"""Writing Lightrail events to the outbox, in the caller's database transaction (platform.md §7)."""

from __future__ import annotations

import base64
import hashlib
import secrets
from datetime import datetime, timezone
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from lightrail.db.bulk import BulkInsert
from lightrail.db.clock import epoch_millis, iso, now
from lightrail.db.engine import after_commit
from lightrail.events.tables import events
from lightrail.metrics import count_committed_events

SOURCE = "/lightrail/rothschild"
SPEC_VERSION = "1.0"


def event_id(event_type: str, account_id: str, object_id: str, moment: datetime) -> str:
    """The original's shape, base64url(SHA-1("type-account-object-epochMillis")), plus a random part.

    The original's ids repeated whenever one object changed twice within a second (dates have second
    precision), so receivers deduplicating on the id lost the second change. Each change gets its own
    id here; it is stored with the event, so every delivery attempt carries the same one.
    """
    parts = [event_type, account_id, object_id, str(epoch_millis(moment)), secrets.token_hex(8)]
    digest = hashlib.sha1("-".join(parts).encode()).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def envelope(event_id_: str, event_type: str, account_id: str, time: str, data: dict[str, Any]) -> dict[str, Any]:
    return {
        "specversion": SPEC_VERSION,
        "type": event_type,
        "source": SOURCE,
        "id": event_id_,
        "time": time,
        "userid": account_id,
        "datacontenttype": "application/json",
        "data": data,
    }


INSERT = BulkInsert(events)
Event = tuple[str, str, str, datetime, datetime, dict[str, Any]]


def updated_event(account_id: str, kind: str, object_id: str, moment: datetime, old: dict[str, Any], new: dict[str, Any]) -> Event:
    """`lightrail.<kind>.updated` with the object before and after, id and time from the update (core.md §12.2)."""
    name = kind.capitalize()
    return (account_id, f"lightrail.{kind}.updated", object_id, moment, moment, {f"old{name}": old, f"new{name}": new})


def deleted_event(account_id: str, kind: str, object_id: str, created: datetime, old: dict[str, Any]) -> Event:
    """`lightrail.<kind>.deleted`: its id comes from the object's createdDate, its time is the deletion's."""
    return (account_id, f"lightrail.{kind}.deleted", object_id, created, now(), {f"old{kind.capitalize()}": old})


async def emit(
    conn: AsyncConnection,
    account_id: str,
    event_type: str,
    object_id: str,
    id_moment: datetime,
    time: datetime,
    data: dict[str, Any],
) -> None:
    """Records one event in the caller's transaction."""
    await emit_many(conn, [(account_id, event_type, object_id, id_moment, time, data)])


def event_rows(batch: list[Event]) -> list[dict[str, Any]]:
    """The outbox rows of a batch of events, for callers that write them with other rows in one statement."""
    created_at = datetime.now(timezone.utc)
    return [
        {
            "account_id": account_id,
            "id": event_id(event_type, account_id, object_id, id_moment),
            "type": event_type,
            "time": iso(time),
            "data": data,
            "created_at": created_at,
        }
        for account_id, event_type, object_id, id_moment, time, data in batch
    ]


def written(conn: AsyncConnection, rows: list[dict[str, Any]]) -> None:
    """Counts the events in the metrics once their transaction commits."""
    after_commit(conn).append(lambda: count_committed_events(rows))


async def insert_rows(conn: AsyncConnection, rows: list[dict[str, Any]]) -> None:
    await INSERT.execute(conn, rows)


async def emit_many(conn: AsyncConnection, batch: list[Event]) -> None:
    if not batch:
        return
    rows = event_rows(batch)
    await insert_rows(conn, rows)
    written(conn, rows)
