"""Contacts (spec core.md §5.2, §7.3): behaviour, no HTTP."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from lightrail.contacts import repository
from lightrail.contacts.schemas import CreateContact, UpdateContact
from lightrail.db import clock
from lightrail.db.engine import Database
from lightrail.events.outbox import deleted_event, emit, emit_many, updated_event
from lightrail.http.errors import ApiError
from lightrail.http.filters import EmptyResult
from lightrail.http.pagination import Page, PageRequest
from lightrail.http.validation import is_system_id

_FIELDS = {"firstName": "first_name", "lastName": "last_name", "email": "email", "metadata": "metadata"}


def contact_not_found(contact_id: str) -> ApiError:
    return ApiError(404, f"Contact with id '{contact_id}' not found.", "ContactNotFound")


async def list_contacts(
    db: Database,
    account_id: str,
    params: list[tuple[str, str]],
    page: PageRequest,
    extra_conditions: list[sa.ColumnElement[bool]] | None = None,
) -> tuple[list[dict[str, Any]], Page]:
    try:
        async with db.read() as conn:
            result = await repository.list_page(conn, account_id, params, page, extra_conditions)
    except EmptyResult:
        result = Page([], page, None, None)
    return [repository.to_json(row) for row in result.rows], result


async def get_contact(db: Database, account_id: str, contact_id: str) -> dict[str, Any]:
    if not is_system_id(contact_id):
        raise contact_not_found(contact_id)
    async with db.read() as conn:
        row = await repository.get(conn, account_id, contact_id)
    if row is None:
        raise contact_not_found(contact_id)
    return repository.to_json(row)


async def create_contact(db: Database, account_id: str, created_by: str, body: CreateContact) -> dict[str, Any]:
    now = clock.now()
    row = {
        "account_id": account_id,
        "id": body.id,
        "first_name": body.firstName,
        "last_name": body.lastName,
        "email": body.email,
        "metadata": body.metadata,
        "created_date": now,
        "updated_date": now,
        "created_by": created_by,
    }
    contact = {
        "id": body.id, "firstName": body.firstName, "lastName": body.lastName, "email": body.email,
        "metadata": body.metadata, "createdDate": clock.iso(now), "updatedDate": clock.iso(now),
        "createdBy": created_by,
    }
    try:
        async with db.transaction() as conn:
            await repository.insert(conn, row)
            await emit(conn, account_id, "lightrail.contact.created", body.id, now, now, {"newContact": contact})
    except IntegrityError:
        raise ApiError(409, f"A Contact with id '{body.id}' already exists.", "ContactIdExists") from None
    return contact


async def update_contact(db: Database, account_id: str, contact_id: str, body: UpdateContact) -> dict[str, Any]:
    if body.id is not None and body.id != contact_id:
        raise ApiError(422, f"The body id '{body.id}' does not match the path id '{contact_id}'.  The id cannot be updated.")
    if not is_system_id(contact_id):
        raise contact_not_found(contact_id)
    changes = {_FIELDS[k]: v for k, v in body.model_dump(exclude_unset=True, exclude={"id"}).items()}
    async with db.transaction() as conn:
        existing = await repository.get(conn, account_id, contact_id, for_update=True)
        if existing is None:
            raise contact_not_found(contact_id)
        now = clock.now()
        await repository.update(conn, account_id, contact_id, {**changes, "updated_date": now})
        old = repository.to_json(existing)
        new = repository.to_json(await repository.get(conn, account_id, contact_id))
        await emit_many(conn, [updated_event(account_id, "contact", contact_id, now, old, new)])
    return new


async def delete_contact(db: Database, account_id: str, contact_id: str) -> dict[str, Any]:
    if not is_system_id(contact_id):
        raise contact_not_found(contact_id)
    try:
        async with db.transaction() as conn:
            existing = await repository.get(conn, account_id, contact_id, for_update=True)
            if existing is None:
                raise contact_not_found(contact_id)
            await repository.delete(conn, account_id, contact_id)
            await emit_many(conn, [deleted_event(account_id, "contact", contact_id, existing.created_date, repository.to_json(existing))])
    except IntegrityError:
        raise ApiError(409, f"Contact '{contact_id}' is in use.", "ContactInUse") from None
    return {"success": True}
