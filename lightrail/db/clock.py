"""Time as the ledger records it: UTC, truncated to whole seconds (the original stored DATETIME)."""

from __future__ import annotations

from datetime import datetime, timezone


def now() -> datetime:
    return datetime.now(timezone.utc).replace(microsecond=0)


def to_second(value: datetime) -> datetime:
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc).replace(microsecond=0)


def iso(value: datetime | None) -> str | None:
    """`2077-01-01T00:00:00.000Z`: the wire format of every date."""
    if value is None:
        return None
    value = value.astimezone(timezone.utc)
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"


def epoch_millis(value: datetime) -> int:
    return int(value.timestamp() * 1000)
