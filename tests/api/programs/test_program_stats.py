"""Program stats of values at rest (core.md §11.3); redemption figures need the transaction engine."""

from __future__ import annotations


def test_buckets_of_held_value(api, usd):
    api.post("/v2/programs", json={"id": "P", "currency": "USD", "name": "p"})
    api.post("/v2/values", json={"id": "unused", "programId": "P", "balance": 2})
    api.post("/v2/values", json={"id": "canceled", "programId": "P", "balance": 100})
    api.patch("/v2/values/canceled", json={"canceled": True})
    api.post("/v2/values", json={"id": "expired", "programId": "P", "balance": 300, "endDate": "2011-01-01T00:00:00.000Z"})
    api.post("/v2/values", json={"id": "both", "programId": "P", "balance": 700, "endDate": "2011-01-01T00:00:00.000Z"})
    api.patch("/v2/values/both", json={"canceled": True})
    api.post("/v2/values", json={"id": "empty", "programId": "P", "balance": 0})
    api.post("/v2/values", json={"id": "inactive", "programId": "P", "balance": 50, "active": False})
    stats = api.get("/v2/programs/P/stats").json()
    assert stats == {
        "outstanding": {"balance": 2, "count": 1},
        "canceled": {"balance": 800, "count": 2},
        "expired": {"balance": 300, "count": 1},
        "redeemed": {"balance": 0, "count": 0, "transactionCount": 0},
        "checkout": {"lightrailSpend": 0, "overspend": 0, "transactionCount": 0},
    }


def test_unknown_program_has_zero_stats(api):
    stats = api.get("/v2/programs/nope/stats").json()
    assert stats["outstanding"] == {"balance": 0, "count": 0}


def test_value_stats(api, usd):
    api.post("/v2/values", json={"id": "1", "currency": "USD", "balance": 1000})
    assert api.get("/v2/values/1?stats=true").json()["stats"] == {"initialBalance": 1000, "initialUsesRemaining": None}
    api.post("/v2/values", json={"id": "3", "currency": "USD", "balanceRule": {"rule": "1", "explanation": "x"}, "usesRemaining": 1})
    assert [v["stats"] for v in api.get("/v2/values?id.in=1,3&stats=true").json()] == [
        {"initialBalance": None, "initialUsesRemaining": 1}, {"initialBalance": 1000, "initialUsesRemaining": None},
    ]
    assert api.get("/v2/values/3/stats").json() == {
        "redeemed": {"balance": 0, "transactionCount": 0},
        "checkout": {"lightrailSpend": 0, "overspend": 0, "transactionCount": 0},
        "attachedContacts": {"count": 0},
    }
    assert api.get("/v2/values/nope/stats").status_code == 404


def test_generic_stats_count_attached_contacts_and_keep_initial_amounts(api, usd):
    api.post("/v2/contacts", json={"id": "claimer"})
    api.post("/v2/values", json={"id": "4", "currency": "USD", "isGenericCode": True, "code": "FREE-MONEY!", "balance": 10000, "usesRemaining": 20, "genericCodeOptions": {"perContact": {"balance": 500, "usesRemaining": 1}}})
    claimed = api.post("/v2/contacts/claimer/values/attach", json={"code": "FREE-MONEY!"}).json()
    generic = api.get("/v2/values/4?stats=true").json()
    assert (generic["balance"], generic["stats"]) == (9500, {"initialBalance": 10000, "initialUsesRemaining": 20})
    assert api.get(f"/v2/values/{claimed['id']}?stats=true").json()["stats"] == {"initialBalance": 500, "initialUsesRemaining": 1}
    assert api.get("/v2/values/4/stats").json()["attachedContacts"] == {"count": 1}


def test_format_currencies(api, usd):
    api.post("/v2/currencies", json={"code": "JPY", "name": "yen", "symbol": "¥", "decimalPlaces": 0})
    api.post("/v2/currencies", json={"code": "IDK", "name": "i", "symbol": "I", "decimalPlaces": 1})
    for currency in ("USD", "JPY", "IDK"):
        for amount in (0, 40, 549):
            api.post("/v2/values", json={"id": f"{currency}-{amount}", "currency": currency, "balance": amount})
    shown = {v["id"]: v["balance"] for v in api.get("/v2/values?formatCurrencies=true").json()}
    assert shown == {
        "USD-0": "$0.00", "USD-40": "$0.40", "USD-549": "$5.49", "JPY-0": "¥0", "JPY-40": "¥40", "JPY-549": "¥549",
        "IDK-0": "I0.0", "IDK-40": "I4.0", "IDK-549": "I54.9",
    }
    api.post("/v2/values", json={"id": "g", "currency": "USD", "isGenericCode": True, "balance": 1000, "genericCodeOptions": {"perContact": {"balance": 500, "usesRemaining": None}}})
    [generic] = api.get("/v2/values?id=g&formatCurrencies=true").json()
    assert (generic["balance"], generic["genericCodeOptions"]["perContact"]) == ("$10.00", {"balance": "$5.00", "usesRemaining": None})
