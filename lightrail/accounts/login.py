"""Logging in: password, lockout, MFA, trusted devices, and the login response shared by every flow that
ends in a session (platform.md §4.3, §4.6)."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncConnection

from lightrail.accounts import mfa, ratelimit, repository
from lightrail.accounts.context import Accounts
from lightrail.accounts.mail import LOCK_MINUTES, Mail
from lightrail.accounts.passwords import verify_password
from lightrail.accounts.repository import TEST_SUFFIX, base_id
from lightrail.accounts.sessions import (
    TRUSTED_DEVICE_SECONDS, LoginOutcome, account_session, mfa_pending_session, orphan_session,
)
from lightrail.accounts.tables import users
from lightrail.accounts.tokens import new_token
from lightrail.db import clock
from lightrail.http.errors import ApiError

EMAIL_VERIFICATION_LIFETIME = timedelta(days=7)
UNVERIFIED_RESENT = ("You must verify your email address before you can log in.  "
                     "A new registration email has been sent to your email address.")
UNVERIFIED_ALREADY_SENT = ("You must verify your email address before you can log in.  "
                           "You have already received a verification email.")


async def login(ctx: Accounts, email: str, password: str, trusted_device: str | None) -> LoginOutcome:
    mails: list[Mail] = []
    refusal: ApiError | None = None
    async with ctx.db.transaction() as conn:
        user = await repository.get_user_by_email(conn, email)
        if user is None:
            refusal = ApiError(401)
        elif not user.email_verified:
            refusal = await _resend_verification(ctx, conn, user, mails)
        elif user.frozen or (user.locked_until and user.locked_until >= clock.now()):
            refusal = ApiError(401)
        elif not verify_password(user.password_hash, password):
            await record_failed_login(ctx, conn, user, mails)
            refusal = ApiError(401)
        elif user.totp_secret and not (trusted_device and await repository.is_trusted_device(conn, user.user_id, trusted_device)):
            outcome = LoginOutcome(
                {"user": repository.user_json(user, "live", True), "message": "Additional authentication through MFA is required.",
                 "messageCode": "MfaAuthRequired"},
                mfa_pending_session(ctx.jwt_secret, user.user_id),
            )
        else:
            outcome = await complete_login(ctx, conn, user)
    await ctx.send(mails)
    if refusal is not None:
        raise refusal
    return outcome


async def _resend_verification(ctx: Accounts, conn: AsyncConnection, user: Row, mails: list[Mail]) -> ApiError:
    if not await ratelimit.take(conn, ratelimit.user_subject(user.user_id), "accountActivationEmail"):
        return ApiError(401, UNVERIFIED_ALREADY_SENT)
    token = await repository.issue_email_token(
        conn, "emailVerification", user.email, EMAIL_VERIFICATION_LIFETIME, user_id=user.user_id
    )
    mails.append(ctx.mails.verify_email(user.email, token))
    return ApiError(401, UNVERIFIED_RESENT)


async def record_failed_login(ctx: Accounts, conn: AsyncConnection, user: Row, mails: list[Mail]) -> None:
    """The 11th failure within 24 h locks the user out for an hour and tells them by email."""
    subject = ratelimit.user_subject(user.user_id)
    await ratelimit.serialise(conn, subject, "failedLogin")
    if await ratelimit.is_throttled(conn, subject, "failedLogin"):
        failures = await ratelimit.recent_count(conn, subject, "failedLogin") + 1
        await ratelimit.clear(conn, subject, "failedLogin")
        await repository.update_user(conn, user.user_id, {"locked_until": clock.now() + timedelta(minutes=LOCK_MINUTES)})
        mails.append(ctx.mails.locked(user.email, failures))
    else:
        await ratelimit.record(conn, subject, "failedLogin")


async def complete_login(ctx: Accounts, conn: AsyncConnection, user: Row, changes: dict | None = None) -> LoginOutcome:
    """First (and any second) factor accepted."""
    await repository.update_user(conn, user.user_id, {"last_login_date": clock.now(), "locked_until": None, **(changes or {})})
    await ratelimit.prune(conn, ratelimit.user_subject(user.user_id))
    return await login_response(ctx, conn, user.user_id)


async def login_response(ctx: Accounts, conn: AsyncConnection, user_id: str) -> LoginOutcome:
    """The session for the user's default account, or an orphan session saying why there is none."""
    user = await repository.get_user(conn, user_id)
    member = await _login_membership(conn, user)
    if member is None:
        return _orphan(ctx, user, "NoAccount", "You have been removed from all Accounts.  You can create your own to continue.")
    account = await repository.get_account(conn, member.account_id)
    now = clock.now()
    if account.require_mfa and not repository.mfa_method(user):
        return _orphan(ctx, user, "AccountMfaRequired", "The Account requires that MFA is enabled to continue.")
    if account.max_password_age and _older_than(user.password_created_date, account.max_password_age, now):
        return _orphan(ctx, user, "AccountMaxPasswordAge",
                       f"You have an old password and the Account requires passwords change every {account.max_password_age} days.")
    if repository.locked_by_inactivity(member, now):
        return _orphan(ctx, user, "AccountMaxInactiveDays",
                       f"You have been locked out for being inactive for more than {account.max_inactive_days} days.")
    if account.frozen:
        return _orphan(ctx, user, "AccountFrozen",
                       "This Account has been frozen and you cannot log in to it.  For more information contact "
                       "customer support.  You may create or switch to another Account.")
    await repository.update_member(conn, member.account_id, user_id, {"last_login_date": now})
    test = (user.default_login_account_id or "").endswith(TEST_SUFFIX)
    suffix = TEST_SUFFIX if test else ""
    token = account_session(ctx.jwt_secret, member.account_id + suffix, user_id + suffix, member.roles, member.scopes)
    return LoginOutcome({"user": repository.user_json(user, "test" if test else "live", False)}, token)


