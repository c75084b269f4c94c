"""Column types that behave the same on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

import orjson
import sqlalchemy as sa


class UTCDateTime(sa.TypeDecorator):
    """Stored as naive UTC, returned as aware UTC."""

    impl = sa.DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is not None:
            value = value.astimezone(timezone.utc).replace(tzinfo=None)
        return value

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
