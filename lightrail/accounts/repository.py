"""All SQL of the account service, and the rendering of its rows in the API's JSON shapes."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta, timezone
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.engine import Row
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from lightrail.accounts.passwords import HISTORY_SIZE
from lightrail.accounts.tables import (
    account_users, accounts, api_keys, backup_codes, email_tokens, password_history, revoked_api_keys,
    trusted_devices, users,
)
from lightrail.accounts.tokens import new_token, token_hash
from lightrail.db import clock

TEST_SUFFIX = "-TEST"
CONFLICT_ATTEMPTS = 3
T = TypeVar("T")


def base_id(account_or_user_id: str) -> str:
    """Account and user records never carry the test-mode suffix."""
    return account_or_user_id.removesuffix(TEST_SUFFIX)


def new_id() -> str:
    return "user-" + uuid.uuid4().hex


def _one(result) -> Row | None:  # noqa: ANN001
    return result.first()


async def retry_on_conflict(unit: Callable[[], Awaitable[T]], attempts: int = CONFLICT_ATTEMPTS) -> T:
    """Runs a unit of work (one whole transaction) again when a unique key refused one of its writes.

    A unit checks ("is this address free?") and then inserts; on PostgreSQL a concurrent unit can pass the same
    check, and the loser's INSERT then fails on the unique key, after the winner committed.  Run again, the
    check sees the winner's row and the unit answers as it would have had it come second.  (SQLite has one
    writer at a time, so there the check already sees it.)  The unit must build its mails and answer afresh on
    each run: nothing of a failed run was committed."""
    for _ in range(attempts - 1):
        try:
            return await unit()
        except IntegrityError:
            continue
    return await unit()


def _locked(conn: AsyncConnection, query: sa.Select, for_update: bool) -> sa.Select:
    return query.with_for_update() if for_update and conn.dialect.name == "postgresql" else query


# --- accounts ---------------------------------------------------------------------------------------------

async def get_account(conn: AsyncConnection, account_id: str) -> Row | None:
    return _one(await conn.execute(sa.select(accounts).where(accounts.c.account_id == account_id)))


async def insert_account(conn: AsyncConnection, account_id: str, name: str, now: datetime) -> None:
    await conn.execute(accounts.insert().values(
        account_id=account_id, name=name, require_mfa=False, created_date=now,
    ))


async def update_account(conn: AsyncConnection, account_id: str, changes: dict[str, Any]) -> None:
    await conn.execute(accounts.update().where(accounts.c.account_id == account_id).values(**changes))


def account_json(row: Row) -> dict[str, Any]:
    return {
        "id": row.account_id, "maxInactiveDays": row.max_inactive_days, "maxPasswordAge": row.max_password_age,
        "name": row.name, "requireMfa": bool(row.require_mfa),
    }


# --- users ------------------------------------------------------------------------------------------------

async def get_user(conn: AsyncConnection, user_id: str, *, for_update: bool = False) -> Row | None:
    """With for_update (PostgreSQL), concurrent read-check-write units of one user run one after the other."""
    return _one(await conn.execute(_locked(conn, sa.select(users).where(users.c.user_id == user_id), for_update)))


async def get_user_by_email(conn: AsyncConnection, email: str, *, for_update: bool = False) -> Row | None:
    return _one(await conn.execute(_locked(conn, sa.select(users).where(users.c.email_key == email.lower()), for_update)))


async def insert_user(conn: AsyncConnection, **values: Any) -> None:
    await conn.execute(users.insert().values(email_key=values["email"].lower(), **values))


async def update_user(conn: AsyncConnection, user_id: str, changes: dict[str, Any]) -> None:
    if "email" in changes:
        changes = {**changes, "email_key": changes["email"].lower()}
    await conn.execute(users.update().where(users.c.user_id == user_id).values(**changes))


def mfa_method(user: Row) -> str | None:
    return "totp" if user.totp_secret else None


def user_json(user: Row, mode: str | None = None, pending_mfa: bool | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"id": user.user_id, "email": user.email, "hasMfa": mfa_method(user) is not None,
                            "mfa": mfa_method(user)}
    if mode is not None:
        body["mode"] = mode
    if pending_mfa is not None:
        body["additionalAuthenticationRequired"] = pending_mfa
    return body


# --- password history -------------------------------------------------------------------------------------

async def previous_password_hashes(conn: AsyncConnection, user_id: str) -> list[str]:
    t = password_history
    rows = await conn.execute(sa.select(t.c.password_hash).where(t.c.user_id == user_id).order_by(t.c.created_date.desc()))
    return [r.password_hash for r in rows]


async def remember_password(conn: AsyncConnection, user_id: str, password_hash: str) -> None:
    """Keeps the replaced password, and only the most recent HISTORY_SIZE of them."""
    t = password_history
    # Microseconds: several changes within one second must still evict in order.
    replaced = datetime.now(timezone.utc)
    await conn.execute(t.insert().values(user_id=user_id, id=uuid.uuid4().hex, password_hash=password_hash, created_date=replaced))
    keep = sa.select(t.c.id).where(t.c.user_id == user_id).order_by(t.c.created_date.desc(), t.c.id).limit(HISTORY_SIZE)
    await conn.execute(t.delete().where(t.c.user_id == user_id, t.c.id.not_in(keep.scalar_subquery())))


# --- MFA extras -------------------------------------------------------------------------------------------

async def backup_code_rows(conn: AsyncConnection, user_id: str) -> list[Row]:
    t = backup_codes
    return list(await conn.execute(sa.select(t).where(t.c.user_id == user_id).order_by(t.c.position)))


async def insert_backup_codes(conn: AsyncConnection, user_id: str, sealed: list[str], now: datetime) -> None:
    await conn.execute(backup_codes.insert(), [
        {"user_id": user_id, "position": i, "code_encrypted": s, "created_date": now} for i, s in enumerate(sealed)
    ])


async def delete_backup_code(conn: AsyncConnection, user_id: str, position: int) -> bool:
    t = backup_codes
    result = await conn.execute(t.delete().where(t.c.user_id == user_id, t.c.position == position))
    return result.rowcount == 1


async def add_trusted_device(conn: AsyncConnection, user_id: str, token: str, now: datetime, lifetime: timedelta) -> None:
    await conn.execute(trusted_devices.insert().values(
        user_id=user_id, token_hash=token_hash(token), created_date=now, expires_date=now + lifetime,
    ))


async def is_trusted_device(conn: AsyncConnection, user_id: str, token: str) -> bool:
    t = trusted_devices
    found = await conn.scalar(sa.select(t.c.token_hash).where(
        t.c.user_id == user_id, t.c.token_hash == token_hash(token), t.c.expires_date > clock.now()
    ))
    return found is not None


async def erase_mfa(conn: AsyncConnection, user_id: str) -> None:
    for t in (backup_codes, trusted_devices):
        await conn.execute(t.delete().where(t.c.user_id == user_id))
    await update_user(conn, user_id, {
        "totp_secret": None, "totp_last_step": None, "totp_setup_secret": None, "totp_setup_codes": None,
        "totp_setup_expires": None,
    })


# --- memberships ------------------------------------------------------------------------------------------

_MEMBER_COLUMNS = (account_users, users.c.email, accounts.c.name.label("account_name"),
                   accounts.c.max_inactive_days)


def _members():
    return sa.select(*_MEMBER_COLUMNS).select_from(
        account_users.join(users, users.c.user_id == account_users.c.user_id)
        .join(accounts, accounts.c.account_id == account_users.c.account_id)
    )


async def get_member(conn: AsyncConnection, account_id: str, user_id: str) -> Row | None:
    return _one(await conn.execute(_members().where(
        account_users.c.account_id == account_id, account_users.c.user_id == user_id
    )))


async def account_members(conn: AsyncConnection, account_id: str, pending: bool) -> list[Row]:
    t = account_users
    pending_clause = t.c.invitation_created.is_not(None) if pending else t.c.invitation_created.is_(None)
    return list(await conn.execute(
        _members().where(t.c.account_id == account_id, pending_clause).order_by(t.c.created_date, t.c.user_id)
    ))


async def user_memberships(conn: AsyncConnection, user_id: str) -> list[Row]:
    t = account_users
    return list(await conn.execute(
        _members().where(t.c.user_id == user_id, t.c.invitation_created.is_(None)).order_by(t.c.created_date, t.c.account_id)
    ))


async def insert_member(conn: AsyncConnection, **values: Any) -> None:
    await conn.execute(account_users.insert().values(**values))


async def update_member(conn: AsyncConnection, account_id: str, user_id: str, changes: dict[str, Any]) -> None:
    t = account_users
    await conn.execute(t.update().where(t.c.account_id == account_id, t.c.user_id == user_id).values(**changes))


async def delete_member(conn: AsyncConnection, account_id: str, user_id: str) -> None:
    t = account_users
    await conn.execute(t.delete().where(t.c.account_id == account_id, t.c.user_id == user_id))


def locked_by_inactivity(member: Row, now: datetime) -> bool:
    return bool(
        member.max_inactive_days and member.last_login_date
        and member.last_login_date < now - timedelta(days=member.max_inactive_days)
    )


def member_json(member: Row) -> dict[str, Any]:
    return {
        "accountId": member.account_id, "userId": member.user_id,
        "userDisplayName": member.invitation_email or member.email,
        "lockedByInactivity": locked_by_inactivity(member, clock.now()),
        "roles": member.roles, "scopes": member.scopes,
    }


def invitation_json(member: Row) -> dict[str, Any]:
    return {
        "accountId": member.account_id, "userId": member.user_id, "email": member.invitation_email,
        "createdDate": clock.iso(member.invitation_created), "expiresDate": clock.iso(member.invitation_expires),
    }


# --- API keys ---------------------------------------------------------------------------------------------

async def insert_api_key(conn: AsyncConnection, values: dict[str, Any]) -> None:
    await conn.execute(api_keys.insert().values(**values))


async def get_api_key(conn: AsyncConnection, account_id: str, token_id: str) -> Row | None:
    t = api_keys
    return _one(await conn.execute(sa.select(t).where(t.c.account_id == account_id, t.c.token_id == token_id)))


async def list_api_keys(conn: AsyncConnection, account_ids: list[str]) -> list[Row]:
    t = api_keys
    return list(await conn.execute(sa.select(t).where(t.c.account_id.in_(account_ids)).order_by(t.c.created_date, t.c.token_id)))


async def revoke_api_key(conn: AsyncConnection, key: Row, now: datetime) -> None:
    """Moves the key to the revoked list in the caller's transaction: from then on it is refused."""
    t = api_keys
    await conn.execute(revoked_api_keys.insert().values(**key._asdict(), deleted_date=now))
    await conn.execute(t.delete().where(t.c.account_id == key.account_id, t.c.token_id == key.token_id))


