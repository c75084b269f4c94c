import sqlalchemy as sa

from lightrail.db.metadata import metadata
from lightrail.db.types import UTCDateTime, account_column

currencies = sa.Table(
    "currencies",
    metadata,
    account_column(),
    sa.Column("code", sa.String(16), primary_key=True),
    sa.Column("name", sa.String(255), nullable=False),
    sa.Column("symbol", sa.String(16), nullable=False),
    sa.Column("decimal_places", sa.Integer, nullable=False),
    sa.Column("created_date", UTCDateTime, nullable=False),
    sa.Column("updated_date", UTCDateTime, nullable=False),
    sa.Column("created_by", sa.String(64), nullable=False),
)
