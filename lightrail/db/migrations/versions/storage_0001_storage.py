"""Storage: per-account key-value items (the original's KVS).

Revision ID: storage_0001
"""
import sqlalchemy as sa
from alembic import op

revision = "storage_0001"
down_revision = None
branch_labels = ("storage",)
depends_on = "core_0001"


def upgrade() -> None:
    op.create_table(
        "storage_items",
        sa.Column("account_id", sa.String(64), primary_key=True),
        sa.Column("key", sa.String(128), primary_key=True),
        sa.Column("value", sa.Text),
        sa.Column("encrypted", sa.Boolean, nullable=False),
        sa.Column("updated_date", sa.DateTime, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("storage_items")
