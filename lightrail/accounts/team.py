"""Accounts, switching between them, their users and invitations (platform.md §4.9)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncConnection

from lightrail.accounts import ratelimit, repository
from lightrail.accounts.addresses import require_deliverable
from lightrail.accounts.context import Accounts
from lightrail.accounts.login import login_response
from lightrail.accounts.mail import Mail
from lightrail.accounts.repository import TEST_SUFFIX, base_id, new_id
from lightrail.accounts.sessions import LoginOutcome
from lightrail.accounts.users import RESET_LIFETIME, create_owned_account
from lightrail.auth.badge import Principal
from lightrail.auth.scopes import FULL_ACCESS_ROLES, LIMITED_ACCESS_ROLES
from lightrail.db import clock
from lightrail.http.errors import ApiError

INVITATION_LIFETIME = timedelta(days=5)
PRIVILEGES = {"OWNER": FULL_ACCESS_ROLES, "FULL_ACCESS": FULL_ACCESS_ROLES, "LIMITED_ACCESS": LIMITED_ACCESS_ROLES}
_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


def user_not_found(user_id: str) -> ApiError:
    return ApiError(404, f"Could not find user with id '{user_id}'.", "UserNotFound")


async def _account(conn: AsyncConnection, account_id: str) -> Row:
    account = await repository.get_account(conn, base_id(account_id))
    if account is None:
        raise ApiError(404, f"Could not find account with id '{base_id(account_id)}'.", "AccountNotFound")
    return account


async def get_account(ctx: Accounts, account_id: str) -> dict[str, Any]:
    async with ctx.db.read() as conn:
        return repository.account_json(await _account(conn, account_id))


async def update_account(ctx: Accounts, account_id: str, changes: dict[str, Any]) -> dict[str, Any]:
    columns = {"name": "name", "maxInactiveDays": "max_inactive_days", "maxPasswordAge": "max_password_age", "requireMfa": "require_mfa"}
    async with ctx.db.transaction() as conn:
        account = await _account(conn, account_id)
        if changes:
            await repository.update_account(conn, account.account_id, {columns[k]: v for k, v in changes.items()})
        return repository.account_json(await repository.get_account(conn, account.account_id))


async def create_account(ctx: Accounts, user_id: str, name: str) -> dict[str, Any]:
    async with ctx.db.transaction() as conn:
        if await repository.get_user(conn, user_id) is None:
            raise ApiError(403)
        account_id = await create_owned_account(conn, user_id, name)
        return repository.account_json(await repository.get_account(conn, account_id))


async def switch(ctx: Accounts, principal: Principal, account_id: str | None, mode: str) -> LoginOutcome:
    target = account_id or principal.account_id
    if not target:
        raise ApiError(400, "Cannot switch.  User is not logged into an account and accountId is not set.")
    user_id = base_id(principal.user_id)
    async with ctx.db.transaction() as conn:
        member = await repository.get_member(conn, base_id(target), user_id)
        if member is None or member.invitation_created is not None:
            raise ApiError(403)
        suffix = TEST_SUFFIX if mode == "test" else ""
        await repository.update_user(conn, user_id, {"default_login_account_id": member.account_id + suffix})
        return await login_response(ctx, conn, user_id)


# --- account users ----------------------------------------------------------------------------------------

async def _accepted_member(conn: AsyncConnection, account_id: str, user_id: str) -> Row:
    member = await repository.get_member(conn, base_id(account_id), user_id)
    if member is None or member.invitation_created is not None:
        raise user_not_found(user_id)
    return member


async def list_users(ctx: Accounts, account_id: str) -> list[dict[str, Any]]:
    async with ctx.db.read() as conn:
        return [repository.member_json(m) for m in await repository.account_members(conn, base_id(account_id), pending=False)]


async def get_user(ctx: Accounts, account_id: str, user_id: str) -> dict[str, Any]:
    async with ctx.db.read() as conn:
        return repository.member_json(await _accepted_member(conn, account_id, user_id))


async def update_user(ctx: Accounts, principal: Principal, user_id: str, changes: dict[str, Any]) -> dict[str, Any]:
    async with ctx.db.transaction() as conn:
        member = await _accepted_member(conn, principal.account_id, user_id)
        if user_id == base_id(principal.user_id) and ("roles" in changes or "scopes" in changes):
            raise ApiError(403, "You can't update your own permissions.")
        update = {k: changes[k] for k in ("roles", "scopes") if k in changes}
        if "lockedByInactivity" in changes:
            update["last_login_date"] = _EPOCH if changes["lockedByInactivity"] else clock.now()
        if update:
            await repository.update_member(conn, member.account_id, user_id, update)
        return repository.member_json(await repository.get_member(conn, member.account_id, user_id))


async def remove_user(ctx: Accounts, principal: Principal, user_id: str) -> None:
    async with ctx.db.transaction() as conn:
        member = await _accepted_member(conn, principal.account_id, user_id)
        if user_id == base_id(principal.user_id):
            raise ApiError(403, "You can't delete yourself from your account.")
        await repository.delete_member(conn, member.account_id, user_id)


# --- invitations ------------------------------------------------------------------------------------------

async def invite(
    ctx: Accounts, principal: Principal, email: str, privilege: str | None, roles: list[str] | None, scopes: list[str] | None,
) -> dict[str, Any]:
    await require_deliverable(email, ctx.check_mx)
    account_id = base_id(principal.account_id)
    inviter = ratelimit.user_subject(base_id(principal.user_id))

    async def attempt() -> tuple[dict[str, Any], list[Mail]]:
        mails: list[Mail] = []
        async with ctx.db.transaction() as conn:
            account = await _account(conn, account_id)
            if not await ratelimit.take(conn, inviter, "accountInvitation"):
                raise ApiError(429, "You have reached the maximum number of invitations you can send.  Please wait 24 hours.")
            now = clock.now()
            user = await repository.get_user_by_email(conn, email)
            if user is None:
                user_id = new_id()
                await repository.insert_user(
                    conn, user_id=user_id, email=email, email_verified=False, default_login_account_id=account_id, created_date=now,
                )
            else:
                user_id = user.user_id
            member = await repository.get_member(conn, account_id, user_id)
            granted = list(PRIVILEGES[privilege]) if privilege else roles
            if member is None:
                if granted is None and scopes is None:
                    raise ApiError(422, "Must specify userPrivilegeType or one of roles, scopes.")
                await repository.insert_member(
                    conn, account_id=account_id, user_id=user_id, roles=granted or [], scopes=scopes or [], created_date=now,
                    invitation_email=email, invitation_created=now, invitation_expires=now + INVITATION_LIFETIME,
                )
            elif member.invitation_created is None:
                raise ApiError(409, f"The user {email} has already accepted an invitation.")
            else:
                resend: dict[str, Any] = {"invitation_created": now}
                if granted is not None:
                    resend["roles"] = granted
                if scopes is not None:
                    resend["scopes"] = scopes
                await repository.update_member(conn, account_id, user_id, resend)
            token = await repository.issue_email_token(
                conn, "acceptAccountInvitation", email, INVITATION_LIFETIME, account_id=account_id, user_id=user_id,
            )
            mails.append(ctx.mails.invitation(email, token, account.name))
            invitation = repository.invitation_json(await repository.get_member(conn, account_id, user_id))
        return invitation, mails

    # An invitation or registration of the same new address that committed first makes this one's INSERT of the
    # user (or, from the same account, of the membership) fail on its key: run again, it finds them and
    # answers as an invitation of an existing user, or a resend.
    invitation, mails = await repository.retry_on_conflict(attempt)
    await ctx.send(mails)
    return invitation


async def accept_invitation(ctx: Accounts, token: str) -> LoginOutcome | str:
    """A session for a user who has a password; otherwise where to set one (a reset-password link)."""
    gone = ApiError(404, "There was an error completing your registration.  Maybe the invitation expired.")
    async with ctx.db.transaction() as conn:
        found = await repository.live_email_token(conn, token, "acceptAccountInvitation")
        if found is None:
            raise gone
        member = await repository.get_member(conn, found.account_id, found.user_id)
        if member is None or not await repository.consume_email_token(conn, token):
            raise gone
        await repository.update_member(conn, member.account_id, member.user_id, {
            "invitation_email": None, "invitation_created": None, "invitation_expires": None,
        })
        await repository.update_user(conn, member.user_id, {
            "default_login_account_id": member.account_id + TEST_SUFFIX, "email_verified": True,
        })
        user = await repository.get_user(conn, member.user_id)
        if not user.password_hash:
            reset = await repository.issue_email_token(conn, "resetPassword", user.email, RESET_LIFETIME, user_id=user.user_id)
            return f"/app/#/resetPassword?token={reset}"
        outcome = await login_response(ctx, conn, user.user_id)
    outcome.redirect = "/app/#/"
    return outcome


async def list_invitations(ctx: Accounts, account_id: str) -> list[dict[str, Any]]:
    async with ctx.db.read() as conn:
        return [repository.invitation_json(m) for m in await repository.account_members(conn, base_id(account_id), pending=True)]


async def get_invitation(ctx: Accounts, account_id: str, user_id: str) -> dict[str, Any]:
    async with ctx.db.read() as conn:
        member = await repository.get_member(conn, base_id(account_id), user_id)
    if member is None or member.invitation_created is None:
        raise ApiError(404, f"Could not find invitation for user with id '{user_id}'.", "InvitatonNotFound")
    return repository.invitation_json(member)


async def cancel_invitation(ctx: Accounts, account_id: str, user_id: str) -> None:
    async with ctx.db.transaction() as conn:
        member = await repository.get_member(conn, base_id(account_id), user_id)
        if member is None:
            raise user_not_found(user_id)
        if member.invitation_created is None:
            raise ApiError(409, "The invitation cannot be deleted because it was already accepted.", "InvitationAccepted")
        await repository.delete_member(conn, member.account_id, user_id)
