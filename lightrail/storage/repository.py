"""All SQL of storage; every function is scoped to one account."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection

from lightrail.storage.tables import storage_items as t


async def get(conn: AsyncConnection, account_id: str, key: str) -> Any | None:
    return (await conn.execute(sa.select(t).where(t.c.account_id == account_id, t.c.key == key))).first()


async def list_keys(conn: AsyncConnection, account_id: str, hidden: frozenset[str]) -> list[str]:
    query = sa.select(t.c.key).where(t.c.account_id == account_id, t.c.key.not_in(hidden)).order_by(t.c.key)
    return list((await conn.execute(query)).scalars())


async def put(conn: AsyncConnection, row: dict[str, Any]) -> None:
    module = postgresql if conn.dialect.name == "postgresql" else sqlite
    insert = module.insert(t).values(**row)
    await conn.execute(insert.on_conflict_do_update(
        index_elements=[t.c.account_id, t.c.key],
        set_={"value": insert.excluded.value, "encrypted": insert.excluded.encrypted,
              "updated_date": insert.excluded.updated_date},
    ))


async def delete(conn: AsyncConnection, account_id: str, key: str) -> None:
    await conn.execute(sa.delete(t).where(t.c.account_id == account_id, t.c.key == key))
