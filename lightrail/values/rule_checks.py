"""Syntax checks of the rules a Value or Program carries (core.md §5.7, rules.md §12)."""

from __future__ import annotations

from typing import Any

from lightrail.http.errors import ApiError
from lightrail.rules import check_syntax
from lightrail.values.liability import numeric_rule_out_of_range

_RULES = (
    ("balanceRule", "BalanceRuleSyntaxError"),
    ("redemptionRule", "RedemptionRuleSyntaxError"),
    ("discountSellerLiabilityRule", "DiscountSellerLiabilityRuleSyntaxError"),
)


def check_rules(owner: str, rules: dict[str, Any]) -> None:
    """`owner` is "Value" or "Program"; `rules` maps the API rule names to their rule objects or None."""
    for name, message_code in _RULES:
        rule = rules.get(name)
        if rule is None:
            continue
        error = check_syntax(rule["rule"])
        if error is not None:
            raise ApiError(
                422, f"{owner} {name} has a syntax error.", message_code,
                syntaxErrorMessage=error.message, row=error.row, column=error.column,
            )
    liability = rules.get("discountSellerLiabilityRule")
    if liability is not None and numeric_rule_out_of_range(liability):
        raise ApiError(
            422, "Property discountSellerLiabilityRule must evaluate to a number between 0 and 1.",
            "DiscountSellerLiabilityRuleSyntaxError",
        )
