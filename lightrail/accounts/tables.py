"""Accounts, users, memberships, API keys and the bookkeeping of logins (platform.md §4.1), as tables.

Account and user ids never carry the `-TEST` suffix; API keys are keyed by the account id as it is in the
token, so live and test keys are separate lists.
"""

import sqlalchemy as sa

from lightrail.db.metadata import metadata
from lightrail.db.types import JSONText, UTCDateTime

accounts = sa.Table(
    "accounts",
    metadata,
    sa.Column("account_id", sa.String(64), primary_key=True),
    sa.Column("name", sa.String(1024), nullable=False),
    sa.Column("max_inactive_days", sa.Integer),
    sa.Column("max_password_age", sa.Integer),
    sa.Column("require_mfa", sa.Boolean, nullable=False),
    # Why the account is frozen (operators write the reason); NULL when it is not.
    sa.Column("frozen", sa.Text),
    # Web sessions of the account issued before this moment are refused.
    sa.Column("sessions_revoked_at", UTCDateTime),
    sa.Column("created_date", UTCDateTime, nullable=False),
)

users = sa.Table(
    "users",
    metadata,
    sa.Column("user_id", sa.String(64), primary_key=True),
    sa.Column("email", sa.String(320), nullable=False),
    # The lower-cased email: logins are case-insensitive, the stored email keeps its case.
    sa.Column("email_key", sa.String(320), nullable=False, unique=True),
    sa.Column("password_hash", sa.Text),
    sa.Column("password_created_date", UTCDateTime),
    sa.Column("email_verified", sa.Boolean, nullable=False),
    sa.Column("frozen", sa.Text),
    sa.Column("locked_until", UTCDateTime),
    sa.Column("last_login_date", UTCDateTime),
    # With `-TEST` when the user last worked in test mode.
    sa.Column("default_login_account_id", sa.String(64)),
    sa.Column("totp_secret", sa.Text),
    # The highest TOTP time step accepted so far: codes of that step or earlier cannot be replayed.
    sa.Column("totp_last_step", sa.BigInteger),
    sa.Column("totp_setup_secret", sa.Text),
    sa.Column("totp_setup_codes", JSONText),
    sa.Column("totp_setup_expires", UTCDateTime),
    sa.Column("created_date", UTCDateTime, nullable=False),
)

password_history = sa.Table(
    "password_history",
    metadata,
    sa.Column("user_id", sa.String(64), primary_key=True),
    sa.Column("id", sa.String(32), primary_key=True),
    sa.Column("password_hash", sa.Text, nullable=False),
    sa.Column("created_date", UTCDateTime, nullable=False),
)

backup_codes = sa.Table(
    "mfa_backup_codes",
    metadata,
    sa.Column("user_id", sa.String(64), primary_key=True),
    sa.Column("position", sa.Integer, primary_key=True),
    sa.Column("code_encrypted", sa.Text, nullable=False),
    sa.Column("created_date", UTCDateTime, nullable=False),
)

trusted_devices = sa.Table(
    "mfa_trusted_devices",
    metadata,
    sa.Column("user_id", sa.String(64), primary_key=True),
    sa.Column("token_hash", sa.String(64), primary_key=True),
    sa.Column("created_date", UTCDateTime, nullable=False),
    sa.Column("expires_date", UTCDateTime, nullable=False),
)

account_users = sa.Table(
    "account_users",
    metadata,
    sa.Column("account_id", sa.String(64), primary_key=True),
    sa.Column("user_id", sa.String(64), primary_key=True),
    sa.Column("roles", JSONText, nullable=False),
    sa.Column("scopes", JSONText, nullable=False),
    sa.Column("last_login_date", UTCDateTime),
    # Set while the membership is an invitation not yet accepted.
    sa.Column("invitation_email", sa.String(320)),
    sa.Column("invitation_created", UTCDateTime),
    sa.Column("invitation_expires", UTCDateTime),
    sa.Column("created_date", UTCDateTime, nullable=False),
    sa.Index("ix_account_users_user_id", "user_id"),
)


def _api_key_columns() -> list[sa.Column]:
    return [
        sa.Column("account_id", sa.String(64), primary_key=True),
        sa.Column("token_id", sa.String(64), primary_key=True),
        sa.Column("user_id", sa.String(64), nullable=False),
        sa.Column("name", sa.Text),
        sa.Column("roles", JSONText, nullable=False),
        sa.Column("scopes", JSONText, nullable=False),
        sa.Column("token_version", sa.Integer, nullable=False),
        # Millisecond precision: the token's `iat` is derived from it.
        sa.Column("created_date", UTCDateTime, nullable=False),
        sa.Column("token_hash", sa.String(64)),
    ]


api_keys = sa.Table("api_keys", metadata, *_api_key_columns())

revoked_api_keys = sa.Table(
    "revoked_api_keys", metadata, *_api_key_columns(), sa.Column("deleted_date", UTCDateTime, nullable=False),
)

email_tokens = sa.Table(
    "email_tokens",
    metadata,
    sa.Column("token_hash", sa.String(64), primary_key=True),
    sa.Column("action", sa.String(32), nullable=False),
    sa.Column("email", sa.String(320), nullable=False),
    sa.Column("account_id", sa.String(64)),
    sa.Column("user_id", sa.String(64)),
    sa.Column("created_date", UTCDateTime, nullable=False),
    sa.Column("expires_date", UTCDateTime, nullable=False),
)

# Throttled actions of a user (`user:<id>`) or a client address (`ip:<address>`), one row per action taken.
limited_actions = sa.Table(
    "limited_actions",
    metadata,
    sa.Column("subject", sa.String(255), primary_key=True),
    sa.Column("action", sa.String(32), primary_key=True),
    sa.Column("id", sa.String(32), primary_key=True),
    sa.Column("created_date", UTCDateTime, nullable=False),
    sa.Index("ix_limited_actions_subject_action_created_date", "subject", "action", "created_date"),
)
