"""Fixtures shared by the API tests: a USD currency and direct reads of stored rows."""

from __future__ import annotations

import pytest
import sqlalchemy as sa


@pytest.fixture
def usd(api):
    response = api.post("/v2/currencies", json={"code": "USD", "name": "US dollars", "symbol": "$", "decimalPlaces": 2})
    assert response.status_code == 201
    return "USD"


@pytest.fixture
def db_rows(app, run_async):
    """All rows of a table for the test's account, as dicts."""

    def read(table: sa.Table, account_id: str, *conditions) -> list[dict]:
        async def query():
            async with app.state.db.read() as conn:
                rows = await conn.execute(sa.select(table).where(table.c.account_id == account_id, *conditions))
                return [dict(r._mapping) for r in rows]

        return run_async(query)

    return read
