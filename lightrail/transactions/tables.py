import sqlalchemy as sa

from lightrail.db.metadata import metadata
from lightrail.db.types import JSONText, UTCDateTime, account_column, only_where

# Value ids and transaction ids share one namespace: creating a value records a transaction with
# the value's id, so this primary key also keeps value ids unique against transactions.
transactions = sa.Table(
    "transactions",
    metadata,
    account_column(),
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("transaction_type", sa.String(32), nullable=False),
    sa.Column("currency", sa.String(16), nullable=False),
    sa.Column("totals", JSONText),
    sa.Column("line_items", JSONText),
    sa.Column("payment_sources", JSONText),
    sa.Column("tax", JSONText),
    sa.Column("metadata", JSONText),
    sa.Column("pending", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("pending_void_date", UTCDateTime),
    sa.Column("root_transaction_id", sa.String(64), nullable=False),
    # Set once by the reverse, capture or void that follows; a guarded update makes it happen once.
    sa.Column("next_transaction_id", sa.String(64)),
    sa.Column("created_date", UTCDateTime, nullable=False),
    sa.Column("created_by", sa.String(64), nullable=False),
    sa.ForeignKeyConstraint(["account_id", "currency"], ["currencies.account_id", "currencies.code"]),
    sa.Index("ix_transactions_account_created", "account_id", "created_date", "id"),
    sa.Index("ix_transactions_account_root", "account_id", "root_transaction_id"),
    # Most transactions are not pending and most steps name no Contact: these indexes hold only the rows
    # that have one (every query through them compares the column, which excludes NULL).
    sa.Index("ix_transactions_pending_void", "pending_void_date", **only_where("pending_void_date IS NOT NULL")),
)

lightrail_steps = sa.Table(
    "lightrail_transaction_steps",
    metadata,
    account_column(),
    sa.Column("transaction_id", sa.String(64), primary_key=True),
    sa.Column("step_index", sa.Integer, primary_key=True),
    sa.Column("value_id", sa.String(64), nullable=False),
    sa.Column("contact_id", sa.String(64)),
    # The code as shown in steps: `…` and the last four characters for unique codes.
    sa.Column("code", sa.String(255)),
    sa.Column("balance_before", sa.Integer),
    sa.Column("balance_after", sa.Integer),
    sa.Column("balance_change", sa.Integer),
    sa.Column("uses_remaining_before", sa.Integer),
    sa.Column("uses_remaining_after", sa.Integer),
    sa.Column("uses_remaining_change", sa.Integer),
    sa.Column("balance_rule", JSONText),
    sa.ForeignKeyConstraint(["account_id", "transaction_id"], ["transactions.account_id", "transactions.id"]),
    sa.ForeignKeyConstraint(["account_id", "value_id"], ["values.account_id", "values.id"]),
    sa.ForeignKeyConstraint(["account_id", "contact_id"], ["contacts.account_id", "contacts.id"]),
    sa.Index("ix_lightrail_steps_account_value", "account_id", "value_id"),
    sa.Index("ix_lightrail_steps_account_contact", "account_id", "contact_id", **only_where("contact_id IS NOT NULL")),
)

internal_steps = sa.Table(
    "internal_transaction_steps",
    metadata,
    account_column(),
    sa.Column("transaction_id", sa.String(64), primary_key=True),
    sa.Column("step_index", sa.Integer, primary_key=True),
    sa.Column("internal_id", sa.String(64), nullable=False),
    sa.Column("balance_before", sa.Integer, nullable=False),
    sa.Column("balance_after", sa.Integer, nullable=False),
    sa.Column("balance_change", sa.Integer, nullable=False),
    sa.ForeignKeyConstraint(["account_id", "transaction_id"], ["transactions.account_id", "transactions.id"]),
)

stripe_steps = sa.Table(
    "stripe_transaction_steps",
    metadata,
    account_column(),
    sa.Column("transaction_id", sa.String(64), primary_key=True),
    sa.Column("step_index", sa.Integer, primary_key=True),
    sa.Column("charge_id", sa.String(255)),
    sa.Column("amount", sa.Integer, nullable=False),
    sa.Column("charge", JSONText),
    sa.ForeignKeyConstraint(["account_id", "transaction_id"], ["transactions.account_id", "transactions.id"]),
    sa.Index("ix_stripe_steps_charge", "charge_id"),
)
