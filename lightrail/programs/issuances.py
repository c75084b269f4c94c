"""Issuances: many values of a program created at once, all or nothing (core.md §5.5, §10)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.exc import IntegrityError

from lightrail import collector
from lightrail.db import clock
from lightrail.db.engine import Database
from lightrail.http.errors import ApiError
from lightrail.http.filters import EmptyResult
from lightrail.http.pagination import Page, PageRequest
from lightrail.http.validation import is_system_id
from lightrail.programs import repository
from lightrail.programs.schemas import CreateIssuance
from lightrail.programs.service import program_not_found
from lightrail.values.codes import CodeCipher, code_recipe
from lightrail.values.creation import (
    ValueDraft, check_code_parameters, creation_conflict, check_program_constraints, check_value_properties, initialize, insert_values,
)


def issuance_not_found(program_id: str, issuance_id: str) -> ApiError:
    return ApiError(404, f"Issuance with id '{issuance_id}' in Program with id '{program_id}' not found.", "IssuanceNotFound")


def issuance_exists(issuance_id: str) -> ApiError:
    return ApiError(409, f"Issuance with id '{issuance_id}' already exists.")


def value_ids(issuance_id: str, count: int) -> list[str]:
    """`<issuanceId>-<index>`, the index zero-padded to the width of the largest one."""
    width = len(str(count - 1))
    return [f"{issuance_id}-{index:0{width}d}" for index in range(count)]


async def list_issuances(
    db: Database, account_id: str, program_id: str, params: list[tuple[str, str]], page: PageRequest
) -> tuple[list[dict[str, Any]], Page]:
    try:
        async with db.read() as conn:
            result = await repository.list_issuances(conn, account_id, program_id, params, page)
    except EmptyResult:
        result = Page([], page, None, None)
    return [repository.issuance_to_json(row) for row in result.rows], result


async def get_issuance(db: Database, account_id: str, program_id: str, issuance_id: str) -> dict[str, Any]:
    if not is_system_id(issuance_id) or not is_system_id(program_id):
        raise issuance_not_found(program_id, issuance_id)
    async with db.read() as conn:
        row = await repository.get_issuance(conn, account_id, program_id, issuance_id)
    if row is None:
        raise issuance_not_found(program_id, issuance_id)
    return repository.issuance_to_json(row)


def _record(account_id: str, program: Any, body: CreateIssuance, now: Any, created_by: str) -> dict[str, Any]:
    """The issuance row: the program's dates, rules and active flag unless the request gives non-null ones."""

    def inherit(given: Any, column: str) -> Any:
        return given if given is not None else program[column]

    return {
        "account_id": account_id,
        "id": body.id,
        "program_id": program["id"],
        "name": body.name,
        "count": body.count,
        "balance": body.balance,
        "balance_rule": inherit(body.balanceRule and body.balanceRule.model_dump(), "balance_rule"),
        "redemption_rule": inherit(body.redemptionRule and body.redemptionRule.model_dump(), "redemption_rule"),
        "uses_remaining": body.usesRemaining,
        "active": inherit(body.active, "active"),
        "start_date": inherit(body.startDate, "start_date"),
        "end_date": inherit(body.endDate, "end_date"),
        "metadata": {**(program["metadata"] or {}), **(body.metadata or {})},
        "created_date": now,
        "updated_date": now,
        "created_by": created_by,
    }


def _value_inputs(record: dict[str, Any], body: CreateIssuance) -> dict[str, Any]:
    inputs: dict[str, Any] = {
        "issuanceId": record["id"],
        "isGenericCode": bool(body.isGenericCode),
        "redemptionRule": record["redemption_rule"],
        "balanceRule": record["balance_rule"],
        "startDate": record["start_date"],
        "endDate": record["end_date"],
        "active": record["active"],
        "metadata": record["metadata"],
    }
    if body.balance is not None or record["balance_rule"] is None:
        inputs["balance"] = body.balance or 0
    # The original treated a usesRemaining of 0 as "not given".
    if body.usesRemaining:
        inputs["usesRemaining"] = body.usesRemaining
    return inputs


async def create_issuance(
    db: Database, codes: CodeCipher, account_id: str, created_by: str, program_id: str, body: CreateIssuance
) -> dict[str, Any]:
    check_code_parameters(body.code, body.generateCode)
    if body.code is not None and body.count > 1:
        raise ApiError(422, "Issuance count must be 1 if code is set.")
    if body.isGenericCode and body.count > 1:
        raise ApiError(422, "Issuance count must be 1 if isGenericCode:true.")
    recipe = code_recipe(**body.generateCode.model_dump()) if body.generateCode is not None else None
    if not is_system_id(program_id):
        raise program_not_found(program_id)
    try:
        with collector.paused():
            async with db.transaction() as conn:
                program = await repository.get(conn, account_id, program_id)
                if program is None:
                    raise program_not_found(program_id)
                program = program._mapping
                now = clock.now()
                record = _record(account_id, program, body, now, created_by)
                inputs = _value_inputs(record, body)
                drafts = [
                    ValueDraft(initialize({**inputs, "id": value_id}, program), body.code, recipe)
                    for value_id in value_ids(body.id, body.count)
                ]
                # Every value of an issuance has the same fields but its id and code: checking one checks all.
                check_program_constraints(drafts[0].fields, program)
                check_value_properties(drafts[0].fields)
                if await repository.issuance_exists(conn, account_id, body.id):
                    raise issuance_exists(body.id)
                await repository.insert_issuance(conn, record)
                await insert_values(conn, account_id, codes, drafts, now, created_by)
    except IntegrityError as error:
        raise creation_conflict(error, drafts[0].fields["id"]) from None
    return repository.issuance_to_json(record)
