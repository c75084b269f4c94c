"""The 34 worked checkout examples of transactions.md §7.9, with their exact numbers."""

from __future__ import annotations

import pytest
from checkout_factories import (
    checkout,
    internal,
    item,
    lightrail_step,
    line_totals,
    lr,
    plan,
    rule,
    step_amounts,
    stripe,
    totals,
    value,
)

from lightrail.checkout import PlanError

ITEMS_P1_P2 = [
    item(500, 0.05, type="shipping", productId="p1"),
    item(333, 0.08, type="product", productId="p2", quantity=2),
]


def test_example_01_processes_basic_order():
    gc = value("basic-checkout-vs", balance=1000)
    p = plan(
        checkout([item(50, type="product", productId="happiness-😃")], [lr(gc["id"])]),
        [gc],
    )
    body = p.to_json()
    assert body["totals"] == totals(subtotal=50, payable=50, paidLightrail=50)
    assert body["lineItems"] == [
        {
            "unitPrice": 50,
            "type": "product",
            "productId": "happiness-😃",
            "quantity": 1,
            "lineTotal": {"subtotal": 50, "taxable": 50, "tax": 0, "discount": 0, "remainder": 0, "payable": 50},
        }
    ]
    assert body["steps"] == [lightrail_step("basic-checkout-vs", -50, 1000)]
    assert body["paymentSources"] == [{"rail": "lightrail", "valueId": "basic-checkout-vs"}]
    assert body["tax"] == {"roundingMode": "HALF_EVEN"}
    assert body["metadata"] is None
    assert body["currency"] == "CAD"


def test_example_02_discount_is_used_before_gift_card():
    gc = value("vs-checkout2-giftcard", balance=1000)
    promo = value("vs-checkout2-promotion", balance=10, discount=True)
    p = plan(checkout([item(50, productId="xyz-123")], [lr(gc["id"]), lr(promo["id"])]), [gc, promo])
    assert p.totals_json() == totals(subtotal=50, discount=10, discountLightrail=10, payable=40, paidLightrail=40)
    assert p.steps_json() == [
        lightrail_step("vs-checkout2-promotion", -10, 10),
        lightrail_step("vs-checkout2-giftcard", -40, 1000),
    ]
    assert line_totals(p) == [{"subtotal": 50, "taxable": 50, "tax": 0, "discount": 10, "remainder": 0, "payable": 40}]


def test_example_03_pretax_and_posttax_promotions_with_tax():
    gc = value("vs-checkout3-giftcard", balance=1010)
    pre = value("vs-checkout3-promotion1", balance=200, pretax=True, discount=True)
    post = value("vs-checkout3-promotion2", balance=25, discount=True)
    p = plan(checkout(ITEMS_P1_P2, [lr(gc["id"]), lr(pre["id"]), lr(post["id"])]), [gc, pre, post])
    assert [line.item["productId"] for line in p.line_items] == ["p2", "p1"]
    assert line_totals(p) == [
        {"subtotal": 666, "taxable": 466, "tax": 37, "discount": 225, "remainder": 0, "payable": 478},
        {"subtotal": 500, "taxable": 500, "tax": 25, "discount": 0, "remainder": 0, "payable": 525},
    ]
    assert p.totals_json() == totals(
        subtotal=1166, tax=62, discount=225, discountLightrail=225, payable=1003, paidLightrail=1003
    )
    assert p.steps_json() == [
        lightrail_step("vs-checkout3-promotion1", -200, 200),
        lightrail_step("vs-checkout3-promotion2", -25, 25),
        lightrail_step("vs-checkout3-giftcard", -1003, 1010),
    ]
    assert p.steps_json()[2]["balanceAfter"] == 7


def test_example_04_same_value_listed_twice_is_used_once():
    gc = value("gc-twice", balance=1000)
    request = checkout([item(50, productId="xyz-123")], [lr("gc-twice"), lr("gc-twice")])
    p = plan(request, [gc, gc])
    assert p.steps_json() == [lightrail_step("gc-twice", -50, 1000)]
    assert p.to_json()["paymentSources"] == [lr("gc-twice"), lr("gc-twice")]


def test_example_05_attached_generic_code_and_account_credit():
    balance_rule = rule("currentLineItem.lineTotal.subtotal * 0.50", "50% off each item")
    attached = value(
        "attached-copy",
        contactId="contact-1",
        balanceRule=balance_rule,
        discount=True,
        pretax=True,
        usesRemaining=1,
        attachedFromValueId="generic-1",
    )
    credit = value("account-credit", balance=80, contactId="contact-1")
    p = plan(checkout([item(150, 0.05)], [{"rail": "lightrail", "contactId": "contact-1"}]), [credit, attached])
    assert p.totals_json() == totals(
        subtotal=150, tax=4, discount=75, discountLightrail=75, payable=79, paidLightrail=79
    )
    assert line_totals(p) == [{"subtotal": 150, "taxable": 75, "tax": 4, "discount": 75, "remainder": 0, "payable": 79}]
    assert p.steps_json() == [
        lightrail_step("attached-copy", -75, None, contact_id="contact-1", balance_rule=balance_rule, uses_before=1),
        lightrail_step("account-credit", -79, 80, contact_id="contact-1"),
    ]


