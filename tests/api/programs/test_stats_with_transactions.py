"""GET /v2/programs/{id}/stats with real redemptions (core.md §11.3, §16.4 "Program stats scenarios").

Each scenario runs on its own program, then all of them on one program whose stats must be the sum.
The original's Stripe payments are replaced by internal sources (no Stripe rail here): both count as
overspend, so the numbers are the spec's.
"""

from __future__ import annotations

import pytest

BUCKETS = ("outstanding", "canceled", "expired", "redeemed", "checkout")


def ok(response, status=201):
    assert response.status_code == status, response.text
    return response.json()


class Scenario:
    def __init__(self, api, program_id: str, prefix: str) -> None:
        self.api, self.program_id, self.prefix = api, program_id, prefix

    def value(self, name: str, **fields) -> str:
        value_id = f"{self.prefix}-{name}"
        ok(self.api.post("/v2/values", json={"id": value_id, "programId": self.program_id, **fields}))
        return value_id

    def tx(self, kind: str, name: str, **body) -> str:
        tx_id = f"{self.prefix}-{name}"
        ok(self.api.post(f"/v2/transactions/{kind}", json={"id": tx_id, "currency": "USD", **body}))
        return tx_id

    def debit(self, name: str, value_id: str, amount: int, **extra) -> str:
        return self.tx("debit", name, source={"rail": "lightrail", "valueId": value_id}, amount=amount, **extra)

    def credit(self, name: str, value_id: str, amount: int) -> str:
        return self.tx("credit", name, destination={"rail": "lightrail", "valueId": value_id}, amount=amount)

    def checkout(self, name: str, amount: int, sources: list[dict], **extra) -> str:
        return self.tx("checkout", name, lineItems=[{"type": "product", "unitPrice": amount}], sources=sources, **extra)

    def follow(self, action: str, tx_id: str) -> str:
        ok(self.api.post(f"/v2/transactions/{tx_id}/{action}", json={"id": f"{tx_id}-{action}"}))
        return f"{tx_id}-{action}"


def lr(value_id: str) -> dict:
    return {"rail": "lightrail", "valueId": value_id}


def internal(balance: int, **flags) -> dict:
    return {"rail": "internal", "internalId": "register", "balance": balance, **flags}


def unused(s: Scenario):
    s.value("v", balance=2)


def canceled(s: Scenario):
    ok(s.api.patch(f"/v2/values/{s.value('v', balance=100)}", json={"canceled": True}), 200)


def expired(s: Scenario):
    s.value("v", balance=300, endDate="2011-01-01T00:00:00.000Z")


def canceled_and_expired(s: Scenario):
    value = s.value("v", balance=700, endDate="2011-01-01T00:00:00.000Z")
    ok(s.api.patch(f"/v2/values/{value}", json={"canceled": True}), 200)


def credited_and_debited(s: Scenario):
    value = s.value("v", balance=10)
    s.credit("credit", value, 15)
    s.debit("debit", value, 5)


def debited_then_canceled(s: Scenario):
    value = s.value("v", balance=13)
    s.debit("debit", value, 6)
    ok(s.api.patch(f"/v2/values/{value}", json={"canceled": True}), 200)


def three_debits(s: Scenario):
    value = s.value("v", balance=20)
    for amount in (1, 3, 5):
        s.debit(f"debit-{amount}", value, amount)


def pending_debit_captured(s: Scenario):
    s.follow("capture", s.debit("debit", s.value("v", balance=10), 4, pending=True))


def pending_debit_voided(s: Scenario):
    s.follow("void", s.debit("debit", s.value("v", balance=10), 4, pending=True))


def debit_reversed(s: Scenario):
    s.follow("reverse", s.debit("debit", s.value("v", balance=10), 4))


def checkout_of_one(s: Scenario):
    s.checkout("checkout", 1, [lr(s.value("v", balance=4))])


def balance_rule_checkout(s: Scenario):
    value = s.value("v", balanceRule={"rule": "currentLineItem.lineTotal.remainder", "explanation": "all of it"})
    s.checkout("checkout", 3, [lr(value)])


def lightrail_and_internal(s: Scenario):
    s.checkout("checkout", 10, [lr(s.value("v", balance=20)), internal(4, beforeLightrail=True)])


def with_remainder(s: Scenario):
    s.checkout("checkout", 15, [lr(s.value("v", balance=4))], allowRemainder=True)


def internal_only(s: Scenario):
    s.checkout("checkout", 15, [internal(100)])


def two_values_and_overspend(s: Scenario):
    s.checkout("checkout", 58, [lr(s.value("a", balance=4)), lr(s.value("b", balance=4)), internal(1000)])


def pending_checkout_captured(s: Scenario):
    s.follow("capture", s.checkout("checkout", 54, [lr(s.value("v", balance=4)), internal(50)], pending=True))


def pending_checkout_voided(s: Scenario):
    s.follow("void", s.checkout("checkout", 54, [lr(s.value("v", balance=4)), internal(50)], pending=True))


def checkout_reversed(s: Scenario):
    s.follow("reverse", s.checkout("checkout", 54, [lr(s.value("v", balance=4)), internal(50)]))


def transferred_out(s: Scenario):
    ok(s.api.post("/v2/values", json={"id": f"{s.prefix}-outside", "currency": "USD", "balance": 0}))
    s.tx("transfer", "transfer", amount=3, source=lr(s.value("v", balance=10)), destination=lr(f"{s.prefix}-outside"))


def debit_with_remainder(s: Scenario):
    s.debit("debit", s.value("v", balance=10), 15, allowRemainder=True)


