"""Time as the ledger records it: UTC, truncated to whole seconds (the original stored DATETIME)."""

from __future__ import annotations

from datetime import datetime, timezone
from functools import lru_cache


def now() -> datetime:
    return datetime.now(timezone.utc).replace(microsecond=0)


def to_second(value: datetime) -> datetime:
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc).replace(microsecond=0)


def iso(value: datetime | None) -> str | None:
    """`2077-01-01T00:00:00.000Z`: the wire format of every date."""
    return None if value is None else _iso(value)


# Rendering a transaction or an issuance formats the same few dates again and again.
@lru_cache(maxsize=4096)
def _iso(value: datetime) -> str:
    return value.astimezone(timezone.utc).replace(tzinfo=None).isoformat(timespec="milliseconds") + "Z"


def epoch_millis(value: datetime) -> int:
    return int(value.timestamp() * 1000)
