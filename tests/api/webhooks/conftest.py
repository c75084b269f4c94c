from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import replace

import pytest

from lightrail.events import backlog
from lightrail.events.dispatcher import DispatchConfig, Dispatcher
from lightrail.webhooks.retry import RetryPolicy
from tests.api.webhooks.receiver import Receiver, start_receiver

# Fast enough for tests: polls every 50 ms, retries after exactly 0.1 s, 0.2 s, … (no jitter).
FAST = DispatchConfig(
    poll_interval=0.05, retry=RetryPolicy(base_seconds=0.05, jitter=lambda: 1.0),
    first_byte_seconds=1.0, total_seconds=1.5,
)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    found, server = start_receiver()
    yield found
    server.shutdown()
    server.server_close()


class RunningDispatchers:
    """Starts dispatchers on the app's loop (as `serve` would) and stops them all at the end."""

    def __init__(self, app, run_async) -> None:
        self.app = app
        self.run_async = run_async
        self.running: list[tuple[Dispatcher, asyncio.Task]] = []

    def make(self, allow_insecure: bool = True, **changes) -> Dispatcher:
        config = replace(FAST, **changes)
        return self.run_async(self._make, allow_insecure, config)

    async def _make(self, allow_insecure: bool, config: DispatchConfig) -> Dispatcher:
        return Dispatcher(self.app.state.db, self.app.state.webhook_box, allow_insecure, config)

    def start(self, allow_insecure: bool = True, **changes) -> Dispatcher:
        dispatcher = self.make(allow_insecure, **changes)

        async def start() -> None:
            self.running.append((dispatcher, asyncio.create_task(dispatcher.run())))

        self.run_async(start)
        return dispatcher

    def stop(self, dispatcher: Dispatcher) -> None:
        task = next(t for d, t in self.running if d is dispatcher)
        self.running = [(d, t) for d, t in self.running if d is not dispatcher]

        async def stop() -> None:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)

        self.run_async(stop)

    def stop_all(self) -> None:
        for dispatcher, _ in list(self.running):
            self.stop(dispatcher)


async def _skip_backlog(app) -> None:
    """Every test before this one left its events untaken (the app runs no workers in tests): thousands
    in a full run, which a dispatcher would fan out, to earlier tests' webhooks, before this test's own."""
    async with app.state.db.transaction() as conn:
        await backlog.pass_all(conn)


@pytest.fixture
def dispatchers(app, run_async, settings, monkeypatch) -> Iterator[RunningDispatchers]:
    monkeypatch.setattr(settings, "webhook_allow_insecure", True)
    run_async(_skip_backlog, app)
    running = RunningDispatchers(app, run_async)
    yield running
    running.stop_all()