def test_example_06_insufficient_balance_then_remainder():
    gc = value("vs-checkout4-giftcard", balance=500)
    pre = value("vs-checkout4-promotion1", balance=200, pretax=True, discount=True)
    sources = [lr(gc["id"]), lr(pre["id"])]
    with pytest.raises(PlanError) as error:
        plan(checkout(ITEMS_P1_P2, sources), [gc, pre])
    assert error.value.status == 409
    assert error.value.message_code == "InsufficientBalance"
    assert error.value.message == "Insufficient balance for the transaction."

    p = plan(checkout(ITEMS_P1_P2, sources, allowRemainder=True), [gc, pre])
    assert p.totals_json() == totals(
        subtotal=1166, tax=62, discount=200, discountLightrail=200, payable=1028, paidLightrail=500, remainder=528
    )
    assert [lt["remainder"] for lt in line_totals(p)] == [3, 525]
    assert step_amounts(p) == [("lightrail", pre["id"], -200), ("lightrail", gc["id"], -500)]


def test_example_07_percent_discount_capped_at_200():
    capped = value(
        "capped",
        usesRemaining=1,
        balanceRule=rule("min(currentLineItem.lineTotal.subtotal * 0.10, 200 + value.balanceChange)"),
        pretax=True,
        discount=True,
    )
    p = plan(checkout([item(1000), item(12000)], [lr("capped")], allowRemainder=True), [capped])
    assert p.totals.discount_lightrail == 200
    assert [(lt["subtotal"], lt["discount"]) for lt in line_totals(p)] == [(12000, 200), (1000, 0)]
    assert step_amounts(p) == [("lightrail", "capped", -200)]


RULE_ITEMS = [
    item(500, 0.10, type="product", productId="p1"),
    item(250, 0.10, type="product", productId="p2", quantity=2),
]


def test_example_08_fifty_percent_off_everything():
    balance_rule = rule("currentLineItem.lineTotal.subtotal*0.5", "50% off everything")
    promo = value("promo-50", balanceRule=balance_rule, pretax=True, discount=True)
    p = plan(checkout(RULE_ITEMS, [lr("promo-50")], allowRemainder=True), [promo])
    expected_line = {"subtotal": 500, "taxable": 250, "tax": 25, "discount": 250, "remainder": 275, "payable": 275}
    assert line_totals(p) == [expected_line, expected_line]
    assert [line.item["productId"] for line in p.line_items] == ["p1", "p2"]
    assert p.totals_json() == totals(
        subtotal=1000, tax=50, discount=500, discountLightrail=500, payable=550, remainder=550
    )
    assert p.steps_json() == [lightrail_step("promo-50", -500, None, balance_rule=balance_rule)]


def test_example_09_twenty_five_percent_off_one_product():
    promo = value(
        "promo-25",
        balanceRule=rule("currentLineItem.lineTotal.subtotal * 0.25"),
        redemptionRule=rule("currentLineItem.productId == 'p1'"),
        pretax=True,
        discount=True,
    )
    p = plan(checkout(RULE_ITEMS, [lr("promo-25")], allowRemainder=True), [promo])
    assert line_totals(p) == [
        {"subtotal": 500, "taxable": 375, "tax": 38, "discount": 125, "remainder": 413, "payable": 413},
        {"subtotal": 500, "taxable": 500, "tax": 50, "discount": 0, "remainder": 550, "payable": 550},
    ]
    assert p.totals_json() == totals(
        subtotal=1000, tax=88, discount=125, discountLightrail=125, payable=963, remainder=963
    )


CART_PROMO = dict(
    balanceRule=rule("currentLineItem.lineTotal.subtotal * 0.1", "10% off everything"),
    redemptionRule=rule("currentLineItem.lineTotal.discount == 0"),
    pretax=True,
    discount=True,
)
PRODUCT_PROMO = dict(
    balanceRule=rule("currentLineItem.lineTotal.subtotal * 0.2", "20% off p1"),
    redemptionRule=rule("currentLineItem.lineTotal.discount == 0 && currentLineItem.productId == 'p1'"),
    pretax=True,
    discount=True,
)


def test_example_10_promotions_do_not_stack_and_the_better_one_goes_first():
    cart = value("cart-promo", **CART_PROMO)
    product = value("product-promo", **PRODUCT_PROMO)
    items = [item(500, 0.10, type="product", productId="p1"), item(250, 0.10, type="product", productId="p2")]
    p = plan(checkout(items, [lr("cart-promo"), lr("product-promo")], allowRemainder=True), [cart, product])
    assert step_amounts(p) == [("lightrail", "product-promo", -100), ("lightrail", "cart-promo", -25)]
    assert line_totals(p) == [
        {"subtotal": 500, "taxable": 400, "tax": 40, "discount": 100, "remainder": 440, "payable": 440},
        {"subtotal": 250, "taxable": 225, "tax": 22, "discount": 25, "remainder": 247, "payable": 247},
    ]
    assert p.totals_json() == totals(
        subtotal=750, tax=62, discount=125, discountLightrail=125, payable=687, remainder=687
    )


