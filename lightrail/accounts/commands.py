"""Operator commands: revoking a customer's access (freeze + every key and session), and operator API keys.

Each command is idempotent and says what it did.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Optional, TypeVar

import sqlalchemy as sa
import typer

from lightrail.accounts import apikeys, repository
from lightrail.accounts.repository import TEST_SUFFIX, base_id
from lightrail.accounts.tables import api_keys, revoked_api_keys
from lightrail.auth.scopes import FULL_ACCESS_ROLES
from lightrail.db import clock
from lightrail.db.engine import Database
from lightrail.settings import load_settings

accounts_cli = typer.Typer(help="Operator commands on customer accounts.", no_args_is_help=True)
keys_cli = typer.Typer(help="Operator commands on API keys.", no_args_is_help=True)
T = TypeVar("T")


def _run(work: Callable[[Database], Awaitable[T]]) -> T:
    async def main() -> T:
        db = Database(load_settings().effective_database_url, pool_size=1)
        try:
            return await work(db)
        finally:
            await db.dispose()

    return asyncio.run(main())


@accounts_cli.command("revoke")
def revoke(account_id: str) -> None:
    """Freeze the account and revoke every API key and web session of it, live and test, at once."""
    account_id = base_id(account_id)

    async def work(db: Database) -> tuple[bool, bool, int]:
        async with db.transaction() as conn:
            account = await repository.get_account(conn, account_id)
            if account is None:
                return False, False, 0
            now = clock.now()
            froze = not account.frozen
            changes = {"sessions_revoked_at": now}
            if froze:
                changes["frozen"] = f"Frozen by `lightrail accounts revoke` on {clock.iso(now)}"
            await repository.update_account(conn, account_id, changes)
            keys = await repository.list_api_keys(conn, apikeys.both_modes(account_id))
            for key in keys:
                await repository.revoke_api_key(conn, key, now)
            return True, froze, len(keys)

    found, froze, revoked = _run(work)
    if not found:
        typer.echo(f"no account {account_id}", err=True)
        raise typer.Exit(1)
    typer.echo(f"account {account_id}: {'frozen' if froze else 'already frozen'}; web sessions revoked; "
               f"{revoked} API key(s) revoked")


@accounts_cli.command("unfreeze")
def unfreeze(account_id: str) -> None:
    """Let the account's users log in again (revoked keys stay revoked)."""
    account_id = base_id(account_id)

    async def work(db: Database) -> bool | None:
        async with db.transaction() as conn:
            account = await repository.get_account(conn, account_id)
            if account is None:
                return None
            await repository.update_account(conn, account_id, {"frozen": None})
            return bool(account.frozen)

    was_frozen = _run(work)
    if was_frozen is None:
        typer.echo(f"no account {account_id}", err=True)
        raise typer.Exit(1)
    typer.echo(f"account {account_id}: {'unfrozen' if was_frozen else 'was not frozen'}")


@accounts_cli.command("show")
def show(account_id: str) -> None:
    """The account's status, users and API keys."""
    account_id = base_id(account_id)

    async def work(db: Database):
        async with db.read() as conn:
            account = await repository.get_account(conn, account_id)
            if account is None:
                return None
            members = (await repository.account_members(conn, account_id, pending=False)
                       + await repository.account_members(conn, account_id, pending=True))
            keys = await repository.list_api_keys(conn, apikeys.both_modes(account_id))
            return account, members, keys

    found = _run(work)
    if found is None:
        typer.echo(f"no account {account_id}", err=True)
        raise typer.Exit(1)
    account, members, keys = found
    typer.echo(f"account {account.account_id} \"{account.name}\" created {clock.iso(account.created_date)}")
    typer.echo(f"status: {'FROZEN (' + account.frozen + ')' if account.frozen else 'active'}")
    typer.echo(f"users ({len(members)}):")
    for m in members:
        pending = " (invitation pending)" if m.invitation_created else ""
        typer.echo(f"  {m.user_id} {m.invitation_email or m.email}{pending} roles={','.join(m.roles)}")
    typer.echo(f"API keys ({len(keys)}):")
    for k in keys:
        typer.echo(f"  {k.token_id} {k.account_id} user={k.user_id} name={k.name or ''} created {clock.iso(k.created_date)}")


@keys_cli.command("create")
def create_key(
    account: str = typer.Option(..., help="Account id."),
    user: Optional[str] = typer.Option(None, help="User id; defaults to the account id."),
    name: Optional[str] = typer.Option(None, help="A name to recognise the key by."),
    test: bool = typer.Option(False, "--test", help="A test-mode key."),
    roles: Optional[list[str]] = typer.Option(None, help="Role names (repeat or comma-separate); default: full access."),
) -> None:
    """Create an API key and print its token (shown only this once)."""
    suffix = TEST_SUFFIX if test else ""
    account_id = base_id(account) + suffix
    user_id = base_id(user or account) + suffix
    role_list = [r for entry in (roles or list(FULL_ACCESS_ROLES)) for r in entry.split(",") if r]
    secret = load_settings().effective_jwt_secret

    async def work(db: Database):
        async with db.transaction() as conn:
            return await apikeys.issue(conn, secret, account_id, user_id, name, role_list, [])

    key = _run(work)
    typer.echo(f"created {key['tokenId']} for {account_id}")
    typer.echo(key["token"])


@keys_cli.command("list")
def list_keys(account: str = typer.Argument(..., help="Account id.")) -> None:
    """Live and test API keys of the account, and the revoked ones."""

    async def work(db: Database):
        modes = apikeys.both_modes(account)
        async with db.read() as conn:
            live = await repository.list_api_keys(conn, modes)
            revoked = list(await conn.execute(
                sa.select(revoked_api_keys).where(revoked_api_keys.c.account_id.in_(modes)).order_by(revoked_api_keys.c.deleted_date)
            ))
        return live, revoked

    live, revoked = _run(work)
    for k in live:
        typer.echo(f"{k.token_id} {k.account_id} user={k.user_id} name={k.name or ''} created {clock.iso(k.created_date)}")
    for k in revoked:
        typer.echo(f"{k.token_id} {k.account_id} user={k.user_id} name={k.name or ''} REVOKED {clock.iso(k.deleted_date)}")
    if not live and not revoked:
        typer.echo(f"no API keys for {base_id(account)}")


@keys_cli.command("revoke")
def revoke_key(token_id: str) -> None:
    """Revoke one API key (by its tokenId) everywhere."""

    async def work(db: Database) -> str:
        async with db.transaction() as conn:
            key = (await conn.execute(sa.select(api_keys).where(api_keys.c.token_id == token_id))).first()
            if key is not None:
                await repository.revoke_api_key(conn, key, clock.now())
                return "revoked"
            gone = await conn.scalar(sa.select(revoked_api_keys.c.token_id).where(revoked_api_keys.c.token_id == token_id))
            return "already revoked" if gone else "unknown"

    outcome = _run(work)
    typer.echo(f"{token_id}: {outcome}")
    if outcome == "unknown":
        raise typer.Exit(1)
