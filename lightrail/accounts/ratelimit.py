"""Throttled actions in a rolling 24 h window, per user or per client address, counted in the database
so every API process sees the same counts (platform.md §4.1)."""

from __future__ import annotations

import uuid
from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection
from starlette.requests import Request

from lightrail.accounts.tables import limited_actions
from lightrail.db import clock

WINDOW = timedelta(hours=24)

# action → most allowed within the window
LIMITS = {
    "failedLogin": 10,
    "accountInvitation": 12,
    "accountActivationEmail": 1,
    "enableSmsMfa": 8,
    "changeEmailAddress": 8,
    "registration": 10,
    "forgotPassword": 20,
    "contactCustomerSupport": 20,
}


def client_ip(request: Request) -> str:
    """The first X-Forwarded-For entry (the client as the proxy saw it), else the socket's peer."""
    forwarded = request.headers.get("x-forwarded-for")
    if forwarded and forwarded.split(",")[0].strip():
        return forwarded.split(",")[0].strip()
    return request.client.host if request.client else "unknown"


def ip_subject(ip: str) -> str:
    return f"ip:{ip}"


def user_subject(user_id: str) -> str:
    return f"user:{user_id}"


async def recent_count(conn: AsyncConnection, subject: str, action: str) -> int:
    t = limited_actions
    return await conn.scalar(
        sa.select(sa.func.count()).select_from(t).where(
            t.c.subject == subject, t.c.action == action, t.c.created_date > clock.now() - WINDOW
        )
    )


async def is_throttled(conn: AsyncConnection, subject: str, action: str) -> bool:
    return await recent_count(conn, subject, action) >= LIMITS[action]


async def record(conn: AsyncConnection, subject: str, action: str) -> None:
    await conn.execute(limited_actions.insert().values(
        subject=subject, action=action, id=uuid.uuid4().hex, created_date=clock.now()
    ))


async def serialise(conn: AsyncConnection, subject: str, action: str) -> None:
    """Until the transaction ends, other transactions counting this subject's action wait here, so a count and
    the write that depends on it are never interleaved with another's (concurrent requests can't all pass a
    limit they reach together).  SQLite already has a single writer; PostgreSQL needs an advisory lock."""
    if conn.dialect.name == "postgresql":
        await conn.execute(
            sa.text("SELECT pg_advisory_xact_lock(hashtextextended(:k, 0))"), {"k": f"limited_actions:{subject}:{action}"}
        )


async def take(conn: AsyncConnection, subject: str, action: str) -> bool:
    """Records the action unless it is throttled; False when it is."""
    await serialise(conn, subject, action)
    if await is_throttled(conn, subject, action):
        return False
    await record(conn, subject, action)
    return True


async def clear(conn: AsyncConnection, subject: str, action: str) -> None:
    t = limited_actions
    await conn.execute(t.delete().where(t.c.subject == subject, t.c.action == action))


async def prune(conn: AsyncConnection, subject: str) -> None:
    t = limited_actions
    await conn.execute(t.delete().where(t.c.subject == subject, t.c.created_date <= clock.now() - WINDOW))
