"""Webhook delivery by real processes: the dispatcher inside `lightrail serve`, and `lightrail worker`
running beside it (two dispatchers on one database deliver each event once)."""

from __future__ import annotations

import hashlib
import hmac
import os
import subprocess
import sys
import time
from collections.abc import Iterator

import httpx
import orjson
import pytest

from tests.api.webhooks.receiver import Receiver, start_receiver
from tests.conftest import JWT_SECRET, make_token


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    found, server = start_receiver()
    yield found
    server.shutdown()
    server.server_close()


@pytest.fixture
def worker(database_url: str, tmp_path) -> Iterator[subprocess.Popen]:
    env = {
        **os.environ, "LIGHTRAIL_DATABASE_URL": database_url, "LIGHTRAIL_JWT_SECRET": JWT_SECRET,
        "LIGHTRAIL_WEBHOOK_ALLOW_INSECURE": "true",
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "lightrail", "worker"], cwd=tmp_path, env=env,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    yield process
    process.terminate()
    process.wait(timeout=10)


def test_serve_and_worker_deliver_every_event_once(server, worker, account_id, receiver):
    headers = {"Authorization": f"Bearer {make_token(account_id)}"}
    created = httpx.post(f"{server}/v2/webhooks", headers=headers, json={
        "id": "e2e", "url": f"{receiver.base_url}/hook", "events": ["lightrail.currency.*"],
    })
    assert created.status_code == 201, created.text
    secret = created.json()["secrets"][0]["secret"]

    codes = ["AAA", "BBB", "CCC", "DDD", "EEE"]
    for code in codes:
        response = httpx.post(f"{server}/v2/currencies", headers=headers, json={
            "code": code, "name": code, "symbol": "$", "decimalPlaces": 2,
        })
        assert response.status_code == 201

    deliveries = receiver.wait_for("/hook", len(codes), timeout=15)
    time.sleep(1.0)
    assert len(receiver.at("/hook")) == len(codes)
    assert sorted(orjson.loads(d.body)["data"]["newCurrency"]["code"] for d in deliveries) == codes
    for delivery in deliveries:
        assert delivery.headers["lightrail-signature"] == hmac.new(
            secret.encode(), delivery.body, hashlib.sha256,
        ).hexdigest()
