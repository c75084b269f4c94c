"""Integrity under concurrency (transactions.md §10): guarded updates, unique ids, one follow-up per transaction."""

from __future__ import annotations

import asyncio
from collections import Counter

import httpx

from tests.conftest import make_token


def race(app, run_async, account_id, requests):
    """Fires (path, body) requests at once; returns their (status, messageCode) answers."""

    async def fire():
        headers = {"Authorization": f"Bearer {make_token(account_id)}"}
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t", headers=headers, timeout=60) as client:
            responses = await asyncio.gather(*(client.post(path, json=body) for path, body in requests))
        return [(r.status_code, r.json().get("messageCode")) for r in responses]

    return run_async(fire)


def test_parallel_debits_never_overdraw(api, make_value, balance_of, app, run_async):
    value = make_value(balance=1000)
    requests = [
        ("/v2/transactions/debit", {"id": f"d-{i}", "source": {"rail": "lightrail", "valueId": value["id"]}, "amount": 100, "currency": "USD"})
        for i in range(40)
    ]
    answers = Counter(race(app, run_async, api.account_id, requests))
    assert answers == {(201, None): 10, (409, "InsufficientBalance"): 30}
    assert balance_of(value["id"]) == (0, None)


def test_parallel_checkouts_for_a_single_use_promotion_have_one_winner(api, make_value, balance_of, app, run_async):
    promo = make_value(balance=100, discount=True, usesRemaining=1)
    requests = [
        ("/v2/transactions/checkout", {
            "id": f"co-{i}", "currency": "USD", "lineItems": [{"unitPrice": 100}],
            "sources": [{"rail": "lightrail", "valueId": promo["id"]}],
        })
        for i in range(20)
    ]
    answers = Counter(race(app, run_async, api.account_id, requests))
    assert answers == {(201, None): 1, (409, "InsufficientBalance"): 19}
    assert balance_of(promo["id"]) == (0, 0)


def test_same_transaction_id_posted_at_once_is_written_once(api, make_value, balance_of, app, run_async):
    value = make_value(balance=1000)
    body = {"id": "same", "source": {"rail": "lightrail", "valueId": value["id"]}, "amount": 10, "currency": "USD"}
    answers = Counter(race(app, run_async, api.account_id, [("/v2/transactions/debit", body)] * 10))
    assert answers == {(201, None): 1, (409, "TransactionExists"): 9}
    assert balance_of(value["id"]) == (990, None)


def test_reverse_and_void_of_one_transaction_have_one_winner(api, make_value, balance_of, app, run_async):
    value = make_value(balance=100)
    api.post("/v2/transactions/debit", json={
        "id": "p", "source": {"rail": "lightrail", "valueId": value["id"]}, "amount": 30, "currency": "USD", "pending": True,
    })
    requests = [("/v2/transactions/p/void", {"id": f"v-{i}"}) for i in range(5)]
    requests += [("/v2/transactions/p/capture", {"id": f"c-{i}"}) for i in range(5)]
    answers = race(app, run_async, api.account_id, requests)
    assert sum(1 for status, _ in answers if status == 201) == 1
    assert {code for status, code in answers if status != 201} <= {"TransactionVoided", "TransactionCaptured"}
    assert balance_of(value["id"]) in ((100, None), (70, None))


def test_parallel_reverses_have_one_winner(api, make_value, balance_of, app, run_async):
    value = make_value(balance=100)
    api.post("/v2/transactions/debit", json={
        "id": "d", "source": {"rail": "lightrail", "valueId": value["id"]}, "amount": 30, "currency": "USD",
    })
    answers = Counter(race(app, run_async, api.account_id, [("/v2/transactions/d/reverse", {"id": f"r-{i}"}) for i in range(8)]))
    assert answers == {(201, None): 1, (409, "TransactionReversed"): 7}
    assert balance_of(value["id"]) == (100, None)
