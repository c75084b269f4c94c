"""Value stats and generic codes with real transactions (core.md §11.1, §11.2, §16.10, §16.12).

The original's Stripe payments are replaced by internal sources (this server has no Stripe rail): both
count as overspend in the stats, so the spec's numbers are unchanged.
"""

from __future__ import annotations

import base64
import hashlib

ZERO_STATS = {
    "redeemed": {"balance": 0, "transactionCount": 0},
    "checkout": {"lightrailSpend": 0, "overspend": 0, "transactionCount": 0},
}


def per_contact_id(generic_id: str, contact_id: str) -> str:
    digest = hashlib.sha1(f"{generic_id}/{contact_id}".encode()).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def ok(response, status=201):
    assert response.status_code == status, response.text
    return response.json()


def checkout(api, tx_id, amount, sources, status=201, **extra):
    return ok(api.post("/v2/transactions/checkout", json={
        "id": tx_id, "currency": "USD", "lineItems": [{"type": "product", "productId": "p", "unitPrice": amount}],
        "sources": sources, **extra,
    }), status)


def debit(api, tx_id, value_id, amount, **extra):
    return ok(api.post("/v2/transactions/debit", json={
        "id": tx_id, "source": {"rail": "lightrail", "valueId": value_id}, "amount": amount, "currency": "USD", **extra,
    }))


def internal(amount, internal_id="pos"):
    return {"rail": "internal", "internalId": internal_id, "balance": amount}


def attach_transactions(api, generic_id):
    return api.get(f"/v2/transactions?valueId={generic_id}&transactionType=attach").json()


# --- §16.12 values.stats.test.ts -------------------------------------------------------------------------


def test_stats_after_debit_credit_and_attach(api, usd):
    ok(api.post("/v2/values", json={"id": "1", "currency": "USD", "balance": 1000}))
    debit(api, "debit-1", "1", 599)
    one = api.get("/v2/values/1?stats=true").json()
    assert (one["balance"], one["stats"]) == (401, {"initialBalance": 1000, "initialUsesRemaining": None})

    ok(api.post("/v2/values", json={"id": "2", "currency": "USD"}))
    ok(api.post("/v2/transactions/credit", json={
        "id": "credit-2", "destination": {"rail": "lightrail", "valueId": "2"}, "amount": 12345, "currency": "USD",
    }))
    two = api.get("/v2/values/2?stats=true").json()
    assert (two["balance"], two["stats"]) == (12345, {"initialBalance": 0, "initialUsesRemaining": None})

    ok(api.post("/v2/values", json={
        "id": "3", "currency": "USD", "usesRemaining": 1,
        "balanceRule": {"rule": "500", "explanation": "$5"}, "redemptionRule": {"rule": "1 == 1", "explanation": "yes"},
    }))
    three = api.get("/v2/values/3?stats=true").json()
    assert (three["balance"], three["stats"]) == (None, {"initialBalance": None, "initialUsesRemaining": 1})

    ok(api.post("/v2/contacts", json={"id": "claimer"}))
    ok(api.post("/v2/values", json={
        "id": "4", "currency": "USD", "isGenericCode": True, "code": "FREE-MONEY!", "balance": 10000, "usesRemaining": 20,
        "genericCodeOptions": {"perContact": {"balance": 500, "usesRemaining": 1}},
    }))
    claimed = ok(api.post("/v2/contacts/claimer/values/attach", json={"code": "FREE-MONEY!"}), 200)
    generic = api.get("/v2/values/4?stats=true").json()
    assert (generic["balance"], generic["stats"]) == (9500, {"initialBalance": 10000, "initialUsesRemaining": 20})
    claimed = api.get(f"/v2/values/{claimed['id']}?stats=true").json()
    assert (claimed["balance"], claimed["usesRemaining"], claimed["stats"]) == (500, 1, {"initialBalance": 500, "initialUsesRemaining": 1})

    listed = {v["id"]: v["stats"] for v in api.get("/v2/values?id.in=1,2,3&stats=true").json()}
    assert listed == {
        "1": {"initialBalance": 1000, "initialUsesRemaining": None},
        "2": {"initialBalance": 0, "initialUsesRemaining": None},
        "3": {"initialBalance": None, "initialUsesRemaining": 1},
    }
    by_contact = api.get("/v2/contacts/claimer/values?stats=true").json()
    assert [v["stats"] for v in by_contact] == [{"initialBalance": 500, "initialUsesRemaining": 1}]


