"""Event delivery to a real HTTP endpoint (platform.md §6.5): signatures, retries, independence, restarts."""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from datetime import timedelta

import orjson
import sqlalchemy as sa

from lightrail.webhooks.retry import RetryPolicy
from lightrail.webhooks.tables import webhook_attempts, webhook_deliveries
from tests.conftest import make_token

CURRENCY = {"code": "CAD", "name": "Canadian dollars", "symbol": "$", "decimalPlaces": 2}


def add_webhook(api, receiver, path="/hook", webhook_id="hook", events=("*",), **fields):
    response = api.post("/v2/webhooks", json={"id": webhook_id, "url": receiver.base_url + path, "events": list(events), **fields})
    assert response.status_code == 201, response.text
    return response.json()


def rows(app, run_async, table, account_id):
    async def load():
        async with app.state.db.read() as conn:
            query = sa.select(table).where(table.c.account_id == account_id)
            return [row._asdict() for row in await conn.execute(query)]

    return run_async(load)


def test_currency_created_is_delivered_signed_within_seconds(api, receiver, dispatchers):
    secret = add_webhook(api, receiver)["secrets"][0]["secret"]
    dispatchers.start()
    started = time.monotonic()
    currency = api.post("/v2/currencies", json=CURRENCY).json()

    [delivery] = receiver.wait_for("/hook", 1)
    assert delivery.at - started < 3
    body = orjson.loads(delivery.body)
    assert list(body) == ["id", "type", "time", "data"]
    assert body["type"] == "lightrail.currency.created"
    assert body["data"] == {"newCurrency": currency}
    assert body["time"] == currency["createdDate"]
    assert delivery.body == orjson.dumps(body)  # compact JSON, as signed
    assert delivery.headers["content-type"] == "application/json"
    assert delivery.headers["lightrail-signature"] == hmac.new(secret.encode(), delivery.body, hashlib.sha256).hexdigest()
    assert delivery.headers["webhook-id"] == body["id"]
    signed = f"{body['id']}.{delivery.headers['webhook-timestamp']}.".encode() + delivery.body
    expected = base64.b64encode(hmac.new(secret.encode(), signed, hashlib.sha256).digest()).decode()
    assert delivery.headers["webhook-signature"] == f"v1,{expected}"
    assert abs(int(delivery.headers["webhook-timestamp"]) - time.time()) < 10


def test_every_secret_signs_in_order(api, receiver, dispatchers):
    first = add_webhook(api, receiver)["secrets"][0]["secret"]
    second = api.post("/v2/webhooks/hook/secrets").json()["secret"]
    dispatchers.start()
    api.post("/v2/currencies", json=CURRENCY)
    [delivery] = receiver.wait_for("/hook", 1)
    assert delivery.headers["lightrail-signature"] == ",".join(
        hmac.new(s.encode(), delivery.body, hashlib.sha256).hexdigest() for s in (first, second)
    )
    assert len(delivery.headers["webhook-signature"].split(" ")) == 2


def test_only_matching_active_webhooks_of_the_same_account_and_mode_receive(api, account_id, receiver, dispatchers):
    add_webhook(api, receiver, "/all", "all")
    add_webhook(api, receiver, "/currencies", "currencies", events=["lightrail.currency.*"])
    add_webhook(api, receiver, "/contacts", "contacts", events=["lightrail.contact.created"])
    add_webhook(api, receiver, "/inactive", "inactive", active=False)
    live = api.as_token(make_token(account_id.removesuffix("-TEST")))
    add_webhook(live, receiver, "/live", "live")
    dispatchers.start()

    api.post("/v2/currencies", json=CURRENCY)
    api.patch("/v2/currencies/CAD", json={"name": "Loonies"})
    api.post("/v2/contacts", json={"id": "c1"})

    # Posted concurrently: no ordering promise, as in the original.
    assert sorted(orjson.loads(r.body)["type"] for r in receiver.wait_for("/all", 3)) == [
        "lightrail.contact.created", "lightrail.currency.created", "lightrail.currency.updated",
    ]
    assert sorted(orjson.loads(r.body)["type"] for r in receiver.wait_for("/currencies", 2)) == [
        "lightrail.currency.created", "lightrail.currency.updated",
    ]
    assert [orjson.loads(r.body)["type"] for r in receiver.wait_for("/contacts", 1)] == ["lightrail.contact.created"]
    time.sleep(0.3)
    assert receiver.at("/inactive") == []
    assert receiver.at("/live") == []
    assert len(receiver.at("/all")) == 3