def stats(outstanding=(0, 0), canceled=(0, 0), expired=(0, 0), redeemed=(0, 0, 0), checkout=(0, 0, 0)) -> dict:
    return {
        "outstanding": {"balance": outstanding[0], "count": outstanding[1]},
        "canceled": {"balance": canceled[0], "count": canceled[1]},
        "expired": {"balance": expired[0], "count": expired[1]},
        "redeemed": dict(zip(("balance", "count", "transactionCount"), redeemed)),
        "checkout": dict(zip(("lightrailSpend", "overspend", "transactionCount"), checkout)),
    }


SCENARIOS = [
    (unused, stats(outstanding=(2, 1))),
    (canceled, stats(canceled=(100, 1))),
    (expired, stats(expired=(300, 1))),
    (canceled_and_expired, stats(canceled=(700, 1))),
    (credited_and_debited, stats(outstanding=(20, 1), redeemed=(5, 1, 1))),
    (debited_then_canceled, stats(canceled=(7, 1), redeemed=(6, 1, 1))),
    (three_debits, stats(outstanding=(11, 1), redeemed=(9, 1, 3))),
    (pending_debit_captured, stats(outstanding=(6, 1), redeemed=(4, 1, 1))),
    (pending_debit_voided, stats(outstanding=(10, 1), redeemed=(0, 1, 1))),
    (debit_reversed, stats(outstanding=(10, 1), redeemed=(0, 1, 1))),
    (checkout_of_one, stats(outstanding=(3, 1), redeemed=(1, 1, 1), checkout=(1, 0, 1))),
    (balance_rule_checkout, stats(outstanding=(0, 1), redeemed=(3, 1, 1), checkout=(3, 0, 1))),
    (lightrail_and_internal, stats(outstanding=(14, 1), redeemed=(6, 1, 1), checkout=(6, 4, 1))),
    (with_remainder, stats(redeemed=(4, 1, 1), checkout=(4, 11, 1))),
    (internal_only, stats()),
    (two_values_and_overspend, stats(redeemed=(8, 2, 1), checkout=(8, 50, 1))),
    (pending_checkout_captured, stats(redeemed=(4, 1, 1), checkout=(4, 50, 1))),
    (pending_checkout_voided, stats(outstanding=(4, 1), redeemed=(0, 1, 1), checkout=(0, 0, 1))),
    (checkout_reversed, stats(outstanding=(4, 1), redeemed=(0, 1, 1), checkout=(0, 0, 1))),
    # Not in the original's list; they follow from its rules.
    (transferred_out, stats(outstanding=(7, 1))),
    (debit_with_remainder, stats(redeemed=(10, 1, 1))),
]


@pytest.fixture
def program(api, usd):
    def make(program_id: str) -> str:
        ok(api.post("/v2/programs", json={"id": program_id, "currency": "USD", "name": program_id}))
        return program_id

    return make


@pytest.mark.parametrize(("scenario", "expected"), SCENARIOS, ids=[s.__name__ for s, _ in SCENARIOS])
def test_scenario_on_its_own_program(api, program, scenario, expected):
    scenario(Scenario(api, program("p"), "s"))
    assert ok(api.get("/v2/programs/p/stats"), 200) == expected


def test_all_scenarios_on_one_program_sum_up(api, program):
    program("all")
    program("elsewhere")
    # Activity of another program and an inactive value of this one change nothing.
    unused(Scenario(api, "elsewhere", "other"))
    debit_reversed(Scenario(api, "elsewhere", "other2"))
    ok(api.post("/v2/values", json={"id": "sleeping", "programId": "all", "balance": 50, "active": False}))
    for scenario, _ in SCENARIOS:
        scenario(Scenario(api, "all", scenario.__name__))
    total = stats()
    for _, expected in SCENARIOS:
        for bucket in BUCKETS:
            for key, number in expected[bucket].items():
                total[bucket][key] += number
    assert ok(api.get("/v2/programs/all/stats"), 200) == total


def test_inactive_value_redemptions_are_not_counted(api, program):
    program("p")
    s = Scenario(api, "p", "s")
    value = s.value("v", balance=10)
    s.debit("debit", value, 4)
    s.checkout("checkout", 2, [lr(value)])
    ok(api.patch(f"/v2/values/{value}", json={"active": False}), 200)
    assert ok(api.get("/v2/programs/p/stats"), 200) == stats()


def test_checkout_spend_counts_sources_outside_the_program(api, program):
    program("p")
    s = Scenario(api, "p", "s")
    ok(api.post("/v2/values", json={"id": "outside", "currency": "USD", "balance": 10}))
    s.checkout("checkout", 20, [lr(s.value("v", balance=4)), lr("outside"), internal(6)])
    assert ok(api.get("/v2/programs/p/stats"), 200) == stats(redeemed=(4, 1, 1), checkout=(14, 6, 1))


def test_program_stats_ignore_another_account_with_the_same_ids(api, program):
    from tests.conftest import make_token

    other = api.as_token(make_token(f"{api.account_id[:-5]}-other-TEST"))
    ok(other.post("/v2/currencies", json={"code": "USD", "name": "US dollars", "symbol": "$", "decimalPlaces": 2}))
    for client in (api, other):
        ok(client.post("/v2/programs", json={"id": "p", "currency": "USD", "name": "p"}))
        checkout_of_one(Scenario(client, "p", "s"))
    debit_reversed(Scenario(other, "p", "x"))
    assert ok(api.get("/v2/programs/p/stats"), 200) == stats(outstanding=(3, 1), redeemed=(1, 1, 1), checkout=(1, 0, 1))