def test_generic_code_performance_counts_only_completed_chains(api, usd):
    for contact in ("A", "B"):
        ok(api.post("/v2/contacts", json={"id": contact}))
    ok(api.post("/v2/values", json={
        "id": "summer", "currency": "USD", "isGenericCode": True, "code": "SUMMER2022", "discount": True,
        "balanceRule": {"rule": "50", "explanation": "$0.50 off"},
    }))
    for contact in ("A", "B"):
        ok(api.post(f"/v2/contacts/{contact}/values/attach", json={"code": "SUMMER2022"}), 200)
    ok(api.post("/v2/values", json={"id": "gc-id", "currency": "USD", "code": "GC123", "balance": 500}))
    a = {"rail": "lightrail", "contactId": "A"}

    checkout(api, "c101", 101, [a], allowRemainder=True)
    checkout(api, "c102", 102, [a, internal(1000)])
    checkout(api, "c103", 103, [a, internal(1000)], pending=True)
    ok(api.post("/v2/transactions/c103/void", json={"id": "c103-void"}))
    checkout(api, "c104", 104, [a, internal(1000)], pending=True)
    ok(api.post("/v2/transactions/c104/capture", json={"id": "c104-capture"}))
    checkout(api, "c105", 105, [a, internal(1000)])
    ok(api.post("/v2/transactions/c105/reverse", json={"id": "c105-reverse"}))
    checkout(api, "c106", 106, [a, {"rail": "lightrail", "code": "GC123"}])
    checkout(api, "c107", 107, [a, internal(1000)], pending=True)
    ok(api.post("/v2/transactions/c107/capture", json={"id": "c107-capture"}))
    ok(api.post("/v2/transactions/c107-capture/reverse", json={"id": "c107-reverse"}))

    assert ok(api.get("/v2/values/summer/stats"), 200) == {
        "redeemed": {"balance": 200, "transactionCount": 4},
        "checkout": {"lightrailSpend": 256, "overspend": 157, "transactionCount": 4},
        "attachedContacts": {"count": 2},
    }


def test_unique_value_performance(api, usd):
    ok(api.post("/v2/contacts", json={"id": "A"}))
    ok(api.post("/v2/values", json={"id": "gift", "currency": "USD", "balance": 500}))
    ok(api.post("/v2/contacts/A/values/attach", json={"valueId": "gift"}), 200)
    gift = {"rail": "lightrail", "valueId": "gift"}

    checkout(api, "co-100", 100, [gift])
    debit(api, "d-50", "gift", 50)
    debit(api, "d-66", "gift", 66, pending=True)
    ok(api.post("/v2/transactions/d-66/void", json={"id": "d-66-void"}))
    split = checkout(api, "co-1000", 1000, [gift, internal(650)])
    assert [s.get("balanceChange") for s in split["steps"]] == [-350, -650]
    ok(api.post("/v2/transactions/credit", json={
        "id": "cr-600", "destination": gift, "amount": 600, "currency": "USD",
    }))
    checkout(api, "co-105a", 105, [gift], pending=True)
    ok(api.post("/v2/transactions/co-105a/capture", json={"id": "co-105a-capture"}))
    debit(api, "d-50r", "gift", 50)
    ok(api.post("/v2/transactions/d-50r/reverse", json={"id": "d-50r-reverse"}))
    checkout(api, "co-105b", 105, [gift], pending=True)
    ok(api.post("/v2/transactions/co-105b/capture", json={"id": "co-105b-capture"}))
    ok(api.post("/v2/transactions/co-105b-capture/reverse", json={"id": "co-105b-reverse"}))
    last = checkout(api, "co-800", 800, [gift], allowRemainder=True)
    assert (last["totals"]["paidLightrail"], last["totals"]["remainder"]) == (495, 305)
    assert api.get("/v2/values/gift").json()["balance"] == 0

    assert ok(api.get("/v2/values/gift/stats"), 200) == {
        "redeemed": {"balance": 1100, "transactionCount": 5},
        "checkout": {"lightrailSpend": 1050, "overspend": 955, "transactionCount": 4},
        "attachedContacts": {"count": 1},
    }


