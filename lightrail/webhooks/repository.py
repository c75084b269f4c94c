"""All SQL of webhooks; every function is scoped to one account."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from lightrail.db.clock import iso
from lightrail.secretbox import SecretBox
from lightrail.webhooks.tables import webhook_attempts, webhook_deliveries
from lightrail.webhooks.tables import webhooks as t

MASK = "\u2026"


def secret_binding(account_id: str, webhook_id: str, secret_id: str) -> str:
    return f"webhook\0{account_id}\0{webhook_id}\0{secret_id}"


def reveal_secret(row: Any, stored: dict[str, Any], box: SecretBox) -> dict[str, Any]:
    plain = box.open(stored["secret"], secret_binding(row.account_id, row.id, stored["id"]))
    return {"id": stored["id"], "secret": plain, "createdDate": stored["createdDate"]}


def secret_values(row: Any, box: SecretBox) -> list[str]:
    """The webhook's secrets in clear, in their stored (signature) order."""
    return [reveal_secret(row, stored, box)["secret"] for stored in row.secrets]


def to_json(row: Any, box: SecretBox) -> dict[str, Any]:
    """The public webhook: secrets masked to their last four characters."""
    secrets = [reveal_secret(row, stored, box) for stored in row.secrets]
    return {
        "id": row.id,
        "url": row.url,
        "events": row.events,
        "active": row.active,
        "secrets": [{**s, "secret": MASK + s["secret"][-4:]} for s in secrets],
        "createdDate": iso(row.created_date),
        "updatedDate": iso(row.updated_date),
        "createdBy": row.created_by,
    }


async def lock_account(conn: AsyncConnection, account_id: str) -> None:
    """Serialises webhook creation per account so the limit holds under concurrent creates.

    SQLite already has a single writer; PostgreSQL needs a transaction-scoped advisory lock."""
    if conn.dialect.name == "postgresql":
        await conn.execute(sa.text("SELECT pg_advisory_xact_lock(hashtextextended(:k, 0))"), {"k": f"webhooks:{account_id}"})


async def get(conn: AsyncConnection, account_id: str, webhook_id: str, *, for_update: bool = False) -> Any | None:
    query = sa.select(t).where(t.c.account_id == account_id, t.c.id == webhook_id)
    if for_update and conn.dialect.name == "postgresql":
        query = query.with_for_update()
    return (await conn.execute(query)).first()


async def list_all(conn: AsyncConnection, account_id: str) -> list[Any]:
    query = sa.select(t).where(t.c.account_id == account_id).order_by(t.c.created_date.desc(), t.c.id.desc())
    return list(await conn.execute(query))


async def count(conn: AsyncConnection, account_id: str) -> int:
    return (await conn.execute(sa.select(sa.func.count()).where(t.c.account_id == account_id))).scalar_one()


async def active_subscriptions(conn: AsyncConnection, account_ids: set[str]) -> dict[str, list[tuple[str, list[str]]]]:
    """Per account, the (id, subscribed event types) of its active webhooks."""
    rows = await conn.execute(
        sa.select(t.c.account_id, t.c.id, t.c.events).where(t.c.account_id.in_(account_ids), t.c.active.is_(True))
    )
    found: dict[str, list[tuple[str, list[str]]]] = {}
    for row in rows:
        found.setdefault(row.account_id, []).append((row.id, row.events))
    return found


async def insert(conn: AsyncConnection, row: dict[str, Any]) -> None:
    await conn.execute(sa.insert(t), row)


async def update(conn: AsyncConnection, account_id: str, webhook_id: str, changes: dict[str, Any]) -> None:
    await conn.execute(sa.update(t).where(t.c.account_id == account_id, t.c.id == webhook_id).values(**changes))


async def delete(conn: AsyncConnection, account_id: str, webhook_id: str) -> None:
    """The webhook with its pending deliveries and its delivery history (its id may be reused)."""
    for table in (webhook_deliveries, webhook_attempts):
        await conn.execute(sa.delete(table).where(table.c.account_id == account_id, table.c.webhook_id == webhook_id))
    await conn.execute(sa.delete(t).where(t.c.account_id == account_id, t.c.id == webhook_id))
