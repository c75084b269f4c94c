"""Finding the Values that transaction parties name (transactions.md §4, §7.1).

Every candidate of a request is loaded in one query, whether named by id, code or contact.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import cache
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from lightrail.contacts import repository as contacts
from lightrail.db.prepared import Prepared, any_of
from lightrail.http.errors import ApiError
from lightrail.http.validation import is_system_id
from lightrail.values.codes import CodeCipher
from lightrail.values.contact_values import per_contact_value_id
from lightrail.values.tables import values

_STATE_ERRORS = (
    ("canceled", "ValueCanceled", "it is canceled"),
    ("frozen", "ValueFrozen", "it is frozen"),
    ("inactive", "ValueInactive", "it is inactive"),
    ("not_started", "ValueNotStarted", "it has not started yet"),
    ("ended", "ValueEnded", "it has ended"),
)


async def load_values(
    conn: AsyncConnection, account_id: str, codes: CodeCipher, parties: Iterable[Mapping[str, Any]],
    *, for_update: bool = False,
) -> list[Any]:
    """The Values the lightrail parties name, in id order; unknown references name nothing."""
    ids, hashes, contact_ids = set(), set(), set()
    for party in parties:
        if party.get("rail") != "lightrail":
            continue
        if is_system_id(party.get("valueId")):
            ids.add(party["valueId"])
        if isinstance(party.get("code"), str):
            hashes.add(codes.lookup_hash(account_id, party["code"].strip()))
        if is_system_id(party.get("contactId")):
            contact_ids.add(party["contactId"])
    if not (ids or hashes or contact_ids):
        return []
    query = _values_named(bool(ids), bool(hashes), bool(contact_ids), for_update)
    return await query.all(conn, {"account": account_id, "ids": ids, "hashes": hashes, "contacts": contact_ids})


@cache
def _values_named(by_id: bool, by_code: bool, by_contact: bool, for_update: bool) -> Prepared:
    c = values.c
    named = [any_of(column, name) for used, column, name in (
        (by_id, c.id, "ids"), (by_code, c.code_hashed, "hashes"), (by_contact, c.contact_id, "contacts"),
    ) if used]
    query = sa.select(values).where(c.account_id == sa.bindparam("account"), sa.or_(*named)).order_by(c.id)
    # SQLite has no row locks (it renders no FOR UPDATE): its writers are serialised instead.
    return Prepared(query.with_for_update() if for_update else query)


def check_transactable(row: Any, currency: str, now: datetime) -> None:
    """Credit, debit and transfer refuse a Value that cannot take part, in the original's order of checks."""
    if row.currency != currency:
        raise ApiError(
            409, f"Value '{row.id}' is in currency '{row.currency}' which is not the transaction's currency '{currency}'.",
            "WrongCurrency",
        )
    broken = {
        "canceled": row.canceled,
        "frozen": row.frozen,
        "inactive": not row.active,
        "not_started": row.start_date is not None and row.start_date > now,
        "ended": row.end_date is not None and row.end_date < now,
    }
    for state, code, reason in _STATE_ERRORS:
        if broken[state]:
            raise ApiError(409, f"Value '{row.id}' cannot be transacted against because {reason}.", code)


def resolve_one(rows: list[Any], currency: str, now: datetime, role: str) -> Any:
    for row in rows:
        check_transactable(row, currency, now)
    if len(rows) != 1:
        raise ApiError(409, f"Could not resolve the {role} to a transactable Value.", "InvalidParty")
    return rows[0]


def first_contact_id(parties: Iterable[Mapping[str, Any]]) -> str | None:
    for party in parties:
        if party.get("rail") == "lightrail" and party.get("contactId") is not None:
            return party["contactId"]
    return None


def _has_per_contact_options(row: Any) -> bool:
    return row.is_generic_code and (
        row.generic_code_per_contact_balance is not None or row.generic_code_per_contact_uses_remaining is not None
    )


def per_contact_copy(generic: Any, contact_id: str) -> dict[str, Any]:
    """The contact's copy of a generic code as it will be when attached: planned against before it exists."""
    return {
        **generic._mapping,
        "id": per_contact_value_id(generic.id, contact_id),
        "balance": generic.generic_code_per_contact_balance,
        "uses_remaining": generic.generic_code_per_contact_uses_remaining,
        "contact_id": contact_id,
        "attached_from_value_id": generic.id,
        "code_hashed": None,
        "code_encrypted": None,
        "code_last_four": None,
        "is_generic_code": False,
        "generic_code_per_contact_balance": None,
        "generic_code_per_contact_uses_remaining": None,
    }


async def checkout_candidates(
    conn: AsyncConnection, account_id: str, rows: list[Any], parties: list[Mapping[str, Any]],
) -> tuple[list[Mapping[str, Any]], dict[str, tuple[Any, str]]]:
    """The checkout's Values, with per-contact generic codes replaced by the contact's copy.

    Returns the candidates (row mappings) and, for copies that do not exist yet, the generic code and
    contact to attach them from when the checkout uses them.
    """
    copies_of = {row.attached_from_value_id for row in rows if row.attached_from_value_id is not None}
    candidates: list[Mapping[str, Any]] = []
    to_attach: dict[str, tuple[Any, str]] = {}
    seen: set[str] = set()
    for row in rows:
        if row.id in seen or (row.is_generic_code and row.id in copies_of):
            continue
        seen.add(row.id)
        if not _has_per_contact_options(row):
            candidates.append(row._mapping)
            continue
        contact_id = first_contact_id(parties)
        if contact_id is None or not is_system_id(contact_id) or await contacts.get(conn, account_id, contact_id) is None:
            raise ApiError(
                409,
                "Values cannot be transacted against because they must be attached to a Contact first. "
                "Alternatively, you can include a contactId in the sources of the transaction.",
                "ValueMustBeAttached",
            )
        copy = per_contact_copy(row, contact_id)
        to_attach[copy["id"]] = (row, contact_id)
        candidates.append(copy)
    return candidates, to_attach
