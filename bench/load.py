"""Checkout and debit throughput of a real `lightrail serve`, side by side with pgbench TPC-B.

    .venv/bin/python bench/load.py                      # PostgreSQL on 127.0.0.1, fresh databases
    .venv/bin/python bench/load.py --sqlite             # the embedded default
    .venv/bin/python bench/load.py --workers 2 --duration 20 --connections 1 8 32

It starts the server, creates a USD currency, a 10% pretax promotion (a balance rule) and 1,000 gift
cards through the API, drives checkouts (2 line items with tax, the promotion and one random card) and
debits (one random card) with wrk at each concurrency, runs pgbench TPC-B on the same PostgreSQL before
and after those runs, and prints requests per second, p50/p90/p99, the ratio to pgbench (to the mean
of its two runs), the CPU each request cost the API processes and PostgreSQL's, and whether every 2xx
landed and the ledger still balances (`lightrail verify`). Needs wrk (Debian package) and, on PostgreSQL, pgbench.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
LUA = Path(__file__).with_name("load_checkout.lua")
SECRET = "bench-secret-bench-secret-bench-secret"
PG = "postgresql://postgres@127.0.0.1:5432"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def psql(sql: str, database: str = "postgres") -> None:
    subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", database, "-qc", sql], check=True, capture_output=True)


def start_server(env: dict[str, str], port: int, workers: int, workdir: Path) -> subprocess.Popen:
    log = open(workdir / "serve.log", "w")
    process = subprocess.Popen(
        [sys.executable, "-m", "lightrail", "serve", "--port", str(port), "--workers", str(workers)],
        env=env, cwd=workdir, stdout=log, stderr=subprocess.STDOUT,
    )
    for _ in range(150):
        try:
            if httpx.get(f"http://127.0.0.1:{port}/v2/healthCheck", timeout=1).status_code == 200:
                return process
        except httpx.HTTPError:
            time.sleep(0.2)
    process.terminate()
    raise SystemExit("server did not start; see " + str(workdir / "serve.log"))


def token(env: dict[str, str], account: str) -> str:
    return subprocess.run(
        [sys.executable, "-m", "lightrail", "token", "--account", account], env=env,
        capture_output=True, text=True, check=True,
    ).stdout.strip()


def data_set(cards: int) -> Iterator[tuple[str, dict]]:
    """The requests (path, body) that create what the runs use: a currency, the promotion and the cards."""
    yield "/v2/currencies", {"code": "USD", "name": "US Dollar", "symbol": "$", "decimalPlaces": 2}
    yield "/v2/values", {
        "id": "promo", "currency": "USD", "discount": True, "pretax": True,
        "balanceRule": {"rule": "currentLineItem.lineTotal.subtotal * 0.1", "explanation": "10% off"},
    }
    for i in range(cards):
        yield "/v2/values", {"id": f"gc-{i:04d}", "currency": "USD", "balance": 1_000_000_000}


def create_data(base: str, bearer: str, cards: int) -> None:
    headers = {"Authorization": f"Bearer {bearer}"}
    with httpx.Client(base_url=base, headers=headers, timeout=30) as client:
        for path, body in data_set(cards):
            response = client.post(path, json=body)
            if response.status_code not in (200, 201):
                raise SystemExit(f"setup failed: POST {path} → {response.status_code} {response.text}")


def _proc_stat(pid: int) -> list[str] | None:
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return text[text.rindex(")") + 2:].split()  # fields from the state on; the name may hold spaces


def cpu_times(pids: list[int]) -> dict[int, int]:
    """CPU each process has had so far, in nanoseconds (/proc/<pid>/schedstat: /proc/<pid>/stat counts
    10 ms ticks, too coarse for a short batch); nothing where there is no such process."""
    times = {}
    for pid in pids:
        try:
            times[pid] = int(Path(f"/proc/{pid}/schedstat").read_text().split()[0])
        except OSError:
            continue
    return times


def cpu_seconds_since(before: dict[int, int], pids: list[int]) -> float:
    """CPU used since `before` by these processes, those started since counted whole; what processes
    that exited meanwhile used is lost (PostgreSQL backends of connections the pool closed)."""
    return sum(now - before.get(pid, 0) for pid, now in cpu_times(pids).items()) / 1e9


def process_tree(root: int) -> list[int]:
    """The server and the API processes it started."""
    parents = {}
    for entry in Path("/proc").glob("[0-9]*"):
        fields = _proc_stat(int(entry.name))
        if fields is not None:
            parents[int(entry.name)] = int(fields[1])
    tree = [root]
    for pid in tree:
        tree += [child for child, parent in parents.items() if parent == pid]
    return tree


def postgres_processes() -> list[int]:
    pids = []
    for entry in Path("/proc").glob("[0-9]*"):
        try:
            if (entry / "comm").read_text().strip() == "postgres":
                pids.append(int(entry.name))
        except OSError:
            continue
    return pids


def run_wrk(base: str, env: dict[str, str], kind: str, connections: int, duration: int, cards: int, prefix: str, server: int) -> dict:
    wrk_env = {**os.environ, "LR_TOKEN": env["LR_TOKEN"], "LR_KIND": kind, "LR_CARDS": str(cards), "LR_PREFIX": prefix}
    threads = max(1, min(connections, 2))
    api_before, database_before = cpu_times(process_tree(server)), cpu_times(postgres_processes())
    out = subprocess.run(
        ["wrk", "-t", str(threads), "-c", str(connections), "-d", f"{duration}s", "--latency", "-s", str(LUA), base],
        env=wrk_env, capture_output=True, text=True, check=True,
    ).stdout
    api_cpu = cpu_seconds_since(api_before, process_tree(server))
    database_cpu = cpu_seconds_since(database_before, postgres_processes())
    result = json.loads(re.search(r"RESULT (\{.*\})", out).group(1))
    seconds = result["duration_us"] / 1e6
    ok = result["requests"] - result["non2xx"]
    per_request = 1000 / max(result["requests"], 1)
    return {**result, "ok": ok, "rps": ok / seconds, "api_ms": api_cpu * per_request, "db_ms": database_cpu * per_request}


def autovacuum_setting() -> str:
    return subprocess.run(
        ["psql", "-h", "127.0.0.1", "-U", "postgres", "-Atc", "SHOW autovacuum"], check=True, capture_output=True, text=True,
    ).stdout.strip()


def pgbench_tps(clients: int, duration: int) -> float:
    psql("DROP DATABASE IF EXISTS lightrail_pgbench")
    psql("CREATE DATABASE lightrail_pgbench")
    subprocess.run(["pgbench", "-h", "127.0.0.1", "-U", "postgres", "-i", "-s", "10", "-q", "lightrail_pgbench"], check=True, capture_output=True)
    out = subprocess.run(
        ["pgbench", "-h", "127.0.0.1", "-U", "postgres", "-c", str(clients), "-j", "2", "-T", str(duration), "lightrail_pgbench"],
        check=True, capture_output=True, text=True,
    ).stdout
    psql("DROP DATABASE IF EXISTS lightrail_pgbench")
    return float(re.search(r"tps = ([\d.]+)", out).group(1))


def landed(env: dict[str, str], kind: str, prefix: str) -> int:
    script = (
        "import asyncio, sqlalchemy as sa\n"
        "from lightrail.db.engine import Database\n"
        "from lightrail.settings import load_settings\n"
        "from lightrail.transactions.tables import transactions as t\n"
        "async def main():\n"
        "    db = Database(load_settings().effective_database_url)\n"
        "    async with db.read() as c:\n"
        f"        n = (await c.execute(sa.select(sa.func.count()).where(t.c.transaction_type == '{kind}', t.c.id.like('{prefix}-%')))).scalar_one()\n"
        "    await db.dispose()\n"
        "    print(n)\n"
        "asyncio.run(main())\n"
    )
    return int(subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True).stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sqlite", action="store_true", help="benchmark the embedded SQLite default")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--duration", type=int, default=15)
    parser.add_argument("--connections", type=int, nargs="+", default=[1, 8, 32])
    parser.add_argument("--cards", type=int, default=1000)
    parser.add_argument("--kinds", nargs="+", default=["checkout", "debit"])
    parser.add_argument("--warmup", type=int, default=5, help="seconds of each kind, not measured, before the runs")
    parser.add_argument("--rounds", type=int, default=1,
                        help="repeat each run this many times back to back, to see throughput under sustained load")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is needed: apt-get install wrk")

    workdir = Path(tempfile.mkdtemp(prefix="lightrail-bench-"))
    if args.sqlite:
        url = f"sqlite:///{workdir / 'bench.db'}"
    else:
        psql("DROP DATABASE IF EXISTS lightrail_bench")
        psql("CREATE DATABASE lightrail_bench")
        url = f"{PG}/lightrail_bench"
    env = {**os.environ, "LIGHTRAIL_DATABASE_URL": url, "LIGHTRAIL_JWT_SECRET": SECRET, "LIGHTRAIL_LOG_LEVEL": "INFO",
           "PYTHONPATH": str(ROOT)}
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = start_server(env, port, args.workers, workdir)
    rows = []
    pgbench_runs: list[float] = []
    try:
        env["LR_TOKEN"] = token(env, "bench")
        create_data(base, env["LR_TOKEN"], args.cards)
        if args.warmup:
            for kind in args.kinds:
                run_wrk(base, env, kind, max(args.connections), args.warmup, args.cards, f"warmup-{kind}", server.pid)
        if not args.sqlite:
            # The statistics autovacuum would have gathered by now on a running system: until a table has
            # been analyzed, the planner takes it for empty, and the plans the server's connections cached
            # meanwhile may reach a Value by primary key through another index that starts with
            # account_id, reading every Value of the account. ANALYZE has them planned again.
            psql("ANALYZE", database="lightrail_bench")
            # The machine's speed drifts within minutes: pgbench runs before and after the measured runs,
            # and the ratios are to the mean of the two.
            pgbench_runs.append(pgbench_tps(8, args.duration))
        for kind in args.kinds:
            for connections in args.connections:
                for round_ in range(args.rounds):
                    prefix = f"{kind}{connections}r{round_}"
                    result = run_wrk(base, env, kind, connections, args.duration, args.cards, prefix, server.pid)
                    rows.append((kind, connections, result, prefix))
    finally:
        server.terminate()
        server.wait(timeout=30)

    if not args.sqlite:
        pgbench_runs.append(pgbench_tps(8, args.duration))
    tps = sum(pgbench_runs) / len(pgbench_runs) if pgbench_runs else None
    print(f"\nmachine: {os.cpu_count()} cores; database: {'SQLite' if args.sqlite else 'PostgreSQL'}; "
          f"API processes: {args.workers}; {args.duration}s per run")
    if tps:
        before, after = pgbench_runs
        print(f"pgbench TPC-B (8 clients): {tps:,.0f} tps (mean of {before:,.0f} before the runs and {after:,.0f} after)")
        if autovacuum_setting() != "on":
            # Without autoanalyze the plans cached while the tables were empty are never replanned.
            print("WARNING: autovacuum is off on this PostgreSQL; throughput decays as the tables grow "
                  "(production runs with PostgreSQL's default, on: ALTER SYSTEM SET autovacuum = on)")
    print(f"{'kind':9} {'conns':>5} {'req/s':>8} {'p50 ms':>7} {'p90 ms':>7} {'p99 ms':>7} {'non-2xx':>8} {'landed':>8} {'vs pgbench':>10}"
          f" {'API CPU ms':>10} {'DB CPU ms':>9}")
    all_landed = True
    for kind, connections, r, prefix in rows:
        count = landed(env, kind, prefix)
        # Requests still in flight when wrk stops are not in its count but may have landed.
        all_landed &= r["ok"] <= count <= r["ok"] + connections
        ratio = f"{r['rps'] / tps:.2f}" if tps else "-"
        database_ms = f"{r['db_ms']:.2f}" if tps else "-"  # SQLite runs inside the API process
        print(f"{kind:9} {connections:>5} {r['rps']:>8,.0f} {r['p50_us'] / 1000:>7.1f} {r['p90_us'] / 1000:>7.1f} "
              f"{r['p99_us'] / 1000:>7.1f} {r['non2xx']:>8} {count:>8} {ratio:>10} {r['api_ms']:>10.2f} {database_ms:>9}")
    verify = subprocess.run([sys.executable, "-m", "lightrail", "verify"], env=env, capture_output=True, text=True)
    print(f"every 2xx landed: {'yes' if all_landed else 'NO'}; lightrail verify: {'ok' if verify.returncode == 0 else 'MISMATCH'}")
    if not all_landed or verify.returncode != 0:
        print(verify.stdout + verify.stderr)
        raise SystemExit(1)


if __name__ == "__main__":
    main()
