"""All SQL of values, and the Value API shape (core.md §5.4)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from lightrail.db.bulk import BulkInsert
from lightrail.db.clock import iso
from lightrail.db.prepared import Present
from lightrail.http.filters import CREATED_OPS, ID_OPS, FilterField, filter_conditions
from lightrail.http.pagination import Page, PageRequest, fetch_page
from lightrail.values.codes import ELLIPSIS, CodeCipher
from lightrail.values.liability import liability_number
from lightrail.values.tables import values as t


def _mapping(row: Any) -> Mapping[str, Any]:
    return row._mapping if hasattr(row, "_mapping") else row


def display_code(m: Mapping[str, Any], codes: CodeCipher, show_code: bool) -> str | None:
    if m["code_last_four"] is None:
        return None
    if m["is_generic_code"] or show_code:
        return codes.decrypt(m["code_encrypted"])
    return ELLIPSIS + m["code_last_four"]


def generic_code_options(m: Mapping[str, Any]) -> dict[str, Any] | None:
    balance, uses = m["generic_code_per_contact_balance"], m["generic_code_per_contact_uses_remaining"]
    if balance is None and uses is None:
        return None
    return {"perContact": {"balance": balance, "usesRemaining": uses}}


def to_json(row: Any, codes: CodeCipher, *, show_code: bool = False) -> dict[str, Any]:
    """The Value as the API returns it; unique codes as `…last4` unless `show_code`."""
    m = _mapping(row)
    value: dict[str, Any] = {
        "id": m["id"],
        "currency": m["currency"],
        "balance": m["balance"],
        "usesRemaining": m["uses_remaining"],
        "programId": m["program_id"],
        "issuanceId": m["issuance_id"],
        "contactId": m["contact_id"],
        "code": display_code(m, codes, show_code),
        "isGenericCode": m["is_generic_code"],
    }
    if m["is_generic_code"]:
        value["genericCodeOptions"] = generic_code_options(m)
    if m["attached_from_value_id"] is not None:
        value["attachedFromValueId"] = m["attached_from_value_id"]
    value.update({
        "pretax": m["pretax"],
        "active": m["active"],
        "canceled": m["canceled"],
        "frozen": m["frozen"],
        "discount": m["discount"],
        "discountSellerLiability": liability_number(m["discount_seller_liability_rule"]),
        "discountSellerLiabilityRule": m["discount_seller_liability_rule"],
        "redemptionRule": m["redemption_rule"],
        "balanceRule": m["balance_rule"],
        "startDate": iso(m["start_date"]),
        "endDate": iso(m["end_date"]),
        "metadata": m["metadata"],
        "createdDate": iso(m["created_date"]),
        "updatedDate": iso(m["updated_date"]),
        "updatedContactIdDate": iso(m["updated_contact_id_date"]),
        "createdBy": m["created_by"],
    })
    return value


def filters(account_id: str, codes: CodeCipher) -> dict[str, FilterField]:
    return {
        "id": FilterField(t.c.id, ops=ID_OPS, system_id=True),
        "programId": FilterField(t.c.program_id, ops=ID_OPS, system_id=True),
        "issuanceId": FilterField(t.c.issuance_id, ops=ID_OPS, system_id=True),
        "attachedFromValueId": FilterField(t.c.attached_from_value_id, ops=ID_OPS, system_id=True),
        "currency": FilterField(t.c.currency, ops=ID_OPS, system_id=True),
        "contactId": FilterField(t.c.contact_id, ops=frozenset({"eq"}), system_id=True),
        "balance": FilterField(t.c.balance, kind="number"),
        "usesRemaining": FilterField(t.c.uses_remaining, kind="number"),
        "discount": FilterField(t.c.discount, kind="boolean"),
        "isGenericCode": FilterField(t.c.is_generic_code, kind="boolean"),
        "active": FilterField(t.c.active, kind="boolean"),
        "frozen": FilterField(t.c.frozen, kind="boolean"),
        "canceled": FilterField(t.c.canceled, kind="boolean"),
        "pretax": FilterField(t.c.pretax, kind="boolean"),
        # Codes are looked up by their hash; surrounding whitespace is not part of a code.
        "code": FilterField(t.c.code_hashed, ops=ID_OPS, transform=lambda c: codes.lookup_hash(account_id, c.strip())),
        "startDate": FilterField(t.c.start_date, kind="date"),
        "endDate": FilterField(t.c.end_date, kind="date"),
        "createdDate": FilterField(t.c.created_date, kind="date", ops=CREATED_OPS),
        "updatedDate": FilterField(t.c.updated_date, kind="date", ops=CREATED_OPS),
    }


def list_query(account_id: str, codes: CodeCipher, params: Iterable[tuple[str, str]]) -> sa.Select:
    return sa.select(t).where(t.c.account_id == account_id, *filter_conditions(params, filters(account_id, codes)))


async def list_page(conn: AsyncConnection, query: sa.Select, page: PageRequest) -> Page:
    return await fetch_page(conn, query, t.c.created_date, t.c.id, page)


async def get(conn: AsyncConnection, account_id: str, value_id: str, *, for_update: bool = False) -> Any | None:
    query = sa.select(t).where(t.c.account_id == account_id, t.c.id == value_id)
    if for_update and conn.dialect.name == "postgresql":
        query = query.with_for_update()
    return (await conn.execute(query)).first()


async def get_by_code_hash(conn: AsyncConnection, account_id: str, code_hashed: str, *, for_update: bool = False) -> Any | None:
    query = sa.select(t).where(t.c.account_id == account_id, t.c.code_hashed == code_hashed)
    if for_update and conn.dialect.name == "postgresql":
        query = query.with_for_update()
    return (await conn.execute(query)).first()


IDS_PRESENT = Present(t.c.id)
CODE_HASHES_PRESENT = Present(t.c.code_hashed)


INSERT = BulkInsert(t)


async def update(conn: AsyncConnection, account_id: str, value_id: str, changes: dict[str, Any]) -> None:
    await conn.execute(
        sa.update(t).where(t.c.account_id == account_id, t.c.id == value_id).values(**changes, version=t.c.version + 1)
    )


async def delete(conn: AsyncConnection, account_id: str, value_id: str) -> None:
    await conn.execute(sa.delete(t).where(t.c.account_id == account_id, t.c.id == value_id))
