"""Drops the outbox's index on (dispatched_at, created_at).

Nothing reads it: the dispatcher and the backlog gauge use the partial index of undispatched events.
It cost an index entry per event written and another per event dispatched.

Revision ID: core_0002
"""
from alembic import op

revision = "core_0002"
down_revision = "core_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index("ix_events_pending", "events")


def downgrade() -> None:
    op.create_index("ix_events_pending", "events", ["dispatched_at", "created_at"])