def test_example_11_single_use_promotion_cannot_be_used_again():
    promo_fields = dict(
        balanceRule=rule("currentLineItem.lineTotal.subtotal * 0.32"),
        redemptionRule=rule("currentLineItem.productId == 'p1'"),
        pretax=True,
        discount=True,
    )
    items = [item(1200, 0.10, type="product", productId="p1"), item(1200, 0.10, type="product", productId="p1")]
    request = checkout(items, [lr("promo-32")], allowRemainder=True)

    first = plan(request, [value("promo-32", usesRemaining=1, **promo_fields)])
    line = {"subtotal": 1200, "taxable": 816, "tax": 82, "discount": 384, "remainder": 898, "payable": 898}
    assert line_totals(first) == [line, line]
    assert first.totals_json() == totals(
        subtotal=2400, tax=164, discount=768, discountLightrail=768, payable=1796, remainder=1796
    )
    assert first.steps_json() == [
        lightrail_step("promo-32", -768, None, balance_rule=promo_fields["balanceRule"], uses_before=1)
    ]

    second = plan(request, [value("promo-32", usesRemaining=0, **promo_fields)])
    assert second.steps == []
    assert second.totals_json() == totals(subtotal=2400, tax=240, payable=2640, remainder=2640)
    untouched = {"subtotal": 1200, "taxable": 1200, "tax": 120, "discount": 0, "remainder": 1320, "payable": 1320}
    assert line_totals(second) == [untouched, untouched]


def test_example_12_greedy_picks_the_cart_promotion_known_suboptimal():
    cart = value("cp-1", **CART_PROMO)
    product = value("pp-1", **PRODUCT_PROMO)
    gc = value("gc-1", balance=800)
    items = [
        item(199, 0.05, type="product", productId="p1"),
        item(299, 0.07, type="product", productId="p2"),
        item(349, type="product", productId="p2"),
    ]
    p = plan(checkout(items, [lr("cp-1"), lr("pp-1"), lr("gc-1")]), [cart, product, gc])
    assert step_amounts(p) == [("lightrail", "cp-1", -85), ("lightrail", "gc-1", -790)]
    assert line_totals(p) == [
        {"subtotal": 349, "taxable": 314, "tax": 0, "discount": 35, "remainder": 0, "payable": 314},
        {"subtotal": 299, "taxable": 269, "tax": 19, "discount": 30, "remainder": 0, "payable": 288},
        {"subtotal": 199, "taxable": 179, "tax": 9, "discount": 20, "remainder": 0, "payable": 188},
    ]
    assert p.totals_json() == totals(
        subtotal=847, tax=28, discount=85, discountLightrail=85, payable=790, paidLightrail=790
    )
    assert p.steps_json()[1]["balanceAfter"] == 10


def test_example_13_promotion_on_remainder_is_applied_before_promotion_on_subtotal():
    p10 = value(
        "a_p10", balanceRule=rule("currentLineItem.lineTotal.subtotal*0.1"), pretax=True, discount=True, usesRemaining=1
    )
    p20 = value(
        "b_p20", balanceRule=rule("currentLineItem.lineTotal.remainder*0.2"), pretax=True, discount=True, usesRemaining=1
    )
    p = plan(checkout([item(2399, productId="p1")], [lr("a_p10"), lr("b_p20")], allowRemainder=True), [p10, p20])
    assert step_amounts(p) == [("lightrail", "b_p20", -480), ("lightrail", "a_p10", -240)]
    assert line_totals(p) == [
        {"subtotal": 2399, "taxable": 1679, "tax": 0, "discount": 720, "remainder": 1679, "payable": 1679}
    ]
    assert p.totals_json() == totals(
        subtotal=2399, discount=720, discountLightrail=720, payable=1679, remainder=1679
    )


def test_example_14_rules_can_use_transaction_metadata():
    new_client = value(
        "new-client",
        balanceRule=rule("currentLineItem.lineTotal.subtotal*0.1"),
        redemptionRule=rule("metadata.isNewClient == true"),
        discount=True,
        pretax=True,
        usesRemaining=1,
    )
    gold_client = value(
        "gold-client",
        balanceRule=rule("currentLineItem.lineTotal.remainder*0.2"),
        redemptionRule=rule("metadata.isGoldClient == true"),
        discount=True,
        pretax=True,
        usesRemaining=1,
    )
    metadata = {"isNewClient": True, "isGoldClient": False}
    request = checkout(
        [item(3999, 0.10, productId="p1")],
        [lr("new-client"), lr("gold-client")],
        allowRemainder=True,
        metadata=metadata,
    )
    p = plan(request, [new_client, gold_client])
    assert step_amounts(p) == [("lightrail", "new-client", -400)]
    assert line_totals(p) == [
        {"subtotal": 3999, "taxable": 3599, "tax": 360, "discount": 400, "remainder": 3959, "payable": 3959}
    ]
    assert p.totals_json() == totals(
        subtotal=3999, tax=360, discount=400, discountLightrail=400, payable=3959, remainder=3959
    )
    assert p.to_json()["metadata"] == metadata