def test_stats_of_idle_and_unknown_values(api, usd):
    ok(api.post("/v2/values", json={"id": "rule", "currency": "USD", "balanceRule": {"rule": "1", "explanation": "x"}}))
    assert ok(api.get("/v2/values/rule/stats"), 200) == {**ZERO_STATS, "attachedContacts": {"count": 0}}
    response = api.get("/v2/values/unknown/stats")
    assert response.status_code == 404 and response.json()["messageCode"] == "ValueNotFound"


# --- §16.9 stats bullets with real checkouts (values.genericCodes.propertiesPerContact.test.ts) --------


def test_generic_stats_follow_the_per_contact_copies(api, usd):
    for contact in ("contact1", "contact2", "contact3"):
        ok(api.post("/v2/contacts", json={"id": contact}))
    ok(api.post("/v2/values", json={
        "id": "gen", "currency": "USD", "isGenericCode": True, "code": "PERCONTACT", "discount": True,
        "balanceRule": {"rule": "500 + value.balanceChange", "explanation": "$5 off"},
        "genericCodeOptions": {"perContact": {"usesRemaining": 1, "balance": None}},
    }))
    ok(api.post("/v2/contacts/contact1/values/attach", json={"code": "PERCONTACT"}), 200)
    ok(api.post("/v2/contacts/contact2/values/attach", json={"code": "PERCONTACT"}), 200)
    first = checkout(api, "g-1", 777, [{"rail": "lightrail", "contactId": "contact1"}], allowRemainder=True)
    [step] = first["steps"]
    assert step["valueId"] == per_contact_id("gen", "contact1")
    assert (step["balanceBefore"], step["balanceChange"], step["balanceAfter"]) == (None, -500, None)
    assert (step["usesRemainingBefore"], step["usesRemainingAfter"]) == (1, 0)
    assert ok(api.get("/v2/values/gen/stats"), 200) == {
        "redeemed": {"balance": 500, "transactionCount": 1},
        "checkout": {"lightrailSpend": 500, "overspend": 277, "transactionCount": 1},
        "attachedContacts": {"count": 2},
    }
    second = api.post("/v2/transactions/checkout", json={
        "id": "g-2", "currency": "USD", "allowRemainder": True,
        "lineItems": [{"type": "product", "unitPrice": 100}, {"type": "product", "unitPrice": 125}],
        "sources": [{"rail": "lightrail", "code": "PERCONTACT"}, {"rail": "lightrail", "contactId": "contact3"}],
    })
    assert second.status_code == 201, second.text
    assert [(s["valueId"], s["balanceChange"]) for s in second.json()["steps"]] == [(per_contact_id("gen", "contact3"), -225)]
    assert ok(api.get("/v2/values/gen/stats"), 200) == {
        "redeemed": {"balance": 725, "transactionCount": 2},
        "checkout": {"lightrailSpend": 725, "overspend": 277, "transactionCount": 2},
        "attachedContacts": {"count": 3},
    }


