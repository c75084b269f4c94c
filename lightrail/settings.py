"""One typed settings object, read once from the environment (and an optional `.env`)."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from functools import cached_property
from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DATA_DIR = Path(".lightrail")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="LIGHTRAIL_", env_file=".env", extra="ignore")

    env: Literal["dev", "staging", "production"] = "dev"
    database_url: str | None = None
    jwt_secret: str | None = None
    code_secret: str | None = None
    base_url: str = "http://127.0.0.1:8080"
    log_level: str = "INFO"
    log_format: Literal["text", "json"] = "text"
    roles_file: Path | None = None
    data_dir: Path = Field(default=DEFAULT_DATA_DIR)
    db_pool_size: int = 10
    # Larger request bodies are refused with 413 before they are read (the original's gateway took 6 MB).
    max_body_bytes: int = Field(default=6 * 1024 * 1024, gt=0)
    sentry_dsn: str | None = None
    # Background work (outbox dispatch, automatic void) runs inside `serve` unless switched off
    # for deployments that run `lightrail worker` separately.
    run_workers: bool = True
    # Lets webhooks use http:// and private addresses (local development and tests only).
    webhook_allow_insecure: bool = False
    # Account mails (verification, invitations, password resets) go through this SMTP server
    # (smtp://host:port); without it they are written to the log.
    smtp_url: str | None = None
    support_email: str | None = None
    email_mx_check: bool = True

    @model_validator(mode="after")
    def _production_is_explicit(self) -> "Settings":
        if self.env == "production" and "log_format" not in self.model_fields_set:
            self.log_format = "json"
        if self.env == "production":
            missing = [name for name in ("database_url", "jwt_secret") if not getattr(self, name)]
            if missing:
                raise ValueError(
                    "production needs explicit " + ", ".join(f"LIGHTRAIL_{m.upper()}" for m in missing)
                )
        return self

    @cached_property
    def effective_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        self.data_dir.mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{(self.data_dir / 'lightrail.db').resolve()}"

    @cached_property
    def effective_jwt_secret(self) -> str:
        if self.jwt_secret:
            return self.jwt_secret
        if self.env == "production":
            raise RuntimeError("LIGHTRAIL_JWT_SECRET is required in production")
        return _generated_secret(self.data_dir / "jwt_secret")


    @cached_property
    def effective_code_secret(self) -> str:
        """Key material for code hashing and encryption; in `dev` derived from the platform secret."""
        if self.code_secret:
            return self.code_secret
        if self.env == "production":
            raise RuntimeError("LIGHTRAIL_CODE_SECRET is required in production")
        return hmac.new(self.effective_jwt_secret.encode(), b"lightrail code secret", hashlib.sha256).hexdigest()


def _generated_secret(path: Path) -> str:
    """A development secret, generated once and kept beside the SQLite file so tokens survive restarts."""
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    value = secrets.token_urlsafe(48)
    path.write_text(value)
    path.chmod(0o600)
    return value


def load_settings(**overrides) -> Settings:
    return Settings(**overrides)
