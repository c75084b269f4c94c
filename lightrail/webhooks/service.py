"""Webhooks (platform.md §6): behaviour, no HTTP."""

from __future__ import annotations

import secrets
import string
import uuid
from datetime import datetime, timezone
from typing import Any

from sqlalchemy.exc import IntegrityError

from lightrail.db.clock import iso
from lightrail.db.engine import Database
from lightrail.http.errors import ApiError
from lightrail.secretbox import SecretBox
from lightrail.webhooks import repository
from lightrail.webhooks.schemas import CreateWebhook, UpdateWebhook
from lightrail.webhooks.urls import check_destination

MAX_WEBHOOKS = 20
MAX_SECRETS = 3
SECRET_LENGTH = 16
_SECRET_ALPHABET = string.ascii_uppercase + string.digits


def webhook_not_found(webhook_id: str) -> ApiError:
    return ApiError(404, f"Webhook with id '{webhook_id}' not found.", "WebhookNotFound")


def secret_not_found(secret_id: str) -> ApiError:
    return ApiError(404, f"Secret with id {secret_id} does not exist.", "WebhookSecretNotFound")


def _now() -> datetime:
    # Milliseconds, as the original's dates had: webhooks created within one second still sort apart.
    moment = datetime.now(timezone.utc)
    return moment.replace(microsecond=moment.microsecond // 1000 * 1000)


def _new_secret(box: SecretBox, account_id: str, webhook_id: str, now: datetime) -> tuple[dict[str, Any], dict[str, Any]]:
    """A fresh secret: (the stored form, the one-time clear form)."""
    secret_id = str(uuid.uuid4())
    plain = "".join(secrets.choice(_SECRET_ALPHABET) for _ in range(SECRET_LENGTH))
    sealed = box.seal(plain, repository.secret_binding(account_id, webhook_id, secret_id))
    return (
        {"id": secret_id, "secret": sealed, "createdDate": iso(now)},
        {"id": secret_id, "secret": plain, "createdDate": iso(now)},
    )


async def list_webhooks(db: Database, box: SecretBox, account_id: str) -> list[dict[str, Any]]:
    async with db.read() as conn:
        return [repository.to_json(row, box) for row in await repository.list_all(conn, account_id)]


async def get_webhook(db: Database, box: SecretBox, account_id: str, webhook_id: str) -> dict[str, Any]:
    async with db.read() as conn:
        row = await repository.get(conn, account_id, webhook_id)
    if row is None:
        raise webhook_not_found(webhook_id)
    return repository.to_json(row, box)


async def create_webhook(
    db: Database, box: SecretBox, account_id: str, created_by: str, body: CreateWebhook, allow_insecure: bool,
) -> dict[str, Any]:
    await check_destination(body.url, allow_insecure)
    now = _now()
    stored, plain = _new_secret(box, account_id, body.id, now)
    try:
        async with db.transaction() as conn:
            await repository.lock_account(conn, account_id)
            if await repository.count(conn, account_id) >= MAX_WEBHOOKS:
                raise ApiError(
                    409, "You cannot have more than 20 webhooks. Please delete an existing webhook before creating a new one.",
                    "TooManyWebhooks",
                )
            await repository.insert(conn, {
                "account_id": account_id, "id": body.id, "url": body.url, "events": body.events,
                "active": body.active, "secrets": [stored], "created_date": now, "updated_date": now,
                "created_by": created_by,
            })
    except IntegrityError:
        raise ApiError(409, f"Webhook with id: {body.id} already exists.", "WebhookAlreadyExists") from None
    return {
        "id": body.id, "url": body.url, "events": body.events, "active": body.active, "secrets": [plain],
        "createdDate": iso(now), "updatedDate": iso(now), "createdBy": created_by,
    }


async def update_webhook(
    db: Database, box: SecretBox, account_id: str, webhook_id: str, body: UpdateWebhook, allow_insecure: bool,
) -> dict[str, Any]:
    changes = body.model_dump(exclude_unset=True)
    if "url" in changes:
        await check_destination(changes["url"], allow_insecure)
    async with db.transaction() as conn:
        if await repository.get(conn, account_id, webhook_id, for_update=True) is None:
            raise webhook_not_found(webhook_id)
        await repository.update(conn, account_id, webhook_id, {**changes, "updated_date": _now()})
        return repository.to_json(await repository.get(conn, account_id, webhook_id), box)


async def delete_webhook(db: Database, account_id: str, webhook_id: str) -> None:
    async with db.transaction() as conn:
        if await repository.get(conn, account_id, webhook_id, for_update=True) is None:
            raise webhook_not_found(webhook_id)
        await repository.delete(conn, account_id, webhook_id)


async def create_secret(db: Database, box: SecretBox, account_id: str, webhook_id: str) -> dict[str, Any]:
    async with db.transaction() as conn:
        row = await repository.get(conn, account_id, webhook_id, for_update=True)
        if row is None:
            raise webhook_not_found(webhook_id)
        if len(row.secrets) >= MAX_SECRETS:
            raise ApiError(409, "A webhook cannot have more than 3 secrets.", "TooManySecrets")
        stored, plain = _new_secret(box, account_id, webhook_id, _now())
        await repository.update(conn, account_id, webhook_id, {"secrets": [*row.secrets, stored]})
    return plain


async def get_secret(db: Database, box: SecretBox, account_id: str, webhook_id: str, secret_id: str) -> dict[str, Any]:
    async with db.read() as conn:
        row = await repository.get(conn, account_id, webhook_id)
    if row is None:
        raise webhook_not_found(webhook_id)
    for stored in row.secrets:
        if stored["id"] == secret_id:
            return repository.reveal_secret(row, stored, box)
    raise secret_not_found(secret_id)


async def delete_secret(db: Database, account_id: str, webhook_id: str, secret_id: str) -> None:
    async with db.transaction() as conn:
        row = await repository.get(conn, account_id, webhook_id, for_update=True)
        if row is None:
            raise webhook_not_found(webhook_id)
        remaining = [s for s in row.secrets if s["id"] != secret_id]
        if len(remaining) == len(row.secrets):
            raise secret_not_found(secret_id)
        if not remaining:
            raise ApiError(409, "A webhook must have at least 1 secret.", "TooFewSecrets")
        await repository.update(conn, account_id, webhook_id, {"secrets": remaining})
