"""PostgreSQL: writes at once of one account that meet in a process go to the database together.

While one write of an account is on its way, the next ones of that account wait in its queue and then
go as one statement (`records.write_all_with_moves`): one round trip, one executor start and one commit
for all of them instead of one each, and one database process woken instead of several. A write waits
only behind its account's write or batch in flight, never for a timer; a write with nothing in flight
before it (`leading`) goes at once on its caller's own connection, as without group commit. The more
writes meet, the larger the batches (docs/performance.md has the figures).

Each write is still all or nothing on its own: a batch is one statement, kept whole or not at all,
and when it is not kept (a Value moved, an id clash) its writes go again one by one, each with its
own outcome. Two writes that move the same Value never share a batch. A write whose request was
cancelled before its batch left is dropped; once it has left it is written, as it would have been
alone.
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

from sqlalchemy.exc import IntegrityError

from lightrail.db.engine import Database
from lightrail.transactions import records


@dataclass
class _Queue:
    """The account's writes waiting while a write or a batch of it is in flight (the queue exists only then)."""

    waiting: list[tuple[records.Write, asyncio.Future[bool]]] = field(default_factory=list)
    draining: asyncio.Task[None] | None = None  # held here: the loop keeps only a weak reference to a task


class GroupCommit:
    """The queues of one database's writes at once, one per event loop and account."""

    def __init__(self, db: Database) -> None:
        self._db = db
        self._queues: dict[tuple[asyncio.AbstractEventLoop, str], _Queue] = {}

    @asynccontextmanager
    async def leading(self, account_id: str) -> AsyncIterator[bool]:
        """Whether nothing of the account is in flight, in which case the caller writes at once on the
        connection it holds, and the account's writes that arrive meanwhile wait for it to finish."""
        loop = asyncio.get_running_loop()
        key = (loop, account_id)
        if key in self._queues:
            yield False
            return
        queue = self._queues[key] = _Queue()
        try:
            yield True
        finally:
            if queue.waiting:
                queue.draining = loop.create_task(self._drain(key, queue))
            else:
                del self._queues[key]

    async def write(self, account_id: str, write: records.Write) -> bool:
        """What `records.write_with_moves` answers for this write alone. The caller holds no connection:
        it may wait for one the queue needs."""
        loop = asyncio.get_running_loop()
        key = (loop, account_id)
        queue = self._queues.get(key)
        if queue is None:
            queue = self._queues[key] = _Queue()
            queue.draining = loop.create_task(self._drain(key, queue))
        outcome: asyncio.Future[bool] = loop.create_future()
        queue.waiting.append((write, outcome))
        return await outcome

    async def _drain(self, key: tuple[asyncio.AbstractEventLoop, str], queue: _Queue) -> None:
        batch: list[tuple[records.Write, asyncio.Future[bool]]] = []
        try:
            while queue.waiting:
                batch = _next_batch(queue)
                await self._write(key[1], batch)
        finally:
            del self._queues[key]
            for _, outcome in (*batch, *queue.waiting):  # cut short by the loop's end: nobody is left waiting
                outcome.cancel()

    async def _write(self, account_id: str, batch: list[tuple[records.Write, asyncio.Future[bool]]]) -> None:
        try:
            async with self._db.read() as conn:
                if len(batch) > 1:
                    try:
                        if await records.write_all_with_moves(conn, account_id, [write for write, _ in batch]):
                            for _, outcome in batch:
                                _settle(outcome, True)
                            return
                    except IntegrityError:
                        pass
                for write, outcome in batch:
                    try:
                        _settle(outcome, await records.write_with_moves(conn, account_id, write))
                    except IntegrityError as e:
                        _fail(outcome, e)
        except Exception as e:  # the connection failed: each waiter learns it
            for _, outcome in batch:
                _fail(outcome, e)


def _next_batch(queue: _Queue) -> list[tuple[records.Write, asyncio.Future[bool]]]:
    """The waiting writes whose requests still wait for them, but for those that move a Value a write
    already in the batch moves: they wait for the next one."""
    batch, later, moved = [], [], set()
    for write, outcome in queue.waiting:
        if outcome.done():
            continue
        ids = {move[0] for move in write.moves}
        if moved & ids:
            later.append((write, outcome))
        else:
            moved |= ids
            batch.append((write, outcome))
    queue.waiting = later
    return batch


def _settle(outcome: asyncio.Future[bool], written: bool) -> None:
    if not outcome.done():
        outcome.set_result(written)


def _fail(outcome: asyncio.Future[bool], error: BaseException) -> None:
    if not outcome.done():
        outcome.set_exception(error)


_OF: weakref.WeakKeyDictionary[Database, GroupCommit] = weakref.WeakKeyDictionary()


def group_commit(db: Database) -> GroupCommit:
    """The database's queues, made on first use."""
    if db not in _OF:
        _OF[db] = GroupCommit(db)
    return _OF[db]
