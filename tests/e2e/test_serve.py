"""The real server over HTTP: the quick start of the README works."""

from __future__ import annotations

import subprocess
import sys

import httpx

from tests.conftest import JWT_SECRET


def token_from_cli(account: str) -> str:
    result = subprocess.run(
        [sys.executable, "-m", "lightrail", "token", "--account", account, "--test"],
        env={"LIGHTRAIL_JWT_SECRET": JWT_SECRET, "PATH": ""}, capture_output=True, text=True, check=True,
    )
    return result.stdout.strip()


def test_health_check(server):
    response = httpx.get(f"{server}/v2/healthCheck")
    assert response.status_code == 200
    assert response.json() == {}
    assert response.headers["x-request-id"]


def test_cli_token_creates_a_currency(server, account_id):
    token = token_from_cli(account_id.removesuffix("-TEST"))
    headers = {"Authorization": f"Bearer {token}"}
    created = httpx.post(
        f"{server}/v2/currencies", headers=headers,
        json={"code": "USD", "name": "US Dollar", "symbol": "$", "decimalPlaces": 2},
    )
    assert created.status_code == 201
    assert httpx.get(f"{server}/v2/currencies/USD", headers=headers).json()["name"] == "US Dollar"


def test_metrics_are_served(server):
    httpx.get(f"{server}/v2/healthCheck")
    text = httpx.get(f"{server}/metrics").text
    assert 'route="/v2/healthCheck"' in text