async def _login_membership(conn: AsyncConnection, user: Row) -> Row | None:
    default = user.default_login_account_id
    if default:
        member = await repository.get_member(conn, base_id(default), user.user_id)
        if member is not None and member.invitation_created is None:
            return member
    others = await repository.user_memberships(conn, user.user_id)
    if not others:
        return None
    suffix = TEST_SUFFIX if (default or "").endswith(TEST_SUFFIX) else ""
    await repository.update_user(conn, user.user_id, {"default_login_account_id": others[0].account_id + suffix})
    return others[0]


def _orphan(ctx: Accounts, user: Row, code: str, message: str) -> LoginOutcome:
    return LoginOutcome(
        {"user": repository.user_json(user, "live", False), "message": message, "messageCode": code},
        orphan_session(ctx.jwt_secret, user.user_id),
    )


def _older_than(moment: datetime | None, days: int, now: datetime) -> bool:
    return moment is not None and moment < now - timedelta(days=days)


async def complete_mfa_login(ctx: Accounts, user_id: str, code: str, trust_device: bool) -> LoginOutcome:
    """Second factor: a TOTP code not used before, or a backup code (each usable once)."""
    mails: list[Mail] = []
    outcome: LoginOutcome | None = None
    async with ctx.db.transaction() as conn:
        user = await repository.get_user(conn, user_id)
        if user is None or user.frozen or (user.locked_until and user.locked_until >= clock.now()) or not user.totp_secret:
            raise ApiError(401)
        if await _accept_second_factor(ctx, conn, user, code):
            outcome = await complete_login(ctx, conn, user)
            if trust_device:
                outcome.trusted_device = new_token()
                await repository.add_trusted_device(
                    conn, user_id, outcome.trusted_device, clock.now(), timedelta(seconds=TRUSTED_DEVICE_SECONDS)
                )
        else:
            await record_failed_login(ctx, conn, user, mails)
    await ctx.send(mails)
    if outcome is None:
        raise ApiError(401)
    return outcome


async def _accept_second_factor(ctx: Accounts, conn: AsyncConnection, user: Row, code: str) -> bool:
    step = mfa.matching_step(ctx.box.open(user.totp_secret, user.user_id), code)
    if step is not None:
        return await claim_totp_step(conn, user.user_id, step)
    wanted = code.strip().upper()
    for row in await repository.backup_code_rows(conn, user.user_id):
        if ctx.box.open(row.code_encrypted, user.user_id) == wanted:
            return await repository.delete_backup_code(conn, user.user_id, row.position)
    return False


async def claim_totp_step(conn: AsyncConnection, user_id: str, step: int) -> bool:
    """Records the step as used, only if no code of it or a later step was used: a code is never replayed."""
    result = await conn.execute(
        users.update()
        .where(users.c.user_id == user_id, (users.c.totp_last_step.is_(None)) | (users.c.totp_last_step < step))
        .values(totp_last_step=step)
    )
    return result.rowcount == 1


async def unknown_email_delay() -> None:
    """Answering an unknown email takes about as long as a known one, so addresses can't be probed."""
    await asyncio.sleep(0.03 + 0.01 * (new_token()[0] in "01234567"))
