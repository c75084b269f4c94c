"""Inserting many rows of one table at once.

PostgreSQL executes each row of an `executemany` as an INSERT of its own, each started, run and
finished by the executor. A few rows go as one INSERT, one array per column spread by `unnest`; more
go by binary COPY, which asyncpg encodes in C and streams while the server writes the rows already
received, so that the client's encoding and the server's inserting overlap. An issuance's 50,000 rows:
row by row 5.7–6.1 s, arrays 4.1–4.7 s (ninth session); the whole issuance 3.2–3.4 s with arrays and
2.3–2.9 s with COPY (tenth). SQLite has no arrays, and its `executemany` is already a loop in C.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncConnection

from lightrail.db.engine import driver_connection
from lightrail.db.metadata import supplied_columns
from lightrail.db.prepared import Prepared, driver_errors

_POSTGRESQL = postgresql.asyncpg.dialect()
_QUOTE = _POSTGRESQL.identifier_preparer
# Below this many rows COPY's second round trip and a statement the server parses every time cost
# more than its encoding saves (events of 1 and 3 rows, tenth session); from 10 to 1,000 rows the two
# ways were within the noise, and at an issuance's 10,000 per table COPY was 15–35% quicker.
COPY_FROM = 10


def cast(bind: sa.BindParameter, array: bool = False) -> str:
    """A PostgreSQL bind with its type spelled out, so the server needs no inference (arrays above all)."""
    item = bind.type.item_type if array else bind.type
    return f"CAST(:{bind.key} AS {item.compile(dialect=_POSTGRESQL)}{'[]' if array else ''})"


def array_binds(columns: Iterable[sa.Column], prefix: str = "") -> list[sa.BindParameter]:
    """One array parameter per column, named `<prefix><column key>`."""
    return [sa.bindparam(f"{prefix}{column.key}", type_=ARRAY(column.type)) for column in columns]


def unnest_insert(table: sa.Table, columns: Sequence[sa.Column], arrays: Sequence[sa.BindParameter],
                  fixed: Mapping[str, str] | None = None) -> str:
    """`INSERT … SELECT … FROM unnest(…)`: one row per array position. `columns` are the table's columns
    to write; those named in `fixed` take that SQL instead of an array (one value for every row), the
    others take `arrays`, in order."""
    fixed = fixed or {}
    spread = [column for column in columns if column.key not in fixed]
    names = ", ".join(_QUOTE.quote(column.name) for column in spread)
    return (
        f"INSERT INTO {_QUOTE.format_table(table)} ({', '.join(_QUOTE.quote(column.name) for column in columns)}) "
        f"SELECT {', '.join(fixed.get(column.key, f'u.{_QUOTE.quote(column.name)}') for column in columns)} "
        f"FROM unnest({', '.join(cast(bind, array=True) for bind in arrays)}) AS u({names})"
    )


class BulkInsert:
    """Many rows of one table, each a mapping of column key to value; by default every column the
    database does not fill in itself."""

    def __init__(self, table: sa.Table, columns: Sequence[sa.Column] | None = None) -> None:
        self.table = table
        self.columns = list(columns if columns is not None else supplied_columns(table))
        # One row per execution, for SQLite and for callers that batch statements themselves.
        self.each_row = Prepared(sa.insert(table).values(
            {column.key: sa.bindparam(column.key, type_=column.type) for column in self.columns}
        ))
        arrays = array_binds(self.columns)
        self._arrays = Prepared(sa.text(unnest_insert(table, self.columns, arrays)).bindparams(*arrays))

    async def execute(self, conn: AsyncConnection, rows: Sequence[Mapping[str, Any]]) -> None:
        if conn.dialect.name != "postgresql":
            await self.each_row.execute_many(conn, rows)
        elif len(rows) >= COPY_FROM:
            await self._copy(conn, rows)
        elif rows:
            await self._arrays.all(conn, {column.key: [row[column.key] for row in rows] for column in self.columns})

    async def _copy(self, conn: AsyncConnection, rows: Sequence[Mapping[str, Any]]) -> None:
        # The values as the one-row INSERT binds them, so that both ways store the same.
        sql, records = self.each_row.bound(conn, rows)
        columns = [self.table.c[key].name for key in self.each_row.parameters(conn)]
        driver = await driver_connection(conn)
        with driver_errors(sql):
            await driver.copy_records_to_table(self.table.name, schema_name=self.table.schema, records=records, columns=columns)
