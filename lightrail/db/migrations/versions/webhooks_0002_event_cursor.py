"""The dispatcher reads the outbox from a cursor instead of marking each event dispatched.

Marking cost the database an update of every event (a new version of a wide row, its index entries,
and vacuuming the old one) and a partial index entry per event written. Now an event is written once:
PostgreSQL records the writing transaction's id in `commit_order` (indexed with the key, the order the
dispatcher reads in), SQLite's rowid serves as is, and `event_cursors` holds how far the dispatcher got.
Events already dispatched sort before the cursor and those still waiting after it.

Only additions, so that the previous version keeps running while this applies: `dispatched_at` stays
for it. On PostgreSQL new events get it filled in, so that a previous version's dispatcher, still
running during a rolling deploy, leaves them alone and its partial index stays small; SQLite's
deployments restart as a whole, so its index of undispatched events goes. A later migration drops the
column once no earlier version can be running.

Revision ID: webhooks_0002
"""
import sqlalchemy as sa
from alembic import op

revision = "webhooks_0002"
down_revision = "webhooks_0001"
branch_labels = None
depends_on = "core_0002"

_WRITING_TRANSACTION = "(pg_current_xact_id()::text::bigint)"
_TAKEN = {
    "postgresql": "(commit_order, account_id, id) <= "
                  "(SELECT position, event_account_id, event_id FROM event_cursors WHERE name = 'webhooks')",
    "sqlite": "rowid <= (SELECT position FROM event_cursors WHERE name = 'webhooks')",
}


def upgrade() -> None:
    postgresql = op.get_context().dialect.name == "postgresql"
    op.create_table(
        "event_cursors",
        sa.Column("name", sa.String(64), primary_key=True),
        sa.Column("position", sa.BigInteger, nullable=False),
        sa.Column("event_account_id", sa.String(64), nullable=False),
        sa.Column("event_id", sa.String(64), nullable=False),
    )
    op.add_column("events", sa.Column("commit_order", sa.BigInteger))
    if postgresql:
        # Transaction ids start above 2, so every new event sorts after these.
        op.execute("UPDATE events SET commit_order = CASE WHEN dispatched_at IS NULL THEN 1 ELSE 0 END")
        op.execute(
            f"ALTER TABLE events ALTER COLUMN commit_order SET DEFAULT {_WRITING_TRANSACTION}, "
            "ALTER COLUMN commit_order SET NOT NULL, ALTER COLUMN dispatched_at SET DEFAULT (now() AT TIME ZONE 'utc')"
        )
        op.create_index("ix_events_commit_order", "events", ["commit_order", "account_id", "id"])
        start = "1"
    else:
        op.drop_index("ix_events_undispatched", "events")
        start = (
            "coalesce((SELECT min(rowid) - 1 FROM events WHERE dispatched_at IS NULL),"
            " (SELECT max(rowid) FROM events), 0)"
        )
    op.execute(f"INSERT INTO event_cursors (name, position, event_account_id, event_id) SELECT 'webhooks', {start}, '', ''")


def downgrade() -> None:
    dialect = op.get_context().dialect.name
    op.execute(
        f"UPDATE events SET dispatched_at = CASE WHEN {_TAKEN[dialect]} THEN coalesce(dispatched_at, created_at) END"
    )
    if dialect == "postgresql":
        op.execute("ALTER TABLE events ALTER COLUMN dispatched_at DROP DEFAULT")
        op.drop_index("ix_events_commit_order", "events")
    else:
        undispatched = sa.text("dispatched_at IS NULL")
        op.create_index("ix_events_undispatched", "events", ["created_at"], sqlite_where=undispatched)
    op.drop_column("events", "commit_order")
    op.drop_table("event_cursors")
