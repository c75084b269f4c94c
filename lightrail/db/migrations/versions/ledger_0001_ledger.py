"""The ledger: programs, issuances, values, transactions and their steps.

Revision ID: ledger_0001
"""
import sqlalchemy as sa
from alembic import op

revision = "ledger_0001"
down_revision = None
branch_labels = ("ledger",)
depends_on = "core_0001"


def upgrade() -> None:
    op.create_table(
        "programs",
        sa.Column("account_id", sa.String(64), primary_key=True),
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("currency", sa.String(16), nullable=False),
        sa.Column("discount", sa.Boolean, nullable=False),
        sa.Column("pretax", sa.Boolean, nullable=False),
        sa.Column("active", sa.Boolean, nullable=False),
        sa.Column("redemption_rule", sa.Text),
        sa.Column("balance_rule", sa.Text),
        sa.Column("discount_seller_liability_rule", sa.Text),
        sa.Column("min_initial_balance", sa.Integer),
        sa.Column("max_initial_balance", sa.Integer),
        sa.Column("fixed_initial_balances", sa.Text),
        sa.Column("fixed_initial_uses_remaining", sa.Text),
        sa.Column("start_date", sa.DateTime),
        sa.Column("end_date", sa.DateTime),
        sa.Column("metadata", sa.Text),
        sa.Column("created_date", sa.DateTime, nullable=False),
        sa.Column("updated_date", sa.DateTime, nullable=False),
        sa.Column("created_by", sa.String(64), nullable=False),
        sa.ForeignKeyConstraint(["account_id", "currency"], ["currencies.account_id", "currencies.code"]),
        sa.Index("ix_programs_account_created", "account_id", "created_date", "id"),
    )
    op.create_table(
        "issuances",
        sa.Column("account_id", sa.String(64), primary_key=True),
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("program_id", sa.String(64), nullable=False),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("count", sa.Integer, nullable=False),
        sa.Column("balance", sa.Integer),
        sa.Column("balance_rule", sa.Text),
        sa.Column("redemption_rule", sa.Text),
        sa.Column("uses_remaining", sa.Integer),
        sa.Column("active", sa.Boolean, nullable=False),
        sa.Column("start_date", sa.DateTime),
        sa.Column("end_date", sa.DateTime),
        sa.Column("metadata", sa.Text),
        sa.Column("created_date", sa.DateTime, nullable=False),
        sa.Column("updated_date", sa.DateTime, nullable=False),
        sa.Column("created_by", sa.String(64), nullable=False),
        sa.ForeignKeyConstraint(["account_id", "program_id"], ["programs.account_id", "programs.id"]),
        sa.Index("ix_issuances_account_program_created", "account_id", "program_id", "created_date", "id"),
    )
    op.create_table(
        "values",
        sa.Column("account_id", sa.String(64), primary_key=True),
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("currency", sa.String(16), nullable=False),
        sa.Column("balance", sa.Integer),
        sa.Column("uses_remaining", sa.Integer),
        sa.Column("program_id", sa.String(64)),
        sa.Column("issuance_id", sa.String(64)),
        sa.Column("contact_id", sa.String(64)),
        sa.Column("attached_from_value_id", sa.String(64)),
        sa.Column("code_hashed", sa.String(255)),
        sa.Column("code_encrypted", sa.String(512)),
        sa.Column("code_last_four", sa.String(255)),
        sa.Column("is_generic_code", sa.Boolean, nullable=False),
        sa.Column("generic_code_per_contact_balance", sa.Integer),
        sa.Column("generic_code_per_contact_uses_remaining", sa.Integer),
        sa.Column("pretax", sa.Boolean, nullable=False),
        sa.Column("active", sa.Boolean, nullable=False),
        sa.Column("canceled", sa.Boolean, nullable=False),
        sa.Column("frozen", sa.Boolean, nullable=False),
        sa.Column("discount", sa.Boolean, nullable=False),
        sa.Column("redemption_rule", sa.Text),
        sa.Column("balance_rule", sa.Text),
        sa.Column("discount_seller_liability_rule", sa.Text),
        sa.Column("start_date", sa.DateTime),
        sa.Column("end_date", sa.DateTime),
        sa.Column("metadata", sa.Text),
        sa.Column("created_date", sa.DateTime, nullable=False),
        sa.Column("updated_date", sa.DateTime, nullable=False),
        sa.Column("updated_contact_id_date", sa.DateTime),
        sa.Column("created_by", sa.String(64), nullable=False),
        sa.ForeignKeyConstraint(["account_id", "currency"], ["currencies.account_id", "currencies.code"]),
        sa.ForeignKeyConstraint(["account_id", "program_id"], ["programs.account_id", "programs.id"]),
        sa.ForeignKeyConstraint(["account_id", "issuance_id"], ["issuances.account_id", "issuances.id"]),
        sa.ForeignKeyConstraint(["account_id", "contact_id"], ["contacts.account_id", "contacts.id"]),
        sa.ForeignKeyConstraint(["account_id", "attached_from_value_id"], ["values.account_id", "values.id"]),
        sa.UniqueConstraint("account_id", "code_hashed", name="uq_values_code_hashed"),
        sa.Index("ix_values_account_created", "account_id", "created_date", "id"),
        sa.Index("ix_values_account_program_created", "account_id", "program_id", "created_date"),
        sa.Index("ix_values_account_contact", "account_id", "contact_id"),
        sa.Index("ix_values_account_attached_from", "account_id", "attached_from_value_id"),
    )
    op.create_table(
        "transactions",
        sa.Column("account_id", sa.String(64), primary_key=True),
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("transaction_type", sa.String(32), nullable=False),
        sa.Column("currency", sa.String(16), nullable=False),
        sa.Column("totals", sa.Text),
        sa.Column("line_items", sa.Text),
        sa.Column("payment_sources", sa.Text),
        sa.Column("tax", sa.Text),
        sa.Column("metadata", sa.Text),
        sa.Column("pending", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("pending_void_date", sa.DateTime),
        sa.Column("root_transaction_id", sa.String(64), nullable=False),
        sa.Column("next_transaction_id", sa.String(64)),
        sa.Column("created_date", sa.DateTime, nullable=False),
        sa.Column("created_by", sa.String(64), nullable=False),
        sa.ForeignKeyConstraint(["account_id", "currency"], ["currencies.account_id", "currencies.code"]),
        sa.Index("ix_transactions_account_created", "account_id", "created_date", "id"),
        sa.Index("ix_transactions_account_root", "account_id", "root_transaction_id"),
        sa.Index("ix_transactions_pending_void", "pending_void_date"),
    )
    op.create_table(
        "lightrail_transaction_steps",
        sa.Column("account_id", sa.String(64), primary_key=True),
        sa.Column("transaction_id", sa.String(64), primary_key=True),
        sa.Column("step_index", sa.Integer, primary_key=True),
        sa.Column("value_id", sa.String(64), nullable=False),
        sa.Column("contact_id", sa.String(64)),
        sa.Column("code", sa.String(255)),
        sa.Column("balance_before", sa.Integer),
        sa.Column("balance_after", sa.Integer),
        sa.Column("balance_change", sa.Integer),
        sa.Column("uses_remaining_before", sa.Integer),
        sa.Column("uses_remaining_after", sa.Integer),
        sa.Column("uses_remaining_change", sa.Integer),
        sa.Column("balance_rule", sa.Text),
        sa.ForeignKeyConstraint(["account_id", "transaction_id"], ["transactions.account_id", "transactions.id"]),
        sa.ForeignKeyConstraint(["account_id", "value_id"], ["values.account_id", "values.id"]),
        sa.ForeignKeyConstraint(["account_id", "contact_id"], ["contacts.account_id", "contacts.id"]),
        sa.Index("ix_lightrail_steps_account_value", "account_id", "value_id"),
        sa.Index("ix_lightrail_steps_account_contact", "account_id", "contact_id"),
    )
    op.create_table(
        "internal_transaction_steps",
        sa.Column("account_id", sa.String(64), primary_key=True),
        sa.Column("transaction_id", sa.String(64), primary_key=True),
        sa.Column("step_index", sa.Integer, primary_key=True),
        sa.Column("internal_id", sa.String(64), nullable=False),
        sa.Column("balance_before", sa.Integer, nullable=False),
        sa.Column("balance_after", sa.Integer, nullable=False),
        sa.Column("balance_change", sa.Integer, nullable=False),
        sa.ForeignKeyConstraint(["account_id", "transaction_id"], ["transactions.account_id", "transactions.id"]),
    )
    op.create_table(
        "stripe_transaction_steps",
        sa.Column("account_id", sa.String(64), primary_key=True),
        sa.Column("transaction_id", sa.String(64), primary_key=True),
        sa.Column("step_index", sa.Integer, primary_key=True),
        sa.Column("charge_id", sa.String(255)),
        sa.Column("amount", sa.Integer, nullable=False),
        sa.Column("charge", sa.Text),
        sa.ForeignKeyConstraint(["account_id", "transaction_id"], ["transactions.account_id", "transactions.id"]),
        sa.Index("ix_stripe_steps_charge", "charge_id"),
    )


def downgrade() -> None:
    op.drop_table("stripe_transaction_steps")
    op.drop_table("internal_transaction_steps")
    op.drop_table("lightrail_transaction_steps")
    op.drop_table("transactions")
    op.drop_table("values")
    op.drop_table("issuances")
    op.drop_table("programs")
