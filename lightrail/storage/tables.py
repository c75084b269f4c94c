import sqlalchemy as sa

from lightrail.db.metadata import metadata
from lightrail.db.types import JSONText, UTCDateTime, account_column

# Keyed by the token's account id as given (test mode has its own `-TEST` id, so its own items).
# `value` holds the JSON value, or for encrypted keys the ciphertext string.
storage_items = sa.Table(
    "storage_items",
    metadata,
    account_column(),
    sa.Column("key", sa.String(128), primary_key=True),
    sa.Column("value", JSONText),
    sa.Column("encrypted", sa.Boolean, nullable=False),
    sa.Column("updated_date", UTCDateTime, nullable=False),
)
