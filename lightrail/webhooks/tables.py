import sqlalchemy as sa

from lightrail.db.metadata import metadata
from lightrail.db.types import JSONText, UTCDateTime, account_column

# Keyed by the token's account id as given, so test-mode webhooks (`-TEST` ids) only see test events.
# `secrets` is the ordered list [{id, secret (ciphertext), createdDate}]; the order is the signature order.
webhooks = sa.Table(
    "webhooks",
    metadata,
    account_column(),
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("url", sa.Text, nullable=False),
    sa.Column("events", JSONText, nullable=False),
    sa.Column("active", sa.Boolean, nullable=False),
    sa.Column("secrets", JSONText, nullable=False),
    sa.Column("created_date", UTCDateTime, nullable=False),
    sa.Column("updated_date", UTCDateTime, nullable=False),
    sa.Column("created_by", sa.String(64), nullable=False),
)

# One row per (event, matching webhook): delivered independently, so one failing endpoint never holds
# up another. A pending row is due at `next_attempt_at`; a dispatcher claims it by pushing that time a
# lease ahead, so a dispatcher that dies mid-delivery leaves it due again once the lease runs out.
DELIVERY_PENDING = "pending"
DELIVERY_DELIVERED = "delivered"
DELIVERY_GAVE_UP = "gave_up"
DELIVERY_CANCELED = "canceled"

webhook_deliveries = sa.Table(
    "webhook_deliveries",
    metadata,
    account_column(),
    sa.Column("webhook_id", sa.String(64), primary_key=True),
    sa.Column("event_id", sa.String(64), primary_key=True),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("attempts", sa.Integer, nullable=False),
    sa.Column("next_attempt_at", UTCDateTime, nullable=False),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("finished_at", UTCDateTime),
)

webhook_attempts = sa.Table(
    "webhook_attempts",
    metadata,
    account_column(),
    sa.Column("id", sa.String(32), primary_key=True),
    sa.Column("webhook_id", sa.String(64), nullable=False),
    sa.Column("event_id", sa.String(64), nullable=False),
    sa.Column("attempt", sa.Integer, nullable=False),
    sa.Column("attempted_at", UTCDateTime, nullable=False),
    sa.Column("status_code", sa.Integer),
    sa.Column("duration_ms", sa.Integer, nullable=False),
    sa.Column("error", sa.Text),
)
