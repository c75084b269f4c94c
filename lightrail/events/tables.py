import sqlalchemy as sa

from lightrail.db.metadata import metadata
from lightrail.db.types import JSONText, UTCDateTime, account_column

# The outbox: every change writes its event here in the same database transaction as the change.
# `id` is unique per change and stored, so every delivery of an event carries the same id.
events = sa.Table(
    "events",
    metadata,
    account_column(),
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("type", sa.String(128), nullable=False),
    sa.Column("time", sa.String(32), nullable=False),
    sa.Column("data", JSONText, nullable=False),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("dispatched_at", UTCDateTime),
)