def test_failures_are_retried_with_the_same_event_id_and_recorded(api, account_id, app, run_async, receiver, dispatchers):
    add_webhook(api, receiver)
    receiver.script["/hook"] = [500, 302, 200]
    dispatchers.start()
    api.post("/v2/currencies", json=CURRENCY)

    deliveries = receiver.wait_for("/hook", 3)
    assert len({orjson.loads(d.body)["id"] for d in deliveries}) == 1
    assert len({d.body for d in deliveries}) == 1
    # Backoff: 0.1 s after the first failure, 0.2 s after the second (jitter pinned to the maximum).
    assert deliveries[1].at - deliveries[0].at >= 0.09
    assert deliveries[2].at - deliveries[1].at >= 0.19
    time.sleep(0.3)
    assert len(receiver.at("/hook")) == 3
    assert receiver.at("/elsewhere") == []  # redirects are failures, never followed

    attempts = sorted(rows(app, run_async, webhook_attempts, account_id), key=lambda a: a["attempt"])
    assert [(a["attempt"], a["status_code"], a["error"]) for a in attempts] == [
        (1, 500, "HTTP 500"), (2, 302, "HTTP 302"), (3, 200, None),
    ]
    assert all(a["duration_ms"] >= 0 for a in attempts)
    [delivery] = rows(app, run_async, webhook_deliveries, account_id)
    assert (delivery["status"], delivery["attempts"]) == ("delivered", 3)


def test_a_slow_endpoint_does_not_delay_the_others(api, account_id, app, run_async, receiver, dispatchers):
    add_webhook(api, receiver, "/slow", "slow")
    add_webhook(api, receiver, "/fast", "fast")
    receiver.delays["/slow"] = 3.0
    dispatchers.start()
    api.post("/v2/currencies", json=CURRENCY)

    [slow] = receiver.wait_for("/slow", 1)
    [fast] = receiver.wait_for("/fast", 1)
    assert abs(fast.at - slow.at) < 0.5
    receiver.delays["/slow"] = 0
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        slow_attempts = [a for a in rows(app, run_async, webhook_attempts, account_id) if a["webhook_id"] == "slow"]
        if slow_attempts:
            break
        time.sleep(0.05)
    assert slow_attempts[0]["status_code"] is None
    assert slow_attempts[0]["error"] == "timeout (ReadTimeout)"  # no first byte within 1 s
    assert 900 <= slow_attempts[0]["duration_ms"] < 1600


def test_delivery_gives_up_after_its_time_and_stops(api, account_id, app, run_async, receiver, dispatchers):
    add_webhook(api, receiver)
    receiver.script["/hook"] = [503] * 10
    dispatchers.start(retry=RetryPolicy(base_seconds=0.05, jitter=lambda: 1.0, give_up_after=timedelta(0)))
    api.post("/v2/currencies", json=CURRENCY)
    receiver.wait_for("/hook", 1)
    time.sleep(0.5)
    assert len(receiver.at("/hook")) == 1
    [delivery] = rows(app, run_async, webhook_deliveries, account_id)
    assert (delivery["status"], delivery["attempts"]) == ("gave_up", 1)


