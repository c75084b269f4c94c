"""All SQL of contacts; every function is scoped to one account."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from lightrail.contacts.tables import contacts as t
from lightrail.db.clock import iso
from lightrail.http.filters import CREATED_OPS, ID_OPS, FilterField, filter_conditions
from lightrail.http.pagination import Page, PageRequest, fetch_page

FILTERS = {
    "id": FilterField(t.c.id, ops=ID_OPS, system_id=True),
    "firstName": FilterField(t.c.first_name, case_insensitive=True),
    "lastName": FilterField(t.c.last_name, case_insensitive=True),
    "email": FilterField(t.c.email, system_id=True, case_insensitive=True),
    "createdDate": FilterField(t.c.created_date, kind="date", ops=CREATED_OPS),
}


def to_json(row: Any) -> dict[str, Any]:
    return {
        "id": row.id,
        "firstName": row.first_name,
        "lastName": row.last_name,
        "email": row.email,
        "metadata": row.metadata,
        "createdDate": iso(row.created_date),
        "updatedDate": iso(row.updated_date),
        "createdBy": row.created_by,
    }


async def get(conn: AsyncConnection, account_id: str, contact_id: str, *, for_update: bool = False) -> Any | None:
    query = sa.select(t).where(t.c.account_id == account_id, t.c.id == contact_id)
    if for_update and conn.dialect.name == "postgresql":
        query = query.with_for_update()
    return (await conn.execute(query)).first()


async def list_page(
    conn: AsyncConnection,
    account_id: str,
    params: list[tuple[str, str]],
    page: PageRequest,
    extra_conditions: list[sa.ColumnElement[bool]] | None = None,
) -> Page:
    query = sa.select(t).where(t.c.account_id == account_id, *filter_conditions(params, FILTERS), *(extra_conditions or []))
    return await fetch_page(conn, query, t.c.created_date, t.c.id, page)


async def insert(conn: AsyncConnection, row: dict[str, Any]) -> None:
    await conn.execute(sa.insert(t), row)


async def update(conn: AsyncConnection, account_id: str, contact_id: str, changes: dict[str, Any]) -> None:
    await conn.execute(sa.update(t).where(t.c.account_id == account_id, t.c.id == contact_id).values(**changes))


async def delete(conn: AsyncConnection, account_id: str, contact_id: str) -> None:
    await conn.execute(sa.delete(t).where(t.c.account_id == account_id, t.c.id == contact_id))
