import sqlalchemy as sa

from lightrail.db.metadata import metadata
from lightrail.db.types import JSONText, UTCDateTime, account_column

programs = sa.Table(
    "programs",
    metadata,
    account_column(),
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("currency", sa.String(16), nullable=False),
    sa.Column("discount", sa.Boolean, nullable=False),
    sa.Column("pretax", sa.Boolean, nullable=False),
    sa.Column("active", sa.Boolean, nullable=False),
    sa.Column("redemption_rule", JSONText),
    sa.Column("balance_rule", JSONText),
    sa.Column("discount_seller_liability_rule", JSONText),
    sa.Column("min_initial_balance", sa.Integer),
    sa.Column("max_initial_balance", sa.Integer),
    sa.Column("fixed_initial_balances", JSONText),
    sa.Column("fixed_initial_uses_remaining", JSONText),
    sa.Column("start_date", UTCDateTime),
    sa.Column("end_date", UTCDateTime),
    sa.Column("metadata", JSONText),
    sa.Column("created_date", UTCDateTime, nullable=False),
    sa.Column("updated_date", UTCDateTime, nullable=False),
    sa.Column("created_by", sa.String(64), nullable=False),
    sa.ForeignKeyConstraint(["account_id", "currency"], ["currencies.account_id", "currencies.code"]),
    sa.Index("ix_programs_account_created", "account_id", "created_date", "id"),
)

issuances = sa.Table(
    "issuances",
    metadata,
    account_column(),
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("program_id", sa.String(64), nullable=False),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("count", sa.Integer, nullable=False),
    sa.Column("balance", sa.Integer),
    sa.Column("balance_rule", JSONText),
    sa.Column("redemption_rule", JSONText),
    sa.Column("uses_remaining", sa.Integer),
    sa.Column("active", sa.Boolean, nullable=False),
    sa.Column("start_date", UTCDateTime),
    sa.Column("end_date", UTCDateTime),
    sa.Column("metadata", JSONText),
    sa.Column("created_date", UTCDateTime, nullable=False),
    sa.Column("updated_date", UTCDateTime, nullable=False),
    sa.Column("created_by", sa.String(64), nullable=False),
    sa.ForeignKeyConstraint(["account_id", "program_id"], ["programs.account_id", "programs.id"]),
    sa.Index("ix_issuances_account_program_created", "account_id", "program_id", "created_date", "id"),
)
