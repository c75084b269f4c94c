"""Candidate Values of a checkout: which ones take part, and their fields parsed once for the planner."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Iterable, Mapping


def parse_date(value: Any) -> datetime | None:
    """An ISO-8601 string or a datetime; naive datetimes are UTC."""
    if value is None:
        return None
    if isinstance(value, datetime):
        parsed = value
    else:
        parsed = datetime.fromisoformat(str(value))
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=timezone.utc)
    return parsed


def _rule_text(rule: Any) -> str | None:
    if rule is None:
        return None
    if isinstance(rule, Mapping):
        return str(rule.get("rule") or "")
    return str(rule)


def _number_text(n: float | int) -> str:
    if isinstance(n, float) and n.is_integer():
        return str(int(n))
    return repr(n)


def seller_liability_rule(value: Mapping[str, Any]) -> Any:
    """`discountSellerLiabilityRule`, or the rule equivalent to a legacy `discountSellerLiability` number."""
    rule = value.get("discountSellerLiabilityRule")
    if rule is None and value.get("discountSellerLiability") is not None:
        n = value["discountSellerLiability"]
        return {"rule": _number_text(n), "explanation": f"Seller {_number_text(n * 100)}% liable"}
    return rule


@dataclass(frozen=True, eq=False)
class Candidate:
    """One Value that may pay for the checkout. `raw` is the Value as given (API JSON shape)."""

    raw: Mapping[str, Any]
    id: str
    balance: int | None
    uses_remaining: int | None
    discount: bool
    pretax: bool
    active: bool
    frozen: bool
    start_date: datetime | None
    end_date: datetime | None
    redemption_rule: str | None
    balance_rule: str | None
    seller_liability_rule: str | None
    metadata: Any

    @classmethod
    def from_value(cls, value: Mapping[str, Any]) -> Candidate:
        return cls(
            raw=value,
            id=value["id"],
            balance=value.get("balance"),
            uses_remaining=value.get("usesRemaining"),
            discount=bool(value.get("discount")),
            pretax=bool(value.get("pretax")),
            active=bool(value.get("active", True)),
            frozen=bool(value.get("frozen")),
            start_date=parse_date(value.get("startDate")),
            end_date=parse_date(value.get("endDate")),
            redemption_rule=_rule_text(value.get("redemptionRule")),
            balance_rule=_rule_text(value.get("balanceRule")),
            seller_liability_rule=_rule_text(seller_liability_rule(value)),
            metadata=value.get("metadata"),
        )

    def is_redeemable(self, now: datetime) -> bool:
        """Whether the Value can pay anything right now (checked again at plan time, to the microsecond)."""
        if self.frozen or not self.active or self.uses_remaining == 0:
            return False
        if self.start_date is not None and self.start_date > now:
            return False
        if self.end_date is not None and self.end_date < now:
            return False
        return True


def _is_positive_or_null(n: Any) -> bool:
    return n is None or (isinstance(n, (int, float)) and not math.isnan(n) and n > 0)


def filter_candidate_values(
    values: Iterable[Mapping[str, Any]],
    *,
    currency: str,
    now: datetime,
    allow_remainder: bool,
) -> list[Mapping[str, Any]]:
    """The Values a checkout may use, as the original's source resolution keeps them.

    Drops repeated ids, other currencies, canceled, frozen and inactive Values, Values not yet
    started or already ended (compared with `now` truncated to the second, as the database did),
    and, unless the checkout allows a remainder, Values with balance 0 or usesRemaining 0.
    Idempotent: a caller that already filtered gets the same list back.
    """
    now_s = now.replace(microsecond=0)
    seen: set[str] = set()
    kept: list[Mapping[str, Any]] = []
    for value in values:
        if value["id"] in seen:
            continue
        seen.add(value["id"])
        if value.get("currency") != currency:
            continue
        if value.get("canceled") or value.get("frozen") or not value.get("active", True):
            continue
        start, end = parse_date(value.get("startDate")), parse_date(value.get("endDate"))
        if start is not None and not start < now_s:
            continue
        if end is not None and not end > now_s:
            continue
        if not allow_remainder and not (
            _is_positive_or_null(value.get("usesRemaining")) and _is_positive_or_null(value.get("balance"))
        ):
            continue
        kept.append(value)
    return kept
