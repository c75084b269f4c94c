"""§14.15–§14.22 checklist through HTTP: rules, ordering, rounding, simulation, marketplace, mixed steps, internal."""

from __future__ import annotations

import pytest

ZERO = {"subtotal": 0, "tax": 0, "discount": 0, "discountLightrail": 0, "payable": 0, "paidInternal": 0,
        "paidLightrail": 0, "paidStripe": 0, "remainder": 0, "forgiven": 0}


def totals(**fields):
    return {**ZERO, **fields}


def lr(value):
    return {"rail": "lightrail", "valueId": value["id"] if isinstance(value, dict) else value}


def rule(text, explanation="rule"):
    return {"rule": text, "explanation": explanation}


def item(price, tax_rate=None, **fields):
    body = {"type": "product", "unitPrice": price, **fields}
    if tax_rate is not None:
        body["taxRate"] = tax_rate
    return body


def checkout(api, tx_id, items, sources, status=201, **extra):
    response = api.post("/v2/transactions/checkout", json={
        "id": tx_id, "currency": "USD", "lineItems": items, "sources": sources, **extra})
    assert response.status_code == status, response.text
    return response.json()


def line_totals(body):
    return [line["lineTotal"] for line in body["lineItems"]]


def amounts(body):
    return [(s.get("valueId") or s.get("internalId") or s["rail"], s.get("balanceChange", s.get("amount"))) for s in body["steps"]]


RULE_ITEMS = [item(500, 0.10, productId="p1"), item(250, 0.10, productId="p2", quantity=2)]


# --- rules (§14.21, examples 8–16) ------------------------------------------------------------------------------

def test_rule_with_object_literal_member_access(api, make_value):
    promo = make_value(balanceRule=rule("currentLineItem.lineTotal.subtotal*{rates: [0.5]}.rates[0]"), discount=True, pretax=True)
    body = checkout(api, "r-0", [item(50)], [lr(promo)], allowRemainder=True)
    assert amounts(body) == [(promo["id"], -25)]


def test_example_08_fifty_percent_off(api, make_value, balance_of):
    promo = make_value(balanceRule=rule("currentLineItem.lineTotal.subtotal*0.5"), pretax=True, discount=True)
    body = checkout(api, "r-8", RULE_ITEMS, [lr(promo)], allowRemainder=True)
    line = {"subtotal": 500, "taxable": 250, "tax": 25, "discount": 250, "remainder": 275, "payable": 275}
    assert line_totals(body) == [line, line]
    assert body["totals"] == totals(subtotal=1000, tax=50, discount=500, discountLightrail=500, payable=550, remainder=550)
    step = body["steps"][0]
    assert (step["balanceChange"], step["balanceBefore"], step["balanceAfter"]) == (-500, None, None)
    assert step["balanceRule"] == promo["balanceRule"]
    assert api.get("/v2/transactions/r-8").json() == body


def test_example_09_redemption_rule_on_one_product(api, make_value):
    promo = make_value(balanceRule=rule("currentLineItem.lineTotal.subtotal * 0.25"),
                       redemptionRule=rule("currentLineItem.productId == 'p1'"), pretax=True, discount=True)
    body = checkout(api, "r-9", RULE_ITEMS, [lr(promo)], allowRemainder=True)
    assert line_totals(body) == [
        {"subtotal": 500, "taxable": 375, "tax": 38, "discount": 125, "remainder": 413, "payable": 413},
        {"subtotal": 500, "taxable": 500, "tax": 50, "discount": 0, "remainder": 550, "payable": 550},
    ]
    assert body["totals"] == totals(subtotal=1000, tax=88, discount=125, discountLightrail=125, payable=963, remainder=963)


CART = dict(balanceRule=rule("currentLineItem.lineTotal.subtotal * 0.1"),
            redemptionRule=rule("currentLineItem.lineTotal.discount == 0"), pretax=True, discount=True)
PRODUCT = dict(balanceRule=rule("currentLineItem.lineTotal.subtotal * 0.2"),
               redemptionRule=rule("currentLineItem.lineTotal.discount == 0 && currentLineItem.productId == 'p1'"),
               pretax=True, discount=True)


