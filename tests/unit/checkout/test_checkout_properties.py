"""Properties of every plan, for random carts and random gift cards, discounts and other sources."""

from __future__ import annotations

import random

from checkout_factories import NOW, checkout, internal, item, lr, rule, stripe, value
from hypothesis import given, settings
from hypothesis import strategies as st

from lightrail.checkout import PlanError, plan_checkout
from lightrail.checkout.plan import InternalStep, LightrailStep, StripeStep

TAX_RATES = [None, 0, 0.05, 0.07, 0.08, 0.13, 0.15, 0.35, 0.5]


@st.composite
def line_items(draw):
    fields = {}
    if draw(st.booleans()):
        fields["productId"] = draw(st.sampled_from(["p1", "p2", "p3"]))
    if draw(st.integers(0, 4)) == 0:
        fields["marketplaceRate"] = draw(st.sampled_from([0, 0.185, 0.2, 1]))
    return item(
        draw(st.integers(0, 5000)),
        draw(st.sampled_from(TAX_RATES)),
        quantity=draw(st.integers(1, 3)),
        **fields,
    )


@st.composite
def values(draw, index):
    kind = draw(st.sampled_from(["gift-card", "discount", "percent-off", "capped", "product-only"]))
    fields = dict(
        pretax=draw(st.booleans()),
        usesRemaining=draw(st.one_of(st.none(), st.integers(1, 3))),
    )
    if draw(st.integers(0, 3)) == 0:
        fields["endDate"] = draw(st.sampled_from(["2090-01-01T00:00:00.000Z", "2095-06-01T00:00:00.000Z"]))
    if kind == "gift-card":
        fields.update(balance=draw(st.integers(0, 3000)))
    elif kind == "discount":
        fields.update(balance=draw(st.integers(0, 1500)), discount=True)
        if draw(st.booleans()):
            fields["discountSellerLiabilityRule"] = rule(draw(st.sampled_from(["0.5", "1", "1 - currentLineItem.marketplaceRate"])))
    elif kind == "percent-off":
        percent = draw(st.sampled_from([0.1, 0.15, 0.2, 0.333, 0.5]))
        fields.update(discount=True, balanceRule=rule(f"currentLineItem.lineTotal.subtotal * {percent}"))
    elif kind == "capped":
        cap = draw(st.integers(1, 800))
        fields.update(
            discount=draw(st.booleans()),
            balanceRule=rule(f"min(currentLineItem.lineTotal.remainder * 0.25, {cap} + value.balanceChange)"),
        )
    else:
        fields.update(
            balance=draw(st.integers(0, 2000)),
            discount=True,
            redemptionRule=rule("currentLineItem.productId == 'p1'"),
        )
    return value(f"v{index:02d}-{kind}", **fields)


@st.composite
def checkouts(draw):
    vals = [draw(values(i)) for i in range(draw(st.integers(0, 5)))]
    sources = [lr(v["id"]) for v in vals]
    for i in range(draw(st.integers(0, 2))):
        flags = {}
        if draw(st.booleans()):
            flags["pretax"] = True
        if draw(st.booleans()):
            flags["beforeLightrail"] = True
        sources.append(internal(f"internal-{i}", draw(st.integers(0, 2000)), **flags))
    for _ in range(draw(st.integers(0, 2))):
        fields = {"minAmount": draw(st.sampled_from([0, 50]))}
        if draw(st.booleans()):
            fields["maxAmount"] = draw(st.integers(1, 3000))
        if draw(st.booleans()):
            fields["forgiveSubMinAmount"] = True
        sources.append(stripe(**fields))
    draw(st.randoms()).shuffle(sources)
    request = checkout(
        draw(st.lists(line_items(), min_size=0, max_size=5)),
        sources,
        allowRemainder=draw(st.booleans()),
        tax={"roundingMode": draw(st.sampled_from(["HALF_EVEN", "HALF_UP"]))},
    )
    return request, vals


def plan_or_none(request, vals):
    try:
        return plan_checkout(request, vals, NOW)
    except PlanError as error:
        assert error.status == 409
        assert error.message_code in ("InsufficientBalance", "StripeAmountTooSmall")
        return None


@settings(max_examples=300, deadline=None)
@given(checkouts())
def test_plans_respect_balances_and_add_up(case):
    request, vals = case
    p = plan_or_none(request, vals)
    if p is None:
        # Only a checkout without allowRemainder can fail, and only because something would be left.
        assert not request["allowRemainder"]
        lenient = plan_checkout({**request, "allowRemainder": True}, vals, NOW)
        assert lenient.totals.remainder > 0
        return
    t = p.totals

    for step in p.steps:
        assert type(step.amount) is int and step.amount < 0
        if isinstance(step, LightrailStep):
            if step.value["balanceRule"] is None:
                assert -step.amount <= step.value["balance"]
                assert step.balance_after >= 0
            assert step.uses == (-1 if step.value["usesRemaining"] is not None else None)
        elif isinstance(step, InternalStep):
            assert -step.amount <= step.balance
        elif isinstance(step, StripeStep):
            if step.max_amount:
                assert -step.amount <= step.max_amount
            assert -step.amount >= step.min_amount
    assert len({s.value_id for s in p.lightrail_steps}) == len(p.lightrail_steps)

    for line in p.line_items:
        lt = line.line_total
        assert lt.subtotal == line.item["unitPrice"] * line.item["quantity"]
        assert 0 <= lt.remainder <= lt.subtotal + lt.tax
        assert 0 <= lt.discount <= lt.subtotal + lt.tax
        assert 0 <= lt.taxable <= lt.subtotal
        assert lt.payable == lt.subtotal + lt.tax - lt.discount
    subtotals = [line.line_total.subtotal for line in p.line_items]
    assert subtotals == sorted(subtotals, reverse=True)

    assert t.subtotal == sum(line.line_total.subtotal for line in p.line_items)
    assert t.tax == sum(line.line_total.tax for line in p.line_items)
    assert t.discount == t.discount_lightrail == sum(line.line_total.discount for line in p.line_items)
    assert t.payable == t.subtotal + t.tax - t.discount
    assert t.paid_lightrail + t.paid_stripe + t.paid_internal + t.remainder + t.forgiven == t.payable
    assert t.discount_lightrail == -sum(s.amount for s in p.lightrail_steps if s.value["discount"])
    assert t.paid_lightrail == -sum(s.amount for s in p.lightrail_steps if not s.value["discount"])
    assert t.paid_stripe == -sum(s.amount for s in p.stripe_steps)
    assert t.paid_internal == -sum(s.amount for s in p.internal_steps)
    if not request["allowRemainder"]:
        assert t.remainder == 0
    for field in (t.subtotal, t.tax, t.payable, t.remainder, t.forgiven):
        assert type(field) is int and field >= 0
    if t.marketplace is not None:
        assert t.marketplace.seller_net == t.marketplace.seller_gross - t.marketplace.seller_discount
        assert type(t.marketplace.seller_discount) is int


@settings(max_examples=100, deadline=None)
@given(checkouts(), st.randoms())
def test_plans_are_deterministic_and_ignore_the_order_values_are_given_in(case, rnd: random.Random):
    request, vals = case
    first = plan_or_none(request, vals)
    shuffled = list(vals)
    rnd.shuffle(shuffled)
    second = plan_or_none(request, shuffled)
    assert (first is None) == (second is None)
    if first is not None:
        assert first.to_json() == second.to_json()