def test_example_15_amount_off_the_cart_with_value_balance_change():
    credit = value("eight-dollars", balanceRule=rule("800 + value.balanceChange"), discount=True, pretax=True, usesRemaining=1)
    p = plan(checkout([item(200), item(600), item(100)], [lr("eight-dollars")], allowRemainder=True), [credit])
    assert line_totals(p) == [
        {"subtotal": 600, "taxable": 0, "tax": 0, "discount": 600, "remainder": 0, "payable": 0},
        {"subtotal": 200, "taxable": 0, "tax": 0, "discount": 200, "remainder": 0, "payable": 0},
        {"subtotal": 100, "taxable": 100, "tax": 0, "discount": 0, "remainder": 100, "payable": 100},
    ]
    assert p.totals_json() == totals(subtotal=900, discount=800, discountLightrail=800, payable=100, remainder=100)
    assert step_amounts(p) == [("lightrail", "eight-dollars", -800)]


@pytest.mark.parametrize(
    ("rule_text", "price", "extra"),
    [
        ("-100", 200, dict(discount=True, pretax=True, usesRemaining=1)),
        ("a", 200, dict(discount=True, pretax=True, usesRemaining=1)),
        ("'string'", 1, {}),
    ],
    ids=["negative", "undefined-identifier", "string-is-NaN"],
)
def test_example_16_balance_rules_that_give_nothing(rule_text, price, extra):
    v = value("nothing", balanceRule=rule(rule_text), **extra)
    p = plan(checkout([item(price)], [lr("nothing")], allowRemainder=True), [v])
    assert p.steps == []
    assert p.totals_json() == totals(subtotal=price, payable=price, remainder=price)


def test_example_17_zero_rules_are_not_double_counted_across_optimizer_passes():
    a = value("promo-a", balanceRule=rule("0", "zero the hard way"))
    b = value("promo-b", balanceRule=rule("0", "zero the hard way"))
    request = checkout([item(500, productId="xyz-123")], [lr("promo-a"), lr("promo-b"), stripe()], simulate=True)
    p = plan(request, [a, b])
    assert p.totals.payable == 500
    assert step_amounts(p) == [("stripe", None, -500)]


def test_example_18_stripe_alone_split_tender_and_lightrail_sufficient():
    only_stripe = plan(checkout([item(123)], [stripe()]), [])
    assert only_stripe.totals_json() == totals(subtotal=123, payable=123, paidStripe=123)
    assert only_stripe.steps_json() == [{"rail": "stripe", "chargeId": None, "charge": None, "amount": -123}]
    assert only_stripe.stripe_steps[0].idempotency_key == "checkout-1-0"
    assert only_stripe.stripe_steps[0].source == "tok_visa"

    gc = value("value-for-checkout-w-stripe", balance=100)
    split = plan(checkout([item(500)], [lr(gc["id"]), stripe()]), [gc])
    assert split.totals_json() == totals(subtotal=500, payable=500, paidLightrail=100, paidStripe=400)
    assert step_amounts(split) == [("lightrail", gc["id"], -100), ("stripe", None, -400)]

    rich = value("rich", balance=1000)
    no_stripe = plan(checkout([item(500)], [lr("rich"), stripe()]), [rich])
    assert step_amounts(no_stripe) == [("lightrail", "rich", -500)]
    assert no_stripe.totals.paid_stripe == 0


def test_example_19_first_stripe_source_is_capped_by_max_amount():
    gc = value("gc", balance=100)
    p = plan(checkout([item(500)], [lr("gc"), stripe(maxAmount=100), stripe(source="tok_mastercard")]), [gc])
    assert step_amounts(p) == [("lightrail", "gc", -100), ("stripe", None, -100), ("stripe", None, -300)]
    assert [(s.idempotency_key, s.max_amount) for s in p.stripe_steps] == [("checkout-1-0", 100), ("checkout-1-1", None)]
    assert p.totals.paid_stripe == 400


def test_example_20_internal_before_lightrail_then_two_capped_stripe_sources():
    gc = value("gc", currency="USD", balance=100)
    request = checkout(
        [item(250)],
        [
            internal("id", 1, beforeLightrail=True),
            lr("gc"),
            stripe(maxAmount=50),
            stripe(maxAmount=200),
        ],
        currency="USD",
    )
    p = plan(request, [gc])
    assert step_amounts(p) == [
        ("internal", "id", -1),
        ("lightrail", "gc", -100),
        ("stripe", None, -50),
        ("stripe", None, -99),
    ]
    assert p.totals_json() == totals(subtotal=250, payable=250, paidInternal=1, paidLightrail=100, paidStripe=149)


