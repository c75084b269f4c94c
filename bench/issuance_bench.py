"""Times one issuance of 10,000 values with generated codes, then listing them as CSV, through the API in-process.

    .venv/bin/python bench/issuance_bench.py [--database-url URL] [--count N]

SQLite in a temporary directory by default; give a PostgreSQL URL to measure that instead.
"""

from __future__ import annotations

import argparse
import tempfile
import time
import uuid
from pathlib import Path

from starlette.testclient import TestClient

from lightrail.app import create_app
from lightrail.auth.badge import badge_payload, sign
from lightrail.auth.scopes import FULL_ACCESS_ROLES
from lightrail.db.migrate import upgrade
from lightrail.settings import Settings

SECRET = "bench-secret-bench-secret-bench-secret"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url")
    parser.add_argument("--count", type=int, default=10000)
    args = parser.parse_args()
    data_dir = Path(tempfile.mkdtemp(prefix="issuance-bench-"))
    url = args.database_url or f"sqlite:///{data_dir / 'bench.db'}"
    upgrade(url)
    settings = Settings(database_url=url, jwt_secret=SECRET, data_dir=data_dir, run_workers=False, _env_file=None)
    account = f"bench-{uuid.uuid4().hex[:8]}-TEST"
    token = sign(badge_payload(
        account_id=account, user_id=account, roles=list(FULL_ACCESS_ROLES), scopes=[], audience="API", issuer="EDHI",
        issued_at=int(time.time()), contact_id=None,
    ), SECRET)
    headers = {"Authorization": f"Bearer {token}"}
    with TestClient(create_app(settings)) as client:
        client.post("/v2/currencies", json={"code": "USD", "name": "d", "symbol": "$", "decimalPlaces": 2}, headers=headers)
        client.post("/v2/programs", json={"id": "bench", "currency": "USD", "name": "bench"}, headers=headers)
        started = time.perf_counter()
        response = client.post(
            "/v2/programs/bench/issuances",
            json={"id": "iss", "name": "bench", "count": args.count, "balance": 500, "generateCode": {}},
            headers=headers,
        )
        elapsed = time.perf_counter() - started
        started = time.perf_counter()
        listing = client.get("/v2/values", params={"limit": args.count}, headers={**headers, "Accept": "text/csv"})
        listed = time.perf_counter() - started
    if response.status_code != 201:
        raise SystemExit(f"issuance failed: {response.status_code} {response.text}")
    database = "PostgreSQL" if url.startswith("postgres") else "SQLite"
    print(f"{database}: {args.count} values with generated codes in {elapsed:.2f}s ({args.count / elapsed:.0f} values/s)")
    rows = listing.text.count("\r\n")
    print(f"{database}: listing {rows} values as CSV ({len(listing.content) // 1024} KiB) in {listed:.2f}s")


if __name__ == "__main__":
    main()
