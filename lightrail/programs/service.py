"""Programs (core.md §5.3, §7.6): behaviour, no HTTP."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy.exc import IntegrityError

from lightrail.currencies import repository as currencies
from lightrail.db import clock
from lightrail.db.engine import Database
from lightrail.events.outbox import deleted_event, emit, emit_many, updated_event
from lightrail.http.errors import ApiError
from lightrail.http.filters import EmptyResult
from lightrail.http.pagination import Page, PageRequest
from lightrail.http.validation import is_system_id
from lightrail.programs import repository
from lightrail.programs.schemas import CreateProgram, UpdateProgram
from lightrail.values.creation import currency_not_found
from lightrail.values.liability import liability_update, rule_from_liability
from lightrail.values.rule_checks import check_rules

COLUMNS = {
    "name": "name",
    "currency": "currency",
    "discount": "discount",
    "discountSellerLiabilityRule": "discount_seller_liability_rule",
    "pretax": "pretax",
    "active": "active",
    "redemptionRule": "redemption_rule",
    "balanceRule": "balance_rule",
    "minInitialBalance": "min_initial_balance",
    "maxInitialBalance": "max_initial_balance",
    "fixedInitialBalances": "fixed_initial_balances",
    "fixedInitialUsesRemaining": "fixed_initial_uses_remaining",
    "startDate": "start_date",
    "endDate": "end_date",
    "metadata": "metadata",
}


def program_not_found(program_id: str) -> ApiError:
    return ApiError(404, f"Program with id '{program_id}' not found.", "ProgramNotFound")


def check_program(p: Mapping[str, Any]) -> None:
    """The consistency rules of a program, on create and on the merged result of a PATCH (§5.3)."""
    low, high = p["minInitialBalance"], p["maxInitialBalance"]
    fixed = p["fixedInitialBalances"]
    if low is not None and high is not None and low > high:
        raise ApiError(422, "Program's minInitialBalance cannot exceed maxInitialBalance.")
    if fixed is not None and len(set(fixed)) != len(fixed):
        raise ApiError(422, "Program's fixedInitialBalances contains duplicates.")
    uses = p["fixedInitialUsesRemaining"]
    if uses is not None and len(set(uses)) != len(uses):
        raise ApiError(422, "Program's fixedInitialUsesRemaining contains duplicates.")
    # An empty list counts as set, as it did in the original.
    if p["balanceRule"] is not None and (low is not None or high is not None or fixed is not None):
        raise ApiError(422, "Program cannot have a balanceRule when also defining minInitialBalance, maxInitialBalance or fixedInitialBalances.")
    if (low is not None or high is not None) and fixed is not None:
        raise ApiError(422, "Program cannot have fixedInitialBalances defined when also defining minInitialBalance or maxInitialBalance")
    if p.get("discountSellerLiability") is not None and not p["discount"]:
        raise ApiError(422, "Program can't have discountSellerLiability if it is not a discount.")
    if p["discountSellerLiabilityRule"] is not None and not p["discount"]:
        raise ApiError(422, "Program can't have discountSellerLiabilityRule if it is not a discount.")
    if p["endDate"] is not None and p["startDate"] is not None and p["startDate"] > p["endDate"]:
        raise ApiError(422, "Property startDate cannot exceed endDate.")
    check_rules("Program", p)


def _fields(row: Any) -> dict[str, Any]:
    m = row._mapping
    return {key: m[column] for key, column in COLUMNS.items()}


async def list_programs(db: Database, account_id: str, params: list[tuple[str, str]], page: PageRequest) -> tuple[list[dict[str, Any]], Page]:
    try:
        async with db.read() as conn:
            result = await repository.list_page(conn, account_id, params, page)
    except EmptyResult:
        result = Page([], page, None, None)
    return [repository.to_json(row) for row in result.rows], result


async def get_program(db: Database, account_id: str, program_id: str) -> dict[str, Any]:
    if not is_system_id(program_id):
        raise program_not_found(program_id)
    async with db.read() as conn:
        row = await repository.get(conn, account_id, program_id)
    if row is None:
        raise program_not_found(program_id)
    return repository.to_json(row)


async def create_program(db: Database, account_id: str, created_by: str, body: CreateProgram) -> dict[str, Any]:
    given = body.model_dump(exclude_unset=True)
    fields = {key: given.get(key) for key in COLUMNS}
    fields.update({
        "currency": body.currency.upper(),
        "discount": bool(body.discount),
        "pretax": bool(body.pretax),
        "active": True if body.active is None else body.active,
    })
    if body.discountSellerLiability is not None:
        fields["discountSellerLiabilityRule"] = rule_from_liability(body.discountSellerLiability)
    check_program({**fields, "discountSellerLiability": body.discountSellerLiability})
    if not is_system_id(fields["currency"]):
        raise currency_not_found(fields["currency"])
    now = clock.now()
    row = {
        "account_id": account_id, "id": body.id,
        **{COLUMNS[key]: value for key, value in fields.items()},
        "created_date": now, "updated_date": now, "created_by": created_by,
    }
    try:
        async with db.transaction() as conn:
            if await repository.get(conn, account_id, body.id) is not None:
                raise _program_exists(body.id)
            if await currencies.get(conn, account_id, fields["currency"]) is None:
                raise currency_not_found(fields["currency"])
            await repository.insert(conn, row)
            program = repository.to_json(row)
            await emit(conn, account_id, "lightrail.program.created", body.id, now, now, {"newProgram": program})
    except IntegrityError:
        raise _program_exists(body.id) from None
    return program


def _program_exists(program_id: str) -> ApiError:
    return ApiError(409, f"A Program with id '{program_id}' already exists.", "ProgramIdExists")


async def update_program(db: Database, account_id: str, program_id: str, body: UpdateProgram) -> dict[str, Any]:
    if body.id is not None and body.id != program_id:
        raise ApiError(422, f"The body id '{body.id}' does not match the path id '{program_id}'.  The id cannot be updated.")
    if not is_system_id(program_id):
        raise program_not_found(program_id)
    changes = liability_update(body.model_dump(exclude_unset=True, exclude={"id", "currency"}))
    async with db.transaction() as conn:
        existing = await repository.get(conn, account_id, program_id, for_update=True)
        if existing is None:
            raise program_not_found(program_id)
        check_program({**_fields(existing), **changes})
        now = clock.now()
        await repository.update(conn, account_id, program_id, {**{COLUMNS[k]: v for k, v in changes.items()}, "updated_date": now})
        old = repository.to_json(existing)
        new = repository.to_json(await repository.get(conn, account_id, program_id))
        await emit_many(conn, [updated_event(account_id, "program", program_id, now, old, new)])
    return new


async def delete_program(db: Database, account_id: str, program_id: str) -> dict[str, Any]:
    if not is_system_id(program_id):
        raise program_not_found(program_id)
    try:
        async with db.transaction() as conn:
            existing = await repository.get(conn, account_id, program_id, for_update=True)
            if existing is None:
                raise program_not_found(program_id)
            await repository.delete(conn, account_id, program_id)
            await emit_many(conn, [deleted_event(account_id, "program", program_id, existing.created_date, repository.to_json(existing))])
    except IntegrityError:
        raise ApiError(409, f"Program '{program_id}' is in use.", "ProgramInUse") from None
    return {"success": True}
