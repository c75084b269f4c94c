"""`lightrail check-config`: the effective settings with secrets masked, and what is unsafe for the profile."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit, urlunsplit

from lightrail.settings import Settings

SECRET_FIELDS = {"jwt_secret", "code_secret", "sentry_dsn", "smtp_url"}
MIN_SECRET_LENGTH = 32


def mask(name: str, value: Any) -> str:
    if value is None:
        return "(unset)"
    text = str(value)
    if name == "database_url":
        parts = urlsplit(text)
        if parts.password:
            netloc = parts.netloc.replace(f":{parts.password}@", ":****@")
            return urlunsplit(parts._replace(netloc=netloc))
        return text
    if name in SECRET_FIELDS or "secret" in name or "password" in name:
        return "****" + (f" ({len(text)} characters)" if text else "")
    return text


def effective_settings(settings: Settings) -> dict[str, str]:
    shown = {name: mask(name, getattr(settings, name)) for name in type(settings).model_fields}
    shown["database_url"] = mask("database_url", settings.database_url or "(default) " + settings.effective_database_url)
    return shown


def problems(settings: Settings) -> list[str]:
    """What makes these settings unsafe for their environment (production and staging are held to it)."""
    if settings.env == "dev":
        return []
    found = []
    if not settings.jwt_secret or len(settings.jwt_secret) < MIN_SECRET_LENGTH:
        found.append(f"LIGHTRAIL_JWT_SECRET must be set explicitly, at least {MIN_SECRET_LENGTH} characters")
    if not settings.code_secret or len(settings.code_secret) < MIN_SECRET_LENGTH:
        found.append(f"LIGHTRAIL_CODE_SECRET must be set explicitly, at least {MIN_SECRET_LENGTH} characters")
    if not settings.database_url or settings.database_url.startswith("sqlite"):
        found.append("LIGHTRAIL_DATABASE_URL must point at PostgreSQL")
    if settings.webhook_allow_insecure:
        found.append("LIGHTRAIL_WEBHOOK_ALLOW_INSECURE must be false")
    if not settings.base_url.startswith("https://"):
        found.append("LIGHTRAIL_BASE_URL must be https://")
    if settings.env == "production" and settings.log_format != "json":
        found.append("LIGHTRAIL_LOG_FORMAT must be json")
    return found
