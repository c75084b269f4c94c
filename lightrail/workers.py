"""Background workers: one loop shape for all of them, with metrics, logs and error tracking."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

from lightrail import metrics
from lightrail.logs import get_logger
from lightrail.tracking import capture

log = get_logger("lightrail.worker")


async def run_periodically(name: str, interval: float, step: Callable[[], Awaitable[object]]) -> None:
    """Runs `step` every `interval` seconds until cancelled; a failing run is reported, never fatal."""
    while True:
        try:
            await step()
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            if asyncio.current_task().cancelling():
                # Cancelled, but a library raised its own error instead (SQLAlchemy does when a statement
                # is cut short): stop as asked rather than count a failed run and go on for ever.
                raise asyncio.CancelledError() from exc
            metrics.worker_runs.labels(name, "failure").inc()
            log.exception("worker run failed", worker=name)
            capture(exc, worker=name)
        else:
            metrics.worker_runs.labels(name, "success").inc()
            metrics.worker_last_success.labels(name).set(time.time())
        await asyncio.sleep(interval)