def test_generic_stats_exclude_direct_debits_of_the_code(api, usd):
    ok(api.post("/v2/contacts", json={"id": "contact1"}))
    ok(api.post("/v2/values", json={
        "id": "liable", "currency": "USD", "isGenericCode": True, "code": "LIABLE", "balance": 1600,
        "genericCodeOptions": {"perContact": {"usesRemaining": 1, "balance": 400}},
    }))
    debit(api, "direct", "liable", 800)
    checkout(api, "claim", 400, [{"rail": "lightrail", "code": "LIABLE"}, {"rail": "lightrail", "contactId": "contact1"}])
    assert api.get("/v2/values/liable").json()["balance"] == 400
    assert ok(api.get("/v2/values/liable/stats"), 200) == {
        "redeemed": {"balance": 400, "transactionCount": 1},
        "checkout": {"lightrailSpend": 400, "overspend": 0, "transactionCount": 1},
        "attachedContacts": {"count": 1},
    }


# --- §16.10 values.genericCodes.autoAttachDuringCheckout.test.ts -----------------------------------------


def make_generic(api, value_id, code, **fields):
    return ok(api.post("/v2/values", json={"id": value_id, "currency": "USD", "isGenericCode": True, "code": code, **fields}))


def test_auto_attach_creates_and_then_reuses_the_per_contact_copy(api, usd):
    ok(api.post("/v2/contacts", json={"id": "shopper"}))
    created = make_generic(api, "auto", "AUTOATTACH", genericCodeOptions={"perContact": {"usesRemaining": 3, "balance": 500}})
    assert (created["balance"], created["usesRemaining"], created["genericCodeOptions"]) == (
        None, None, {"perContact": {"usesRemaining": 3, "balance": 500}})
    copy_id = per_contact_id("auto", "shopper")
    sources = [{"rail": "lightrail", "contactId": "shopper"}, {"rail": "lightrail", "code": "AUTOATTACH"}]

    first = checkout(api, "auto-1", 200, sources)
    assert first["totals"] == {
        "subtotal": 200, "tax": 0, "discount": 0, "payable": 200, "remainder": 0, "forgiven": 0,
        "discountLightrail": 0, "paidLightrail": 200, "paidStripe": 0, "paidInternal": 0,
    }
    assert first["tax"] == {"roundingMode": "HALF_EVEN"}
    assert (first["pending"], first["metadata"]) == (False, None)
    assert first["paymentSources"] == [{"rail": "lightrail", "contactId": "shopper"}, {"rail": "lightrail", "code": "…TACH"}]
    [step] = first["steps"]
    assert (step["valueId"], step["contactId"], step["code"]) == (copy_id, "shopper", None)
    assert (step["balanceBefore"], step["balanceAfter"], step["balanceChange"]) == (500, 300, -200)
    assert (step["usesRemainingBefore"], step["usesRemainingAfter"], step["usesRemainingChange"]) == (3, 2, -1)
    assert len(attach_transactions(api, "auto")) == 1
    copy = api.get(f"/v2/values/{copy_id}?stats=true").json()
    assert (copy["attachedFromValueId"], copy["contactId"], copy["stats"]) == ("auto", "shopper", {"initialBalance": 500, "initialUsesRemaining": 3})

    second = checkout(api, "auto-2", 150, sources)
    assert (second["steps"][0]["balanceAfter"], second["steps"][0]["usesRemainingAfter"]) == (150, 1)
    assert len(attach_transactions(api, "auto")) == 1
    third = checkout(api, "auto-3", 50, sources[:1])
    assert (third["steps"][0]["balanceAfter"], third["steps"][0]["usesRemainingAfter"]) == (100, 0)
    assert ok(api.get("/v2/values/auto/stats"), 200) == {
        "redeemed": {"balance": 400, "transactionCount": 3},
        "checkout": {"lightrailSpend": 400, "overspend": 0, "transactionCount": 3},
        "attachedContacts": {"count": 1},
    }


