"""Creating values: defaults inherited from the program, the checks, and the batched insert (core.md §9).

Both POST /v2/values and issuances come through here, so one value and ten thousand follow the same
rules; the insert is a handful of statements whatever the count.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from lightrail.contacts.tables import contacts
from lightrail.currencies.tables import currencies
from lightrail.events.outbox import Event, emit_many
from lightrail.http.errors import ApiError
from lightrail.http.validation import is_system_id
from lightrail.transactions import records
from lightrail.values import ledger_records, repository
from lightrail.values.codes import CodeCipher, CodeRecipe, generate_code, last_four
from lightrail.values.liability import rule_from_liability
from lightrail.values.rule_checks import check_rules

CODE_ATTEMPTS = 3


@dataclass
class ValueDraft:
    """A value about to be created: its API fields (dates as datetimes) and how it gets its code."""

    fields: dict[str, Any]
    code: str | None = None
    recipe: CodeRecipe | None = None


def value_id_exists(value_id: str) -> ApiError:
    return ApiError(409, f"A Value with id '{value_id}' already exists.", "ValueIdExists")


def code_exists() -> ApiError:
    return ApiError(409, "A Value with the given code already exists.", "ValueCodeExists")


def currency_not_found(currency: str) -> ApiError:
    return ApiError(409, f"Currency '{currency}' does not exist. See the documentation on creating currencies.", "CurrencyNotFound")


def creation_conflict(error: Exception, value_id: str) -> ApiError:
    """A constraint another writer won the race for, between our checks and our insert (PostgreSQL)."""
    text = str(error).lower()
    if "code_hashed" in text:
        return code_exists()
    if "foreign key" in text:
        return ApiError(409, "A resource the Value refers to was removed at the same time.")
    return value_id_exists(value_id)


def check_code_parameters(code: str | None, generate: Any) -> None:
    if code is not None and generate is not None:
        raise ApiError(422, "Parameter generateCode is not allowed with parameters code or isGenericCode:true.")


def initialize(inputs: Mapping[str, Any], program: Mapping[str, Any] | None) -> dict[str, Any]:
    """The value's fields: a key given (even as null) wins, else the program's, else the default (§9.1)."""

    def pick(key: str, column: str, default: Any) -> Any:
        if key in inputs:
            return inputs[key]
        return program[column] if program is not None else default

    balance_rule = pick("balanceRule", "balance_rule", None)
    options = inputs.get("genericCodeOptions")
    if options:
        # Bodies are read with unset fields left out; perContact's two amounts default to null.
        options = {"perContact": {"balance": None, "usesRemaining": None, **options["perContact"]}}
    if "balance" in inputs:
        balance = inputs["balance"]
    elif balance_rule is not None or (program is not None and program["balance_rule"] is not None) or options:
        balance = None
    else:
        balance = 0
    if inputs.get("discountSellerLiabilityRule") is not None:
        liability_rule = inputs["discountSellerLiabilityRule"]
    elif inputs.get("discountSellerLiability") is not None:
        liability_rule = rule_from_liability(inputs["discountSellerLiability"])
    else:
        liability_rule = program["discount_seller_liability_rule"] if program is not None else None
    metadata = {**((program["metadata"] or {}) if program is not None else {}), **(inputs.get("metadata") or {})}
    return {
        "id": inputs["id"],
        "currency": inputs["currency"] if "currency" in inputs else (program["currency"].upper() if program is not None else None),
        "balance": balance,
        "usesRemaining": inputs.get("usesRemaining"),
        "programId": program["id"] if program is not None else None,
        "issuanceId": inputs.get("issuanceId"),
        "contactId": inputs.get("contactId"),
        "isGenericCode": bool(inputs.get("isGenericCode")),
        "genericCodeOptions": options,
        "pretax": pick("pretax", "pretax", False),
        "active": pick("active", "active", True),
        "canceled": False,
        "frozen": bool(inputs.get("frozen")),
        "discount": pick("discount", "discount", False),
        "discountSellerLiabilityRule": liability_rule,
        # Kept only so the checks can name the field the client used.
        "discountSellerLiability": inputs.get("discountSellerLiability"),
        "redemptionRule": pick("redemptionRule", "redemption_rule", None),
        "balanceRule": balance_rule,
        "startDate": pick("startDate", "start_date", None),
        "endDate": pick("endDate", "end_date", None),
        "metadata": metadata,
    }


def _js(value: Any) -> str:
    return "null" if value is None else str(value)


def check_program_constraints(v: Mapping[str, Any], program: Mapping[str, Any]) -> None:
    """409 without a messageCode, as the original answered (§9.2)."""
    per_contact = (v["genericCodeOptions"] or {}).get("perContact") if v["isGenericCode"] else None
    balance = per_contact["balance"] if per_contact else v["balance"]
    uses = per_contact["usesRemaining"] if per_contact else v["usesRemaining"]
    pid = program["id"]
    fixed = program["fixed_initial_balances"]
    if fixed is not None and (balance is None or balance not in fixed):
        raise ApiError(409, f"Value's balance {_js(balance)} is not in the Program ({pid}) fixedInitialBalances [{', '.join(map(str, fixed))}].")
    minimum, maximum = program["min_initial_balance"], program["max_initial_balance"]
    if minimum is not None and (balance is None or balance < minimum):
        raise ApiError(409, f"Value's balance {_js(balance)} is less than the Program ({pid}) minInitialBalance {minimum}.")
    if maximum is not None and (balance is None or balance > maximum):
        raise ApiError(409, f"Value's balance {_js(balance)} is greater than the Program ({pid}) maxInitialBalance {maximum}.")
    fixed_uses = program["fixed_initial_uses_remaining"]
    if fixed_uses is not None and (not uses or uses not in fixed_uses):
        raise ApiError(409, f"Value's usesRemaining {_js(uses)} is not in the Program ({pid}) fixedInitialUsesRemaining [{', '.join(map(str, fixed_uses))}].")
    if v["currency"] != program["currency"]:
        raise ApiError(409, f"Value's currency {_js(v['currency'])} does not match the Program ({pid}) currency {program['currency']}.")


def check_value_properties(v: Mapping[str, Any]) -> None:
    """The consistency rules of a value, on create and on the merged result of a PATCH (§5.4)."""
    if v["balance"] is not None and v["balanceRule"] is not None:
        raise ApiError(422, "Value can't have both a balance and balanceRule.")
    if v.get("discountSellerLiability") is not None and not v["discount"]:
        raise ApiError(422, "Value can't have discountSellerLiability if it is not a discount.")
    if v["discountSellerLiabilityRule"] is not None and not v["discount"]:
        raise ApiError(422, "Value can't have a discountSellerLiabilityRule if it is not a discount.")
    if v["contactId"] is not None and v["isGenericCode"]:
        raise ApiError(422, "A Value with isGenericCode=true cannot have contactId set.")
    if v["endDate"] is not None and v["startDate"] is not None and v["startDate"] > v["endDate"]:
        raise ApiError(422, "Property startDate cannot exceed endDate.")
    if v["currency"] is None:
        raise ApiError(422, "Property currency cannot be null. Please provide a currency or a programId.")
    options = v["genericCodeOptions"]
    if options is not None and not v["isGenericCode"]:
        raise ApiError(422, "Value must have `isGenericCode:true` if setting genericCodeOptions.")
    if v["isGenericCode"]:
        per_contact = options["perContact"] if options else None
        if per_contact and per_contact["balance"] is not None and v["balanceRule"] is not None:
            raise ApiError(422, "Value can't have both a genericCodeOptions.perContact.balance and balanceRule.")
        if per_contact and per_contact["balance"] is None and v["balanceRule"] is None:
            raise ApiError(422, "If using a generic code with genericCodeOption.perContact properties either genericCodeOptions.perContact.balance or balanceRule must be set.")
        if v["balance"] is not None and (not per_contact or per_contact["balance"] is None):
            raise ApiError(422, "Value with isGenericCode:true must have genericCodeOptions.perContact.balance set if balance is set.")
        if v["usesRemaining"] is not None and (not per_contact or per_contact["usesRemaining"] is None):
            raise ApiError(422, "Value with isGenericCode:true must have genericCodeOptions.perContact.usesRemaining set if usesRemaining is set.")
    check_rules("Value", v)


def value_row(account_id: str, v: Mapping[str, Any], code_columns: Mapping[str, Any], now: datetime, created_by: str) -> dict[str, Any]:
    per_contact = (v["genericCodeOptions"] or {}).get("perContact") or {}
    return {
        "account_id": account_id,
        "id": v["id"],
        "currency": v["currency"],
        "balance": v["balance"],
        "uses_remaining": v["usesRemaining"],
        "program_id": v["programId"],
        "issuance_id": v["issuanceId"],
        "contact_id": v["contactId"],
        "attached_from_value_id": v.get("attachedFromValueId"),
        **code_columns,
        "is_generic_code": v["isGenericCode"],
        "generic_code_per_contact_balance": per_contact.get("balance"),
        "generic_code_per_contact_uses_remaining": per_contact.get("usesRemaining"),
        "pretax": v["pretax"],
        "active": v["active"],
        "canceled": v["canceled"],
        "frozen": v["frozen"],
        "discount": v["discount"],
        "redemption_rule": v["redemptionRule"],
        "balance_rule": v["balanceRule"],
        "discount_seller_liability_rule": v["discountSellerLiabilityRule"],
        "start_date": v["startDate"],
        "end_date": v["endDate"],
        "metadata": v["metadata"],
        "created_date": now,
        "updated_date": now,
        "updated_contact_id_date": now if v["contactId"] is not None else None,
        "created_by": created_by,
    }


async def _check_references(conn: AsyncConnection, account_id: str, drafts: list[ValueDraft]) -> None:
    wanted = sorted({d.fields["currency"] for d in drafts})
    for currency in wanted:
        if not is_system_id(currency):
            raise currency_not_found(currency)
    query = sa.select(currencies.c.code).where(currencies.c.account_id == account_id, currencies.c.code.in_(wanted))
    found = set((await conn.execute(query)).scalars())
    for currency in wanted:
        if currency not in found:
            raise currency_not_found(currency)
    contact_ids = sorted({d.fields["contactId"] for d in drafts if d.fields["contactId"] is not None})
    if contact_ids:
        query = sa.select(contacts.c.id).where(contacts.c.account_id == account_id, contacts.c.id.in_(contact_ids))
        found = set((await conn.execute(query)).scalars())
        for contact_id in contact_ids:
            if contact_id not in found:
                raise ApiError(409, f"Contact '{contact_id}' does not exist.", "ContactNotFound")
    ids = [d.fields["id"] for d in drafts]
    taken = await ledger_records.TRANSACTION_IDS_PRESENT.among(conn, account_id, ids) | await repository.IDS_PRESENT.among(conn, account_id, ids)
    for value_id in ids:
        if value_id in taken:
            raise value_id_exists(value_id)


async def _assign_codes(conn: AsyncConnection, account_id: str, codes: CodeCipher, drafts: list[ValueDraft]) -> list[str | None]:
    """Each draft's code; generated codes that collide are generated again, up to three attempts in all."""
    chosen: list[str | None] = [d.code for d in drafts]
    given = {i: codes.lookup_hash(account_id, c) for i, c in enumerate(chosen) if c is not None}
    if len(set(given.values())) != len(given) or await repository.CODE_HASHES_PRESENT.among(conn, account_id, list(given.values())):
        raise code_exists()
    taken = set(given.values())
    pending = [i for i, d in enumerate(drafts) if d.recipe is not None]
    for _ in range(CODE_ATTEMPTS):
        if not pending:
            break
        candidates: dict[int, tuple[str, str]] = {}
        for i in pending:
            code = generate_code(drafts[i].recipe)
            candidates[i] = (code, codes.lookup_hash(account_id, code))
        in_db = await repository.CODE_HASHES_PRESENT.among(conn, account_id, [h for _, h in candidates.values()])
        retry = []
        for i in pending:
            code, hashed = candidates[i]
            if hashed in taken or hashed in in_db:
                retry.append(i)
            else:
                taken.add(hashed)
                chosen[i] = code
        pending = retry
    if pending:
        raise code_exists()
    return chosen


