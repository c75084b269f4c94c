"""Attaching values to contacts and detaching them (core.md §8).

A unique value is simply linked. A generic code is never linked itself: each contact gets a copy of
it, created by an `attach` transaction whose id is derived from the code's and contact's ids, so a
contact can never hold two copies.
"""

from __future__ import annotations

import base64
import hashlib
from datetime import datetime, timezone
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from lightrail.contacts import repository as contacts
from lightrail.contacts.service import contact_not_found
from lightrail.contacts.tables import contacts as contacts_table
from lightrail.db import clock
from lightrail.db.engine import Database
from lightrail.events.outbox import emit_many, updated_event
from lightrail.http.errors import ApiError
from lightrail.http.validation import is_system_id
from lightrail.values import ledger_records, repository
from lightrail.values.codes import CodeCipher, last_four
from lightrail.values.creation import value_row, write_created
from lightrail.values.schemas import Attach
from lightrail.values.service import value_not_found
from lightrail.values.tables import values as v

# Generic codes created before this date may have per-contact values with the older id form.
LEGACY_ID_CUTOFF = datetime(2019, 6, 26, tzinfo=timezone.utc)
# The one account allowed to turn a generic code into a per-contact one while attaching (§8.5).
YERVANA_ACCOUNTS = frozenset({"user-eed702db18574c91b8625cec47a09ee1", "user-eed702db18574c91b8625cec47a09ee1-TEST"})


def per_contact_value_id(generic_value_id: str, contact_id: str) -> str:
    digest = hashlib.sha1(f"{generic_value_id}/{contact_id}".encode()).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def legacy_per_contact_value_id(generic_value_id: str, contact_id: str) -> str:
    return base64.b64encode(hashlib.sha1(f"{generic_value_id}/{contact_id}".encode()).digest()).decode()


def contacts_holding(account_id: str, value_id: str) -> sa.ColumnElement[bool]:
    """Condition on contacts: they hold the value, or a value attached from it (the `valueId` filter)."""
    if not is_system_id(value_id):
        return sa.false()
    holders = sa.select(v.c.contact_id).where(
        v.c.account_id == account_id, v.c.contact_id.is_not(None),
        sa.or_(v.c.id == value_id, v.c.attached_from_value_id == value_id),
    )
    return contacts_table.c.id.in_(holders)


def _check_attachable(row: Any, now: datetime) -> None:
    for broken, code, reason in (
        (not row.active, "ValueInactive", "inactive"),
        (row.frozen, "ValueFrozen", "frozen"),
        (row.canceled, "ValueCanceled", "canceled"),
        (row.end_date is not None and row.end_date < now, "ValueExpired", "expired"),
    ):
        if broken:
            raise ApiError(409, f"The Value cannot be attached because it is {reason}.", code)


async def _find_per_contact_value(conn: AsyncConnection, account_id: str, generic: Any, contact_id: str) -> Any | None:
    if generic.created_date < LEGACY_ID_CUTOFF:
        legacy = await repository.get(conn, account_id, legacy_per_contact_value_id(generic.id, contact_id), for_update=True)
        if legacy is not None:
            return legacy
    return await repository.get(conn, account_id, per_contact_value_id(generic.id, contact_id), for_update=True)


async def _link(conn: AsyncConnection, codes: CodeCipher, account_id: str, row: Any, contact_id: str | None, now: datetime) -> Any:
    await repository.update(conn, account_id, row.id, {"contact_id": contact_id, "updated_date": now, "updated_contact_id_date": now})
    new = await repository.get(conn, account_id, row.id)
    await emit_many(conn, [updated_event(account_id, "value", row.id, now, repository.to_json(row, codes), repository.to_json(new, codes))])
    return new


def _update_step(row: Any, amount: int | None, uses: int | None, code: str | None) -> dict[str, Any]:
    balance, remaining = row.balance, row.uses_remaining
    return {
        "rail": "lightrail",
        "valueId": row.id,
        "contactId": row.contact_id,
        "code": code,
        "balanceRule": None,
        "balanceBefore": balance,
        "balanceAfter": None if balance is None else balance + (amount or 0),
        "balanceChange": (amount or 0) if balance is not None or amount is not None else None,
        "usesRemainingBefore": remaining,
        "usesRemainingAfter": None if remaining is None else remaining + (uses or 0),
        "usesRemainingChange": (uses or 0) if remaining is not None or uses is not None else None,
    }


