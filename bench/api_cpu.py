"""CPU per request of the API and of PostgreSQL, measured without HTTP, a load generator or the machine's drift.

    .venv/bin/python bench/api_cpu.py                                    # this checkout
    .venv/bin/python bench/api_cpu.py --build /path/to/other/checkout .  # builds taking turns

Each build runs in its own process, which imports that checkout's `lightrail`, starts the app as uvicorn
would (lifespan included) and calls it as an ASGI app: debits (or checkouts) of random gift cards, 8 at
a time, the access line written to /dev/null, on a PostgreSQL database of its own that its own
migrations made (builds may differ in schema). The builds take turns in batches; each batch's CPU, the
build's process and every PostgreSQL process, is divided by its requests, so what the machine does
meanwhile (its speed moves by a third within minutes here) touches every build alike. The API's figure
is what `bench/load.py` reports as API CPU minus the HTTP server's share.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

import uvloop
from load import cpu_seconds_since, cpu_times, data_set, postgres_processes, psql

ROOT = Path(__file__).resolve().parents[1]
SECRET = "bench-secret-bench-secret-bench-secret"
PG = "postgresql://postgres@127.0.0.1:5432"
CONCURRENCY = 8


def request_body(kind: str, transaction_id: str, cards: int) -> dict:
    """What load_checkout.lua sends wrk's way."""
    card = f"gc-{random.randrange(cards):04d}"
    if kind == "debit":
        return {"id": transaction_id, "currency": "USD", "amount": 1, "source": {"rail": "lightrail", "valueId": card}}
    return {
        "id": transaction_id, "currency": "USD",
        "lineItems": [
            {"type": "product", "productId": "hat", "unitPrice": 2000, "quantity": 1, "taxRate": 0.05},
            {"type": "product", "productId": "scarf", "unitPrice": 1500, "quantity": 2, "taxRate": 0.05},
        ],
        "sources": [{"rail": "lightrail", "valueId": "promo"}, {"rail": "lightrail", "valueId": card}],
    }


class InProcess:
    """The app, started, and a way to send it one request as uvicorn would."""

    def __init__(self) -> None:
        from lightrail.asgi import create
        from lightrail.auth.badge import badge_payload, sign
        from lightrail.auth.scopes import FULL_ACCESS_ROLES

        self.app = create()
        payload = badge_payload(
            account_id="bench", user_id="bench", roles=list(FULL_ACCESS_ROLES), scopes=[], audience="API",
            issuer="EDHI", issued_at=int(time.time()), expires_at=None,
        )
        self.headers = [
            (b"host", b"bench"), (b"authorization", f"Bearer {sign(payload, SECRET)}".encode()),
            (b"content-type", b"application/json"),
        ]

    async def start(self) -> None:
        self._lifespan = asyncio.Queue()
        started = asyncio.get_running_loop().create_future()

        async def send(message: dict) -> None:
            if message["type"] == "lifespan.startup.complete":
                started.set_result(None)
            elif message["type"] == "lifespan.startup.failed":
                started.set_exception(RuntimeError(message.get("message")))

        await self._lifespan.put({"type": "lifespan.startup"})
        self._task = asyncio.create_task(self.app({"type": "lifespan", "asgi": {"version": "3.0"}}, self._lifespan.get, send))
        await started

    async def stop(self) -> None:
        await self._lifespan.put({"type": "lifespan.shutdown"})
        await self._task

    async def post(self, path: str, body: dict) -> int:
        raw = json.dumps(body).encode()
        scope = {
            "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST", "scheme": "http",
            "path": path, "raw_path": path.encode(), "query_string": b"", "root_path": "",
            "headers": [*self.headers, (b"content-length", str(len(raw)).encode())],
            "client": ("127.0.0.1", 50000), "server": ("127.0.0.1", 8080),
        }
        messages = [{"type": "http.request", "body": raw, "more_body": False}]
        status = 0

        async def receive() -> dict:
            return messages.pop() if messages else {"type": "http.disconnect"}

        async def send(message: dict) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]

        await self.app(scope, receive, send)
        return status


async def set_up(cards: int) -> None:
    api = InProcess()
    await api.start()
    try:
        for path, body in data_set(cards):
            status = await api.post(path, body)
            if status not in (200, 201):
                raise SystemExit(f"setup failed: POST {path} → {status}")
    finally:
        await api.stop()


