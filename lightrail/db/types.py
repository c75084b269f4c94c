"""Column types that behave the same on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timezone
from functools import lru_cache
from typing import Any

import orjson
import sqlalchemy as sa


# A unit of work binds the same few moments again and again (an issuance of 10,000 values binds its
# `now` 50,000 times), and converting one costs microseconds.
@lru_cache(maxsize=4096)
def _naive_utc(value: datetime) -> datetime:
    return value.astimezone(timezone.utc).replace(tzinfo=None)


@lru_cache(maxsize=4096)
def _sqlite_text(value: datetime) -> str:
    """SQLAlchemy's text for a date on SQLite ("2026-11-28 17:00:05.000000"), written by isoformat
    rather than its %-format of seven fields."""
    naive = _naive_utc(value) if value.tzinfo is not None else value
    return naive.isoformat(sep=" ", timespec="microseconds")


class UTCDateTime(sa.TypeDecorator):
    """Stored as naive UTC, returned as aware UTC."""

    impl = sa.DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None or value.tzinfo is None:
            return value
        return _naive_utc(value)

    def bind_processor(self, dialect: sa.Dialect) -> Callable[[Any], Any] | None:
        if dialect.name != "sqlite":
            return super().bind_processor(dialect)
        return lambda value: None if value is None else _sqlite_text(value)

    def process_result_value(self, value: Any, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if isinstance(value, str):
            value = datetime.fromisoformat(value)
        return value.replace(tzinfo=timezone.utc)


class JSONText(sa.TypeDecorator):
    """JSON kept as text exactly as given (key order preserved), `null` stored as NULL."""

    impl = sa.Text
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Any) -> str | None:
        return None if value is None else orjson.dumps(value).decode()

    def process_result_value(self, value: str | None, dialect: Any) -> Any:
        return None if value is None else orjson.loads(value)


# Ids are case-sensitive ASCII; account ids come first in every primary key so the schema can be
# distributed by tenant.
def account_column() -> sa.Column:
    return sa.Column("account_id", sa.String(64), primary_key=True)


def only_where(condition: str) -> dict[str, sa.TextClause]:
    """The keyword arguments of `sa.Index` for a partial index, on both databases."""
    return {"postgresql_where": sa.text(condition), "sqlite_where": sa.text(condition)}