def test_example_10_better_promotion_first_and_no_stacking(api, make_value):
    cart, product = make_value(**CART), make_value(**PRODUCT)
    body = checkout(api, "r-10", [item(500, 0.10, productId="p1"), item(250, 0.10, productId="p2")],
                    [lr(cart), lr(product)], allowRemainder=True)
    assert amounts(body) == [(product["id"], -100), (cart["id"], -25)]
    assert [(lt["discount"], lt["taxable"], lt["tax"]) for lt in line_totals(body)] == [(100, 400, 40), (25, 225, 22)]
    assert body["totals"] == totals(subtotal=750, tax=62, discount=125, discountLightrail=125, payable=687, remainder=687)


def test_example_11_single_use_promotion_then_skipped(api, make_value, balance_of):
    promo = make_value(balanceRule=rule("currentLineItem.lineTotal.subtotal * 0.32"),
                       redemptionRule=rule("currentLineItem.productId == 'p1'"), pretax=True, discount=True, usesRemaining=1)
    items = [item(1200, 0.10, productId="p1"), item(1200, 0.10, productId="p1")]
    first = checkout(api, "r-11a", items, [lr(promo)], allowRemainder=True)
    line = {"subtotal": 1200, "taxable": 816, "tax": 82, "discount": 384, "remainder": 898, "payable": 898}
    assert line_totals(first) == [line, line]
    assert first["totals"] == totals(subtotal=2400, tax=164, discount=768, discountLightrail=768, payable=1796, remainder=1796)
    step = first["steps"][0]
    assert (step["usesRemainingBefore"], step["usesRemainingAfter"], step["usesRemainingChange"]) == (1, 0, -1)
    assert balance_of(promo["id"]) == (None, 0)
    second = checkout(api, "r-11b", items, [lr(promo)], allowRemainder=True)
    assert second["steps"] == []
    assert second["totals"] == totals(subtotal=2400, tax=240, payable=2640, remainder=2640)


def test_example_12_greedy_picks_the_cart_promotion(api, make_value, balance_of):
    cart, product, gc = make_value(**CART), make_value(**PRODUCT), make_value(balance=800)
    body = checkout(api, "r-12", [item(199, 0.05, productId="p1"), item(299, 0.07, productId="p2"), item(349, productId="p2")],
                    [lr(cart), lr(product), lr(gc)])
    assert amounts(body) == [(cart["id"], -85), (gc["id"], -790)]
    assert [(lt["discount"], lt["taxable"], lt["tax"]) for lt in line_totals(body)] == [(35, 314, 0), (30, 269, 19), (20, 179, 9)]
    assert body["totals"] == totals(subtotal=847, tax=28, discount=85, discountLightrail=85, payable=790, paidLightrail=790)
    assert balance_of(gc["id"]) == (10, None)


def test_example_13_remainder_promotion_before_subtotal_promotion(api, make_value):
    p10 = make_value(balanceRule=rule("currentLineItem.lineTotal.subtotal*0.1"), pretax=True, discount=True, usesRemaining=1)
    p20 = make_value(balanceRule=rule("currentLineItem.lineTotal.remainder*0.2"), pretax=True, discount=True, usesRemaining=1)
    body = checkout(api, "r-13", [item(2399, productId="p1")], [lr(p10), lr(p20)], allowRemainder=True)
    assert amounts(body) == [(p20["id"], -480), (p10["id"], -240)]
    assert line_totals(body)[0]["taxable"] == 1679
    assert body["totals"] == totals(subtotal=2399, discount=720, discountLightrail=720, payable=1679, remainder=1679)


def test_example_14_rules_read_transaction_metadata(api, make_value):
    new = make_value(balanceRule=rule("currentLineItem.lineTotal.subtotal*0.1"),
                     redemptionRule=rule("metadata.isNewClient == true"), discount=True, pretax=True, usesRemaining=1)
    gold = make_value(balanceRule=rule("currentLineItem.lineTotal.remainder*0.2"),
                      redemptionRule=rule("metadata.isGoldClient == true"), discount=True, pretax=True, usesRemaining=1)
    metadata = {"isNewClient": True, "isGoldClient": False}
    body = checkout(api, "r-14", [item(3999, 0.10, productId="p1")], [lr(new), lr(gold)], allowRemainder=True, metadata=metadata)
    assert amounts(body) == [(new["id"], -400)]
    assert body["totals"] == totals(subtotal=3999, tax=360, discount=400, discountLightrail=400, payable=3959, remainder=3959)
    assert body["metadata"] == metadata