def api_key_json(key: Row) -> dict[str, Any]:
    return {
        "accountId": key.account_id, "userId": key.user_id, "name": key.name, "tokenId": key.token_id,
        "roles": key.roles, "scopes": key.scopes, "createdDate": clock.iso(key.created_date),
    }


# --- email-link tokens ------------------------------------------------------------------------------------

async def issue_email_token(
    conn: AsyncConnection, action: str, email: str, lifetime: timedelta,
    *, account_id: str | None = None, user_id: str | None = None,
) -> str:
    token = new_token()
    now = clock.now()
    await conn.execute(email_tokens.insert().values(
        token_hash=token_hash(token), action=action, email=email, account_id=account_id, user_id=user_id,
        created_date=now, expires_date=now + lifetime,
    ))
    return token


async def live_email_token(conn: AsyncConnection, token: str, action: str) -> Row | None:
    t = email_tokens
    return _one(await conn.execute(sa.select(t).where(
        t.c.token_hash == token_hash(token), t.c.action == action, t.c.expires_date > clock.now()
    )))


async def consume_email_token(conn: AsyncConnection, token: str) -> bool:
    """Deletes the token; False when another request used it first."""
    result = await conn.execute(email_tokens.delete().where(email_tokens.c.token_hash == token_hash(token)))
    return result.rowcount == 1
