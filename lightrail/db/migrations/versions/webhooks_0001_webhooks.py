"""Webhooks, their deliveries and delivery attempts; an index of the outbox's undispatched events.

Revision ID: webhooks_0001
"""
import sqlalchemy as sa
from alembic import op

revision = "webhooks_0001"
down_revision = None
branch_labels = ("webhooks",)
depends_on = "core_0001"


def upgrade() -> None:
    op.create_table(
        "webhooks",
        sa.Column("account_id", sa.String(64), primary_key=True),
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("url", sa.Text, nullable=False),
        sa.Column("events", sa.Text, nullable=False),
        sa.Column("active", sa.Boolean, nullable=False),
        sa.Column("secrets", sa.Text, nullable=False),
        sa.Column("created_date", sa.DateTime, nullable=False),
        sa.Column("updated_date", sa.DateTime, nullable=False),
        sa.Column("created_by", sa.String(64), nullable=False),
    )
    op.create_table(
        "webhook_deliveries",
        sa.Column("account_id", sa.String(64), primary_key=True),
        sa.Column("webhook_id", sa.String(64), primary_key=True),
        sa.Column("event_id", sa.String(64), primary_key=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("next_attempt_at", sa.DateTime, nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("finished_at", sa.DateTime),
    )
    pending = sa.text("status = 'pending'")
    op.create_index(
        "ix_webhook_deliveries_due", "webhook_deliveries", ["next_attempt_at"],
        postgresql_where=pending, sqlite_where=pending,
    )
    op.create_table(
        "webhook_attempts",
        sa.Column("account_id", sa.String(64), primary_key=True),
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("webhook_id", sa.String(64), nullable=False),
        sa.Column("event_id", sa.String(64), nullable=False),
        sa.Column("attempt", sa.Integer, nullable=False),
        sa.Column("attempted_at", sa.DateTime, nullable=False),
        sa.Column("status_code", sa.Integer),
        sa.Column("duration_ms", sa.Integer, nullable=False),
        sa.Column("error", sa.Text),
    )
    op.create_index(
        "ix_webhook_attempts_webhook", "webhook_attempts", ["account_id", "webhook_id", "attempted_at"],
    )
    # The dispatcher's scan: only the (few) events not yet fanned out, oldest first.
    undispatched = sa.text("dispatched_at IS NULL")
    op.create_index(
        "ix_events_undispatched", "events", ["created_at"],
        postgresql_where=undispatched, sqlite_where=undispatched,
    )


def downgrade() -> None:
    op.drop_index("ix_events_undispatched", "events")
    op.drop_table("webhook_attempts")
    op.drop_index("ix_webhook_deliveries_due", "webhook_deliveries")
    op.drop_table("webhook_deliveries")
    op.drop_table("webhooks")
