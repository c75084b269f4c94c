import sqlalchemy as sa

from lightrail.db.metadata import metadata
from lightrail.db.types import JSONText, UTCDateTime, account_column

# The outbox: every change writes its event here in the same database transaction as the change, and
# the row is never updated afterwards. `id` is unique per change and stored, so every delivery of an
# event carries the same id.
events = sa.Table(
    "events",
    metadata,
    account_column(),
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("type", sa.String(128), nullable=False),
    sa.Column("time", sa.String(32), nullable=False),
    sa.Column("data", JSONText, nullable=False),
    sa.Column("created_at", UTCDateTime, nullable=False),
    # PostgreSQL: the id of the transaction that wrote the event, filled in by the database (migration
    # webhooks_0002); the dispatcher reads events in this order (`events.backlog`). SQLite leaves it
    # empty: its writers take turns, so its rowids already follow commit order.
    sa.Column("commit_order", sa.BigInteger, server_default=sa.FetchedValue()),
)

# How far each reader of the outbox has got: the last event it has taken, in commit order. The only
# reader is the webhook dispatcher ("webhooks"). Not keyed by account: one row serves every tenant.
event_cursors = sa.Table(
    "event_cursors",
    metadata,
    sa.Column("name", sa.String(64), primary_key=True),
    sa.Column("position", sa.BigInteger, nullable=False),
    sa.Column("event_account_id", sa.String(64), nullable=False),
    sa.Column("event_id", sa.String(64), nullable=False),
)