async def serve_batches(kind: str, cards: int, tag: str, results) -> None:
    """Answers each line on stdin (a number of requests) with the CPU seconds that many cost."""
    api = InProcess()
    await api.start()
    path = f"/v2/transactions/{kind}"
    counter = 0
    try:
        for line in iter(sys.stdin.readline, ""):
            count = int(line)
            failures = 0

            async def client(n: int) -> None:
                nonlocal counter, failures
                for _ in range(n):
                    counter += 1
                    if await api.post(path, request_body(kind, f"{tag}-{counter}", cards)) not in (200, 201):
                        failures += 1

            started = time.process_time()
            await asyncio.gather(*(client(count // CONCURRENCY) for _ in range(CONCURRENCY)))
            cpu = time.process_time() - started
            print(json.dumps({"cpu": cpu, "requests": count // CONCURRENCY * CONCURRENCY, "failures": failures}), file=results, flush=True)
    finally:
        await api.stop()


def database(index: int) -> str:
    return f"lightrail_api_cpu_{index}"


def child_env(build: Path, index: int) -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(build), "LIGHTRAIL_DATABASE_URL": f"{PG}/{database(index)}",
            "LIGHTRAIL_JWT_SECRET": SECRET, "LIGHTRAIL_LOG_LEVEL": "INFO"}


def start_build(build: Path, index: int, args: argparse.Namespace) -> subprocess.Popen:
    """The build's database, migrated and filled by the build itself, and its process waiting for batches."""
    env = child_env(build, index)
    psql(f"DROP DATABASE IF EXISTS {database(index)}")
    psql(f"CREATE DATABASE {database(index)}")
    subprocess.run([sys.executable, "-m", "lightrail", "migrate"], env=env, check=True, capture_output=True)
    command = [sys.executable, __file__, "--kind", args.kind, "--cards", str(args.cards), "--child"]
    subprocess.run([*command, "setup"], env=env, check=True, stderr=subprocess.DEVNULL)
    psql("ANALYZE", database=database(index))
    return subprocess.Popen([*command, f"b{index}"], env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True)


def report(name: str, builds: list[Path], samples: list[list[float]]) -> None:
    first = statistics.median(samples[0])
    for build, mine in zip(builds, samples):
        median = statistics.median(mine)
        print(f"  {name:10} median {median:.3f}  (min {min(mine):.3f}, max {max(mine):.3f})  {median / first:.3f} of the first  {build}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--build", nargs="+", type=Path, default=[ROOT], help="checkouts to compare (default: this one)")
    parser.add_argument("--kind", choices=["debit", "checkout"], default="debit")
    parser.add_argument("--batch", type=int, default=400, help="requests per batch")
    parser.add_argument("--rounds", type=int, default=12, help="batches of each build")
    parser.add_argument("--cards", type=int, default=200)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        # The results go to the parent on the original stdout; the app's log lines to /dev/null.
        results = os.fdopen(os.dup(1), "w", buffering=1)
        os.dup2(os.open(os.devnull, os.O_WRONLY), 1)
        work = set_up(args.cards) if args.child == "setup" else serve_batches(args.kind, args.cards, args.child, results)
        with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:  # uvicorn's loop
            runner.run(work)
        return

    builds = [b.resolve() for b in args.build]
    children = [start_build(build, i, args) for i, build in enumerate(builds)]
    api_ms: list[list[float]] = [[] for _ in builds]
    database_ms: list[list[float]] = [[] for _ in builds]
    try:
        for round_ in range(args.rounds + 1):  # the first round warms up every build and is not counted
            for i, child in enumerate(children):
                database_before = cpu_times(postgres_processes())
                child.stdin.write(f"{args.batch}\n")
                child.stdin.flush()
                result = json.loads(child.stdout.readline())
                database_cpu = cpu_seconds_since(database_before, postgres_processes())
                if result["failures"]:
                    raise SystemExit(f"build {builds[i]}: {result['failures']} requests failed")
                if round_:
                    api_ms[i].append(1000 * result["cpu"] / result["requests"])
                    database_ms[i].append(1000 * database_cpu / result["requests"])
    finally:
        for child in children:
            child.stdin.close()
            child.wait(timeout=60)
        for i in range(len(builds)):
            psql(f"DROP DATABASE IF EXISTS {database(i)}")
    print(f"{args.kind}, {args.rounds} batches of {args.batch} per build, {CONCURRENCY} at a time; CPU ms per request")
    report("API", builds, api_ms)
    report("PostgreSQL", builds, database_ms)


if __name__ == "__main__":
    main()
