"""Accounts: accounts, users, memberships, API keys, email-link tokens and throttled actions.

Revision ID: accounts_0001
"""
import sqlalchemy as sa
from alembic import op

revision = "accounts_0001"
down_revision = None
branch_labels = ("accounts",)
depends_on = "core_0001"


def _api_key_columns() -> list[sa.Column]:
    return [
        sa.Column("account_id", sa.String(64), primary_key=True),
        sa.Column("token_id", sa.String(64), primary_key=True),
        sa.Column("user_id", sa.String(64), nullable=False),
        sa.Column("name", sa.Text),
        sa.Column("roles", sa.Text, nullable=False),
        sa.Column("scopes", sa.Text, nullable=False),
        sa.Column("token_version", sa.Integer, nullable=False),
        sa.Column("created_date", sa.DateTime, nullable=False),
        sa.Column("token_hash", sa.String(64)),
    ]


def upgrade() -> None:
    op.create_table(
        "accounts",
        sa.Column("account_id", sa.String(64), primary_key=True),
        sa.Column("name", sa.String(1024), nullable=False),
        sa.Column("max_inactive_days", sa.Integer),
        sa.Column("max_password_age", sa.Integer),
        sa.Column("require_mfa", sa.Boolean, nullable=False),
        sa.Column("frozen", sa.Text),
        sa.Column("sessions_revoked_at", sa.DateTime),
        sa.Column("created_date", sa.DateTime, nullable=False),
    )
    op.create_table(
        "users",
        sa.Column("user_id", sa.String(64), primary_key=True),
        sa.Column("email", sa.String(320), nullable=False),
        sa.Column("email_key", sa.String(320), nullable=False),
        sa.Column("password_hash", sa.Text),
        sa.Column("password_created_date", sa.DateTime),
        sa.Column("email_verified", sa.Boolean, nullable=False),
        sa.Column("frozen", sa.Text),
        sa.Column("locked_until", sa.DateTime),
        sa.Column("last_login_date", sa.DateTime),
        sa.Column("default_login_account_id", sa.String(64)),
        sa.Column("totp_secret", sa.Text),
        sa.Column("totp_last_step", sa.BigInteger),
        sa.Column("totp_setup_secret", sa.Text),
        sa.Column("totp_setup_codes", sa.Text),
        sa.Column("totp_setup_expires", sa.DateTime),
        sa.Column("created_date", sa.DateTime, nullable=False),
        sa.UniqueConstraint("email_key", name="uq_users_email_key"),
    )
    op.create_table(
        "password_history",
        sa.Column("user_id", sa.String(64), primary_key=True),
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("password_hash", sa.Text, nullable=False),
        sa.Column("created_date", sa.DateTime, nullable=False),
    )
    op.create_table(
        "mfa_backup_codes",
        sa.Column("user_id", sa.String(64), primary_key=True),
        sa.Column("position", sa.Integer, primary_key=True),
        sa.Column("code_encrypted", sa.Text, nullable=False),
        sa.Column("created_date", sa.DateTime, nullable=False),
    )
    op.create_table(
        "mfa_trusted_devices",
        sa.Column("user_id", sa.String(64), primary_key=True),
        sa.Column("token_hash", sa.String(64), primary_key=True),
        sa.Column("created_date", sa.DateTime, nullable=False),
        sa.Column("expires_date", sa.DateTime, nullable=False),
    )
    op.create_table(
        "account_users",
        sa.Column("account_id", sa.String(64), primary_key=True),
        sa.Column("user_id", sa.String(64), primary_key=True),
        sa.Column("roles", sa.Text, nullable=False),
        sa.Column("scopes", sa.Text, nullable=False),
        sa.Column("last_login_date", sa.DateTime),
        sa.Column("invitation_email", sa.String(320)),
        sa.Column("invitation_created", sa.DateTime),
        sa.Column("invitation_expires", sa.DateTime),
        sa.Column("created_date", sa.DateTime, nullable=False),
    )
    op.create_index("ix_account_users_user_id", "account_users", ["user_id"])
    op.create_table("api_keys", *_api_key_columns())
    op.create_table("revoked_api_keys", *_api_key_columns(), sa.Column("deleted_date", sa.DateTime, nullable=False))
    op.create_table(
        "email_tokens",
        sa.Column("token_hash", sa.String(64), primary_key=True),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("email", sa.String(320), nullable=False),
        sa.Column("account_id", sa.String(64)),
        sa.Column("user_id", sa.String(64)),
        sa.Column("created_date", sa.DateTime, nullable=False),
        sa.Column("expires_date", sa.DateTime, nullable=False),
    )
    op.create_table(
        "limited_actions",
        sa.Column("subject", sa.String(255), primary_key=True),
        sa.Column("action", sa.String(32), primary_key=True),
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("created_date", sa.DateTime, nullable=False),
    )
    op.create_index(
        "ix_limited_actions_subject_action_created_date", "limited_actions", ["subject", "action", "created_date"]
    )


def downgrade() -> None:
    for table in (
        "limited_actions", "email_tokens", "revoked_api_keys", "api_keys", "account_users",
        "mfa_trusted_devices", "mfa_backup_codes", "password_history", "users", "accounts",
    ):
        op.drop_table(table)