def test_example_15_amount_off_the_cart(api, make_value):
    credit = make_value(balanceRule=rule("800 + value.balanceChange"), discount=True, pretax=True, usesRemaining=1)
    body = checkout(api, "r-15", [item(200), item(600), item(100)], [lr(credit)], allowRemainder=True)
    assert [lt["discount"] for lt in line_totals(body)] == [600, 200, 0]
    assert [line["unitPrice"] for line in body["lineItems"]] == [600, 200, 100]
    assert body["totals"] == totals(subtotal=900, discount=800, discountLightrail=800, payable=100, remainder=100)


@pytest.mark.parametrize("rule_text, price, extra", [
    ("-100", 200, dict(discount=True, pretax=True, usesRemaining=1)),
    ("a", 200, dict(discount=True, pretax=True, usesRemaining=1)),
    ("'string'", 1, {}),
])
def test_example_16_rules_that_give_nothing(api, make_value, rule_text, price, extra):
    value = make_value(balanceRule=rule(rule_text), **extra)
    body = checkout(api, "r-16", [item(price)], [lr(value)], allowRemainder=True)
    assert body["steps"] == []
    assert body["totals"] == totals(subtotal=price, payable=price, remainder=price)


# --- ordering (§14.18) ------------------------------------------------------------------------------------------

SOON, LATER = "2098-01-01T00:00:00.000Z", "2198-01-01T00:00:00.000Z"
P123 = rule("currentLineItem.productId == '123'")
PATTERN = [{"endDate": SOON}, {"endDate": SOON, "redemptionRule": P123}, {"endDate": LATER},
           {"endDate": LATER, "redemptionRule": P123}, {}, {"redemptionRule": P123}]


@pytest.mark.parametrize("specs", [
    [{}, {"redemptionRule": P123}],
    [{"endDate": SOON}, {"endDate": SOON, "redemptionRule": P123}, {}, {"redemptionRule": P123}],
    PATTERN,
    [{**spec, "discount": True} for spec in PATTERN] + PATTERN,
], ids=["rule-last", "expiring-first", "sooner-first", "discounts-first"])
def test_ordering_of_values(api, make_value, specs):
    n = len(specs)
    # ids sort in the reverse of the expected order, sources are sent reversed: only the ordering rules can win
    values = [make_value(id=f"ord-{n - i:02d}", balance=1, **spec) for i, spec in enumerate(specs)]
    body = checkout(api, "ord", [item(n, productId="123")], [lr(v) for v in reversed(values)])
    assert amounts(body) == [(v["id"], -1) for v in values]


# --- rounding (§14.20) and simulation (§14.22) ------------------------------------------------------------------

@pytest.mark.parametrize("tax, taxes, expected_tax, payable", [
    ({"roundingMode": "HALF_UP"}, [2, 1], 3, 7),
    ({"roundingMode": "HALF_EVEN"}, [2, 0], 2, 6),
    (None, [2, 0], 2, 6),
])
def test_example_31_rounding(api, usd, tax, taxes, expected_tax, payable):
    extra = {} if tax is None else {"tax": tax}
    body = checkout(api, "round", [item(1, 0.5), item(3, 0.5)], [], allowRemainder=True, **extra)
    assert sorted(lt["tax"] for lt in line_totals(body)) == sorted(taxes)
    assert body["totals"] == totals(subtotal=4, tax=expected_tax, payable=payable, remainder=payable)
    assert body["tax"] == {"roundingMode": (tax or {}).get("roundingMode", "HALF_EVEN")}
    assert api.get("/v2/transactions/round").json() == body


def test_rounding_mode_invalid_is_422_with_enum_message(api, usd):
    response = api.post("/v2/transactions/checkout", json={
        "id": "round-bad", "currency": "USD", "lineItems": [item(1, 0.5)], "sources": [], "allowRemainder": True,
        "tax": {"roundingMode": "INVALID"}})
    assert response.status_code == 422
    assert "not one of enum values: HALF_EVEN,HALF_UP" in response.json()["message"]


def test_empty_tax_object_is_half_even(api, usd):
    body = checkout(api, "round-empty", [item(1, 0.5)], [], allowRemainder=True, tax={})
    assert body["tax"] == {"roundingMode": "HALF_EVEN"}


