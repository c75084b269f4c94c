"""The database: one async engine, and the unit of work every service writes through."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine


def async_url(url: str) -> str:
    """Accepts the plain URLs operators write and picks the async driver."""
    for plain, driver in (
        ("postgresql://", "postgresql+asyncpg://"),
        ("postgres://", "postgresql+asyncpg://"),
        ("sqlite://", "sqlite+aiosqlite://"),
    ):
        if url.startswith(plain):
            return driver + url[len(plain):]
    return url


class Database:
    def __init__(self, url: str, pool_size: int = 10) -> None:
        self.url = async_url(url)
        self.is_sqlite = self.url.startswith("sqlite")
        if self.is_sqlite:
            self.engine: AsyncEngine = create_async_engine(self.url, pool_size=pool_size, max_overflow=0)
            _serialise_sqlite_writes(self.engine)
        else:
            self.engine = create_async_engine(
                self.url, pool_size=pool_size, max_overflow=pool_size, pool_pre_ping=False
            )
        self._locks: dict[asyncio.AbstractEventLoop, asyncio.Lock] = {}

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def _write_lock(self) -> asyncio.Lock:
        loop = asyncio.get_running_loop()
        lock = self._locks.get(loop)
        if lock is None:
            lock = self._locks[loop] = asyncio.Lock()
        return lock

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncConnection]:
        """One database transaction: commits once at the end, rolls back everything on any error.

        Callables appended to `after_commit(conn)` run once the commit succeeded.
        """
        callbacks: list[Callable[[], None]] = []
        if self.is_sqlite:
            # SQLite has one writer at a time: queue writers of this process here rather than
            # have them fail on the database lock; BEGIN IMMEDIATE covers other processes.
            async with self._write_lock(), self.engine.connect() as conn:
                conn = await conn.execution_options(lightrail_write=True)
                async with _tracking(conn, callbacks), conn.begin():
                    yield conn
        else:
            async with self.engine.connect() as conn, _tracking(conn, callbacks), conn.begin():
                yield conn
        for callback in callbacks:
            callback()

    @asynccontextmanager
    async def read(self) -> AsyncIterator[AsyncConnection]:
        async with self.engine.connect() as conn:
            yield conn

    async def dispose(self) -> None:
        await self.engine.dispose()


@asynccontextmanager
async def _tracking(conn: AsyncConnection, callbacks: list[Callable[[], None]]) -> AsyncIterator[None]:
    # conn.info lives as long as the pooled DBAPI connection: never leave the list behind.
    conn.info["after_commit"] = callbacks
    try:
        yield
    finally:
        conn.info.pop("after_commit", None)


def after_commit(conn: AsyncConnection) -> list[Callable[[], None]]:
    """Where a repository registers work that must happen only if the transaction commits."""
    return conn.info.setdefault("after_commit", [])


def _serialise_sqlite_writes(engine: AsyncEngine) -> None:
    @event.listens_for(engine.sync_engine, "connect")
    def _connect(dbapi_connection, _record):  # noqa: ANN001
        # Take transaction control away from the driver so BEGIN is ours to emit.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _begin(conn: sa.Connection) -> None:
        write = conn.get_execution_options().get("lightrail_write")
        conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")
