"""Applying the Alembic migrations. Each service keeps its own branch, so `heads` is the target."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

from lightrail.db.engine import async_url

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", async_url(database_url).replace("%", "%%"))
    return config


def upgrade(database_url: str) -> None:
    """Brings the database up to date. Must be called outside a running event loop."""
    command.upgrade(alembic_config(database_url), "heads")