def test_example_32_simulation(api, make_value, balance_of):
    gc, promo = make_value(balance=4000), make_value(balance=500, pretax=True, discount=True)
    body = checkout(api, "sim-32", [item(5059, 0.05, productId="p1"), item(2999, 0.08, productId="p2", quantity=11)],
                    [lr(gc), lr(promo)], status=200, allowRemainder=True, simulate=True)
    assert body["simulated"] is True
    assert [line["productId"] for line in body["lineItems"]] == ["p2", "p1"]
    assert line_totals(body) == [
        {"subtotal": 32989, "taxable": 32489, "tax": 2599, "discount": 500, "remainder": 31088, "payable": 35088},
        {"subtotal": 5059, "taxable": 5059, "tax": 253, "discount": 0, "remainder": 5312, "payable": 5312},
    ]
    assert body["totals"] == totals(subtotal=38048, tax=2852, discount=500, discountLightrail=500, payable=40400,
                                    paidLightrail=4000, remainder=36400)
    assert amounts(body) == [(promo["id"], -500), (gc["id"], -4000)]
    assert balance_of(gc["id"]) == (4000, None) and balance_of(promo["id"]) == (500, None)
    assert api.get("/v2/transactions/sim-32").status_code == 404


# --- marketplace (§14.16, examples 28–30) -----------------------------------------------------------------------

def test_example_28_seller_gross(api, make_value):
    gc = make_value(balance=95000)
    items = [item(1299, 0.05, productId="cheeseburger", marketplaceRate=0.2),
             item(399, 0.05, productId="fries", quantity=2, marketplaceRate=0.2),
             {**item(200, 0.15, productId="commission-fee", marketplaceRate=1), "type": "fee"}]
    body = checkout(api, "mp-28", items, [lr(gc)])
    assert body["totals"]["tax"] == 135
    assert body["totals"]["marketplace"] == {"sellerGross": 1678, "sellerDiscount": 0, "sellerNet": 1678}
    assert all(lt["sellerDiscount"] == 0 for lt in line_totals(body))
    assert api.get("/v2/transactions/mp-28").json() == body
    body = checkout(api, "mp-28b", items[:2] + [item(249, 0.25, productId="sugar-water", quantity=2)] + items[2:], [lr(gc)])
    assert body["totals"]["tax"] == 259
    assert body["totals"]["marketplace"] == {"sellerGross": 2176, "sellerDiscount": 0, "sellerNet": 2176}


def test_checkout_without_marketplace_rates_has_no_marketplace_keys(api, make_value):
    gc = make_value(balance=100)
    body = checkout(api, "mp-none", [item(50)], [lr(gc)])
    assert "marketplace" not in body["totals"]
    assert "sellerDiscount" not in body["lineItems"][0]["lineTotal"]


@pytest.mark.parametrize("liability, expected", [
    (1.0, {"sellerGross": 16000, "sellerDiscount": 500, "sellerNet": 15500}),
    (0.5, {"sellerGross": 16000, "sellerDiscount": 250, "sellerNet": 15750}),
])
def test_example_29_seller_liability(api, make_value, liability, expected):
    gc = make_value(balance=93000)
    promo = make_value(balance=500, discount=True, pretax=True, discountSellerLiability=liability)
    items = [item(20000, 0.15, productId="adventure", marketplaceRate=0.2),
             {**item(1200, 0.15, productId="commission-fee", marketplaceRate=1), "type": "fee"}]
    body = checkout(api, "mp-29", items, [lr(gc), lr(promo)])
    assert body["totals"]["tax"] == 3105
    assert body["totals"]["marketplace"] == expected


def test_example_29_precise_liability_and_rule_without_rates(api, make_value):
    precise = make_value(balance=9200, discount=True, pretax=True, discountSellerLiability=0.815768)
    body = checkout(api, "mp-29p", [item(46000)], [lr(precise)], allowRemainder=True)
    assert body["totals"]["marketplace"] == {"sellerGross": 46000, "sellerDiscount": 7505, "sellerNet": 38495}
    forty = make_value(balance=500, discount=True, pretax=True, discountSellerLiabilityRule=rule("0.4", "Seller 40% liable"))
    body = checkout(api, "mp-29r", [item(1000)], [lr(forty)], allowRemainder=True)
    assert body["totals"] == {**totals(subtotal=1000, discount=500, discountLightrail=500, payable=500, remainder=500),
                              "marketplace": {"sellerGross": 1000, "sellerDiscount": 200, "sellerNet": 800}}


