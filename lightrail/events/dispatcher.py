"""Reliable event delivery: from the outbox to every matching webhook (platform.md §6.5, §7).

Two steps, both resumable from the tables alone:

1. Fan-out: the outbox events after the dispatcher's cursor become one pending delivery row per matching
   active webhook of the event's account, and the cursor moves past them, in one transaction.
2. Delivery: due deliveries are leased (their next_attempt_at pushed a lease ahead) and posted
   concurrently, at most `concurrency` at a time; each outcome is recorded with the attempt. A dispatcher
   killed mid-delivery loses nothing: the lease runs out and the delivery is due again, with the same
   event id, so receivers can drop the duplicate.

Several dispatchers may run at once: on PostgreSQL they take turns at the cursor and claim deliveries
with FOR UPDATE SKIP LOCKED, on SQLite the single-writer lock serialises both.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

import orjson
from fastapi import FastAPI

from lightrail import metrics
from lightrail.db.engine import Database
from lightrail.events import backlog
from lightrail.logs import get_logger
from lightrail.secretbox import SecretBox, UndecryptableSecret
from lightrail.webhooks import deliveries
from lightrail.webhooks.delivery import FIRST_BYTE_SECONDS, TOTAL_SECONDS, Outcome, WebhookPoster
from lightrail.webhooks.repository import active_subscriptions, secret_values
from lightrail.webhooks.retry import RetryPolicy
from lightrail.webhooks.signing import delivery_headers
from lightrail.webhooks.subscriptions import matches_event
from lightrail.webhooks.tables import DELIVERY_CANCELED, DELIVERY_DELIVERED, DELIVERY_GAVE_UP, DELIVERY_PENDING
from lightrail.workers import run_periodically

log = get_logger("lightrail.webhooks")


@dataclass(frozen=True)
class DispatchConfig:
    poll_interval: float = 0.5
    concurrency: int = 16
    fan_out_batch: int = 200
    # Longer than a whole post (TOTAL_SECONDS), so a live dispatcher never loses its lease.
    lease: timedelta = timedelta(seconds=30)
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    first_byte_seconds: float = FIRST_BYTE_SECONDS
    total_seconds: float = TOTAL_SECONDS


@dataclass(frozen=True)
class Claimed:
    account_id: str
    webhook_id: str
    event_id: str
    attempts: int
    created_at: datetime
    url: str | None
    secrets: list[str]
    body: bytes | None


def _utcnow() -> datetime:
    return datetime.now(timezone.utc)


class Dispatcher:
    def __init__(self, db: Database, box: SecretBox, allow_insecure: bool, config: DispatchConfig = DispatchConfig()):
        self.db = db
        self.box = box
        self.config = config
        self.poster = WebhookPoster(allow_insecure, config.first_byte_seconds, config.total_seconds)
        self._in_flight: set[asyncio.Task[None]] = set()

    async def run(self) -> None:
        try:
            await run_periodically("webhooks", self.config.poll_interval, self.step)
        finally:
            await self.stop()

    async def stop(self) -> None:
        """Abandons posts in flight (their leases run out and they are tried again) and closes connections."""
        for task in self._in_flight:
            task.cancel()
        await asyncio.gather(*self._in_flight, return_exceptions=True)
        await self.poster.aclose()

    async def step(self) -> None:
        while await self.fan_out() == self.config.fan_out_batch:
            pass
        free = self.config.concurrency - len(self._in_flight)
        if free <= 0:
            return
        for claimed in await self.claim(free):
            task = asyncio.create_task(self._deliver(claimed))
            self._in_flight.add(task)
            task.add_done_callback(self._in_flight.discard)

    async def fan_out(self) -> int:
        async with self.db.transaction() as conn:
            claimed = await backlog.take_next(conn, self.config.fan_out_batch)
            if not claimed:
                return 0
            hooks = await active_subscriptions(conn, {event.account_id for event in claimed})
            pairs = [
                (event.account_id, webhook_id, event.id)
                for event in claimed
                for webhook_id, subscribed in hooks.get(event.account_id, [])
                if matches_event(subscribed, event.type)
            ]
            await deliveries.add(conn, pairs, _utcnow())
        return len(claimed)

    async def claim(self, limit: int) -> list[Claimed]:
        now = _utcnow()
        async with self.db.transaction() as conn:
            rows = await deliveries.claim_due(conn, now, limit, now + self.config.lease)
            return [await self._load(conn, row) for row in rows]

    async def _load(self, conn: Any, row: Any) -> Claimed:
        webhook = await deliveries.webhook(conn, row.account_id, row.webhook_id)
        event = await backlog.public_event(conn, row.account_id, row.event_id)
        usable = webhook is not None and webhook.active and event is not None
        secrets: list[str] = []
        if usable:
            try:
                secrets = secret_values(webhook, self.box)
            except UndecryptableSecret:
                # Only a changed code secret does this; refusing here keeps it from blocking every other delivery.
                log.error("webhook secrets cannot be decrypted", webhook=row.webhook_id, account=row.account_id)
                usable = False
        return Claimed(
            row.account_id, row.webhook_id, row.event_id, row.attempts, row.created_at,
            url=webhook.url if usable else None, secrets=secrets, body=orjson.dumps(event) if usable else None,
        )

    async def _deliver(self, claimed: Claimed) -> None:
        try:
            if claimed.url is None:
                await self._cancel(claimed)
                return
            headers = delivery_headers(claimed.event_id, int(time.time()), claimed.body, claimed.secrets)
            await self._record(claimed, await self.poster.post(claimed.url, claimed.body, headers))
        except asyncio.CancelledError:
            raise
        except Exception:
            # The lease runs out and the delivery is tried again; never let one delivery stop the loop.
            log.exception("webhook delivery failed unexpectedly", webhook=claimed.webhook_id, event_id=claimed.event_id)

    async def _cancel(self, claimed: Claimed) -> None:
        """Deleted, deactivated or unusable since the event was fanned out: nothing to send any more."""
        async with self.db.transaction() as conn:
            await deliveries.finish(
                conn, claimed.account_id, claimed.webhook_id, claimed.event_id, status=DELIVERY_CANCELED,
                attempts=claimed.attempts, next_attempt_at=None, at=_utcnow(),
            )

    async def _record(self, claimed: Claimed, outcome: Outcome) -> None:
        now = _utcnow()
        attempts = claimed.attempts + 1
        if outcome.delivered:
            status, next_at, label = DELIVERY_DELIVERED, None, "success"
        elif now - claimed.created_at >= self.config.retry.give_up_after:
            status, next_at, label = DELIVERY_GAVE_UP, None, "gave_up"
            log.warning("webhook delivery given up", webhook=claimed.webhook_id, event_id=claimed.event_id,
                        account=claimed.account_id, attempts=attempts)
        else:
            status, next_at, label = DELIVERY_PENDING, now + self.config.retry.delay(attempts), "failure"
        async with self.db.transaction() as conn:
            await deliveries.add_attempt(
                conn, claimed.account_id, claimed.webhook_id, claimed.event_id, attempt=attempts, at=now,
                status_code=outcome.status_code, duration_ms=outcome.duration_ms, error=outcome.error,
            )
            await deliveries.finish(
                conn, claimed.account_id, claimed.webhook_id, claimed.event_id, status=status,
                attempts=attempts, next_attempt_at=next_at, at=now,
            )
        metrics.webhook_deliveries.labels(label).inc()


async def dispatch_events(app: FastAPI) -> None:
    """The background worker: runs inside `lightrail serve` and `lightrail worker`."""
    dispatcher = Dispatcher(
        app.state.db, app.state.webhook_box, app.state.settings.webhook_allow_insecure, app.state.dispatch_config,
    )
    await dispatcher.run()
