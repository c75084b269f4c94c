"""Foundation: currencies, contacts and the event outbox.

Revision ID: core_0001
"""
import sqlalchemy as sa
from alembic import op

revision = "core_0001"
down_revision = None
branch_labels = ("core",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "currencies",
        sa.Column("account_id", sa.String(64), primary_key=True),
        sa.Column("code", sa.String(16), primary_key=True),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("symbol", sa.String(16), nullable=False),
        sa.Column("decimal_places", sa.Integer, nullable=False),
        sa.Column("created_date", sa.DateTime, nullable=False),
        sa.Column("updated_date", sa.DateTime, nullable=False),
        sa.Column("created_by", sa.String(64), nullable=False),
    )
    op.create_table(
        "contacts",
        sa.Column("account_id", sa.String(64), primary_key=True),
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("first_name", sa.String(255)),
        sa.Column("last_name", sa.String(255)),
        sa.Column("email", sa.String(320)),
        sa.Column("metadata", sa.Text),
        sa.Column("created_date", sa.DateTime, nullable=False),
        sa.Column("updated_date", sa.DateTime, nullable=False),
        sa.Column("created_by", sa.String(64), nullable=False),
    )
    op.create_index("ix_contacts_account_created", "contacts", ["account_id", "created_date", "id"])
    op.create_table(
        "events",
        sa.Column("account_id", sa.String(64), primary_key=True),
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("type", sa.String(128), nullable=False),
        sa.Column("time", sa.String(32), nullable=False),
        sa.Column("data", sa.Text, nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("dispatched_at", sa.DateTime),
    )
    op.create_index("ix_events_pending", "events", ["dispatched_at", "created_at"])


def downgrade() -> None:
    op.drop_table("events")
    op.drop_table("contacts")
    op.drop_table("currencies")