def test_pending_events_are_delivered_after_a_restart(api, account_id, app, run_async, receiver, dispatchers):
    add_webhook(api, receiver)
    first = dispatchers.start()
    api.post("/v2/currencies", json=CURRENCY)
    receiver.wait_for("/hook", 1)
    dispatchers.stop(first)

    for code in ("AAA", "BBB", "CCC"):
        api.post("/v2/currencies", json={**CURRENCY, "code": code})
    time.sleep(0.3)
    assert len(receiver.at("/hook")) == 1

    dispatchers.start()
    types = {orjson.loads(r.body)["data"]["newCurrency"]["code"] for r in receiver.wait_for("/hook", 4)}
    assert types == {"CAD", "AAA", "BBB", "CCC"}


def test_a_delivery_claimed_by_a_dispatcher_that_died_is_delivered_once_its_lease_expires(
    api, account_id, app, run_async, receiver, dispatchers,
):
    add_webhook(api, receiver)
    api.post("/v2/currencies", json=CURRENCY)
    crashed = dispatchers.make(lease=timedelta(seconds=1))
    run_async(crashed.fan_out)
    # Leased, then the process "dies" without posting. Deliveries that earlier tests left due in the
    # shared database may be claimed with it: only this account's count.
    claimed = run_async(crashed.claim, 10)
    assert [c.account_id for c in claimed].count(account_id) == 1
    claimed_at = time.monotonic()

    dispatchers.start()
    [delivery] = receiver.wait_for("/hook", 1, timeout=5)
    assert delivery.at - claimed_at >= 0.9
    assert orjson.loads(delivery.body)["type"] == "lightrail.currency.created"


def test_deleting_a_webhook_drops_its_pending_deliveries(api, account_id, app, run_async, receiver, dispatchers):
    add_webhook(api, receiver)
    receiver.script["/hook"] = [500] * 50
    dispatchers.start(retry=RetryPolicy(base_seconds=5, jitter=lambda: 1.0))
    api.post("/v2/currencies", json=CURRENCY)
    receiver.wait_for("/hook", 1)
    assert api.delete("/v2/webhooks/hook").status_code == 204
    assert rows(app, run_async, webhook_deliveries, account_id) == []
    assert rows(app, run_async, webhook_attempts, account_id) == []


def test_private_destinations_are_refused_at_delivery_time(api, account_id, app, run_async, receiver, dispatchers):
    # Saved while insecure URLs were allowed; the dispatcher in force now refuses private addresses.
    https_url = receiver.base_url.replace("http://", "https://")
    api.post("/v2/webhooks", json={"id": "hook", "url": https_url + "/hook", "events": ["*"]})
    dispatchers.start(allow_insecure=False)
    api.post("/v2/currencies", json=CURRENCY)

    deadline = time.monotonic() + 5
    attempts = []
    while time.monotonic() < deadline and not attempts:
        attempts = rows(app, run_async, webhook_attempts, account_id)
        time.sleep(0.05)
    assert attempts and attempts[0]["status_code"] is None
    assert "refused" in attempts[0]["error"]
    assert "non-public" in attempts[0]["error"]
    assert receiver.received == []


def test_attempts_command_prints_the_history(api, account_id, app, run_async, receiver, dispatchers, database_url, monkeypatch):
    from typer.testing import CliRunner

    from lightrail.cli import app as cli

    add_webhook(api, receiver, webhook_id="cli-hook")
    receiver.script["/hook"] = [500]
    dispatchers.start()
    api.post("/v2/currencies", json=CURRENCY)
    receiver.wait_for("/hook", 2)
    time.sleep(0.2)

    monkeypatch.setenv("LIGHTRAIL_DATABASE_URL", database_url)
    result = CliRunner().invoke(cli, ["webhooks", "attempts", "cli-hook", "--account", account_id])
    assert result.exit_code == 0, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 3
    assert " 500 " in lines[1] and "HTTP 500" in lines[1]
    assert " 200 " in lines[2]
    assert account_id in lines[1]
