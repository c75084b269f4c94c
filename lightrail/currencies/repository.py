"""All SQL of currencies; every function is scoped to one account."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from lightrail.currencies.tables import currencies as t
from lightrail.db.clock import iso


def to_json(row: Any) -> dict[str, Any]:
    return {
        "code": row.code,
        "name": row.name,
        "symbol": row.symbol,
        "decimalPlaces": row.decimal_places,
        "createdDate": iso(row.created_date),
        "updatedDate": iso(row.updated_date),
        "createdBy": row.created_by,
    }


async def get(conn: AsyncConnection, account_id: str, code: str, *, for_update: bool = False) -> Any | None:
    query = sa.select(t).where(t.c.account_id == account_id, t.c.code == code)
    if for_update and conn.dialect.name == "postgresql":
        query = query.with_for_update()
    return (await conn.execute(query)).first()


async def get_many(conn: AsyncConnection, account_id: str, codes: list[str]) -> dict[str, Any]:
    rows = await conn.execute(sa.select(t).where(t.c.account_id == account_id, t.c.code.in_(codes)))
    return {row.code: row for row in rows}


async def list_all(conn: AsyncConnection, account_id: str) -> list[Any]:
    return list(await conn.execute(sa.select(t).where(t.c.account_id == account_id).order_by(t.c.code)))


async def insert(conn: AsyncConnection, row: dict[str, Any]) -> None:
    await conn.execute(sa.insert(t), row)


async def update(conn: AsyncConnection, account_id: str, code: str, changes: dict[str, Any]) -> None:
    await conn.execute(sa.update(t).where(t.c.account_id == account_id, t.c.code == code).values(**changes))


async def delete(conn: AsyncConnection, account_id: str, code: str) -> None:
    await conn.execute(sa.delete(t).where(t.c.account_id == account_id, t.c.code == code))