def test_auto_attach_of_a_balance_rule_code(api, usd):
    ok(api.post("/v2/contacts", json={"id": "shopper"}))
    make_generic(api, "ruled", "RULED", usesRemaining=5, balanceRule={"rule": "500", "explanation": "$5"},
                 genericCodeOptions={"perContact": {"usesRemaining": 1, "balance": None}})
    body = checkout(api, "ruled-1", 777, [{"rail": "lightrail", "contactId": "shopper"}, {"rail": "lightrail", "code": "RULED"}],
                    allowRemainder=True)
    [step] = body["steps"]
    assert (step["valueId"], step["balanceChange"], step["usesRemainingAfter"]) == (per_contact_id("ruled", "shopper"), -500, 0)
    assert api.get("/v2/values/ruled").json()["usesRemaining"] == 4


def test_existing_discount_value_wins_over_auto_attach(api, usd):
    ok(api.post("/v2/contacts", json={"id": "shopper"}))
    ok(api.post("/v2/values", json={"id": "owned", "currency": "USD", "balance": 1000, "discount": True, "contactId": "shopper"}))
    make_generic(api, "other", "OTHER", genericCodeOptions={"perContact": {"usesRemaining": 1, "balance": 500}})
    body = checkout(api, "own-1", 777, [{"rail": "lightrail", "contactId": "shopper"}, {"rail": "lightrail", "code": "OTHER"}])
    assert [(s["valueId"], s["balanceBefore"], s["balanceAfter"]) for s in body["steps"]] == [("owned", 1000, 223)]
    assert body["totals"]["discount"] == 777
    assert attach_transactions(api, "other") == []


def test_simulated_auto_attach_persists_nothing(api, usd):
    ok(api.post("/v2/contacts", json={"id": "shopper"}))
    make_generic(api, "sim", "SIMULATE", usesRemaining=5, balanceRule={"rule": "500", "explanation": "$5"},
                 genericCodeOptions={"perContact": {"usesRemaining": 1, "balance": None}})
    sources = [{"rail": "lightrail", "contactId": "shopper"}, {"rail": "lightrail", "code": "SIMULATE"}]
    body = checkout(api, "sim-1", 777, sources, 200, allowRemainder=True, simulate=True)
    assert body["simulated"] is True
    [step] = body["steps"]
    assert (step["valueId"], step["balanceChange"], step["usesRemainingAfter"]) == (per_contact_id("sim", "shopper"), -500, 0)
    assert attach_transactions(api, "sim") == []
    assert api.get(f"/v2/values/{per_contact_id('sim', 'shopper')}").status_code == 404
    assert ok(api.get("/v2/values/sim/stats"), 200) == {**ZERO_STATS, "attachedContacts": {"count": 0}}
    unknown = api.post("/v2/transactions/checkout", json={
        "id": "sim-2", "currency": "USD", "lineItems": [{"unitPrice": 777}], "allowRemainder": True, "simulate": True,
        "sources": [{"rail": "lightrail", "contactId": "nobody"}, {"rail": "lightrail", "code": "SIMULATE"}],
    })
    assert unknown.status_code == 409 and unknown.json()["messageCode"] == "ValueMustBeAttached"


def test_two_generic_codes_attach_once_each(api, usd):
    ok(api.post("/v2/contacts", json={"id": "shopper"}))
    for vid, code, rule in (("g100", "CODE100", "100"), ("g200", "CODE200", "200")):
        make_generic(api, vid, code, balanceRule={"rule": rule, "explanation": rule},
                     genericCodeOptions={"perContact": {"usesRemaining": 1, "balance": None}})
    sources = [{"rail": "lightrail", "contactId": "shopper"}, {"rail": "lightrail", "code": "CODE100"}, {"rail": "lightrail", "code": "CODE200"}]
    expected = {per_contact_id("g100", "shopper"), per_contact_id("g200", "shopper")}
    simulated = checkout(api, "two-sim", 777, sources, 200, allowRemainder=True, simulate=True)
    assert {s["valueId"] for s in simulated["steps"]} == expected and simulated["totals"]["paidLightrail"] == 300
    real = checkout(api, "two", 777, sources, allowRemainder=True)
    assert {s["valueId"] for s in real["steps"]} == expected and real["totals"]["paidLightrail"] == 300
    assert (len(attach_transactions(api, "g100")), len(attach_transactions(api, "g200"))) == (1, 1)
    for vid in ("g100", "g200"):
        assert api.get(f"/v2/values/{vid}/stats").json()["attachedContacts"] == {"count": 1}


