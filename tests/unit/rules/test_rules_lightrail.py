"""The rules from Lightrail's documentation, over the context checkout builds (rules.md §12, §15)."""

from __future__ import annotations

import math

import pytest

from lightrail.rules import compile_rule


def line_item(product_id: str, subtotal: int, discount: int = 0, tags: list[str] | None = None) -> dict:
    return {
        "type": "product",
        "productId": product_id,
        "unitPrice": subtotal,
        "quantity": 1,
        "tags": tags or [],
        "lineTotal": {"subtotal": subtotal, "taxable": subtotal, "tax": 0, "discount": discount,
                      "remainder": subtotal - discount, "payable": 0},
    }


def context(current: dict, items: list[dict], balance_change: int = 0, metadata: dict | None = None,
            value_metadata: dict | None = None) -> dict:
    return {
        "currentLineItem": current,
        "lineItems": items,
        "totals": {"subtotal": sum(i["lineTotal"]["subtotal"] for i in items)},
        "metadata": metadata or {},
        "value": {"balanceChange": balance_change, "metadata": value_metadata or {}},
    }


HAT = line_item("red-hat", 1500)
SCARF = line_item("scarf", 9000, discount=100, tags=["sale"])


@pytest.mark.parametrize(
    ("rule", "ctx", "expected"),
    [
        ("totals.subtotal >= 10000", context(HAT, [HAT, SCARF]), True),
        ("totals.subtotal >= 10000", context(HAT, [HAT]), False),
        ("currentLineItem.productId == 'red-hat'", context(HAT, [HAT, SCARF]), True),
        ("currentLineItem.productId == 'red-hat'", context(SCARF, [HAT, SCARF]), False),
        ("currentLineItem.lineTotal.discount == 0", context(HAT, [HAT, SCARF]), True),
        ("currentLineItem.lineTotal.discount == 0", context(SCARF, [HAT, SCARF]), False),
        ("!(lineItems.find(item => item.lineTotal.discount > 0)) || value.balanceChange < 0",
         context(HAT, [HAT]), True),
        ("!(lineItems.find(item => item.lineTotal.discount > 0)) || value.balanceChange < 0",
         context(HAT, [HAT, SCARF]), False),
        ("!(lineItems.find(item => item.lineTotal.discount > 0)) || value.balanceChange < 0",
         context(HAT, [HAT, SCARF], balance_change=-200), True),
        ("lineItems.some(item => item.tags.some(t => t == 'sale'))", context(HAT, [HAT, SCARF]), True),
        ("currentLineItem.tags.some(t => t == 'sale')", context(HAT, [HAT, SCARF]), False),
        ("metadata.purchaseCount == 0 && !!metadata.purchasingContactId && !!value.metadata.referringContactId"
         " && metadata.purchasingContactId != value.metadata.referringContactId",
         context(HAT, [HAT], metadata={"purchaseCount": 0, "purchasingContactId": "c1"},
                 value_metadata={"referringContactId": "c2"}), True),
        ("metadata.purchaseCount == 0 && !!metadata.purchasingContactId && !!value.metadata.referringContactId"
         " && metadata.purchasingContactId != value.metadata.referringContactId",
         context(HAT, [HAT], metadata={"purchaseCount": 0, "purchasingContactId": "c1"},
                 value_metadata={"referringContactId": "c1"}), False),
        ("metadata.purchaseCount == 0 && !!metadata.purchasingContactId", context(HAT, [HAT]), False),
    ],
)
def test_redemption_rules(rule, ctx, expected):
    assert compile_rule(rule).evaluate_to_boolean(ctx) is expected


@pytest.mark.parametrize(
    ("rule", "ctx", "expected"),
    [
        ("currentLineItem.lineTotal.subtotal * 0.5", context(HAT, [HAT]), 750.0),
        ("currentLineItem.lineTotal.subtotal * 0.1", context(SCARF, [HAT, SCARF]), 900.0),
        ("500 + value.balanceChange", context(HAT, [HAT], balance_change=-200), 300.0),
        ("500 + value.balanceChange", context(HAT, [HAT], balance_change=-700), -200.0),
        ("currentLineItem.lineTotal.remainder", context(SCARF, [SCARF]), 8900.0),
        ("min(currentLineItem.lineTotal.subtotal * 0.2, 1000)", context(SCARF, [SCARF]), 1000.0),
        ("metadata.nothing", context(HAT, [HAT]), 0.0),
    ],
)
def test_balance_rules(rule, ctx, expected):
    assert compile_rule(rule).evaluate_to_number(ctx) == expected


def test_a_balance_rule_over_text_gives_nan_for_checkout_to_treat_as_zero():
    assert math.isnan(compile_rule("currentLineItem.productId").evaluate_to_number(context(HAT, [HAT])))


def test_every_example_in_the_merchant_guide_compiles():
    import re
    from pathlib import Path

    import lightrail.rules

    guide = (Path(lightrail.rules.__file__).parent / "README.md").read_text(encoding="utf-8")
    block = guide.split("## Examples", 1)[1].split("```")[1]
    examples = [re.split(r"\s{3,}", line.strip())[0] for line in block.strip().splitlines()]
    assert len(examples) == 9
    for text in examples:
        compile_rule(text).evaluate(context(SCARF, [HAT, SCARF]))
