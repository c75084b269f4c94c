"""Every Prometheus metric the server exports, on one registry served at /metrics.

Business counters are fed from the events a committed transaction wrote, so they count only what
happened; gauges that need the database are refreshed by a periodic collector (see `operations`).
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client.metrics import MetricWrapperBase

REGISTRY = CollectorRegistry()

http_requests = Counter(
    "lightrail_http_requests", "HTTP requests by route template, method and status.",
    ["route", "method", "status"], registry=REGISTRY,
)
http_latency = Histogram(
    "lightrail_http_request_duration_seconds", "HTTP request latency by route template.",
    ["route", "method"], registry=REGISTRY,
    buckets=(0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
events_written = Counter(
    "lightrail_events_written", "Lightrail events committed to the outbox, by type.", ["type"], registry=REGISTRY,
)
transactions = Counter(
    "lightrail_transactions", "Committed transactions by type and currency.",
    ["type", "currency"], registry=REGISTRY,
)
value_issued = Counter(
    "lightrail_value_issued", "Minor units added to values (initial balances, credits), by currency.",
    ["currency"], registry=REGISTRY,
)
value_redeemed = Counter(
    "lightrail_value_redeemed", "Minor units taken from values (debits, checkouts), by currency.",
    ["currency"], registry=REGISTRY,
)
value_outstanding = Gauge(
    "lightrail_value_outstanding", "Sum of the balances of all values, by currency (refreshed periodically).",
    ["currency"], registry=REGISTRY,
)
webhook_deliveries = Counter(
    "lightrail_webhook_deliveries", "Webhook delivery attempts by outcome (success, failure, gave_up).",
    ["outcome"], registry=REGISTRY,
)
outbox_backlog = Gauge(
    "lightrail_outbox_backlog_events", "Events written but not yet dispatched.", registry=REGISTRY,
)
outbox_oldest_age = Gauge(
    "lightrail_outbox_oldest_event_age_seconds", "Age of the oldest undispatched event.", registry=REGISTRY,
)
pending_overdue = Gauge(
    "lightrail_pending_transactions_overdue", "Pending transactions past their void date, not yet voided.",
    registry=REGISTRY,
)
worker_runs = Counter(
    "lightrail_worker_runs", "Background worker iterations by worker and outcome.",
    ["worker", "outcome"], registry=REGISTRY,
)
worker_last_success = Gauge(
    "lightrail_worker_last_success_timestamp_seconds", "When each background worker last completed a run.",
    ["worker"], registry=REGISTRY,
)
database_up = Gauge(
    "lightrail_database_up", "1 when the last database probe succeeded, else 0.", registry=REGISTRY,
)
db_pool_in_use = Gauge(
    "lightrail_db_pool_connections_in_use", "Database connections checked out of this process's pool.",
    registry=REGISTRY,
)


# A labelled child is looked up by its label values on every `labels()` call (a lock, a tuple, a dict):
# the children of the per-request metrics are kept here instead, one per combination seen.
@cache
def _child(metric: MetricWrapperBase, *labels: str) -> MetricWrapperBase:
    return metric.labels(*labels)


def count_request(route: str, method: str, status: int, seconds: float) -> None:
    _child(http_requests, route, method, str(status)).inc()
    _child(http_latency, route, method).observe(seconds)


def count_committed_events(rows: Iterable[dict[str, Any]]) -> None:
    for row in rows:
        _child(events_written, row["type"]).inc()
        if row["type"] == "lightrail.transaction.created":
            _count_transaction(row["data"].get("newTransaction") or {})


def _count_transaction(transaction: dict[str, Any]) -> None:
    currency = transaction.get("currency") or ""
    _child(transactions, transaction.get("transactionType") or "", currency).inc()
    for step in transaction.get("steps") or []:
        change = step.get("balanceChange") if step.get("rail") == "lightrail" else None
        if not change:
            continue
        _child(value_issued if change > 0 else value_redeemed, currency).inc(abs(change))