class TestExample21StripeMinimum:
    def test_charge_below_default_minimum_is_refused(self):
        exhausted = value("exhausted", balance=0)
        with pytest.raises(PlanError) as error:
            plan(checkout([item(49)], [lr("exhausted"), stripe()]), [exhausted])
        assert error.value.status == 409
        assert error.value.message_code == "StripeAmountTooSmall"
        assert error.value.extra == {"amount": 49, "minAmount": 50}
        assert error.value.message.startswith(
            "The transaction cannot be processed because it contains a Stripe charge (49) below the minimum (50)."
        )

    def test_charge_at_minimum_is_accepted(self):
        p = plan(checkout([item(50)], [lr("exhausted"), stripe()]), [value("exhausted", balance=0)])
        assert step_amounts(p) == [("stripe", None, -50)]

    def test_sub_minimum_amount_can_be_forgiven(self):
        gc = value("gc", balance=100)
        p = plan(checkout([item(125)], [lr("gc"), stripe(forgiveSubMinAmount=True)]), [gc])
        assert p.totals_json() == totals(subtotal=125, payable=125, paidLightrail=100, forgiven=25)
        assert step_amounts(p) == [("lightrail", "gc", -100)]
        assert line_totals(p)[0]["remainder"] == 0

    def test_allow_remainder_takes_precedence_over_forgiveness(self):
        gc = value("gc", balance=100)
        request = checkout([item(125)], [lr("gc"), stripe(forgiveSubMinAmount=True)], allowRemainder=True)
        p = plan(request, [gc])
        assert p.totals_json() == totals(subtotal=125, payable=125, paidLightrail=100, remainder=25)
        assert step_amounts(p) == [("lightrail", "gc", -100)]
        assert line_totals(p)[0]["remainder"] == 0  # line items are not adjusted (quirk Q8)

    def test_lower_configured_minimum(self):
        p = plan(checkout([item(49)], [stripe(minAmount=48)]), [])
        assert step_amounts(p) == [("stripe", None, -49)]
        assert p.stripe_steps[0].min_amount == 48

    def test_higher_configured_minimum(self):
        with pytest.raises(PlanError) as error:
            plan(checkout([item(125)], [stripe(minAmount=200)]), [])
        assert error.value.message_code == "StripeAmountTooSmall"
        assert error.value.extra == {"amount": 125, "minAmount": 200}


def test_example_22_mixed_sources_in_the_order_of_the_groups():
    gc = value("gc-60", balance=60)
    promo = value("promo-10", balance=10, discount=True, pretax=True)
    sources = [
        stripe(),
        internal("int-200", 200),
        internal("int-500", 500, beforeLightrail=True),
        lr("gc-60"),
        internal("int-50", 50, pretax=True, beforeLightrail=True),
        lr("promo-10"),
    ]
    items = [
        item(422, 0.05, type="product", productId="guacamole"),
        item(399, 0.05, type="product", productId="cream-18%"),
        item(629, 0.05, type="product", productId="chips-and-dips-deluxe", quantity=2),
    ]
    p = plan(checkout(items, sources), [gc, promo])
    assert p.totals_json() == totals(
        subtotal=2079,
        tax=101,
        discount=10,
        discountLightrail=10,
        payable=2170,
        paidInternal=750,
        paidLightrail=60,
        paidStripe=1360,
    )
    assert [line.item["productId"] for line in p.line_items] == ["chips-and-dips-deluxe", "guacamole", "cream-18%"]
    assert line_totals(p) == [
        {"subtotal": 1258, "taxable": 1198, "tax": 60, "discount": 10, "remainder": 0, "payable": 1308},
        {"subtotal": 422, "taxable": 422, "tax": 21, "discount": 0, "remainder": 0, "payable": 443},
        {"subtotal": 399, "taxable": 399, "tax": 20, "discount": 0, "remainder": 0, "payable": 419},
    ]
    assert p.steps_json() == [
        {"rail": "internal", "internalId": "int-50", "balanceBefore": 50, "balanceAfter": 0, "balanceChange": -50},
        lightrail_step("promo-10", -10, 10),
        {"rail": "internal", "internalId": "int-500", "balanceBefore": 500, "balanceAfter": 0, "balanceChange": -500},
        lightrail_step("gc-60", -60, 60),
        {"rail": "internal", "internalId": "int-200", "balanceBefore": 200, "balanceAfter": 0, "balanceChange": -200},
        {"rail": "stripe", "chargeId": None, "charge": None, "amount": -1360},
    ]
    assert p.payment_sources == sources  # flags echoed only when sent


