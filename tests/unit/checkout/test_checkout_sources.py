"""Which Values take part, internal and Stripe sources, allowRemainder and marketplace presence
(transactions.md §7.1, §7.5, §7.6, checklists §14.13, §14.15, §14.16)."""

from __future__ import annotations

import pytest
from checkout_factories import (
    NOW,
    checkout,
    internal,
    item,
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
from lightrail.checkout.candidates import filter_candidate_values


@pytest.mark.parametrize(
    "fields",
    [
        {"canceled": True},
        {"frozen": True},
        {"active": False},
        {"currency": "USD"},
        {"startDate": "2040-01-01T00:00:00.000Z"},
        {"endDate": "2000-01-01T00:00:00.000Z"},
    ],
    ids=["canceled", "frozen", "inactive", "other-currency", "not-started", "ended"],
)
def test_non_transactable_values_are_silently_dropped(fields):
    v = value("v", balance=1000, **fields)
    with pytest.raises(PlanError) as error:
        plan(checkout([item(100)], [lr("v")]), [v])
    assert error.value.message_code == "InsufficientBalance"
    p = plan(checkout([item(100)], [lr("v")], allowRemainder=True), [v])
    assert p.steps == []
    assert p.totals.remainder == 100


def test_filter_keeps_zero_balances_only_with_allow_remainder():
    values = [value("empty", balance=0), value("no-uses", balance=5, usesRemaining=0), value("ok", balance=5)]
    strict = filter_candidate_values(values, currency="CAD", now=NOW, allow_remainder=False)
    assert [v["id"] for v in strict] == ["ok"]
    lenient = filter_candidate_values(values, currency="CAD", now=NOW, allow_remainder=True)
    assert [v["id"] for v in lenient] == ["empty", "no-uses", "ok"]


def test_filter_compares_dates_at_second_precision():
    started_this_second = value("s", balance=5, startDate=NOW.replace(microsecond=0).isoformat())
    ends_this_second = value("e", balance=5, endDate=NOW.replace(microsecond=0).isoformat())
    kept = filter_candidate_values([started_this_second, ends_this_second], currency="CAD", now=NOW, allow_remainder=False)
    assert kept == []


def test_currency_is_matched_upper_cased():
    gc = value("gc", balance=100)
    p = plan(checkout([item(50)], [lr("gc")], currency="cad"), [gc])
    assert p.currency == "CAD"
    assert step_amounts(p) == [("lightrail", "gc", -50)]


def test_allow_remainder_leaves_what_nothing_pays():
    gc = value("gc", balance=30)
    with pytest.raises(PlanError) as error:
        plan(checkout([item(100)], [lr("gc")]), [gc])
    assert (error.value.status, error.value.message_code) == (409, "InsufficientBalance")
    p = plan(checkout([item(100)], [lr("gc")], allowRemainder=True), [gc])
    assert p.totals_json() == totals(subtotal=100, payable=100, paidLightrail=30, remainder=70)
    assert line_totals(p)[0]["remainder"] == 70


def test_remainder_check_can_be_left_to_the_caller():
    from lightrail.checkout import plan_checkout

    p = plan_checkout(checkout([item(100)], []), [], NOW, check_remainder=False)
    assert p.totals.remainder == 100


def test_unknown_sources_give_a_pure_remainder():
    request = checkout([item(15000)], [{"rail": "lightrail", "code": "this-does-not-exist"}], allowRemainder=True)
    p = plan(request, [])
    assert p.steps == []
    assert p.totals.remainder == 15000
    assert p.payment_sources == [{"rail": "lightrail", "code": "…xist"}]


def test_empty_cart_is_accepted():
    p = plan(checkout([], [lr("gc")]), [value("gc", balance=5)])
    assert p.steps == []
    assert p.totals_json() == totals()
    assert p.line_items == []


def test_internal_sources_are_capped_by_their_balance():
    p = plan(checkout([item(300), item(200)], [internal("a", 250), internal("b", 1000)]), [])
    assert step_amounts(p) == [("internal", "a", -250), ("internal", "b", -250)]
    assert [s.to_json() for s in p.internal_steps] == [
        {"rail": "internal", "internalId": "a", "balanceBefore": 250, "balanceAfter": 0, "balanceChange": -250},
        {"rail": "internal", "internalId": "b", "balanceBefore": 1000, "balanceAfter": 750, "balanceChange": -250},
    ]


def test_internal_after_lightrail_by_default_and_before_when_asked():
    gc = value("gc", balance=100)
    after = plan(checkout([item(150)], [internal("i", 100), lr("gc")]), [gc])
    assert step_amounts(after) == [("lightrail", "gc", -100), ("internal", "i", -50)]
    before = plan(checkout([item(150)], [internal("i", 100, beforeLightrail=True), lr("gc")]), [gc])
    assert step_amounts(before) == [("internal", "i", -100), ("lightrail", "gc", -50)]


def test_all_source_types_with_max_length_ids():
    long_id = "v" * 64
    gc = value(long_id, balance=1)
    p = plan(checkout([item(52)], [stripe(), internal("i" * 64, 1), lr(long_id)]), [gc])
    assert step_amounts(p) == [("lightrail", long_id, -1), ("internal", "i" * 64, -1), ("stripe", None, -50)]


def test_stripe_steps_carry_what_the_stripe_rail_needs():
    params = {"description": "order 7", "receipt_email": "a@example.com"}
    request = checkout(
        [item(5000)],
        [stripe(customer="cus_1", maxAmount=3000, additionalStripeParams=params), stripe(source="tok_mastercard", minAmount=0)],
        id="tx-9",
    )
    p = plan(request, [])
    first, second = p.stripe_steps
    assert (first.idempotency_key, first.source, first.customer, first.max_amount, first.min_amount) == (
        "tx-9-0", "tok_visa", "cus_1", 3000, 50,
    )
    assert first.additional_stripe_params == params
    assert (second.idempotency_key, second.max_amount, second.min_amount, second.amount) == ("tx-9-1", None, 0, -2000)
    assert first.to_json({"id": "ch_1", "amount": 3000}) == {
        "rail": "stripe", "chargeId": "ch_1", "charge": {"id": "ch_1", "amount": 3000}, "amount": -3000,
    }


def test_stripe_minimum_depends_on_the_currency():
    usd = plan(checkout([item(49)], [stripe()], currency="USD", allowRemainder=True), [])
    assert usd.totals.remainder == 49 and usd.steps == []
    no_minimum = plan(checkout([item(40)], [stripe()], currency="XXX"), [])
    assert step_amounts(no_minimum) == [("stripe", None, -40)]
    with pytest.raises(PlanError) as error:
        plan(checkout([item(299)], [stripe()], currency="NOK"), [])
    assert error.value.extra == {"amount": 299, "minAmount": 300}


def test_stripe_max_amount_without_allow_remainder_fails_with_insufficient_balance():
    with pytest.raises(PlanError) as error:
        plan(checkout([item(500)], [stripe(maxAmount=400)]), [])
    assert error.value.message_code == "InsufficientBalance"


def test_no_marketplace_without_rates_or_seller_liability():
    gc = value("gc", balance=1000, discount=True)
    p = plan(checkout([item(100, 0.1)], [lr("gc")]), [gc])
    assert "marketplace" not in p.totals_json()
    assert "sellerDiscount" not in p.line_items_json()[0]["lineTotal"]


def test_null_marketplace_rate_key_still_gives_marketplace_totals():
    p = plan(checkout([item(100, marketplaceRate=None)], [], allowRemainder=True), [])
    assert p.totals_json()["marketplace"] == {"sellerGross": 100, "sellerDiscount": 0, "sellerNet": 100}
    assert p.line_items_json()[0]["lineTotal"]["sellerDiscount"] == 0


def test_unused_discount_with_seller_liability_still_gives_marketplace_totals():
    empty_promo = value("empty", balance=0, discount=True, discountSellerLiabilityRule=rule("0.5"))
    gc = value("gc", balance=1000)
    p = plan(checkout([item(100)], [lr("empty"), lr("gc")], allowRemainder=True), [empty_promo, gc])
    assert step_amounts(p) == [("lightrail", "gc", -100)]
    assert p.totals_json()["marketplace"] == {"sellerGross": 100, "sellerDiscount": 0, "sellerNet": 100}


def test_seller_liability_on_a_non_discount_value_is_ignored():
    not_discount = value("gc", balance=1000, discountSellerLiabilityRule=rule("0.5"))
    p = plan(checkout([item(100)], [lr("gc")]), [not_discount])
    assert "marketplace" not in p.totals_json()


def test_plan_renders_the_transaction_fields():
    gc = value("gc", balance=100, code="…ABCD", contactId="c-1")
    request = checkout([item(60)], [{"rail": "lightrail", "code": "SECRET-ABCD"}], metadata={"a": 1}, id="co-1")
    body = plan(request, [gc]).to_json()
    assert body == {
        "id": "co-1",
        "transactionType": "checkout",
        "currency": "CAD",
        "tax": {"roundingMode": "HALF_EVEN"},
        "totals": totals(subtotal=60, payable=60, paidLightrail=60),
        "lineItems": [
            {
                "unitPrice": 60,
                "quantity": 1,
                "lineTotal": {"subtotal": 60, "taxable": 60, "tax": 0, "discount": 0, "remainder": 0, "payable": 60},
            }
        ],
        "steps": [
            {
                "rail": "lightrail",
                "valueId": "gc",
                "contactId": "c-1",
                "code": "…ABCD",
                "balanceRule": None,
                "balanceBefore": 100,
                "balanceAfter": 40,
                "balanceChange": -60,
                "usesRemainingBefore": None,
                "usesRemainingAfter": None,
                "usesRemainingChange": None,
            }
        ],
        "paymentSources": [{"rail": "lightrail", "code": "…ABCD"}],
        "metadata": {"a": 1},
    }


def test_request_is_not_mutated():
    request = checkout([item(60)], [lr("gc")])
    snapshot = repr(request)
    plan(request, [value("gc", balance=100)])
    assert repr(request) == snapshot
