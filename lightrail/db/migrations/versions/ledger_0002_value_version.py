"""Values get a version, bumped by every update.

A transaction planned on Values read outside any database transaction is written by one statement
that applies only if each Value is still at the version it read.

Revision ID: ledger_0002
"""
import sqlalchemy as sa
from alembic import op

revision = "ledger_0002"
down_revision = "ledger_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("values", sa.Column("version", sa.Integer, nullable=False, server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("values") as batch:
        batch.drop_column("version")