async def attach_generic(
    conn: AsyncConnection, codes: CodeCipher, account_id: str, generic: Any, contact_id: str, created_by: str, now: datetime,
) -> Any:
    """The contact's copy of a generic code: the existing one, or a new one made by an `attach` transaction.

    `generic` must have been read for update in this transaction.
    """
    existing = await _find_per_contact_value(conn, account_id, generic, contact_id)
    if existing is not None:
        _check_attachable(existing, now)
        return await _link(conn, codes, account_id, existing, contact_id, now)
    per_balance, per_uses = generic.generic_code_per_contact_balance, generic.generic_code_per_contact_uses_remaining
    # A generic code's own balance and uses, when set, cap what all its copies may receive.
    amount = -per_balance if generic.balance is not None and per_balance is not None else None
    uses = -per_uses if generic.uses_remaining is not None and per_uses is not None else None
    if amount is not None and generic.balance + amount < 0:
        raise ApiError(409, "Insufficient balance for the transaction.", "InsufficientBalance")
    if uses is not None and generic.uses_remaining + uses < 0:
        raise ApiError(409, "Insufficient usesRemaining for the transaction.", "InsufficientUsesRemaining")
    new_id = per_contact_value_id(generic.id, contact_id)
    generic_code = codes.decrypt(generic.code_encrypted) if generic.code_encrypted is not None else None
    fields = {
        "id": new_id, "currency": generic.currency, "balance": per_balance, "usesRemaining": per_uses,
        "programId": generic.program_id, "issuanceId": generic.issuance_id, "contactId": contact_id,
        "attachedFromValueId": generic.id, "isGenericCode": False, "genericCodeOptions": None,
        "pretax": generic.pretax, "active": generic.active, "canceled": generic.canceled, "frozen": generic.frozen,
        "discount": generic.discount, "discountSellerLiabilityRule": generic.discount_seller_liability_rule,
        "redemptionRule": generic.redemption_rule, "balanceRule": generic.balance_rule,
        "startDate": generic.start_date, "endDate": generic.end_date,
        "metadata": {**(generic.metadata or {}), "attachedFromGenericValue": {"code": generic_code}},
    }
    generic_step = _update_step(generic, amount, uses, None if generic_code is None else last_four(generic_code))
    new_step = ledger_records.insert_step(new_id, contact_id, None, per_balance, per_uses)
    tx = ledger_records.simple_transaction(new_id, "attach", generic.currency, now, created_by, [generic_step, new_step])
    await repository.update(conn, account_id, generic.id, {
        "balance": generic_step["balanceAfter"], "uses_remaining": generic_step["usesRemainingAfter"], "updated_date": now,
    })
    updated_generic = await repository.get(conn, account_id, generic.id)
    row = value_row(account_id, fields, codes.columns(account_id, None), now, created_by)
    await write_created(conn, account_id, [tx], [row], [
        (account_id, "lightrail.transaction.created", new_id, now, now, {"newTransaction": tx}),
        updated_event(account_id, "value", generic.id, now, repository.to_json(generic, codes), repository.to_json(updated_generic, codes)),
        (account_id, "lightrail.value.created", new_id, now, now, {"newValue": repository.to_json(row, codes)}),
    ])
    return await repository.get(conn, account_id, new_id)


async def _make_per_contact(conn: AsyncConnection, codes: CodeCipher, account_id: str, generic: Any, now: datetime) -> Any:
    """The historical `attachGenericAsNewValue`: give a generic code without options one use per contact."""
    if generic.generic_code_per_contact_balance is not None or generic.generic_code_per_contact_uses_remaining is not None:
        return generic
    await repository.update(conn, account_id, generic.id, {"generic_code_per_contact_uses_remaining": 1, "updated_date": now})
    return await repository.get(conn, account_id, generic.id, for_update=True)


async def attach(
    db: Database, codes: CodeCipher, account_id: str, created_by: str, contact_id: str, body: Attach, *, overwrite: bool,
) -> dict[str, Any]:
    """`overwrite` False is a shopper attaching by code: it may not take a value someone else holds."""
    if body.attachGenericAsNewValue is not None and account_id not in YERVANA_ACCOUNTS:
        raise ApiError(422, "The POST body has 1 validation error(s): requestBody additionalProperty \"attachGenericAsNewValue\" exists in instance when not allowed.")
    async with db.transaction() as conn:
        if not is_system_id(contact_id) or await contacts.get(conn, account_id, contact_id) is None:
            raise contact_not_found(contact_id)
        if body.valueId is not None:
            row = await repository.get(conn, account_id, body.valueId, for_update=True) if is_system_id(body.valueId) else None
            if row is None:
                raise value_not_found(body.valueId)
        else:
            row = await repository.get_by_code_hash(conn, account_id, codes.lookup_hash(account_id, body.code), for_update=True)
            if row is None:
                raise ApiError(404, f"Value with code '{last_four(body.code)}' not found.", "ValueNotFound")
        now = clock.now()
        _check_attachable(row, now)
        if row.is_generic_code:
            if body.attachGenericAsNewValue:
                row = await _make_per_contact(conn, codes, account_id, row, now)
            attached = await attach_generic(conn, codes, account_id, row, contact_id, created_by, now)
        else:
            if not overwrite and row.contact_id is not None:
                raise ApiError(409, "Value not found.", "ValueNotFound")
            attached = await _link(conn, codes, account_id, row, contact_id, now)
    return repository.to_json(attached, codes)


async def detach(db: Database, codes: CodeCipher, account_id: str, contact_id: str, value_id: str) -> dict[str, Any]:
    async with db.transaction() as conn:
        row = await repository.get(conn, account_id, value_id, for_update=True) if is_system_id(value_id) else None
        if row is None:
            raise value_not_found(value_id)
        if row.frozen:
            raise ApiError(409, "The Value cannot be detached because it is frozen.", "ValueFrozen")
        not_attached = ApiError(409, f"The Value {value_id} is not Attached to the Contact {contact_id}.", "AttachedValueNotFound")
        if row.is_generic_code:
            row = await _find_per_contact_value(conn, account_id, row, contact_id)
            if row is None:
                raise not_attached
        elif row.contact_id != contact_id:
            raise not_attached
        detached = await _link(conn, codes, account_id, row, None, clock.now())
    return repository.to_json(detached, codes)