def test_example_23_secure_and_generic_codes():
    secure = value("secure", code="…CRET", balance=100)
    generic_rule = rule("2000 + value.balanceChange", "$20")
    generic = value("generic", code="ABCDEFG-GENERIC", isGenericCode=True, balanceRule=generic_rule)
    request = checkout(
        [item(2000, 0.05, type="product", productId="chips-and-dips-deluxe")],
        [{"rail": "lightrail", "code": "ABCDEFG-SECRET"}, {"rail": "lightrail", "code": "ABCDEFG-GENERIC"}],
    )
    p = plan(request, [secure, generic])
    assert p.totals_json() == totals(subtotal=2000, tax=100, payable=2100, paidLightrail=2100)
    steps = {s["valueId"]: s for s in p.steps_json()}
    assert steps["secure"] == lightrail_step("secure", -100, 100, code="…CRET")
    assert steps["generic"] == lightrail_step("generic", -2000, None, code="…ERIC", balance_rule=generic_rule)
    assert p.payment_sources == [{"rail": "lightrail", "code": "…CRET"}, {"rail": "lightrail", "code": "…ERIC"}]


INTERNAL_ITEMS = [
    item(422, 0.05, type="product", productId="guacamole"),
    item(399, 0.05, type="product", productId="cream-18%"),
    item(629, 0.05, type="product", productId="chips-and-dips-deluxe", quantity=2),
]


def test_example_24_single_internal_source():
    p = plan(checkout(INTERNAL_ITEMS, [internal("internal-1", 4000)]), [])
    assert [lt["tax"] for lt in line_totals(p)] == [63, 21, 20]
    assert p.totals_json() == totals(subtotal=2079, tax=104, payable=2183, paidInternal=2183)
    assert p.steps_json() == [
        {"rail": "internal", "internalId": "internal-1", "balanceBefore": 4000, "balanceAfter": 1817, "balanceChange": -2183}
    ]


def test_example_25_two_internal_sources_in_request_order():
    items = [
        item(591, 0.07, productId="p1", quantity=20),
        item(399, 0.07, productId="p2", quantity=5),
        item(442, 0.07, productId="p3", quantity=5),
    ]
    p = plan(checkout(items, [internal("first", 15000), internal("second", 4400)]), [])
    assert [(lt["subtotal"], lt["tax"]) for lt in line_totals(p)] == [(11820, 827), (2210, 155), (1995, 140)]
    assert p.totals_json() == totals(subtotal=16025, tax=1122, payable=17147, paidInternal=17147)
    assert [s.to_json() for s in p.internal_steps] == [
        {"rail": "internal", "internalId": "first", "balanceBefore": 15000, "balanceAfter": 0, "balanceChange": -15000},
        {"rail": "internal", "internalId": "second", "balanceBefore": 4400, "balanceAfter": 2253, "balanceChange": -2147},
    ]


def test_example_26_pretax_internal_source_pays_before_tax():
    items = [item(591, 0.05, productId="p1"), item(491, 0.05, productId="p2", quantity=2)]
    p = plan(checkout(items, [internal("post", 2000), internal("pre", 6000, pretax=True)]), [])
    assert line_totals(p) == [
        {"subtotal": 982, "taxable": 0, "tax": 0, "discount": 0, "remainder": 0, "payable": 982},
        {"subtotal": 591, "taxable": 0, "tax": 0, "discount": 0, "remainder": 0, "payable": 591},
    ]
    assert p.totals_json() == totals(subtotal=1573, payable=1573, paidInternal=1573)
    assert step_amounts(p) == [("internal", "pre", -1573)]


def test_example_27_before_lightrail_and_internal_before_stripe():
    gc = value("gc", balance=2000)
    p = plan(checkout([item(499, 0.05)], [lr("gc"), internal("int-300", 300, beforeLightrail=True)]), [gc])
    assert p.totals.tax == 25
    assert step_amounts(p) == [("internal", "int-300", -300), ("lightrail", "gc", -224)]

    request = checkout([item(634, 0.05)], [internal("int-200", 200), stripe()], simulate=True)
    p2 = plan(request, [])
    assert p2.totals.tax == 32
    assert p2.steps_json() == [
        {"rail": "internal", "internalId": "int-200", "balanceBefore": 200, "balanceAfter": 0, "balanceChange": -200},
        {"rail": "stripe", "amount": -466, "charge": None, "chargeId": None},
    ]
    assert p2.payment_sources == request["sources"]


def test_example_28_marketplace_seller_gross():
    gc = value("marketplace-test-gift-card", balance=95000)
    items = [
        item(1299, 0.05, type="product", productId="cheeseburger", marketplaceRate=0.2),
        item(399, 0.05, type="product", productId="fries", quantity=2, marketplaceRate=0.2),
        item(200, 0.15, type="fee", productId="commission-fee", marketplaceRate=1),
    ]
    p = plan(checkout(items, [lr(gc["id"])]), [gc])
    assert p.totals.tax == 135
    assert p.totals_json()["marketplace"] == {"sellerGross": 1678, "sellerDiscount": 0, "sellerNet": 1678}
    assert all(lt["sellerDiscount"] == 0 for lt in line_totals(p))

    items_with_unrated = items[:2] + [item(249, 0.25, type="product", productId="sugar-water", quantity=2)] + items[2:]
    p2 = plan(checkout(items_with_unrated, [lr(gc["id"])]), [gc])
    assert p2.totals.tax == 259
    assert p2.totals_json()["marketplace"] == {"sellerGross": 2176, "sellerDiscount": 0, "sellerNet": 2176}


