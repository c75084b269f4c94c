"""`lightrail webhooks …`: operator commands for webhook delivery."""

from __future__ import annotations

from typing import Optional

import typer

from lightrail.settings import load_settings

app = typer.Typer(help="Webhook delivery: what was sent, and how it went.", no_args_is_help=True)


@app.command()
def attempts(
    webhook_id: str = typer.Argument(..., help="The webhook's id."),
    account: Optional[str] = typer.Option(None, help="Only this account (webhook ids are per account)."),
) -> None:
    """Print every delivery attempt to a webhook, oldest first."""
    import asyncio

    from lightrail.db.clock import iso
    from lightrail.db.engine import Database
    from lightrail.webhooks.deliveries import attempts_of

    async def load() -> list:
        db = Database(load_settings().effective_database_url)
        try:
            async with db.read() as conn:
                return await attempts_of(conn, webhook_id, account)
        finally:
            await db.dispose()

    rows = asyncio.run(load())
    if not rows:
        typer.echo(f"no delivery attempts for webhook {webhook_id}")
        return
    typer.echo(f"{'attempted at':24} {'account':28} {'event':28} {'#':>3} {'status':>6} {'ms':>6}  error")
    for row in rows:
        status = str(row.status_code) if row.status_code is not None else "-"
        typer.echo(
            f"{iso(row.attempted_at):24} {row.account_id:28} {row.event_id:28} {row.attempt:>3} {status:>6} "
            f"{row.duration_ms:>6}  {row.error or ''}"
        )
