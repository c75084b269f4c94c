"""Values (core.md §5.4, §7.5, §9): behaviour, no HTTP."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from lightrail.db import clock
from lightrail.db.engine import Database
from lightrail.events.outbox import deleted_event, emit_many, updated_event
from lightrail.http.errors import ApiError
from lightrail.http.filters import EmptyResult
from lightrail.http.pagination import Page, PageRequest
from lightrail.http.validation import is_system_id
from lightrail.programs import repository as programs
from lightrail.programs.service import program_not_found
from lightrail.transactions.tables import lightrail_steps, transactions
from lightrail.values import display, repository, stats
from lightrail.values.codes import CodeCipher, check_code_text, code_recipe, generate_code
from lightrail.values.creation import (
    ValueDraft, check_code_parameters, check_program_constraints, check_value_properties, code_exists,
    creation_conflict, initialize, insert_values,
)
from lightrail.values.liability import liability_update
from lightrail.values.schemas import ChangeCode, CreateValue, UpdateValue

# PATCHable API fields and their columns (genericCodeOptions is spread over two).
COLUMNS = {
    "active": "active",
    "frozen": "frozen",
    "canceled": "canceled",
    "pretax": "pretax",
    "discount": "discount",
    "discountSellerLiabilityRule": "discount_seller_liability_rule",
    "redemptionRule": "redemption_rule",
    "balanceRule": "balance_rule",
    "startDate": "start_date",
    "endDate": "end_date",
    "metadata": "metadata",
}


def value_not_found(value_id: str) -> ApiError:
    return ApiError(404, f"Value with id '{value_id}' not found.", "ValueNotFound")


def fields_of(row: Any) -> dict[str, Any]:
    """A stored value in the API's names (dates as datetimes), for re-running the checks."""
    m = row._mapping
    return {
        "id": m["id"], "currency": m["currency"], "balance": m["balance"], "usesRemaining": m["uses_remaining"],
        "contactId": m["contact_id"], "isGenericCode": m["is_generic_code"],
        "genericCodeOptions": repository.generic_code_options(m),
        **{key: m[column] for key, column in COLUMNS.items()},
    }


async def list_values(
    db: Database, codes: CodeCipher, account_id: str, params: list[tuple[str, str]], page: PageRequest, *,
    show_code: bool = False, with_stats: bool = False, format_currencies: bool = False,
    extra_conditions: list[sa.ColumnElement[bool]] | None = None,
) -> tuple[list[dict[str, Any]], Page]:
    try:
        query = repository.list_query(account_id, codes, params).where(*(extra_conditions or []))
        async with db.read() as conn:
            result = await repository.list_page(conn, query, page)
            items = await render(conn, codes, account_id, result.rows, show_code, with_stats, format_currencies)
    except EmptyResult:
        return [], Page([], page, None, None)
    return items, result


async def render(
    conn: Any, codes: CodeCipher, account_id: str, rows: list[Any], show_code: bool, with_stats: bool, format_currencies: bool,
) -> list[dict[str, Any]]:
    items = [repository.to_json(row, codes, show_code=show_code) for row in rows]
    if with_stats:
        by_id = await stats.initial_stats(conn, account_id, rows)
        for item in items:
            item["stats"] = by_id[item["id"]]
    if format_currencies:
        currencies = await display.currencies_of(conn, account_id, (row.currency for row in rows))
        for item in items:
            display.format_value(item, currencies.get(item["currency"]))
    return items


async def get_value(db: Database, codes: CodeCipher, account_id: str, value_id: str, *, show_code: bool = False, with_stats: bool = False) -> dict[str, Any]:
    if not is_system_id(value_id):
        raise value_not_found(value_id)
    async with db.read() as conn:
        row = await repository.get(conn, account_id, value_id)
        if row is None:
            raise value_not_found(value_id)
        return (await render(conn, codes, account_id, [row], show_code, with_stats, False))[0]


async def value_stats(db: Database, account_id: str, value_id: str) -> dict[str, Any]:
    async with db.read() as conn:
        row = await repository.get(conn, account_id, value_id)
        if row is None:
            raise value_not_found(value_id)
        return await stats.value_performance(conn, account_id, row)


async def create_value(db: Database, codes: CodeCipher, account_id: str, created_by: str, body: CreateValue, *, show_code: bool = False) -> dict[str, Any]:
    check_code_parameters(body.code, body.generateCode)
    if body.code is not None:
        check_code_text(body.code)
    recipe = code_recipe(**body.generateCode.model_dump()) if body.generateCode is not None else None
    inputs = body.model_dump(exclude_unset=True, exclude={"code", "generateCode"})
    try:
        async with db.transaction() as conn:
            program = None
            if body.programId is not None:
                row = await programs.get(conn, account_id, body.programId) if is_system_id(body.programId) else None
                if row is None:
                    raise program_not_found(body.programId)
                program = row._mapping
            fields = initialize(inputs, program)
            if program is not None:
                check_program_constraints(fields, program)
            check_value_properties(fields)
            [row] = await insert_values(conn, account_id, codes, [ValueDraft(fields, body.code, recipe)], clock.now(), created_by)
    except IntegrityError as error:
        raise creation_conflict(error, body.id) from None
    return repository.to_json(row, codes, show_code=show_code)


