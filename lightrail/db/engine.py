"""The database: one async engine, and the unit of work every service writes through."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator, Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractAsyncContextManager, asynccontextmanager, nullcontext
from typing import Any, TypeVar

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


# Every statement is a prepared one (asyncpg's statement cache, `db.prepared`). PostgreSQL's default plans
# one afresh on every execution whenever its generic plan looks dearer than the custom ones, which a
# parameter that is an array (`id = ANY($1)`, the one-statement write's unnest) always does: the candidate
# load and the write were planned on every transaction, a quarter of PostgreSQL's CPU per debit. Every
# query here starts from an `account_id` index whichever the values, so the generic plan is the plan.
_POSTGRESQL_SESSION = {"plan_cache_mode": "force_generic_plan"}


class Database:
    """The engine, and units of work begun and ended on the driver connection.

    SQLAlchemy runs in autocommit mode: its driver adapters would otherwise spend a round trip on BEGIN
    before every read and one on ROLLBACK after it. Reads therefore run statement by statement (each
    sees committed data, as READ COMMITTED did), and `transaction()` issues BEGIN and COMMIT itself,
    so statements sent through SQLAlchemy and straight to the driver (`db.prepared`) share it.
    """

    def __init__(self, url: str, pool_size: int = 10) -> None:
        self.url = async_url(url)
        self.is_sqlite = self.url.startswith("sqlite")
        # A fixed set of connections: requests beyond it wait for one in the process. Overflow connections
        # were closed as soon as the pool had enough idle ones, so under steady load above the pool's size
        # every few requests paid for a new PostgreSQL backend (at 32 concurrent checkouts on one process:
        # 544/s with 10 + 10 overflow, 855/s with 10 fixed); PostgreSQL does no more work with more of them.
        self.engine: AsyncEngine = create_async_engine(
            self.url, pool_size=pool_size, max_overflow=0, pool_pre_ping=False, isolation_level="AUTOCOMMIT",
            connect_args={} if self.is_sqlite else {"server_settings": _POSTGRESQL_SESSION},
        )
        if self.is_sqlite:
            _configure_sqlite(self.engine)
        self._pool_size = pool_size
        self._locks: dict[asyncio.AbstractEventLoop, asyncio.Lock] = {}
        self._kept: dict[asyncio.AbstractEventLoop, _KeptConnections] = {}
        self._writer: SqliteWriter | None = None

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def writing(self) -> AbstractAsyncContextManager[Any]:
        """SQLite has one writer at a time: writers of this process queue here rather than fail on the
        database lock (BEGIN IMMEDIATE covers other processes). PostgreSQL writers need no queue.
        `transaction()` holds it, and `writer()`."""
        if not self.is_sqlite:
            return nullcontext()
        loop = asyncio.get_running_loop()
        lock = self._locks.get(loop)
        if lock is None:
            lock = self._locks[loop] = asyncio.Lock()
        return lock

    @asynccontextmanager
    async def writer(self) -> AsyncIterator[SqliteWriter]:
        """SQLite: the process's own writer connection, at the head of the queue of `writing()`."""
        async with self.writing():
            if self._writer is None:
                self._writer = SqliteWriter(self.engine)
            yield self._writer

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncConnection]:
        """One database transaction: commits once at the end, rolls back everything on any error.

        Callables appended to `after_commit(conn)` run once the commit succeeded.
        """
        callbacks: list[Callable[[], None]] = []
        async with self.writing(), self._connection() as conn:
            driver = await driver_connection(conn)
            begun = _sqlite_transaction(driver, "BEGIN IMMEDIATE") if self.is_sqlite else _begun(conn, driver.transaction())
            async with begun, _tracking(conn, callbacks):
                yield conn
        for callback in callbacks:
            callback()

    @asynccontextmanager
    async def snapshot(self) -> AsyncIterator[AsyncConnection]:
        """A read-only transaction, every statement seeing the database as the first one did (exports,
        and `conn.stream`, whose server-side cursor needs a transaction)."""
        async with self._connection() as conn:
            driver = await driver_connection(conn)
            begun = (
                _sqlite_transaction(driver, "BEGIN") if self.is_sqlite
                else _begun(conn, driver.transaction(isolation="repeatable_read", readonly=True))
            )
            async with begun:
                yield conn

    @asynccontextmanager
    async def read(self) -> AsyncIterator[AsyncConnection]:
        async with self._connection() as conn:
            yield conn

    @asynccontextmanager
    async def _connection(self) -> AsyncIterator[AsyncConnection]:
        if self.is_sqlite:
            # Not kept: a SQLite connection kept for a loop that ended while its unit of work was cut
            # short held the database's write lock until the process ended (seen in the test suite);
            # SQLAlchemy's pool ends such connections when they are collected.
            async with self.engine.connect() as conn:
                yield conn
            return
        loop = asyncio.get_running_loop()
        kept = self._kept.get(loop)
        if kept is None:
            # Connections kept for a loop that has ended can never be given back: let them go, for the
            # garbage collector to end them as SQLAlchemy's pool always did (a unit of work cut short by
            # its loop's end holds its row locks until then).
            for ended in [other for other in self._kept if other.is_closed()]:
                del self._kept[ended]
            kept = self._kept[loop] = _KeptConnections(self.engine, self._pool_size)
        conn = await kept.take()
        try:
            yield conn
        finally:
            await kept.give_back(conn)

    async def dispose(self) -> None:
        kept = self._kept.pop(asyncio.get_running_loop(), None)
        if kept is not None:
            await kept.close()
        writer, self._writer = self._writer, None
        if writer is not None:
            await writer.close()
        await self.engine.dispose()


