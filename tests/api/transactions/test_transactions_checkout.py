"""Checkout through the API with the planner's worked examples (transactions.md §7.9, §14.12)."""

from __future__ import annotations


def lightrail(value):
    return {"rail": "lightrail", "valueId": value["id"]}


def test_checkout_pays_from_a_gift_card(api, make_value, balance_of):
    gc = make_value(balance=1000)
    response = api.post("/v2/transactions/checkout", json={
        "id": "co-1", "currency": "USD", "lineItems": [{"type": "product", "productId": "p1", "unitPrice": 50}],
        "sources": [lightrail(gc)],
    })
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["totals"] == {
        "subtotal": 50, "tax": 0, "discount": 0, "payable": 50, "remainder": 0, "forgiven": 0,
        "discountLightrail": 0, "paidLightrail": 50, "paidStripe": 0, "paidInternal": 0,
    }
    assert body["lineItems"] == [{
        "type": "product", "productId": "p1", "unitPrice": 50, "quantity": 1,
        "lineTotal": {"subtotal": 50, "taxable": 50, "tax": 0, "discount": 0, "remainder": 0, "payable": 50},
    }]
    assert [(s["balanceBefore"], s["balanceAfter"]) for s in body["steps"]] == [(1000, 950)]
    assert body["tax"] == {"roundingMode": "HALF_EVEN"}
    assert body["paymentSources"] == [lightrail(gc)]
    assert balance_of(gc["id"]) == (950, None)
    assert api.get("/v2/transactions/co-1").json() == body


def test_checkout_applies_discount_before_gift_card(api, make_value, balance_of):
    gc, promo = make_value(balance=1000), make_value(balance=10, discount=True)
    response = api.post("/v2/transactions/checkout", json={
        "id": "co-2", "currency": "USD", "lineItems": [{"unitPrice": 50}], "sources": [lightrail(gc), lightrail(promo)],
    })
    assert response.status_code == 201, response.text
    body = response.json()
    assert (body["totals"]["discount"], body["totals"]["paidLightrail"], body["totals"]["payable"]) == (10, 40, 40)
    assert [(s["valueId"], s["balanceChange"]) for s in body["steps"]] == [(promo["id"], -10), (gc["id"], -40)]
    assert balance_of(promo["id"]) == (0, None)


def test_checkout_with_pretax_discount_and_tax(api, make_value, balance_of):
    gc = make_value(balance=1010)
    pre = make_value(balance=200, pretax=True, discount=True)
    post = make_value(balance=25, discount=True)
    response = api.post("/v2/transactions/checkout", json={
        "id": "co-3", "currency": "USD",
        "lineItems": [
            {"type": "shipping", "productId": "p1", "unitPrice": 500, "taxRate": 0.05},
            {"type": "product", "productId": "p2", "unitPrice": 333, "quantity": 2, "taxRate": 0.08},
        ],
        "sources": [lightrail(gc), lightrail(pre), lightrail(post)],
    })
    assert response.status_code == 201, response.text
    totals = response.json()["totals"]
    assert (totals["subtotal"], totals["tax"], totals["discount"], totals["payable"], totals["paidLightrail"]) == (1166, 62, 225, 1003, 1003)
    assert [s["balanceChange"] for s in response.json()["steps"]] == [-200, -25, -1003]
    assert balance_of(gc["id"]) == (7, None)


def test_checkout_without_enough_balance_is_insufficient_balance_and_changes_nothing(api, make_value, balance_of):
    gc = make_value(balance=500)
    response = api.post("/v2/transactions/checkout", json={
        "id": "co-4", "currency": "USD", "lineItems": [{"unitPrice": 1000}], "sources": [lightrail(gc)],
    })
    assert response.status_code == 409
    assert response.json()["messageCode"] == "InsufficientBalance"
    assert balance_of(gc["id"]) == (500, None)


