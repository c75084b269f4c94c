"""All SQL of programs and issuances, and their API shapes (core.md §5.3, §5.5)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from lightrail.db.clock import iso
from lightrail.http.filters import CREATED_OPS, ID_OPS, FilterField, filter_conditions
from lightrail.http.pagination import Page, PageRequest, fetch_page
from lightrail.programs.tables import issuances as it
from lightrail.programs.tables import programs as t
from lightrail.values.liability import liability_number

PROGRAM_FILTERS = {
    "id": FilterField(t.c.id, ops=ID_OPS, system_id=True),
    "currency": FilterField(t.c.currency, ops=ID_OPS, system_id=True),
    "name": FilterField(t.c.name, ops=ID_OPS, case_insensitive=True),
    "startDate": FilterField(t.c.start_date, kind="date"),
    "endDate": FilterField(t.c.end_date, kind="date"),
    "createdDate": FilterField(t.c.created_date, kind="date", ops=CREATED_OPS),
    "updatedDate": FilterField(t.c.updated_date, kind="date", ops=CREATED_OPS),
}

ISSUANCE_FILTERS = {
    "id": FilterField(it.c.id, ops=ID_OPS),
    "count": FilterField(it.c.count, kind="number"),
    "usesRemaining": FilterField(it.c.uses_remaining, kind="number"),
    "startDate": FilterField(it.c.start_date, kind="date"),
    "endDate": FilterField(it.c.end_date, kind="date"),
    "createdDate": FilterField(it.c.created_date, kind="date", ops=CREATED_OPS),
}


def to_json(row: Any) -> dict[str, Any]:
    m = row._mapping if hasattr(row, "_mapping") else row
    return {
        "id": m["id"],
        "name": m["name"],
        "currency": m["currency"],
        "discount": m["discount"],
        "discountSellerLiability": liability_number(m["discount_seller_liability_rule"]),
        "discountSellerLiabilityRule": m["discount_seller_liability_rule"],
        "pretax": m["pretax"],
        "active": m["active"],
        "redemptionRule": m["redemption_rule"],
        "balanceRule": m["balance_rule"],
        "minInitialBalance": m["min_initial_balance"],
        "maxInitialBalance": m["max_initial_balance"],
        "fixedInitialBalances": m["fixed_initial_balances"],
        "fixedInitialUsesRemaining": m["fixed_initial_uses_remaining"],
        "startDate": iso(m["start_date"]),
        "endDate": iso(m["end_date"]),
        "metadata": m["metadata"],
        "createdDate": iso(m["created_date"]),
        "updatedDate": iso(m["updated_date"]),
        "createdBy": m["created_by"],
    }


def issuance_to_json(row: Any) -> dict[str, Any]:
    m = row._mapping if hasattr(row, "_mapping") else row
    return {
        "id": m["id"],
        "name": m["name"],
        "programId": m["program_id"],
        "count": m["count"],
        "balance": m["balance"],
        "redemptionRule": m["redemption_rule"],
        "balanceRule": m["balance_rule"],
        "usesRemaining": m["uses_remaining"],
        "active": m["active"],
        "startDate": iso(m["start_date"]),
        "endDate": iso(m["end_date"]),
        "metadata": m["metadata"],
        "createdDate": iso(m["created_date"]),
        "updatedDate": iso(m["updated_date"]),
        "createdBy": m["created_by"],
    }


async def get(conn: AsyncConnection, account_id: str, program_id: str, *, for_update: bool = False) -> Any | None:
    query = sa.select(t).where(t.c.account_id == account_id, t.c.id == program_id)
    if for_update and conn.dialect.name == "postgresql":
        query = query.with_for_update()
    return (await conn.execute(query)).first()


async def list_page(conn: AsyncConnection, account_id: str, params: Iterable[tuple[str, str]], page: PageRequest) -> Page:
    query = sa.select(t).where(t.c.account_id == account_id, *filter_conditions(params, PROGRAM_FILTERS))
    return await fetch_page(conn, query, t.c.created_date, t.c.id, page)


async def insert(conn: AsyncConnection, row: dict[str, Any]) -> None:
    await conn.execute(sa.insert(t), row)


async def update(conn: AsyncConnection, account_id: str, program_id: str, changes: dict[str, Any]) -> None:
    await conn.execute(sa.update(t).where(t.c.account_id == account_id, t.c.id == program_id).values(**changes))


async def delete(conn: AsyncConnection, account_id: str, program_id: str) -> None:
    await conn.execute(sa.delete(t).where(t.c.account_id == account_id, t.c.id == program_id))


async def get_issuance(conn: AsyncConnection, account_id: str, program_id: str, issuance_id: str) -> Any | None:
    query = sa.select(it).where(it.c.account_id == account_id, it.c.program_id == program_id, it.c.id == issuance_id)
    return (await conn.execute(query)).first()


async def issuance_exists(conn: AsyncConnection, account_id: str, issuance_id: str) -> bool:
    query = sa.select(it.c.id).where(it.c.account_id == account_id, it.c.id == issuance_id)
    return (await conn.execute(query)).first() is not None


async def list_issuances(
    conn: AsyncConnection, account_id: str, program_id: str, params: Iterable[tuple[str, str]], page: PageRequest
) -> Page:
    query = sa.select(it).where(
        it.c.account_id == account_id, it.c.program_id == program_id, *filter_conditions(params, ISSUANCE_FILTERS)
    )
    return await fetch_page(conn, query, it.c.created_date, it.c.id, page)


async def insert_issuance(conn: AsyncConnection, row: dict[str, Any]) -> None:
    await conn.execute(sa.insert(it), row)
