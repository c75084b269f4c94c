"""Users: registration, email verification, passwords, email changes, MFA setup (platform.md §4.5–§4.8)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy.engine import Row
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from lightrail.accounts import mfa, ratelimit, repository
from lightrail.accounts.addresses import require_deliverable
from lightrail.accounts.context import Accounts
from lightrail.accounts.login import EMAIL_VERIFICATION_LIFETIME, login_response, unknown_email_delay
from lightrail.accounts.mail import Mail
from lightrail.accounts.passwords import check_not_reused, check_strength, hash_password, verify_password
from lightrail.accounts.repository import TEST_SUFFIX, new_id
from lightrail.accounts.sessions import LoginOutcome, mfa_pending_session
from lightrail.auth.badge import Principal
from lightrail.auth.scopes import FULL_ACCESS_ROLES
from lightrail.db import clock
from lightrail.http.errors import ApiError

RESET_LIFETIME = timedelta(hours=24)
CHANGE_EMAIL_LIFETIME = timedelta(hours=24)
TOTP_SETUP_LIFETIME = timedelta(minutes=5)
SIGNUPS_THROTTLED = "A large number of signups has been detected.  Please wait 24 hours."
RESETS_THROTTLED = "A large number of requests to reset password has been detected.  Please wait 24 hours."
EMAIL_CHANGES_THROTTLED = "A large number of requests to change email address has been detected.  Please wait 24 hours."
SUPPORT_THROTTLED = "A large number of requests to customer support has been detected.  Please wait 24 hours."
CHANGE_EMAIL_MESSAGE = "If this email address is not already in use an email will be sent to confirm the new address."


async def create_owned_account(conn: AsyncConnection, user_id: str, name: str) -> str:
    now = clock.now()
    account_id = new_id()
    await repository.insert_account(conn, account_id, name, now)
    await repository.insert_member(
        conn, account_id=account_id, user_id=user_id, roles=list(FULL_ACCESS_ROLES), scopes=[], created_date=now,
    )
    return account_id


async def register(ctx: Accounts, ip: str, email: str, password: str, name: str | None) -> None:
    await require_deliverable(email, ctx.check_mx)

    async def attempt() -> list[Mail]:
        mails: list[Mail] = []
        async with ctx.db.transaction() as conn:
            if not await ratelimit.take(conn, ratelimit.ip_subject(ip), "registration"):
                raise ApiError(429, SIGNUPS_THROTTLED)
            # Locked: of two registrations adopting the same invited user, the second sees the first's password.
            existing = await repository.get_user_by_email(conn, email, for_update=True)
            if existing is not None and (existing.password_hash or existing.email_verified):
                # Never reveal that the address is registered: its owner gets a way back in instead.
                token = await repository.issue_email_token(conn, "resetPassword", existing.email, RESET_LIFETIME, user_id=existing.user_id)
                mails.append(ctx.mails.recover_account(existing.email, token))
            else:
                check_strength(password)
                now = clock.now()
                user_id = existing.user_id if existing is not None else new_id()
                account_id = await create_owned_account(conn, user_id, name or "Account")
                login = {"password_hash": hash_password(password), "password_created_date": now,
                         "default_login_account_id": account_id + TEST_SUFFIX}
                if existing is None:
                    await repository.insert_user(conn, user_id=user_id, email=email, email_verified=False, created_date=now, **login)
                else:
                    await repository.update_user(conn, user_id, login)
                token = await repository.issue_email_token(conn, "emailVerification", email, EMAIL_VERIFICATION_LIFETIME, user_id=user_id)
                mails.append(ctx.mails.verify_email(email, token))
        return mails

    # A registration (or invitation, or change of email) of the same address that committed first makes this
    # one's INSERT fail on the unique email key: run again, it is the registration of an existing address.
    await ctx.send(await repository.retry_on_conflict(attempt))


async def verify_email(ctx: Accounts, token: str) -> LoginOutcome:
    async with ctx.db.transaction() as conn:
        found = await repository.live_email_token(conn, token, "emailVerification")
        if found is None or not await repository.consume_email_token(conn, token):
            raise ApiError(404, "There was an error completing your registration.  Maybe the email verification expired.")
        await repository.update_user(conn, found.user_id, {"email_verified": True})
        user = await repository.get_user(conn, found.user_id)
        outcome = await _session_after_email_link(ctx, conn, user)
    outcome.redirect = "/app/#/"
    return outcome


async def _session_after_email_link(ctx: Accounts, conn: AsyncConnection, user: Row) -> LoginOutcome:
    """A user with MFA still has to give their second factor after following an email link."""
    if user.totp_secret:
        return LoginOutcome({"user": repository.user_json(user, "live", True)}, mfa_pending_session(ctx.jwt_secret, user.user_id))
    return await login_response(ctx, conn, user.user_id)


async def forgot_password(ctx: Accounts, ip: str, email: str) -> None:
    mails: list[Mail] = []
    async with ctx.db.transaction() as conn:
        if not await ratelimit.take(conn, ratelimit.ip_subject(ip), "forgotPassword"):
            raise ApiError(429, RESETS_THROTTLED)
        user = await repository.get_user_by_email(conn, email)
        if user is not None:
            token = await repository.issue_email_token(conn, "resetPassword", user.email, RESET_LIFETIME, user_id=user.user_id)
            mails.append(ctx.mails.reset_password(user.email, token))
    if not mails:
        await unknown_email_delay()
    await ctx.send(mails)


async def set_password(conn: AsyncConnection, user: Row, password: str, extra: dict[str, Any] | None = None) -> None:
    """History first (as the original), then strength; the replaced password joins the history."""
    recent = await repository.previous_password_hashes(conn, user.user_id)
    check_not_reused(password, ([user.password_hash] if user.password_hash else []) + recent)
    check_strength(password)
    now = clock.now()
    if user.password_hash:
        await repository.remember_password(conn, user.user_id, user.password_hash)
    await repository.update_user(conn, user.user_id, {
        "password_hash": hash_password(password), "password_created_date": now, **(extra or {}),
    })


async def reset_password(ctx: Accounts, token: str, password: str) -> LoginOutcome:
    async with ctx.db.transaction() as conn:
        found = await repository.live_email_token(conn, token, "resetPassword")
        user = await repository.get_user(conn, found.user_id) if found is not None else None
        if user is None or not await repository.consume_email_token(conn, token):
            raise ApiError(409, "There was an error resetting the password.  Maybe the email link timed out.")
        await set_password(conn, user, password, {"email_verified": True, "last_login_date": clock.now(), "locked_until": None})
        user = await repository.get_user(conn, user.user_id)
        return await _session_after_email_link(ctx, conn, user)


async def change_password(ctx: Accounts, user_id: str, old_password: str, new_password: str) -> None:
    async with ctx.db.transaction() as conn:
        # Locked: a change racing this one with the same old password must find it replaced.
        user = await _user(conn, user_id, for_update=True)
        if not verify_password(user.password_hash, old_password):
            raise ApiError(409, "The old password is incorrect.", "IncorrectPassword")
        await set_password(conn, user, new_password)


async def change_email(ctx: Accounts, user_id: str, email: str) -> dict[str, str]:
    await require_deliverable(email, ctx.check_mx)
    mails: list[Mail] = []
    async with ctx.db.transaction() as conn:
        if await repository.get_user_by_email(conn, email) is None:
            subject = ratelimit.user_subject(user_id)
            if not await ratelimit.take(conn, subject, "changeEmailAddress"):
                raise ApiError(429, EMAIL_CHANGES_THROTTLED)
            await _user(conn, user_id)
            token = await repository.issue_email_token(conn, "changeEmail", email, CHANGE_EMAIL_LIFETIME, user_id=user_id)
            mails.append(ctx.mails.change_email(email, token))
    if not mails:
        await unknown_email_delay()
    await ctx.send(mails)
    return {"message": CHANGE_EMAIL_MESSAGE}


async def complete_change_email(ctx: Accounts, token: str) -> LoginOutcome:
    mails: list[Mail] = []
    taken_message = "The email address is already in use in the Lightrail system."
    try:
        async with ctx.db.transaction() as conn:
            found = await repository.live_email_token(conn, token, "changeEmail")
            user = await repository.get_user(conn, found.user_id) if found is not None else None
            if user is None or not await repository.consume_email_token(conn, token):
                raise ApiError(409, "There was an error confirming the change of email address.  Maybe the email link timed out.")
            taken = await repository.get_user_by_email(conn, found.email)
            if taken is not None and taken.user_id != user.user_id:
                raise ApiError(409, taken_message)
            await repository.update_user(conn, user.user_id, {"email": found.email})
            mails.append(ctx.mails.email_changed(user.email, found.email))
            outcome = await _session_after_email_link(ctx, conn, await repository.get_user(conn, user.user_id))
    except IntegrityError:
        # Another user's confirmation of the same address committed between our check and our write
        # (the unique email key decides); the token stays unused, as with the check above.
        raise ApiError(409, taken_message) from None
    await ctx.send(mails)
    outcome.redirect = "/app/#/changeEmailComplete"
    return outcome


async def _user(conn: AsyncConnection, user_id: str, *, for_update: bool = False) -> Row:
    user = await repository.get_user(conn, user_id, for_update=for_update)
    if user is None:
        raise ApiError(401)
    return user


async def describe_user(ctx: Accounts, principal: Principal) -> dict[str, Any]:
    async with ctx.db.read() as conn:
        user = await _user(conn, repository.base_id(principal.user_id))
    return repository.user_json(user, "test" if principal.is_test else "live", principal.has_scope("lightrailV2:authenticate"))


async def switchable_accounts(ctx: Accounts, principal: Principal) -> list[dict[str, Any]]:
    current = repository.base_id(principal.account_id or "")
    async with ctx.db.read() as conn:
        members = await repository.user_memberships(conn, repository.base_id(principal.user_id))
    return [{"accountId": m.account_id, "accountDisplayName": m.account_name, "isCurrentAccount": m.account_id == current}
            for m in members]


# --- MFA setup --------------------------------------------------------------------------------------------

async def mfa_status(ctx: Accounts, user_id: str) -> dict[str, str]:
    async with ctx.db.read() as conn:
        user = await _user(conn, user_id)
    if not user.totp_secret:
        raise ApiError(404, "MFA is disabled.")
    return {"device": "totp"}


async def start_mfa(ctx: Accounts, user_id: str, device: str) -> dict[str, str]:
    if device != "totp":
        raise ApiError(422, "SMS MFA is not available: no SMS provider is configured.  Use device \"totp\".", "SmsUnavailable")
    secret = mfa.new_totp_secret()
    async with ctx.db.transaction() as conn:
        user = await _user(conn, user_id)
        await repository.update_user(conn, user_id, {
            "totp_setup_secret": ctx.box.seal(secret, user_id), "totp_setup_codes": [],
            "totp_setup_expires": clock.now() + TOTP_SETUP_LIFETIME,
        })
    return {"secret": secret, "uri": mfa.totp_uri(secret, user.email)}


async def complete_mfa(ctx: Accounts, user_id: str, code: str) -> dict[str, Any]:
    """Enabling needs two different valid codes, so the authenticator is known to keep time."""
    async with ctx.db.transaction() as conn:
        # Locked: the same code sent twice at once is accepted once, as one after the other.
        user = await _user(conn, user_id, for_update=True)
        if not user.totp_setup_secret:
            raise ApiError(409, "Not in the process of enabling MFA.")
        if user.totp_setup_expires <= clock.now():
            raise ApiError(409, "Sorry, the process to enable MFA has expired.  Please start again.")
        secret = ctx.box.open(user.totp_setup_secret, user_id)
        step = mfa.matching_step(secret, code)
        used = list(user.totp_setup_codes or [])
        if step is not None and step in used:
            raise ApiError(409, "You have already entered this code.  Please enter the next code.")
        if step is None:
            raise ApiError(409, "Sorry, the code submitted was incorrect.")
        if not used:
            await repository.update_user(conn, user_id, {"totp_setup_codes": [step]})
            return {"complete": False, "message": "Code accepted.  Please enter the next code."}
        await repository.update_user(conn, user_id, {
            "totp_secret": user.totp_setup_secret, "totp_last_step": max(step, *used),
            "totp_setup_secret": None, "totp_setup_codes": None, "totp_setup_expires": None,
        })
    return {"complete": True, "message": "Success."}


async def disable_mfa(ctx: Accounts, user_id: str) -> None:
    async with ctx.db.transaction() as conn:
        await _user(conn, user_id)
        await repository.erase_mfa(conn, user_id)


async def backup_codes(ctx: Accounts, user_id: str) -> list[str]:
    async def attempt() -> list[str]:
        async with ctx.db.transaction() as conn:
            user = await _user(conn, user_id)
            if not user.totp_secret:
                raise ApiError(404, "MFA is not enabled.")
            rows = await repository.backup_code_rows(conn, user_id)
            if rows:
                return [ctx.box.open(r.code_encrypted, user_id) for r in rows]
            codes = mfa.new_backup_codes()
            await repository.insert_backup_codes(conn, user_id, [ctx.box.seal(c, user_id) for c in codes], clock.now())
            return codes

    # A concurrent first request stored its codes first: run again, this one answers those.
    return await repository.retry_on_conflict(attempt)


async def contact_support(ctx: Accounts, principal: Principal, ip: str, to: str, subject: str, message: str) -> None:
    if not ctx.support_email or to.lower() != ctx.support_email.lower():
        raise ApiError(422, "The customer support email address is not valid.", "InvalidCustomerSupportEmail")
    async with ctx.db.transaction() as conn:
        if not await ratelimit.take(conn, ratelimit.ip_subject(ip), "contactCustomerSupport"):
            raise ApiError(429, SUPPORT_THROTTLED)
        user = await _user(conn, repository.base_id(principal.user_id))
    await ctx.send([ctx.mails.customer_support(ctx.support_email, subject, message, principal.account_id, user.user_id, user.email)])
