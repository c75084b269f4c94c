"""Running a test's async work on the real test database, with its own Database and event loop."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

from lightrail.db.engine import Database

T = TypeVar("T")


def run_with_database(database_url: str, work: Callable[[Database], Awaitable[T]], pool_size: int = 2) -> T:
    """`work(db)` on a Database of its own over `database_url`, disposed of afterwards."""

    async def main() -> T:
        db = Database(database_url, pool_size=pool_size)
        try:
            return await work(db)
        finally:
            await db.dispose()

    return asyncio.run(main())
