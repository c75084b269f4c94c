"""discountSellerLiability, the deprecated number, as a view of discountSellerLiabilityRule (core.md §5.6).

Only the rule is stored; the number shown beside it is whatever the rule text reads as a JavaScript
number, so clients of either field see consistent data.
"""

from __future__ import annotations

import math
from typing import Any

from lightrail.rules.conversions import number_to_string, string_to_number


def _number(text: str) -> float | None:
    value = string_to_number(text)
    return None if math.isnan(value) else value


def liability_number(rule: dict[str, Any] | None) -> int | float | None:
    if rule is None:
        return None
    value = _number(rule["rule"])
    if value is None:
        return None
    return int(value) if value.is_integer() else value


def rule_from_liability(number: float) -> dict[str, str]:
    return {"rule": number_to_string(number), "explanation": f"Seller {number_to_string(number * 100)}% liable"}


def numeric_rule_out_of_range(rule: dict[str, Any]) -> bool:
    value = _number(rule["rule"])
    return value is not None and not 0 <= value <= 1


def liability_update(changes: dict[str, Any]) -> dict[str, Any]:
    """A PATCH's deprecated number becomes the rule it stands for (the original forgot to store it);
    a null number clears the rule."""
    if "discountSellerLiability" in changes:
        number = changes.pop("discountSellerLiability")
        if changes.get("discountSellerLiabilityRule") is None:
            changes["discountSellerLiabilityRule"] = None if number is None else rule_from_liability(number)
    return changes