def test_per_contact_code_needs_a_contact(api, usd):
    ok(api.post("/v2/contacts", json={"id": "first"}))
    ok(api.post("/v2/contacts", json={"id": "second"}))
    make_generic(api, "needs", "NEEDSCONTACT", genericCodeOptions={"perContact": {"usesRemaining": 1, "balance": 500}})
    alone = api.post("/v2/transactions/checkout", json={
        "id": "alone", "currency": "USD", "lineItems": [{"unitPrice": 100}], "sources": [{"rail": "lightrail", "code": "NEEDSCONTACT"}],
    })
    assert alone.status_code == 409 and alone.json()["messageCode"] == "ValueMustBeAttached"
    body = checkout(api, "firsts", 501, [
        {"rail": "lightrail", "code": "NEEDSCONTACT"}, {"rail": "lightrail", "contactId": "first"},
        {"rail": "lightrail", "contactId": "second"},
    ], allowRemainder=True)
    assert [s["valueId"] for s in body["steps"]] == [per_contact_id("needs", "first")]
    assert api.get(f"/v2/values/{per_contact_id('needs', 'first')}").json()["contactId"] == "first"


def test_expired_generic_and_generic_without_per_contact_options(api, usd):
    ok(api.post("/v2/contacts", json={"id": "shopper"}))
    make_generic(api, "old", "EXPIRED", endDate="2011-01-01T00:00:00.000Z",
                 genericCodeOptions={"perContact": {"usesRemaining": 1, "balance": 500}})
    expired = checkout(api, "old-1", 500, [{"rail": "lightrail", "code": "EXPIRED"}, {"rail": "lightrail", "contactId": "shopper"}],
                       allowRemainder=True)
    assert expired["steps"] == [] and attach_transactions(api, "old") == []
    make_generic(api, "shared", "SHARED", balanceRule={"rule": "100", "explanation": "$1"})
    body = checkout(api, "shared-1", 111, [{"rail": "lightrail", "contactId": "shopper"}, {"rail": "lightrail", "code": "SHARED"}],
                    allowRemainder=True)
    assert [(s["valueId"], s["balanceChange"]) for s in body["steps"]] == [("shared", -100)]
    assert attach_transactions(api, "shared") == []
    assert ok(api.get("/v2/values/shared/stats"), 200) == {
        "redeemed": {"balance": 100, "transactionCount": 1},
        "checkout": {"lightrailSpend": 100, "overspend": 11, "transactionCount": 1},
        "attachedContacts": {"count": 0},
    }


def test_per_contact_copy_without_uses_keeps_default_initial_stats(api, usd):
    ok(api.post("/v2/contacts", json={"id": "shopper"}))
    make_generic(api, "nouses", "NOUSES", genericCodeOptions={"perContact": {"usesRemaining": None, "balance": 300}})
    copy = ok(api.post("/v2/contacts/shopper/values/attach", json={"code": "NOUSES"}), 200)
    checkout(api, "nouses-1", 100, [{"rail": "lightrail", "contactId": "shopper"}])
    shown = api.get(f"/v2/values/{copy['id']}?stats=true").json()
    assert (shown["balance"], shown["stats"]) == (200, {"initialBalance": 0, "initialUsesRemaining": None})