async def write_created(
    conn: AsyncConnection, account_id: str, txs: list[dict[str, Any]], value_rows: list[dict[str, Any]], events: list[Event],
) -> None:
    """Writes values coming into being with their transactions (API shape) and events, one statement per
    table, in the order their foreign keys need: the transactions, the values, the transactions' steps
    (all on the lightrail rail), then the events."""
    await records.INSERT_TRANSACTIONS.execute(conn, [records.transaction_row(account_id, tx) for tx in txs])
    await repository.INSERT.execute(conn, value_rows)
    steps = [row for tx in txs for row in records.step_rows(account_id, tx["id"], tx["steps"])["lightrail"]]
    await records.INSERT_STEPS["lightrail"].execute(conn, steps)
    await emit_many(conn, events)


async def insert_values(
    conn: AsyncConnection, account_id: str, codes: CodeCipher, drafts: list[ValueDraft], now: datetime, created_by: str,
) -> list[dict[str, Any]]:
    """Inserts the values with their initialBalance transactions and events; returns the value rows."""
    await _check_references(conn, account_id, drafts)
    chosen = await _assign_codes(conn, account_id, codes, drafts)
    rows, txs, events = [], [], []
    for draft, code in zip(drafts, chosen):
        v = draft.fields
        row = value_row(account_id, v, codes.columns(account_id, code), now, created_by)
        step = ledger_records.insert_step(v["id"], v["contactId"], None if code is None else last_four(code), v["balance"], v["usesRemaining"])
        tx = ledger_records.simple_transaction(v["id"], "initialBalance", v["currency"], now, created_by, [step])
        rows.append(row)
        txs.append(tx)
        events.append((account_id, "lightrail.transaction.created", tx["id"], now, now, {"newTransaction": tx}))
        events.append((account_id, "lightrail.value.created", row["id"], now, now, {"newValue": repository.to_json(row, codes)}))
    await write_created(conn, account_id, txs, rows, events)
    return rows
