"""The background worker loop: failures are survived, cancellation always ends it."""

from __future__ import annotations

import asyncio

import pytest

from lightrail.workers import run_periodically


def _run_until_cancelled(step) -> BaseException | None:
    """Starts the loop, cancels it once `step` is waiting, and returns how the loop ended."""

    async def main() -> BaseException | None:
        waiting = asyncio.Event()

        async def watched_step() -> None:
            waiting.set()
            await step()

        task = asyncio.create_task(run_periodically("test", 0.01, watched_step))
        await waiting.wait()
        task.cancel()
        done, _ = await asyncio.wait([task], timeout=2)
        if not done:
            task.cancel()
            return None
        return task.exception() if not task.cancelled() else asyncio.CancelledError()

    return asyncio.run(main())


def test_a_cancelled_step_ends_the_loop() -> None:
    assert isinstance(_run_until_cancelled(lambda: asyncio.sleep(10)), asyncio.CancelledError)


def test_a_cancellation_a_library_turned_into_its_own_error_still_ends_the_loop() -> None:
    async def step() -> None:
        try:
            await asyncio.sleep(10)
        except asyncio.CancelledError:
            # What SQLAlchemy does when a statement is cut short: PendingRollbackError instead.
            raise RuntimeError("the library's own error") from None

    assert isinstance(_run_until_cancelled(step), asyncio.CancelledError)


def test_a_failing_step_is_run_again() -> None:
    runs = []

    async def main() -> None:
        async def step() -> None:
            runs.append(1)
            raise RuntimeError("failed run")

        task = asyncio.create_task(run_periodically("test", 0.001, step))
        while len(runs) < 3:
            await asyncio.sleep(0.01)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    asyncio.run(main())
    assert len(runs) >= 3
