"""The pending-void and step-contact indexes hold only the rows that have a value there.

Nearly every transaction has no pendingVoidDate and nearly every step no Contact, so the full indexes
took an entry (a NULL) for each new transaction and step that no query ever looks up through them:
three index insertions per checkout.

Revision ID: ledger_0003
"""
import sqlalchemy as sa
from alembic import op

revision = "ledger_0003"
down_revision = "ledger_0002"
branch_labels = None
depends_on = None

_INDEXES = (
    ("ix_transactions_pending_void", "transactions", ["pending_void_date"], "pending_void_date IS NOT NULL"),
    ("ix_lightrail_steps_account_contact", "lightrail_transaction_steps", ["account_id", "contact_id"], "contact_id IS NOT NULL"),
)


def _rebuild(partial: bool) -> None:
    for name, table, columns, condition in _INDEXES:
        op.drop_index(name, table_name=table)
        where = {"postgresql_where": sa.text(condition), "sqlite_where": sa.text(condition)} if partial else {}
        op.create_index(name, table, columns, **where)


def upgrade() -> None:
    _rebuild(partial=True)


def downgrade() -> None:
    _rebuild(partial=False)