def test_checkout_with_allow_remainder_reports_the_remainder(api, make_value, balance_of):
    gc = make_value(balance=500)
    response = api.post("/v2/transactions/checkout", json={
        "id": "co-5", "currency": "USD", "lineItems": [{"unitPrice": 1000}], "sources": [lightrail(gc)],
        "allowRemainder": True,
    })
    assert response.status_code == 201
    assert response.json()["totals"]["remainder"] == 500
    assert balance_of(gc["id"]) == (0, None)


def test_single_use_rule_promotion_is_skipped_once_used(api, make_value, balance_of):
    promo = make_value(
        balanceRule={"rule": "currentLineItem.lineTotal.subtotal * 0.32", "explanation": "32% off"},
        redemptionRule={"rule": "currentLineItem.productId == 'p1'", "explanation": "p1 only"},
        usesRemaining=1, pretax=True, discount=True,
    )
    items = [{"productId": "p1", "unitPrice": 1200, "taxRate": 0.1}, {"productId": "p1", "unitPrice": 1200, "taxRate": 0.1}]
    first = api.post("/v2/transactions/checkout", json={
        "id": "co-6", "currency": "USD", "lineItems": items, "sources": [lightrail(promo)], "allowRemainder": True,
    })
    assert first.status_code == 201, first.text
    totals = first.json()["totals"]
    assert (totals["discount"], totals["tax"], totals["payable"]) == (768, 164, 1796)
    step = first.json()["steps"][0]
    assert (step["balanceBefore"], step["balanceChange"], step["usesRemainingBefore"], step["usesRemainingAfter"]) == (None, -768, 1, 0)
    assert step["balanceRule"]["rule"] == "currentLineItem.lineTotal.subtotal * 0.32"
    second = api.post("/v2/transactions/checkout", json={
        "id": "co-7", "currency": "USD", "lineItems": items, "sources": [lightrail(promo)], "allowRemainder": True,
    })
    assert second.status_code == 201
    assert second.json()["steps"] == []
    assert (second.json()["totals"]["tax"], second.json()["totals"]["remainder"]) == (240, 2640)


def test_simulated_checkout_persists_nothing(api, make_value, balance_of):
    gc, pre = make_value(balance=4000), make_value(balance=500, pretax=True, discount=True)
    response = api.post("/v2/transactions/checkout", json={
        "id": "co-8", "currency": "USD", "simulate": True, "allowRemainder": True,
        "lineItems": [{"productId": "p1", "unitPrice": 5059, "taxRate": 0.05}, {"productId": "p2", "unitPrice": 2999, "quantity": 11, "taxRate": 0.08}],
        "sources": [lightrail(gc), lightrail(pre)],
    })
    assert response.status_code == 200
    totals = response.json()["totals"]
    assert (totals["subtotal"], totals["tax"], totals["payable"], totals["paidLightrail"], totals["remainder"]) == (38048, 2852, 40400, 4000, 36400)
    assert response.json()["simulated"] is True
    assert balance_of(gc["id"]) == (4000, None)
    assert api.get("/v2/transactions/co-8").status_code == 404


def test_internal_source_pays_and_is_not_tracked(api, usd):
    response = api.post("/v2/transactions/checkout", json={
        "id": "co-9", "currency": "USD",
        "lineItems": [{"unitPrice": 422, "taxRate": 0.05}, {"unitPrice": 399, "taxRate": 0.05}, {"unitPrice": 629, "quantity": 2, "taxRate": 0.05}],
        "sources": [{"rail": "internal", "internalId": "points", "balance": 4000}],
    })
    assert response.status_code == 201, response.text
    assert response.json()["totals"]["payable"] == 2183
    assert response.json()["steps"] == [{"rail": "internal", "internalId": "points", "balanceBefore": 4000, "balanceAfter": 1817, "balanceChange": -2183}]
    assert api.get("/v2/transactions/co-9").json() == response.json()