Result = TypeVar("Result")


class SqliteWriter:
    """SQLite: a connection of the process's own for units of work written in one call on its thread
    (`prepared.write_at_once`).

    A pooled connection taken for such a write kept the writer queue (`Database.writing()`) through the
    pool's checkout, the write's hop to the connection's thread and the pool's reset hop; this one keeps
    it for the write's hop alone. Its thread belongs to no event loop, so every loop of the process
    shares it, and whatever becomes of the caller (its loop ending included) a call runs on to its
    COMMIT or ROLLBACK: the connection never keeps the database's write lock.
    """

    def __init__(self, engine: AsyncEngine) -> None:
        self.dialect = engine.dialect  # what statements are compiled for
        self._connect_args = engine.dialect.create_connect_args(engine.url)
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="lightrail-sqlite-writer")
        self._connection: sqlite3.Connection | None = None

    async def call(self, function: Callable[[sqlite3.Connection], Result]) -> Result:
        """`function(connection)` on the writer's thread, which runs one call at a time."""
        return await asyncio.get_running_loop().run_in_executor(self._thread, self._on_thread, function)

    def _on_thread(self, function: Callable[[sqlite3.Connection], Result]) -> Result:
        if self._connection is None:
            args, kwargs = self._connect_args
            self._connection = sqlite3.connect(*args, **kwargs)
            _set_up_sqlite(self._connection)
        return function(self._connection)

    async def close(self) -> None:
        await asyncio.get_running_loop().run_in_executor(self._thread, self._close)
        self._thread.shutdown()

    def _close(self) -> None:
        # Not opened if it was never called: nothing to open only to close it.
        if self._connection is not None:
            self._connection.close()
            self._connection = None


class _KeptConnections:
    """PostgreSQL: the connections of one event loop, kept open between units of work.

    Taking a connection from SQLAlchemy's pool and giving it back costs about 90 µs of CPU (two greenlet
    switches and three turns of the event loop), more than a round trip to PostgreSQL; a request takes
    one. Here it costs a semaphore. SQLAlchemy's pool still opens the connections, never more
    than `size`; those that are closed, invalidated or left in a transaction are closed, not reused.
    Asyncpg's connections belong to the loop that opened them, hence one set per loop.
    """

    def __init__(self, engine: AsyncEngine, size: int) -> None:
        self._engine = engine
        self._idle: list[AsyncConnection] = []
        self._free = asyncio.Semaphore(size)

    async def take(self) -> AsyncConnection:
        await self._free.acquire()
        try:
            while self._idle:
                conn = self._idle.pop()
                if _reusable(conn):
                    return conn
                await asyncio.shield(_discard(conn))
            return await self._open()
        except BaseException:
            self._free.release()
            raise

    async def _open(self) -> AsyncConnection:
        opening = asyncio.ensure_future(self._engine.connect())
        try:
            return await asyncio.shield(opening)
        except asyncio.CancelledError:
            # Cut short mid-way, SQLAlchemy's pool could stay one connection short for good: let it open.
            opening.add_done_callback(self._keep_opened)
            raise

    def _keep_opened(self, opening: asyncio.Future[AsyncConnection]) -> None:
        if not opening.cancelled() and opening.exception() is None:
            self._idle.append(opening.result())

    async def give_back(self, conn: AsyncConnection) -> None:
        try:
            if _reusable(conn):
                self._idle.append(conn)
            else:
                await asyncio.shield(_discard(conn))
        finally:
            self._free.release()

    async def close(self) -> None:
        while self._idle:
            await self._idle.pop().close()


