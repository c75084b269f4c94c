import sqlalchemy as sa

from lightrail.db.metadata import metadata
from lightrail.db.types import JSONText, UTCDateTime, account_column

contacts = sa.Table(
    "contacts",
    metadata,
    account_column(),
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("first_name", sa.String(255)),
    sa.Column("last_name", sa.String(255)),
    sa.Column("email", sa.String(320)),
    sa.Column("metadata", JSONText),
    sa.Column("created_date", UTCDateTime, nullable=False),
    sa.Column("updated_date", UTCDateTime, nullable=False),
    sa.Column("created_by", sa.String(64), nullable=False),
    sa.Index("ix_contacts_account_created", "account_id", "created_date", "id"),
)