def test_two_internal_sources_with_one_id_are_transaction_step_exists(api, usd):
    response = api.post("/v2/transactions/checkout", json={
        "id": "co-10", "currency": "USD", "lineItems": [{"unitPrice": 100}],
        "sources": [{"rail": "internal", "internalId": "x", "balance": 50}, {"rail": "internal", "internalId": "x", "balance": 50}],
    })
    assert response.status_code == 409
    assert response.json()["messageCode"] == "TransactionStepExists"


def test_checkout_charging_stripe_is_not_configured_but_simulates(api, make_value):
    gc = make_value(balance=100)
    body = {
        "id": "co-11", "currency": "USD", "lineItems": [{"unitPrice": 500}],
        "sources": [lightrail(gc), {"rail": "stripe", "source": "tok_visa"}],
    }
    simulated = api.post("/v2/transactions/checkout", json={**body, "simulate": True})
    assert simulated.status_code == 200, simulated.text
    assert simulated.json()["steps"][1] == {"rail": "stripe", "chargeId": None, "charge": None, "amount": -400}
    real = api.post("/v2/transactions/checkout", json=body)
    assert real.status_code == 422
    assert real.json()["messageCode"] == "StripeNotConfigured"


def test_invalid_rounding_mode_is_422(api, usd):
    response = api.post("/v2/transactions/checkout", json={
        "id": "co-12", "currency": "USD", "lineItems": [{"unitPrice": 1}], "sources": [], "tax": {"roundingMode": "INVALID"},
        "allowRemainder": True,
    })
    assert response.status_code == 422
    assert "not one of enum values: HALF_EVEN,HALF_UP" in response.json()["message"]


def test_per_contact_generic_code_is_attached_when_used(api, make_value, balance_of):
    assert api.post("/v2/contacts", json={"id": "c-1"}).status_code == 201
    make_value(
        id="generic-1", code="HALFOFF", isGenericCode=True, pretax=True, discount=True,
        balanceRule={"rule": "currentLineItem.lineTotal.subtotal * 0.5", "explanation": "50% off"},
        genericCodeOptions={"perContact": {"balance": None, "usesRemaining": 1}},
    )
    credit = make_value(balance=80, contactId="c-1")
    response = api.post("/v2/transactions/checkout", json={
        "id": "co-13", "currency": "USD", "lineItems": [{"unitPrice": 150, "taxRate": 0.05}],
        "sources": [{"rail": "lightrail", "contactId": "c-1"}, {"rail": "lightrail", "code": "HALFOFF"}],
    })
    assert response.status_code == 201, response.text
    body = response.json()
    assert (body["totals"]["discount"], body["totals"]["tax"], body["totals"]["payable"]) == (75, 4, 79)
    attached, paid = body["steps"]
    assert (attached["usesRemainingBefore"], attached["usesRemainingAfter"], attached["balanceChange"]) == (1, 0, -75)
    assert (paid["valueId"], paid["balanceBefore"], paid["balanceAfter"]) == (credit["id"], 80, 1)
    copy = api.get(f"/v2/values/{attached['valueId']}").json()
    assert (copy["attachedFromValueId"], copy["contactId"], copy["usesRemaining"]) == ("generic-1", "c-1", 0)
    types = sorted(t["transactionType"] for t in api.get("/v2/transactions?contactId=c-1").json())
    assert types == ["attach", "checkout", "initialBalance"]


def test_per_contact_generic_code_without_contact_must_be_attached(api, make_value):
    make_value(
        code="ONEPER", isGenericCode=True, balanceRule={"rule": "100", "explanation": "1$"},
        genericCodeOptions={"perContact": {"balance": None, "usesRemaining": 1}},
    )
    response = api.post("/v2/transactions/checkout", json={
        "id": "co-14", "currency": "USD", "lineItems": [{"unitPrice": 150}], "sources": [{"rail": "lightrail", "code": "ONEPER"}],
        "allowRemainder": True,
    })
    assert response.status_code == 409
    assert response.json()["messageCode"] == "ValueMustBeAttached"
