"""Currencies (spec core.md §5.1, §7.2): behaviour, no HTTP."""

from __future__ import annotations

from typing import Any

from sqlalchemy.exc import IntegrityError

from lightrail.currencies import repository
from lightrail.currencies.schemas import CreateCurrency, UpdateCurrency
from lightrail.db import clock
from lightrail.db.engine import Database
from lightrail.events.outbox import deleted_event, emit, emit_many, updated_event
from lightrail.http.errors import ApiError
from lightrail.http.validation import is_system_id


def currency_not_found(code: str) -> ApiError:
    return ApiError(404, f"Currency with code '{code}' not found.", "CurrencyNotFound")


async def list_currencies(db: Database, account_id: str) -> list[dict[str, Any]]:
    async with db.read() as conn:
        return [repository.to_json(row) for row in await repository.list_all(conn, account_id)]


async def get_currency(db: Database, account_id: str, code: str) -> dict[str, Any]:
    if not is_system_id(code):
        raise currency_not_found(code)
    async with db.read() as conn:
        row = await repository.get(conn, account_id, code)
    if row is None:
        raise currency_not_found(code)
    return repository.to_json(row)


async def create_currency(db: Database, account_id: str, created_by: str, body: CreateCurrency) -> dict[str, Any]:
    now = clock.now()
    row = {
        "account_id": account_id,
        "code": body.code,
        "name": body.name,
        "symbol": body.symbol,
        "decimal_places": body.decimalPlaces,
        "created_date": now,
        "updated_date": now,
        "created_by": created_by,
    }
    currency = {
        "code": body.code, "name": body.name, "symbol": body.symbol, "decimalPlaces": body.decimalPlaces,
        "createdDate": clock.iso(now), "updatedDate": clock.iso(now), "createdBy": created_by,
    }
    try:
        async with db.transaction() as conn:
            await repository.insert(conn, row)
            await emit(conn, account_id, "lightrail.currency.created", body.code, now, now, {"newCurrency": currency})
    except IntegrityError:
        raise ApiError(409, f"Currency with code '{body.code}' already exists.", "CurrencyExists") from None
    return currency


async def update_currency(db: Database, account_id: str, code: str, body: UpdateCurrency) -> dict[str, Any]:
    if body.code is not None and body.code != code:
        raise ApiError(422, f"The path code '{code}' does not match the body code '{body.code}'.")
    if not is_system_id(code):
        raise currency_not_found(code)
    changes = body.model_dump(exclude_unset=True, exclude={"code"})
    columns = {"decimal_places" if k == "decimalPlaces" else k: v for k, v in changes.items() if v is not None}
    async with db.transaction() as conn:
        existing = await repository.get(conn, account_id, code, for_update=True)
        if existing is None:
            raise currency_not_found(code)
        # The original left updatedDate alone, which made every update's event id the same; we move it.
        now = clock.now()
        columns["updated_date"] = now
        await repository.update(conn, account_id, code, columns)
        old = repository.to_json(existing)
        new = repository.to_json(await repository.get(conn, account_id, code))
        await emit_many(conn, [updated_event(account_id, "currency", code, now, old, new)])
    return new


async def delete_currency(db: Database, account_id: str, code: str) -> dict[str, Any]:
    if not is_system_id(code):
        raise currency_not_found(code)
    try:
        async with db.transaction() as conn:
            existing = await repository.get(conn, account_id, code, for_update=True)
            if existing is None:
                raise currency_not_found(code)
            await repository.delete(conn, account_id, code)
            await emit_many(conn, [deleted_event(account_id, "currency", code, existing.created_date, repository.to_json(existing))])
    except IntegrityError:
        raise ApiError(409, f"Currency '{code}' is in use.", "CurrencyInUse") from None
    return {"success": True}