def _merged_options(existing: dict[str, Any] | None, body: UpdateValue) -> dict[str, Any] | None:
    """perContact merges key by key; options once set cannot be removed."""
    if body.genericCodeOptions is None:
        if existing is not None:
            raise ApiError(422, "A value with genericCodeOptions cannot be updated to no longer have genericCodeOptions.")
        return None
    old = (existing or {}).get("perContact") or {"balance": None, "usesRemaining": None}
    return {"perContact": {**old, **body.genericCodeOptions.perContact.model_dump(exclude_unset=True)}}


async def update_value(db: Database, codes: CodeCipher, account_id: str, value_id: str, body: UpdateValue) -> dict[str, Any]:
    if body.id is not None and body.id != value_id:
        raise ApiError(422, f"The body id '{body.id}' does not match the path id '{value_id}'.  The id cannot be updated.")
    if not is_system_id(value_id):
        raise value_not_found(value_id)
    changes = liability_update(body.model_dump(exclude_unset=True, exclude={"id", "genericCodeOptions"}))
    async with db.transaction() as conn:
        existing = await repository.get(conn, account_id, value_id, for_update=True)
        if existing is None:
            raise value_not_found(value_id)
        merged = {**fields_of(existing), **changes}
        columns = {COLUMNS[key]: value for key, value in changes.items()}
        if "genericCodeOptions" in body.model_fields_set:
            merged["genericCodeOptions"] = options = _merged_options(merged["genericCodeOptions"], body)
            per_contact = (options or {}).get("perContact") or {}
            columns["generic_code_per_contact_balance"] = per_contact.get("balance")
            columns["generic_code_per_contact_uses_remaining"] = per_contact.get("usesRemaining")
        check_value_properties(merged)
        now = clock.now()
        await repository.update(conn, account_id, value_id, {**columns, "updated_date": now})
        new = repository.to_json(await repository.get(conn, account_id, value_id), codes)
        await emit_many(conn, [updated_event(account_id, "value", value_id, now, repository.to_json(existing, codes), new)])
    return new


async def delete_value(db: Database, codes: CodeCipher, account_id: str, value_id: str) -> dict[str, Any]:
    """A value nothing happened to since its creation can go, with its initialBalance transaction."""
    if not is_system_id(value_id):
        raise value_not_found(value_id)
    in_use = ApiError(409, f"Value '{value_id}' is in use.", "ValueInUse")
    try:
        async with db.transaction() as conn:
            existing = await repository.get(conn, account_id, value_id, for_update=True)
            if existing is None:
                raise value_not_found(value_id)
            other_steps = await conn.execute(sa.select(lightrail_steps.c.transaction_id).where(
                lightrail_steps.c.account_id == account_id, lightrail_steps.c.value_id == value_id,
                lightrail_steps.c.transaction_id != value_id,
            ).limit(1))
            own = (await conn.execute(sa.select(transactions.c.transaction_type).where(
                transactions.c.account_id == account_id, transactions.c.id == value_id,
            ))).scalar()
            if other_steps.first() is not None or own not in (None, "initialBalance"):
                raise in_use
            await conn.execute(sa.delete(lightrail_steps).where(
                lightrail_steps.c.account_id == account_id, lightrail_steps.c.transaction_id == value_id))
            await conn.execute(sa.delete(transactions).where(
                transactions.c.account_id == account_id, transactions.c.id == value_id))
            await repository.delete(conn, account_id, value_id)
            await emit_many(conn, [deleted_event(account_id, "value", value_id, existing.created_date, repository.to_json(existing, codes))])
    except IntegrityError:
        raise in_use from None
    return {"success": True}


async def change_code(db: Database, codes: CodeCipher, account_id: str, value_id: str, body: ChangeCode, *, show_code: bool = False) -> dict[str, Any]:
    check_code_parameters(body.code, body.generateCode)
    if body.code is not None:
        check_code_text(body.code)
    code = generate_code(code_recipe(**body.generateCode.model_dump())) if body.generateCode is not None else body.code
    try:
        async with db.transaction() as conn:
            existing = await repository.get(conn, account_id, value_id, for_update=True)
            if existing is None:
                raise value_not_found(value_id)
            if code is not None:
                holder = await repository.get_by_code_hash(conn, account_id, codes.lookup_hash(account_id, code))
                if holder is not None and holder.id != value_id:
                    raise code_exists()
            now = clock.now()
            await repository.update(conn, account_id, value_id, {**codes.columns(account_id, code), "updated_date": now})
            row = await repository.get(conn, account_id, value_id)
            await emit_many(conn, [
                updated_event(account_id, "value", value_id, now, repository.to_json(existing, codes), repository.to_json(row, codes)),
            ])
    except IntegrityError:
        raise code_exists() from None
    return repository.to_json(row, codes, show_code=show_code)
