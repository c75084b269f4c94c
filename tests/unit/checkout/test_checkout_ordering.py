"""Order in which Values are used (transactions.md §7.3, checklist §14.18).

As upstream, the sources are passed in the reverse of the expected order. Our ids also sort in the
reverse of the expected order, so only the ordering rules can produce the expected order.
"""

from __future__ import annotations

from datetime import datetime, timezone

from checkout_factories import checkout, item, lr, plan, rule, step_amounts, value

from lightrail.checkout.calculation import LightrailSource
from lightrail.checkout.candidates import Candidate
from lightrail.checkout.ordering import bucket_values, compare_values, sort_values

SOON = "2098-01-01T00:00:00.000Z"
LATER = "2198-01-01T00:00:00.000Z"
PRODUCT_123 = rule("currentLineItem.productId == '123'")


def assert_used_in_order(specs: list[dict]) -> None:
    n = len(specs)
    values = [value(f"v{n - i:02d}", currency="CAD", balance=1, **spec) for i, spec in enumerate(specs)]
    request = checkout(
        [item(n, type="product", productId="123")],
        [lr(v["id"]) for v in reversed(values)],
    )
    p = plan(request, list(reversed(values)))
    assert [value_id for _, value_id, _ in step_amounts(p)] == [v["id"] for v in values]
    assert all(amount == -1 for _, _, amount in step_amounts(p))


def test_values_without_redemption_rule_before_those_with():
    assert_used_in_order([{}, {"redemptionRule": PRODUCT_123}])


def test_values_that_expire_before_those_that_do_not():
    assert_used_in_order(
        [
            {"endDate": SOON},
            {"endDate": SOON, "redemptionRule": PRODUCT_123},
            {},
            {"redemptionRule": PRODUCT_123},
        ]
    )


def test_values_that_expire_sooner_before_those_that_expire_later():
    assert_used_in_order(
        [
            {"endDate": SOON},
            {"endDate": SOON, "redemptionRule": PRODUCT_123},
            {"endDate": LATER},
            {"endDate": LATER, "redemptionRule": PRODUCT_123},
            {},
            {"redemptionRule": PRODUCT_123},
        ]
    )


def test_discounts_before_values_that_are_not():
    pattern = [
        {"endDate": SOON},
        {"endDate": SOON, "redemptionRule": PRODUCT_123},
        {"endDate": LATER},
        {"endDate": LATER, "redemptionRule": PRODUCT_123},
        {},
        {"redemptionRule": PRODUCT_123},
    ]
    assert_used_in_order([{**spec, "discount": True} for spec in pattern] + pattern)


def test_plain_gift_cards_are_emptied_smallest_first():
    big, small = value("a-big", balance=1000), value("z-small", balance=10)
    p = plan(checkout([item(50)], [lr("a-big"), lr("z-small")]), [big, small])
    assert step_amounts(p) == [("lightrail", "z-small", -10), ("lightrail", "a-big", -40)]


def test_ties_go_to_the_smaller_value_id_whatever_the_source_order():
    values = [value(i, balance=100) for i in ("mm", "zz", "aa")]
    p = plan(checkout([item(50)], [lr("mm"), lr("zz"), lr("aa")]), values)
    assert step_amounts(p) == [("lightrail", "aa", -50)]

    discounts = [value(i, balance=5, discount=True) for i in ("d9", "d1")]
    p2 = plan(checkout([item(5)], [lr("d9"), lr("d1")]), discounts)
    assert step_amounts(p2) == [("lightrail", "d1", -5)]


def test_date_strings_and_datetimes_are_both_accepted():
    as_string = value("a", balance=1, endDate=LATER)
    as_datetime = value("b", balance=1, endDate=datetime(2098, 1, 1, tzinfo=timezone.utc))
    p = plan(checkout([item(2)], [lr("a"), lr("b")]), [as_string, as_datetime])
    assert [value_id for _, value_id, _ in step_amounts(p)] == ["b", "a"]


def source(id: str, **fields) -> LightrailSource:
    return LightrailSource(Candidate.from_value(value(id, **fields)))


def test_comparator_preferences():
    assert compare_values(source("a", discount=True).candidate, source("b").candidate) < 0
    assert compare_values(source("a").candidate, source("b", discount=True).candidate) > 0
    assert compare_values(source("a", endDate=SOON).candidate, source("b", endDate=LATER).candidate) < 0
    assert compare_values(source("a").candidate, source("b", endDate=LATER).candidate) > 0
    assert compare_values(source("a", redemptionRule=PRODUCT_123).candidate, source("b").candidate) > 0
    assert compare_values(source("a", balance=5).candidate, source("b", balance=3).candidate) == 2
    rule_value = source("a", balanceRule=rule("1")).candidate
    assert compare_values(rule_value, source("b", balance=3).candidate) == 0


def test_mixed_rules_and_balances_keep_the_original_insertion_sort_order():
    # The preference is not a total order: the balanceRule Value ties with both gift cards, so the
    # insertion sort never compares the two gift cards and the bigger one stays first.
    big, rule_value, small = source("a", balance=5), source("b", balanceRule=rule("1")), source("c", balance=1)
    assert [s.candidate.id for s in sort_values([big, rule_value, small])] == ["a", "b", "c"]
    assert [[s.candidate.id for s in b] for b in bucket_values([big, rule_value, small])] == [["a", "b", "c"]]
    # Without the rule Value in between, the smaller gift card comes first.
    assert [s.candidate.id for s in sort_values([big, small])] == ["c", "a"]


def test_buckets_split_where_the_preference_differs():
    d1, d2 = source("d1", discount=True, balance=5), source("d2", discount=True, balance=5)
    g1 = source("g1", balance=3)
    buckets = bucket_values([g1, d2, d1])
    assert [[s.candidate.id for s in b] for b in buckets] == [["d2", "d1"], ["g1"]]
