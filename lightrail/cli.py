"""The `lightrail` command."""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Optional

import typer

from lightrail.accounts.commands import accounts_cli, keys_cli
from lightrail.auth.badge import badge_payload, sign
from lightrail.auth.scopes import FULL_ACCESS_ROLES
from lightrail.settings import load_settings
from lightrail.transactions import commands as transaction_commands
from lightrail.webhooks.commands import app as webhooks_commands

app = typer.Typer(help="Lightrail: stored value, gift cards, promotions and loyalty.", no_args_is_help=True, pretty_exceptions_enable=False)
app.add_typer(webhooks_commands, name="webhooks")
app.add_typer(accounts_cli, name="accounts")
app.add_typer(keys_cli, name="keys")
app.command("verify")(transaction_commands.verify)


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


@app.command("export")
def export_data(
    out: Path = typer.Option(..., help="Directory to write the export into."),
    account: Optional[str] = typer.Option(None, help="Export one account (live and test)."),
    all_accounts: bool = typer.Option(False, "--all", help="Export every account."),
    include_codes: bool = typer.Option(False, "--include-codes", help="Write value codes in clear."),
) -> None:
    """Write every service's data as JSON Lines per table, with a manifest of counts and checksums."""
    import asyncio

    from lightrail.db.engine import Database
    from lightrail.operations.export import Scope, export_database
    from lightrail.values.codes import CodeCipher

    if bool(account) == all_accounts:
        raise typer.BadParameter("give exactly one of --account ID or --all")
    settings = load_settings()
    decrypt = CodeCipher(settings.effective_code_secret).decrypt if include_codes else None

    async def run() -> dict:
        db = Database(settings.effective_database_url)
        try:
            with typer.progressbar(length=0, label="exporting", file=sys.stderr) as bar:
                return await export_database(db, out, Scope(account), decrypt, lambda _t, n: bar.update(n))
        finally:
            await db.dispose()

    manifest = asyncio.run(run())
    for name, info in manifest["tables"].items():
        typer.echo(f"{name:32} {info['rows']:>10} rows")
    typer.echo(f"export written to {out}")


@app.command("import")
def import_data(source: Path = typer.Argument(..., help="A directory written by lightrail export.")) -> None:
    """Restore an export into an empty database (run lightrail migrate first)."""
    import asyncio

    from lightrail.db.engine import Database
    from lightrail.operations.export import ImportRefused, import_database

    settings = load_settings()

    async def run() -> dict:
        db = Database(settings.effective_database_url)
        try:
            with typer.progressbar(length=0, label="importing", file=sys.stderr) as bar:
                return await import_database(db, source, lambda _t, n: bar.update(n))
        finally:
            await db.dispose()

    try:
        counts = asyncio.run(run())
    except ImportRefused as e:
        typer.echo(f"import refused: {e}", err=True)
        raise typer.Exit(1) from None
    for name, count in counts.items():
        typer.echo(f"{name:32} {count:>10} rows")


@app.command()
def backup(out: Path = typer.Option(..., help="File to write the copy to.")) -> None:
    """A consistent copy of the SQLite database while it runs (PostgreSQL: see docs/operations.md)."""
    from sqlalchemy.engine import make_url

    from lightrail.operations.export import backup_sqlite

    url = make_url(load_settings().effective_database_url)
    if not url.drivername.startswith("sqlite"):
        typer.echo("backup copies SQLite databases; for PostgreSQL use pg_dump (docs/operations.md)", err=True)
        raise typer.Exit(1)
    backup_sqlite(Path(url.database), out)
    typer.echo(f"backup written to {out}")


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
