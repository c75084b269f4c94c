"""Column types: dates keep SQLAlchemy's SQLite text exactly, since stored rows are compared as text."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.dialects.sqlite.base import DATETIME

from lightrail.db.types import UTCDateTime

SQLITE = sqlite.dialect()
POSTGRESQL = postgresql.asyncpg.dialect()


@pytest.mark.parametrize("moment", [
    datetime(2026, 11, 28, 17, 0, 5, tzinfo=timezone.utc),
    datetime(2026, 3, 1, 23, 59, 59, 999999, tzinfo=timezone(timedelta(hours=-5))),  # the next day in UTC
    datetime(999, 1, 2, 3, 4, 5, 6),  # naive: taken as UTC already
    datetime(9999, 12, 31, 23, 59, 59, tzinfo=timezone(timedelta(hours=14))),
])
def test_sqlite_text_is_sqlalchemys(moment: datetime) -> None:
    ours = UTCDateTime().dialect_impl(SQLITE).bind_processor(SQLITE)
    naive = moment.astimezone(timezone.utc).replace(tzinfo=None) if moment.tzinfo else moment
    assert ours(moment) == DATETIME().bind_processor(SQLITE)(naive)
    assert ours(None) is None


def test_postgresql_gets_naive_utc() -> None:
    process = UTCDateTime().dialect_impl(POSTGRESQL).bind_processor(POSTGRESQL)
    assert process(datetime(2026, 3, 1, 23, 30, tzinfo=timezone(timedelta(hours=-5)))) == datetime(2026, 3, 2, 4, 30)
    assert process(datetime(2026, 3, 1, 23, 30)) == datetime(2026, 3, 1, 23, 30)
    assert process(None) is None


def test_read_back_as_aware_utc() -> None:
    read = UTCDateTime().process_result_value
    assert read("2026-03-02 04:30:00.000000", SQLITE) == datetime(2026, 3, 2, 4, 30, tzinfo=timezone.utc)
    assert read(datetime(2026, 3, 2, 4, 30), POSTGRESQL) == datetime(2026, 3, 2, 4, 30, tzinfo=timezone.utc)