@pytest.mark.parametrize(
    ("liability", "expected"),
    [
        (1.0, {"sellerGross": 16000, "sellerDiscount": 500, "sellerNet": 15500}),
        (0.5, {"sellerGross": 16000, "sellerDiscount": 250, "sellerNet": 15750}),
    ],
)
def test_example_29_marketplace_discount_seller_liability(liability, expected):
    gc = value("marketplace-test-gift-card", balance=93000)
    promo = value("seller-discount", discount=True, discountSellerLiability=liability, balance=500, pretax=True)
    items = [
        item(20000, 0.15, type="product", productId="adventure", marketplaceRate=0.2),
        item(1200, 0.15, type="fee", productId="commission-fee", marketplaceRate=1),
    ]
    p = plan(checkout(items, [lr(gc["id"]), lr(promo["id"])]), [gc, promo])
    assert p.totals.tax == 3105
    assert p.totals_json()["marketplace"] == expected


def test_example_29_marketplace_precise_liability_is_rounded():
    promo = value("precise", discount=True, discountSellerLiability=0.815768, balance=9200, pretax=True)
    p = plan(checkout([item(46000)], [lr("precise")], allowRemainder=True), [promo])
    assert p.totals_json()["marketplace"] == {"sellerGross": 46000, "sellerDiscount": 7505, "sellerNet": 38495}


def test_example_29_liability_without_marketplace_rates():
    promo = value("forty", discount=True, discountSellerLiabilityRule=rule("0.4", "Seller 40% liable"), balance=500, pretax=True)
    p = plan(checkout([item(1000)], [lr("forty")], allowRemainder=True), [promo])
    assert p.totals_json() == {
        **totals(subtotal=1000, discount=500, payable=500, remainder=500, discountLightrail=500),
        "marketplace": {"sellerGross": 1000, "sellerDiscount": 200, "sellerNet": 800},
    }


def test_example_30_liability_rule_proportional_to_marketplace_rate():
    promo = value(
        "proportional",
        discount=True,
        discountSellerLiabilityRule=rule("1 - currentLineItem.marketplaceRate"),
        balance=9200,
        pretax=True,
    )
    items = [
        item(46000, 0.084, productId="rental_items_total", marketplaceRate=0.185, quantity=1),
        item(3500, 0.084, productId="delivery_total", marketplaceRate=0.185, quantity=1),
        item(2821, 0.084, productId="service_fee_total", marketplaceRate=1, quantity=1),
    ]
    p = plan(checkout(items, [lr("proportional")], allowRemainder=True), [promo])
    assert p.totals_json() == {
        **totals(subtotal=52321, tax=3622, discount=9200, payable=46743, remainder=46743, discountLightrail=9200),
        "marketplace": {"sellerGross": 40342, "sellerDiscount": 7498, "sellerNet": 32844},
    }
    assert p.line_items_json() == [
        {
            "productId": "rental_items_total",
            "unitPrice": 46000,
            "quantity": 1,
            "taxRate": 0.084,
            "marketplaceRate": 0.185,
            "lineTotal": {
                "subtotal": 46000, "taxable": 36800, "tax": 3091, "discount": 9200,
                "sellerDiscount": 7498, "remainder": 39891, "payable": 39891,
            },
        },
        {
            "productId": "delivery_total",
            "unitPrice": 3500,
            "quantity": 1,
            "taxRate": 0.084,
            "marketplaceRate": 0.185,
            "lineTotal": {
                "subtotal": 3500, "taxable": 3500, "tax": 294, "discount": 0,
                "sellerDiscount": 0, "remainder": 3794, "payable": 3794,
            },
        },
        {
            "productId": "service_fee_total",
            "unitPrice": 2821,
            "quantity": 1,
            "taxRate": 0.084,
            "marketplaceRate": 1,
            "lineTotal": {
                "subtotal": 2821, "taxable": 2821, "tax": 237, "discount": 0,
                "sellerDiscount": 0, "remainder": 3058, "payable": 3058,
            },
        },
    ]


