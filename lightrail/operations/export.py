"""Export every service's data as JSON Lines per table, with a manifest; import it into an empty database.

The export reads the schema from the database itself, so every table any service adds is included
without this module knowing it. What must not leave the system is left out by name: password hashes,
webhook and MFA secrets. Codes stay encrypted unless the operator asks for them in clear.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from lightrail.db.engine import Database
from lightrail.events import backlog

FORMAT_VERSION = 1
# Positions in this database's own history (its migrations, the order its transactions committed):
# meaningless in another database, which keeps its own.
SKIPPED_TABLES = {"alembic_version", "event_cursors"}
SKIPPED_COLUMNS = {"commit_order"}
# Column names that hold secrets; they are exported as null and cannot be restored.
SECRET_MARKERS = ("password", "secret", "totp", "backup_code", "token_hash")
BATCH = 1000

Progress = Callable[[str, int], None]


@dataclass(frozen=True)
class Scope:
    """Which rows to export: every account, or one account in both its live and test modes."""

    account_id: str | None = None

    def condition(self, table: sa.Table) -> sa.ColumnElement[bool] | None:
        if self.account_id is None or "account_id" not in table.c:
            return None
        base = self.account_id.removesuffix("-TEST")
        return table.c.account_id.in_([base, f"{base}-TEST"])

    def includes(self, table: sa.Table) -> bool:
        return self.account_id is None or "account_id" in table.c


def is_secret(column: str) -> bool:
    return any(marker in column for marker in SECRET_MARKERS)


async def reflect(conn: AsyncConnection) -> sa.MetaData:
    metadata = sa.MetaData()
    await conn.run_sync(metadata.reflect)
    return metadata


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            value = value.astimezone(timezone.utc).replace(tzinfo=None)
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.hex()
    return value


async def export_database(
    db: Database,
    out: Path,
    scope: Scope,
    decrypt_code: Callable[[str], str] | None = None,
    progress: Progress | None = None,
) -> dict[str, Any]:
    out.mkdir(parents=True, exist_ok=True)
    tables: dict[str, Any] = {}
    async with db.snapshot() as conn:
        metadata = await reflect(conn)
        heads = await _schema_heads(conn, metadata)
        for table in metadata.sorted_tables:
            if table.name in SKIPPED_TABLES or not scope.includes(table):
                continue
            path = out / f"{table.name}.jsonl"
            count, digest = 0, hashlib.sha256()
            with path.open("w", encoding="utf-8") as f:
                async for row in _rows(conn, table, scope):
                    record = {k: (None if is_secret(k) else _plain(v)) for k, v in row.items() if k not in SKIPPED_COLUMNS}
                    if decrypt_code and record.get("code_encrypted"):
                        record["code"] = decrypt_code(record["code_encrypted"])
                    line = json.dumps(record, ensure_ascii=False, sort_keys=True) + "\n"
                    f.write(line)
                    digest.update(line.encode())
                    count += 1
                    if progress and count % BATCH == 0:
                        progress(table.name, BATCH)
            if progress:
                progress(table.name, count % BATCH)
            tables[table.name] = {
                "rows": count,
                "sha256": digest.hexdigest(),
                "omitted_columns": sorted(c.name for c in table.columns if is_secret(c.name)),
            }
    manifest = {
        "format": FORMAT_VERSION,
        "schema_heads": heads,
        "created": datetime.now(timezone.utc).isoformat(),
        "account": scope.account_id,
        "codes_in_clear": decrypt_code is not None,
        "tables": tables,
    }
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
    return manifest


async def _schema_heads(conn: AsyncConnection, metadata: sa.MetaData) -> list[str]:
    if "alembic_version" not in metadata.tables:
        return []
    return sorted(r[0] for r in await conn.execute(sa.text("SELECT version_num FROM alembic_version")))


async def _rows(conn: AsyncConnection, table: sa.Table, scope: Scope) -> AsyncIterator[dict[str, Any]]:
    query = sa.select(table)
    condition = scope.condition(table)
    if condition is not None:
        query = query.where(condition)
    if table.primary_key.columns:
        query = query.order_by(*table.primary_key.columns)
    result = await conn.stream(query)
    async for partition in result.mappings().partitions(BATCH):
        for row in partition:
            yield dict(row)


class ImportRefused(Exception):
    pass


async def import_database(db: Database, source: Path, progress: Progress | None = None) -> dict[str, int]:
    """Loads an export into a database that has the same schema and none of its rows."""
    manifest = json.loads((source / "manifest.json").read_text())
    if manifest.get("format") != FORMAT_VERSION:
        raise ImportRefused(f"unsupported export format {manifest.get('format')}")
    for name, info in manifest["tables"].items():
        digest = hashlib.sha256((source / f"{name}.jsonl").read_bytes()).hexdigest()
        if digest != info["sha256"]:
            raise ImportRefused(f"{name}.jsonl does not match its checksum: the export is damaged")
    counts: dict[str, int] = {}
    async with db.transaction() as conn:
        metadata = await reflect(conn)
        for table in metadata.sorted_tables:
            if table.name not in manifest["tables"]:
                continue
            if (await conn.execute(sa.select(sa.func.count()).select_from(table))).scalar_one():
                raise ImportRefused(f"table {table.name} is not empty: import only into an empty database")
            rows = [_restore(table, json.loads(line)) for line in (source / f"{table.name}.jsonl").open(encoding="utf-8")]
            rows.sort(key=_self_references_last(table))
            for start in range(0, len(rows), BATCH):
                await conn.execute(table.insert(), rows[start:start + BATCH])
                if progress:
                    progress(table.name, len(rows[start:start + BATCH]))
            counts[table.name] = len(rows)
        # The events came with the history they record: they were sent from the database they came from.
        await backlog.pass_all(conn)
    return counts


def _restore(table: sa.Table, record: dict[str, Any]) -> dict[str, Any]:
    row = {}
    for column in table.columns:
        if column.name in SKIPPED_COLUMNS:
            continue
        value = record.get(column.name)
        if value is not None and isinstance(column.type, sa.DateTime):
            value = datetime.fromisoformat(value)
        elif value is None and is_secret(column.name) and not column.nullable:
            value = "!"  # an unusable placeholder: the secret was never exported
        row[column.name] = value
    return row


def _self_references_last(table: sa.Table) -> Callable[[dict[str, Any]], int]:
    """Rows that point at rows of their own table go after the rows they point at (one level deep)."""
    columns = [fk.parent.name for fk in table.foreign_keys if fk.column.table.name == table.name]
    return lambda row: int(any(row.get(c) is not None for c in columns))


def backup_sqlite(database_path: Path, destination: Path) -> None:
    """A consistent copy of a live SQLite database, through SQLite's online backup API."""
    import sqlite3

    source = sqlite3.connect(database_path)
    try:
        target = sqlite3.connect(destination)
        with target:
            source.backup(target)
        target.close()
    finally:
        source.close()
