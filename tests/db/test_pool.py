"""The pool keeps a fixed set of connections: concurrent units of work beyond it wait for one rather than
open (and soon close again) connections of their own."""

from __future__ import annotations

import asyncio

import pytest

from lightrail.db.engine import Database, driver_connection

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def test_concurrent_work_beyond_the_pool_waits_for_its_connections(database_url: str) -> None:
    async def main() -> tuple[set[int], int]:
        db = Database(database_url, pool_size=2)
        used: set[int] = set()
        busy = peak = 0

        async def reader() -> None:
            nonlocal busy, peak
            async with db.read() as conn:
                busy += 1
                peak = max(peak, busy)
                used.add(id(await driver_connection(conn)))
                await asyncio.sleep(0.02)
                busy -= 1

        try:
            for _ in range(2):  # a second wave reuses the same connections
                await asyncio.gather(*(reader() for _ in range(8)))
        finally:
            await db.dispose()
        return used, peak

    used, peak = asyncio.run(main())
    assert peak == 2
    assert len(used) == 2