def test_stats_ignore_another_account_with_the_same_ids(api, usd):
    from tests.conftest import make_token

    other = api.as_token(make_token(f"{api.account_id[:-5]}-other-TEST"))
    ok(other.post("/v2/currencies", json={"code": "USD", "name": "US dollars", "symbol": "$", "decimalPlaces": 2}))
    for client, balance in ((api, 100), (other, 900)):
        ok(client.post("/v2/contacts", json={"id": "A"}))
        ok(client.post("/v2/values", json={"id": "same", "currency": "USD", "balance": balance, "contactId": "A"}))
    ok(other.post("/v2/transactions/checkout", json={
        "id": "same-tx", "currency": "USD", "lineItems": [{"unitPrice": 700}], "sources": [{"rail": "lightrail", "valueId": "same"}],
    }))
    checkout(api, "mine", 40, [{"rail": "lightrail", "valueId": "same"}])
    assert api.get("/v2/values/same?stats=true").json()["stats"] == {"initialBalance": 100, "initialUsesRemaining": None}
    assert ok(api.get("/v2/values/same/stats"), 200) == {
        "redeemed": {"balance": 40, "transactionCount": 1},
        "checkout": {"lightrailSpend": 40, "overspend": 0, "transactionCount": 1},
        "attachedContacts": {"count": 1},
    }


def test_values_with_redemptions_or_copies_cannot_be_deleted(api, usd):
    ok(api.post("/v2/contacts", json={"id": "shopper"}))
    ok(api.post("/v2/values", json={"id": "spent", "currency": "USD", "balance": 100}))
    debit(api, "spend", "spent", 10)
    make_generic(api, "gen", "GENDELETE", genericCodeOptions={"perContact": {"usesRemaining": 1, "balance": 5}})
    checkout(api, "claim", 5, [{"rail": "lightrail", "contactId": "shopper"}, {"rail": "lightrail", "code": "GENDELETE"}])
    for value_id in ("spent", "gen", per_contact_id("gen", "shopper")):
        response = api.delete(f"/v2/values/{value_id}")
        assert response.status_code == 409 and response.json()["messageCode"] == "ValueInUse", value_id
        assert api.get(f"/v2/values/{value_id}").status_code == 200
    assert api.get("/v2/values/spent").json()["balance"] == 90


def test_failed_checkout_persists_no_auto_attach(api, usd):
    # The original's failing Stripe charge; here the Stripe rail is not configured, which fails the same way.
    ok(api.post("/v2/contacts", json={"id": "shopper"}))
    make_generic(api, "fail", "FAILCHARGE", genericCodeOptions={"perContact": {"usesRemaining": 1, "balance": 100}})
    response = api.post("/v2/transactions/checkout", json={
        "id": "failing", "currency": "USD", "lineItems": [{"unitPrice": 5000}],
        "sources": [{"rail": "stripe", "source": "tok_chargeDeclinedFraudulent"}, {"rail": "lightrail", "contactId": "shopper"},
                    {"rail": "lightrail", "code": "FAILCHARGE"}],
    })
    assert response.status_code in (409, 422), response.text
    assert attach_transactions(api, "fail") == []
    assert api.get(f"/v2/values/{per_contact_id('fail', 'shopper')}").status_code == 404
    assert api.get("/v2/transactions/failing").status_code == 404
    short = api.post("/v2/transactions/checkout", json={
        "id": "short", "currency": "USD", "lineItems": [{"unitPrice": 5000}],
        "sources": [{"rail": "lightrail", "contactId": "shopper"}, {"rail": "lightrail", "code": "FAILCHARGE"}],
    })
    assert short.status_code == 409 and short.json()["messageCode"] == "InsufficientBalance"
    assert attach_transactions(api, "fail") == []
    assert ok(api.get("/v2/values/fail/stats"), 200)["attachedContacts"] == {"count": 0}
