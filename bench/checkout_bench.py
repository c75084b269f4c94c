"""Checkout throughput and latency, in-process or against a running `lightrail serve`.

    .venv/bin/python bench/checkout_bench.py                                   # in-process, temporary SQLite
    .venv/bin/python bench/checkout_bench.py --database postgresql://postgres@127.0.0.1/bench
    .venv/bin/python bench/checkout_bench.py --url http://127.0.0.1:8000 --token <full-access JWT>

It creates a USD currency, a 10% pretax promotion and --cards gift cards, then drives --requests
checkouts (two taxed line items, the promotion and one random card) with --concurrency in flight,
and prints requests per second and p50/p99 latency.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import tempfile
import time
import uuid
from pathlib import Path

import httpx

BENCH_SECRET = "checkout-bench-secret-of-32-bytes-or-more"


async def prepare(client: httpx.AsyncClient, cards: int) -> list[str]:
    await client.post("/v2/currencies", json={"code": "USD", "name": "US dollars", "symbol": "$", "decimalPlaces": 2})
    await client.post("/v2/values", json={
        "id": "bench-promo", "currency": "USD", "pretax": True, "discount": True,
        "balanceRule": {"rule": "currentLineItem.lineTotal.subtotal * 0.1", "explanation": "10% off"},
    })
    ids = [f"bench-card-{uuid.uuid4().hex[:10]}" for _ in range(cards)]
    for value_id in ids:
        response = await client.post("/v2/values", json={"id": value_id, "currency": "USD", "balance": 100_000_000})
        response.raise_for_status()
    return ids


async def drive(client: httpx.AsyncClient, cards: list[str], requests: int, concurrency: int) -> tuple[list[float], int]:
    latencies: list[float] = []
    failures = 0
    queue = iter(range(requests))

    async def one_worker() -> None:
        nonlocal failures
        for _ in queue:
            body = {
                "id": uuid.uuid4().hex, "currency": "USD",
                "lineItems": [{"unitPrice": 1999, "taxRate": 0.05}, {"unitPrice": 499, "quantity": 2, "taxRate": 0.05}],
                "sources": [{"rail": "lightrail", "valueId": "bench-promo"}, {"rail": "lightrail", "valueId": random.choice(cards)}],
            }
            started = time.perf_counter()
            response = await client.post("/v2/transactions/checkout", json=body)
            latencies.append(time.perf_counter() - started)
            failures += response.status_code != 201

    await asyncio.gather(*(one_worker() for _ in range(concurrency)))
    return latencies, failures


def report(latencies: list[float], failures: int, elapsed: float) -> None:
    cuts = statistics.quantiles(latencies, n=100)
    print(f"{len(latencies)} checkouts in {elapsed:.1f}s: {len(latencies) / elapsed:.1f} req/s, "
          f"p50 {cuts[49] * 1000:.1f} ms, p99 {cuts[98] * 1000:.1f} ms, {failures} not 201")


async def run(args: argparse.Namespace) -> None:
    if args.url:
        client = httpx.AsyncClient(base_url=args.url, headers={"Authorization": f"Bearer {args.token}"}, timeout=60)
        app = None
    else:
        from lightrail.app import create_app
        from lightrail.auth.badge import badge_payload, sign
        from lightrail.auth.scopes import FULL_ACCESS_ROLES
        from lightrail.settings import Settings

        app = create_app(Settings(database_url=args.database, jwt_secret=BENCH_SECRET, run_workers=False, _env_file=None))
        account = f"bench-{uuid.uuid4().hex[:8]}-TEST"
        token = sign(badge_payload(account_id=account, user_id=account, roles=list(FULL_ACCESS_ROLES), audience="API", issuer="EDHI"), BENCH_SECRET)
        client = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://bench", headers={"Authorization": f"Bearer {token}"}, timeout=60,
        )
    async with client:
        cards = await prepare(client, args.cards)
        started = time.perf_counter()
        latencies, failures = await drive(client, cards, args.requests, args.concurrency)
        report(latencies, failures, time.perf_counter() - started)
    if app is not None:
        await app.state.db.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", help="a running server; in-process when absent")
    parser.add_argument("--token", help="full-access JWT for --url")
    parser.add_argument("--database", help="database URL for the in-process run (default: temporary SQLite)")
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--cards", type=int, default=50)
    args = parser.parse_args()
    if not args.url:
        from lightrail.db.migrate import upgrade

        args.database = args.database or f"sqlite:///{Path(tempfile.mkdtemp()) / 'bench.db'}"
        upgrade(args.database)
    asyncio.run(run(args))


if __name__ == "__main__":
    main()