def test_example_30_liability_rule_from_marketplace_rate(api, make_value):
    promo = make_value(balance=9200, discount=True, pretax=True,
                       discountSellerLiabilityRule=rule("1 - currentLineItem.marketplaceRate"))
    items = [item(46000, 0.084, productId="rental_items_total", marketplaceRate=0.185),
             item(3500, 0.084, productId="delivery_total", marketplaceRate=0.185),
             item(2821, 0.084, productId="service_fee_total", marketplaceRate=1)]
    body = checkout(api, "mp-30", items, [lr(promo)], allowRemainder=True)
    assert body["totals"] == {
        **totals(subtotal=52321, tax=3622, discount=9200, discountLightrail=9200, payable=46743, remainder=46743),
        "marketplace": {"sellerGross": 40342, "sellerDiscount": 7498, "sellerNet": 32844}}
    assert line_totals(body)[0] == {"subtotal": 46000, "taxable": 36800, "tax": 3091, "discount": 9200,
                                    "sellerDiscount": 7498, "remainder": 39891, "payable": 39891}
    assert [lt["tax"] for lt in line_totals(body)] == [3091, 294, 237]


@pytest.mark.parametrize("liability_rule, rate, expected", [
    ("currentLineItem.marketplaceRate * 10", 0.2, {"sellerGross": 16000, "sellerDiscount": 8000, "sellerNet": 8000}),
    ("-10 * currentLineItem.marketplaceRate", 0.2, {"sellerGross": 16000, "sellerDiscount": 0, "sellerNet": 16000}),
    ("currentLineItem.nothingHere", 0.2, {"sellerGross": 16000, "sellerDiscount": 0, "sellerNet": 16000}),
    ("1 - currentLineItem.marketplaceRate", None, {"sellerGross": 20000, "sellerDiscount": 8000, "sellerNet": 12000}),
    ("0.123456789", 0.2, {"sellerGross": 16000, "sellerDiscount": 988, "sellerNet": 15012}),
])
def test_example_30_liability_rules_clamped_and_rounded(api, make_value, liability_rule, rate, expected):
    promo = make_value(discount=True, pretax=True, discountSellerLiabilityRule=rule(liability_rule),
                       balanceRule=rule("currentLineItem.lineTotal.subtotal * 0.40", "40% off"))
    fields = {} if rate is None else {"marketplaceRate": rate}
    body = checkout(api, "mp-30r", [item(20000, productId="adventure", **fields)], [lr(promo)], allowRemainder=True)
    assert body["totals"] == {**totals(subtotal=20000, discount=8000, discountLightrail=8000, payable=12000, remainder=12000),
                              "marketplace": expected}


# --- mixed steps (§14.17) and internal (§14.15), Stripe only simulated ------------------------------------------

MIXED_ITEMS = [item(422, 0.05, productId="guacamole"), item(399, 0.05, productId="cream-18%"),
               item(629, 0.05, productId="chips-and-dips-deluxe", quantity=2)]


def test_example_22_mixed_sources_simulated(api, make_value):
    gc, promo = make_value(balance=60), make_value(balance=10, discount=True, pretax=True)
    sources = [
        {"rail": "stripe", "source": "tok_visa"},
        {"rail": "internal", "internalId": "int-200", "balance": 200},
        {"rail": "internal", "internalId": "int-500", "balance": 500, "beforeLightrail": True},
        lr(gc),
        {"rail": "internal", "internalId": "int-50", "balance": 50, "pretax": True, "beforeLightrail": True},
        lr(promo),
    ]
    body = checkout(api, "mixed-22", MIXED_ITEMS, sources, status=200, simulate=True)
    assert body["totals"] == totals(subtotal=2079, tax=101, discount=10, discountLightrail=10, payable=2170,
                                    paidInternal=750, paidLightrail=60, paidStripe=1360)
    assert [line["productId"] for line in body["lineItems"]] == ["chips-and-dips-deluxe", "guacamole", "cream-18%"]
    assert [(lt["taxable"], lt["tax"]) for lt in line_totals(body)] == [(1198, 60), (422, 21), (399, 20)]
    assert body["steps"][0] == {"rail": "internal", "internalId": "int-50", "balanceBefore": 50, "balanceAfter": 0, "balanceChange": -50}
    assert amounts(body) == [("int-50", -50), (promo["id"], -10), ("int-500", -500), (gc["id"], -60), ("int-200", -200), ("stripe", -1360)]
    assert body["steps"][5] == {"rail": "stripe", "chargeId": None, "charge": None, "amount": -1360}
    assert body["paymentSources"] == sources


