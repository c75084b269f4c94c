"""Rounding of tax, balance rules and marketplace sums (transactions.md §7.4, §14.20)."""

from __future__ import annotations

import math

import pytest
from checkout_factories import checkout, item, line_totals, plan, totals

from lightrail.checkout.rounding import bankers_round, js_math_round, round_tax


@pytest.mark.parametrize(
    ("x", "expected"),
    [
        (0.5, 0),
        (1.5, 2),
        (2.5, 2),
        (3.5, 4),
        (37.28, 37),
        (37.5, 38),
        (22.5, 22),
        (3.75, 4),
        (827.4, 827),
        (154.7, 155),
        (139.65, 140),
        (59.9, 60),
        (19.95, 20),  # the double is 19.9499999…; normalised to 8 places it is 19.95
        (252.95, 253),
        (1677.6, 1678),
        (40342.5, 40342),
        (7505.0656, 7505),
        (987.65432, 988),
        (0.35 * 90, 32),  # 31.499999999999996 normalises to the tie 31.5 → even 32
        (2.500000004, 2),  # within 1e-8 of the tie after normalising: still a tie
        (2.50000002, 3),
        (-0.5, 0),
        (-1.5, -2),
        (-2.6, -3),
        (0.0, 0),
        (7, 7),
    ],
)
def test_bankers_round(x, expected):
    result = bankers_round(x)
    assert result == expected
    assert type(result) is int


def test_bankers_round_lets_nan_and_infinity_through():
    assert math.isnan(bankers_round(float("nan")))
    assert bankers_round(float("inf")) == float("inf")


@pytest.mark.parametrize(
    ("x", "expected"),
    [(0.5, 1), (1.5, 2), (2.5, 3), (-0.5, 0), (-2.5, -2), (-2.6, -3), (0.49999999999999994, 0), (3.4999999999999996, 3)],
)
def test_js_math_round(x, expected):
    assert js_math_round(x) == expected


@pytest.mark.parametrize(
    ("tax", "mode", "expected"),
    [
        (0.5, "HALF_UP", 1),
        (0.5, "HALF_EVEN", 0),
        (1.5, "HALF_UP", 2),
        (1.5, "HALF_EVEN", 2),
        (2.5, "HALF_UP", 3),
        (2.5, "HALF_EVEN", 2),
        (0.35 * 90, "HALF_UP", 31),  # raw double, no normalisation: 31.499999999999996 → 31
        (0.35 * 90, "HALF_EVEN", 32),
        (0.07 * 50, "HALF_UP", 4),  # 3.5000000000000004
        (0.07 * 50, "HALF_EVEN", 4),
    ],
)
def test_round_tax(tax, mode, expected):
    assert round_tax(tax, mode) == expected


def test_half_up_reproduces_float_artefacts_in_a_checkout():
    # 0.35 * 90 is the double 31.499999999999996 (0.7 * 5, quoted by the spec, is exactly 3.5).
    half_up = plan(checkout([item(90, 0.35)], [], allowRemainder=True, tax={"roundingMode": "HALF_UP"}), [])
    half_even = plan(checkout([item(90, 0.35)], [], allowRemainder=True, tax={"roundingMode": "HALF_EVEN"}), [])
    assert line_totals(half_up)[0]["tax"] == 31
    assert line_totals(half_even)[0]["tax"] == 32


def test_no_sources_with_allow_remainder_is_a_pure_remainder():
    p = plan(checkout([item(1, 0.5), item(3, 0.5)], [], allowRemainder=True, tax={"roundingMode": "HALF_UP"}), [])
    assert p.steps == []
    assert p.totals_json() == totals(subtotal=4, tax=3, payable=7, remainder=7)
    assert p.line_items_json() == [
        {
            "unitPrice": 3,
            "taxRate": 0.5,
            "quantity": 1,
            "lineTotal": {"subtotal": 3, "taxable": 3, "tax": 2, "discount": 0, "remainder": 5, "payable": 5},
        },
        {
            "unitPrice": 1,
            "taxRate": 0.5,
            "quantity": 1,
            "lineTotal": {"subtotal": 1, "taxable": 1, "tax": 1, "discount": 0, "remainder": 2, "payable": 2},
        },
    ]


def test_empty_tax_object_is_treated_as_half_even():
    p = plan(checkout([item(1, 0.5)], [], allowRemainder=True, tax={}), [])
    assert p.tax == {"roundingMode": "HALF_EVEN"}
    assert p.totals.tax == 0


def test_line_without_tax_rate_and_negative_rate_pay_no_tax():
    p = plan(checkout([item(1000), item(900, -0.1), item(800, 0)], [], allowRemainder=True), [])
    assert [lt["tax"] for lt in line_totals(p)] == [0, 0, 0]


def test_balance_rule_results_are_rounded_half_even():
    from checkout_factories import lr, rule, value

    # 45 * 0.5 = 22.5 → 22 ; 75 * 0.5 = 37.5 → 38
    promo = value("half", balanceRule=rule("currentLineItem.lineTotal.subtotal * 0.5"), discount=True)
    p = plan(checkout([item(75), item(45)], [lr("half")], allowRemainder=True), [promo])
    assert [lt["discount"] for lt in line_totals(p)] == [38, 22]