async def _discard(conn: AsyncConnection) -> None:
    # Closed, not handed back to SQLAlchemy's pool: its reset would not end a transaction begun on the
    # driver (it believes the connection is in autocommit).
    if not conn.closed and not conn.invalidated:
        await conn.invalidate()
    await conn.close()


def _reusable(conn: AsyncConnection) -> bool:
    if conn.closed or conn.invalidated:
        return False
    driver = conn.info.get("lightrail_driver")
    # Not looked up yet: only SQLAlchemy used it, in autocommit.
    return driver is None or (not driver.is_closed() and not driver.is_in_transaction())


@asynccontextmanager
async def _begun(conn: AsyncConnection, transaction: Any) -> AsyncIterator[None]:
    """asyncpg's transaction, ended by hand so that nothing replaces a cancellation: cut short between
    BEGIN and its end, the server may still be in the transaction (and hold its locks), so the connection
    is closed rather than handed to the next unit of work. (A rollback on a connection SQLAlchemy had
    already closed used to raise instead, and a worker loop took that for a failed run and went on.)"""
    try:
        await transaction.start()
        try:
            yield
        except asyncio.CancelledError:
            raise
        except BaseException:
            await transaction.rollback()
            raise
        await transaction.commit()
    except asyncio.CancelledError:
        if not conn.invalidated:
            await asyncio.shield(conn.invalidate())
        raise


# Longer than SQLite's busy timeout, which bounds what a stopped connection's thread can still be doing.
_STOPPED_CONNECTION_SECONDS = 30.0


@asynccontextmanager
async def _sqlite_transaction(driver: Any, begin: str) -> AsyncIterator[None]:
    # aiosqlite runs a connection's calls in order on its own thread: a rollback queued behind a cancelled
    # BEGIN or statement still ends that transaction, so the connection stays usable. (Closing it instead
    # left the database locked until the closing thread got round to it.)
    try:
        await driver.execute_fetchall(begin)
        yield
    except BaseException:
        # Whatever happens here, the error to raise is the one that cut the unit of work short.
        try:
            await asyncio.shield(driver.rollback())
        except ValueError:
            # aiosqlite's "connection closed": SQLAlchemy stopped the connection when one of its own
            # statements was cancelled. Its thread still closes it (ending the transaction) once done
            # with what was queued: wait for that, so the next writer does not find the database locked.
            await asyncio.shield(asyncio.to_thread(driver._thread.join, _STOPPED_CONNECTION_SECONDS))
        except sqlite3.Error:
            pass  # no transaction left to roll back
        raise
    await driver.commit()


@asynccontextmanager
async def _tracking(conn: AsyncConnection, callbacks: list[Callable[[], None]]) -> AsyncIterator[None]:
    # conn.info lives as long as the pooled DBAPI connection: never leave the list behind.
    conn.info["after_commit"] = callbacks
    try:
        yield
    finally:
        conn.info.pop("after_commit", None)


async def driver_connection(conn: AsyncConnection) -> Any:
    """The asyncpg or aiosqlite connection under `conn`, looked up once per pooled connection."""
    info = conn.info
    driver = info.get("lightrail_driver")
    if driver is None:
        driver = info["lightrail_driver"] = (await conn.get_raw_connection()).driver_connection
    return driver


def after_commit(conn: AsyncConnection) -> list[Callable[[], None]]:
    """Where a repository registers work that must happen only if the transaction commits."""
    return conn.info.setdefault("after_commit", [])


def _configure_sqlite(engine: AsyncEngine) -> None:
    @event.listens_for(engine.sync_engine, "connect")
    def _connect(dbapi_connection, _record):  # noqa: ANN001
        _set_up_sqlite(dbapi_connection)

    @event.listens_for(engine.sync_engine, "handle_error")
    def _cancelled_is_not_lost(context):  # noqa: ANN001
        # A statement cut short by cancellation has only stopped being awaited: aiosqlite's thread runs it
        # and then whatever is queued behind it, in order, so the connection stays usable. SQLAlchemy takes
        # any such exit for a lost connection and closes it; closed while the cut-short statement is still
        # referenced (its traceback), SQLite keeps the connection as a zombie that holds its transaction's
        # write lock until the garbage collector finalizes the statement, and every writer waits for that.
        # Kept, the rollback queued behind the statement ends the transaction at once.
        if isinstance(context.original_exception, asyncio.CancelledError):
            context.is_disconnect = False


def _set_up_sqlite(connection: Any) -> None:
    """A new SQLite connection, sqlite3's or SQLAlchemy's adapter of aiosqlite's."""
    # Take transaction control away from the driver so BEGIN is ours to emit.
    connection.isolation_level = None
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()
