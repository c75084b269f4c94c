"""Rules as checkout uses them: the rule context and where rules are evaluated (§13, §14.21)."""

from __future__ import annotations

from checkout_factories import checkout, item, line_totals, lr, plan, rule, step_amounts, stripe, totals, value


def test_rule_evaluates_to_a_number():
    from lightrail.rules import compile_rule

    assert compile_rule("total*{rates: [0.5]}.rates[0]").evaluate_to_number({"total": 50}) == 25


def test_post_tax_rules_see_the_final_tax_of_the_line():
    tax_payer = value("tax-payer", balanceRule=rule("currentLineItem.lineTotal.tax"))
    p = plan(checkout([item(1000, 0.1), item(500, 0.05)], [lr("tax-payer")], allowRemainder=True), [tax_payer])
    assert step_amounts(p) == [("lightrail", "tax-payer", -125)]
    assert p.totals.remainder == 1500


def test_pre_tax_rules_see_taxable_equal_to_subtotal_and_no_tax():
    probe = value(
        "probe",
        pretax=True,
        balanceRule=rule("currentLineItem.lineTotal.tax + (currentLineItem.lineTotal.taxable == 1000 ? 7 : 0)"),
    )
    p = plan(checkout([item(1000, 0.1)], [lr("probe")], allowRemainder=True), [probe])
    assert step_amounts(p) == [("lightrail", "probe", -7)]


def test_rules_see_totals_as_before_any_source_paid():
    # The totals snapshot is taken before any source pays: payable and remainder are the subtotal,
    # tax is 0, even for a post-tax Value applied after a pre-tax discount.
    probe = value(
        "probe",
        balanceRule=rule(
            "(totals.payable == totals.subtotal && totals.remainder == totals.subtotal && totals.tax == 0"
            " && totals.discount == 0) ? totals.subtotal / 100 : 1"
        ),
    )
    promo = value("promo", balance=500, discount=True, pretax=True)
    p = plan(checkout([item(2000, 0.1)], [lr("promo"), lr("probe")], allowRemainder=True), [promo, probe])
    assert step_amounts(p) == [("lightrail", "promo", -500), ("lightrail", "probe", -20)]
    assert p.totals_json() == totals(
        subtotal=2000, tax=150, discount=500, discountLightrail=500, payable=1650, paidLightrail=20, remainder=1630
    )


def test_line_payable_seen_by_rules_is_the_stale_subtotal():
    probe = value("probe", balanceRule=rule("currentLineItem.lineTotal.payable == currentLineItem.lineTotal.subtotal ? 11 : 0"))
    p = plan(checkout([item(100, 0.5)], [lr("probe")], allowRemainder=True), [probe])
    assert step_amounts(p) == [("lightrail", "probe", -11)]


def test_value_balance_change_accumulates_over_lines():
    five_dollars = value("five", balanceRule=rule("500 + value.balanceChange"), discount=True)
    p = plan(checkout([item(300), item(400)], [lr("five")], allowRemainder=True), [five_dollars])
    assert [lt["discount"] for lt in line_totals(p)] == [400, 100]


def test_value_metadata_and_request_metadata_are_in_the_context():
    vip = value(
        "vip",
        balance=1000,
        metadata={"tier": "gold"},
        redemptionRule=rule("value.metadata.tier == 'gold' && metadata.channel == 'web'"),
    )
    web = plan(checkout([item(100)], [lr("vip")], allowRemainder=True, metadata={"channel": "web"}), [vip])
    assert step_amounts(web) == [("lightrail", "vip", -100)]
    store = plan(checkout([item(100)], [lr("vip")], allowRemainder=True, metadata={"channel": "store"}), [vip])
    assert store.steps == []
    no_metadata = plan(checkout([item(100)], [lr("vip")], allowRemainder=True), [vip])
    assert no_metadata.steps == []


def test_extra_line_item_keys_are_visible_to_rules():
    tagged = value("tagged", balance=1000, redemptionRule=rule("currentLineItem.variantId == 'red'"))
    items = [item(300, variantId="blue"), item(200, variantId="red")]
    p = plan(checkout(items, [lr("tagged")], allowRemainder=True), [tagged])
    assert [lt["remainder"] for lt in line_totals(p)] == [300, 0]
    assert p.line_items_json()[1]["variantId"] == "red"


def test_one_promotion_per_checkout_idiom():
    once = rule("!(lineItems.find(item => item.lineTotal.discount > 0)) || value.balanceChange < 0")
    a = value("promo-a", balance=100, discount=True, redemptionRule=once)
    b = value("promo-b", balance=300, discount=True, redemptionRule=once)
    p = plan(checkout([item(1000), item(1000)], [lr("promo-a"), lr("promo-b")], allowRemainder=True), [a, b])
    assert step_amounts(p) == [("lightrail", "promo-b", -300)]


def test_one_use_per_checkout_even_when_paying_several_lines():
    multi = value("multi", balance=1000, usesRemaining=5)
    p = plan(checkout([item(100), item(200), item(300)], [lr("multi")]), [multi])
    step = p.steps_json()[0]
    assert step["balanceChange"] == -600
    assert (step["usesRemainingBefore"], step["usesRemainingChange"], step["usesRemainingAfter"]) == (5, -1, 4)


def test_redemption_rule_false_everywhere_leaves_the_value_unused():
    never = value("never", balance=1000, usesRemaining=3, redemptionRule=rule("false"))
    p = plan(checkout([item(100)], [lr("never"), stripe()]), [never])
    assert step_amounts(p) == [("stripe", None, -100)]
    assert p.totals_json() == totals(subtotal=100, payable=100, paidStripe=100)


def test_balance_rule_values_are_not_limited_by_balance():
    unlimited = value("unlimited", balanceRule=rule("currentLineItem.lineTotal.remainder"), balance=None)
    p = plan(checkout([item(123456, 0.1)], [lr("unlimited")]), [unlimited])
    assert step_amounts(p) == [("lightrail", "unlimited", -135802)]
    assert p.steps_json()[0]["balanceBefore"] is None


def test_infinite_balance_rule_takes_the_whole_line():
    infinite = value("infinite", balanceRule=rule("1/0"))
    p = plan(checkout([item(700)], [lr("infinite")]), [infinite])
    assert step_amounts(p) == [("lightrail", "infinite", -700)]