@pytest.mark.parametrize(
    ("liability_rule", "marketplace_rate", "expected"),
    [
        ("currentLineItem.marketplaceRate * 10", 0.2, {"sellerGross": 16000, "sellerDiscount": 8000, "sellerNet": 8000}),
        ("-10 * currentLineItem.marketplaceRate", 0.2, {"sellerGross": 16000, "sellerDiscount": 0, "sellerNet": 16000}),
        ("currentLineItem.nothingHere", 0.2, {"sellerGross": 16000, "sellerDiscount": 0, "sellerNet": 16000}),
        ("1 - currentLineItem.marketplaceRate", None, {"sellerGross": 20000, "sellerDiscount": 8000, "sellerNet": 12000}),
        ("0.123456789", 0.2, {"sellerGross": 16000, "sellerDiscount": 988, "sellerNet": 15012}),
    ],
    ids=["clamped-to-1", "clamped-to-0", "missing-field-is-0", "missing-rate", "rounded"],
)
def test_example_30_liability_rules_are_clamped_and_rounded(liability_rule, marketplace_rate, expected):
    promo = value(
        "forty-percent",
        discount=True,
        discountSellerLiabilityRule=rule(liability_rule),
        balanceRule=rule("currentLineItem.lineTotal.subtotal * 0.40", "40% off"),
        pretax=True,
    )
    fields = {} if marketplace_rate is None else {"marketplaceRate": marketplace_rate}
    p = plan(checkout([item(20000, type="product", productId="adventure", **fields)], [lr("forty-percent")], allowRemainder=True), [promo])
    assert p.totals_json() == {
        **totals(subtotal=20000, discount=8000, payable=12000, remainder=12000, discountLightrail=8000),
        "marketplace": expected,
    }
    assert line_totals(p) == [
        {
            "subtotal": 20000, "taxable": 12000, "tax": 0, "discount": 8000,
            "sellerDiscount": expected["sellerDiscount"], "remainder": 12000, "payable": 12000,
        }
    ]


@pytest.mark.parametrize(
    ("tax", "taxes", "expected_tax", "payable"),
    [
        ({"roundingMode": "HALF_UP"}, [2, 1], 3, 7),
        ({"roundingMode": "HALF_EVEN"}, [2, 0], 2, 6),
        (None, [2, 0], 2, 6),
    ],
    ids=["HALF_UP", "HALF_EVEN", "default"],
)
def test_example_31_rounding_modes(tax, taxes, expected_tax, payable):
    request = checkout([item(1, 0.5, quantity=1), item(3, 0.5, quantity=1)], [], allowRemainder=True)
    if tax is not None:
        request["tax"] = tax
    p = plan(request, [])
    assert [lt["tax"] for lt in line_totals(p)] == taxes
    assert p.totals_json() == totals(subtotal=4, tax=expected_tax, payable=payable, remainder=payable)
    assert p.tax == {"roundingMode": (tax or {}).get("roundingMode", "HALF_EVEN")}


def test_example_32_simulation():
    gc = value("gc", balance=4000)
    promo = value("promo-pre", balance=500, pretax=True, discount=True)
    items = [item(5059, 0.05, productId="p1"), item(2999, 0.08, productId="p2", quantity=11)]
    request = checkout(items, [lr("gc"), lr("promo-pre")], allowRemainder=True, simulate=True)
    p = plan(request, [gc, promo])
    assert [line.item["productId"] for line in p.line_items] == ["p2", "p1"]
    assert line_totals(p) == [
        {"subtotal": 32989, "taxable": 32489, "tax": 2599, "discount": 500, "remainder": 31088, "payable": 35088},
        {"subtotal": 5059, "taxable": 5059, "tax": 253, "discount": 0, "remainder": 5312, "payable": 5312},
    ]
    assert p.totals_json() == totals(
        subtotal=38048, tax=2852, discount=500, discountLightrail=500, payable=40400, paidLightrail=4000, remainder=36400
    )
    assert step_amounts(p) == [("lightrail", "promo-pre", -500), ("lightrail", "gc", -4000)]


def test_example_33_pending_checkout_amounts():
    gc = value("gc", balance=1000)
    p = plan(checkout([item(14286, 0.05)], [lr("gc"), stripe()], pending=True), [gc])
    assert p.totals_json() == totals(subtotal=14286, tax=714, payable=15000, paidLightrail=1000, paidStripe=14000)
    assert step_amounts(p) == [("lightrail", "gc", -1000), ("stripe", None, -14000)]
    assert p.steps_json()[0]["balanceAfter"] == 0


def test_example_34_public_docs_pretax_promotion_and_stripe():
    promo = value(
        "contact-promo",
        contactId="contact-docs",
        balanceRule=rule("currentLineItem.lineTotal.subtotal * 0.2", "20% off"),
        pretax=True,
        discount=True,
    )
    items = [item(4999, 0.05, productId="p1"), item(1799, 0.05, productId="p2")]
    p = plan(checkout(items, [{"rail": "lightrail", "contactId": "contact-docs"}, stripe()]), [promo])
    assert [(lt["taxable"], lt["tax"], lt["discount"]) for lt in line_totals(p)] == [(3999, 200, 1000), (1439, 72, 360)]
    assert p.totals_json() == totals(
        subtotal=6798, tax=272, discount=1360, discountLightrail=1360, payable=5710, paidStripe=5710
    )
    assert step_amounts(p) == [("lightrail", "contact-promo", -1360), ("stripe", None, -5710)]
