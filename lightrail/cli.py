"""The `lightrail` command."""

from __future__ import annotations

import time
from typing import Optional

import typer

from lightrail.accounts.commands import accounts_cli, keys_cli
from lightrail.auth.badge import badge_payload, sign
from lightrail.auth.scopes import FULL_ACCESS_ROLES
from lightrail.settings import load_settings
from lightrail.webhooks.commands import app as webhooks_commands

app = typer.Typer(help="Lightrail: stored value, gift cards, promotions and loyalty.", no_args_is_help=True, pretty_exceptions_enable=False)
app.add_typer(webhooks_commands, name="webhooks")
app.add_typer(accounts_cli, name="accounts")
app.add_typer(keys_cli, name="keys")


@app.command()
def migrate() -> None:
    """Apply pending database migrations."""
    from lightrail.db.migrate import upgrade

    settings = load_settings()
    upgrade(settings.effective_database_url)
    typer.echo("migrations applied")


@app.command()
def serve(
    host: str = typer.Option("127.0.0.1", help="Interface to listen on."),
    port: int = typer.Option(8080, help="Port to listen on."),
    workers: int = typer.Option(1, help="Number of API processes."),
) -> None:
    """Serve the whole API (after applying pending migrations)."""
    import uvicorn

    from lightrail.db.migrate import upgrade

    settings = load_settings()
    settings.effective_jwt_secret  # generate the development secret once, before workers race for it
    if settings.env == "production":
        typer.echo("production: migrations are applied only by `lightrail migrate`", err=True)
    else:
        upgrade(settings.effective_database_url)
    uvicorn.run(
        "lightrail.asgi:create", factory=True, host=host, port=port, workers=workers,
        log_level=settings.log_level.lower(), access_log=False, server_header=False,
    )


@app.command()
def worker() -> None:
    """Run the background workers (event delivery, automatic void) without serving HTTP."""
    import asyncio

    from lightrail.app import create_app
    from lightrail.logs import configure_logging

    settings = load_settings()
    configure_logging(settings.log_level, settings.log_format)
    api = create_app(settings)

    async def run() -> None:
        await asyncio.gather(*(work(api) for work in api.state.background_workers))

    asyncio.run(run())


@app.command("check-config")
def check_config() -> None:
    """Print the effective settings (secrets masked); exit 1 if they are unsafe for their environment."""
    from lightrail.config_check import effective_settings, problems

    settings = load_settings()
    for name, value in effective_settings(settings).items():
        typer.echo(f"{name:24} {value}")
    found = problems(settings)
    for problem in found:
        typer.echo(f"UNSAFE: {problem}", err=True)
    if found:
        raise typer.Exit(1)


@app.command()
def token(
    account: str = typer.Option(..., help="Account id (g.gui)."),
    user: Optional[str] = typer.Option(None, help="User id (g.tmi); defaults to the account id."),
    test: bool = typer.Option(False, "--test", help="Test mode: the ids get the -TEST suffix."),
    roles: Optional[list[str]] = typer.Option(None, help="Role names (repeat or comma-separate); default: full access."),
    scopes: Optional[list[str]] = typer.Option(None, help="Extra scopes; -scope removes one."),
    expires_in: Optional[int] = typer.Option(None, help="Seconds until the token expires; default never."),
) -> None:
    """Print a badge token signed with the configured secret."""
    settings = load_settings()
    suffix = "-TEST" if test and not account.endswith("-TEST") else ""
    user_id = user or account
    if test and not user_id.endswith("-TEST"):
        user_id += "-TEST"
    role_list = [r for entry in (roles or list(FULL_ACCESS_ROLES)) for r in entry.split(",") if r]
    now = time.time()
    payload = badge_payload(
        account_id=account + suffix, user_id=user_id, roles=role_list, scopes=list(scopes or []),
        audience="API", issuer="EDHI", issued_at=int(now),
        expires_at=int(now) + expires_in if expires_in else None,
    )
    typer.echo(sign(payload, settings.effective_jwt_secret))