def test_example_23_secure_and_generic_codes(api, make_value, balance_of):
    secure = make_value(balance=100, code="ABCDEFG-SECRET")
    generic = make_value(code="ABCDEFG-GENERIC", isGenericCode=True, balanceRule=rule("2000 + value.balanceChange", "$20"))
    body = checkout(api, "mixed-23", [item(2000, 0.05, productId="chips-and-dips-deluxe")],
                    [{"rail": "lightrail", "code": "ABCDEFG-SECRET"}, {"rail": "lightrail", "code": "ABCDEFG-GENERIC"}])
    assert body["totals"] == totals(subtotal=2000, tax=100, payable=2100, paidLightrail=2100)
    steps = {s["valueId"]: s for s in body["steps"]}
    assert (steps[secure["id"]]["code"], steps[secure["id"]]["balanceChange"]) == ("…CRET", -100)
    g = steps[generic["id"]]
    assert (g["code"], g["balanceChange"], g["balanceBefore"], g["balanceAfter"]) == ("…ERIC", -2000, None, None)
    assert g["balanceRule"] == generic["balanceRule"]
    assert body["paymentSources"] == [{"rail": "lightrail", "code": "…CRET"}, {"rail": "lightrail", "code": "…ERIC"}]


def test_all_source_types_with_max_id_length_simulated(api, make_value):
    value = make_value(id="v" * 64, balance=1)
    sources = [{"rail": "stripe", "source": "tok_visa"}, {"rail": "internal", "internalId": "i" * 64, "balance": 1}, lr(value)]
    body = checkout(api, "x" * 64, [item(52)], sources, status=200, simulate=True)
    assert body["totals"]["paidStripe"] == 50


def test_example_24_single_internal(api, usd):
    body = checkout(api, "int-24", MIXED_ITEMS, [{"rail": "internal", "internalId": "id-4000", "balance": 4000}])
    assert body["totals"] == totals(subtotal=2079, tax=104, payable=2183, paidInternal=2183)
    assert body["steps"] == [{"rail": "internal", "internalId": "id-4000", "balanceBefore": 4000, "balanceAfter": 1817, "balanceChange": -2183}]
    assert api.get("/v2/transactions/int-24").json() == body


def test_example_25_two_internals_in_request_order(api, usd):
    items = [item(591, 0.07, quantity=20), item(399, 0.07, quantity=5), item(442, 0.07, quantity=5)]
    sources = [{"rail": "internal", "internalId": "a15000", "balance": 15000}, {"rail": "internal", "internalId": "b4400", "balance": 4400}]
    body = checkout(api, "int-25", items, sources)
    assert [lt["tax"] for lt in line_totals(body)] == [827, 155, 140]
    assert (body["totals"]["tax"], body["totals"]["payable"]) == (1122, 17147)
    assert amounts(body) == [("a15000", -15000), ("b4400", -2147)]
    fetched = api.get("/v2/transactions/int-25").json()
    assert sorted(map(str, fetched["steps"])) == sorted(map(str, body["steps"]))


def test_example_26_pretax_internal_pays_before_tax(api, usd):
    sources = [{"rail": "internal", "internalId": "i2000", "balance": 2000},
               {"rail": "internal", "internalId": "i6000", "balance": 6000, "pretax": True}]
    body = checkout(api, "int-26", [item(591, 0.05), item(491, 0.05, quantity=2)], sources)
    assert (body["totals"]["tax"], body["totals"]["paidInternal"]) == (0, 1573)
    assert amounts(body) == [("i6000", -1573)]


def test_example_27_before_lightrail_and_before_stripe(api, make_value):
    gc = make_value(balance=2000)
    body = checkout(api, "int-27", [item(499, 0.05)], [lr(gc), {"rail": "internal", "internalId": "i300", "balance": 300, "beforeLightrail": True}])
    assert body["totals"]["tax"] == 25
    assert amounts(body) == [("i300", -300), (gc["id"], -224)]
    sources = [{"rail": "internal", "internalId": "i200", "balance": 200}, {"rail": "stripe", "source": "tok_visa"}]
    body = checkout(api, "int-27b", [item(634, 0.05)], sources, status=200, simulate=True)
    assert body["totals"]["tax"] == 32
    assert body["steps"][1] == {"rail": "stripe", "amount": -466, "charge": None, "chargeId": None}
    assert amounts(body) == [("i200", -200), ("stripe", -466)]
    assert body["paymentSources"] == sources
