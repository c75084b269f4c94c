"""The amounts of every step for ONE given order of the payment sources.

This is the original's plan calculation: line items sorted by subtotal, pre-tax sources
applied, tax computed on what is left, post-tax sources applied, totals, marketplace totals and
the Stripe minimum-charge adjustment. The ordering search (ordering.py) calls it many times, so it
is a pure function of its inputs: every call starts from fresh line items and zero amounts.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Mapping, Sequence, Union

from lightrail.checkout.candidates import Candidate
from lightrail.checkout.errors import stripe_amount_too_small
from lightrail.checkout.rounding import HALF_EVEN, bankers_round, round_tax


@dataclass(frozen=True, eq=False)
class LightrailSource:
    candidate: Candidate

    @property
    def pretax(self) -> bool:
        return self.candidate.pretax


@dataclass(frozen=True, eq=False)
class InternalSource:
    internal_id: str
    balance: int
    pretax: bool
    before_lightrail: bool


@dataclass(frozen=True, eq=False)
class StripeSource:
    idempotency_key: str
    source: str | None
    customer: str | None
    max_amount: int | None
    min_amount: int
    forgive_sub_min_amount: bool
    additional_stripe_params: Mapping[str, Any] | None

    pretax = False


Source = Union[LightrailSource, InternalSource, StripeSource]


@dataclass(frozen=True)
class CheckoutInput:
    """What the calculation needs from the checkout request, prepared once."""

    line_items: tuple[dict[str, Any], ...]  # request keys + quantity, sorted by subtotal, largest first
    rounding_mode: str
    metadata: Any
    allow_remainder: bool
    has_marketplace_rate: bool

    @classmethod
    def from_request(cls, request: Mapping[str, Any]) -> CheckoutInput:
        items: list[dict[str, Any]] = []
        for requested in request.get("lineItems") or []:
            item = dict(requested)
            item["quantity"] = item.get("quantity") or 1
            items.append(item)
        # Stable: equal subtotals keep request order.
        items.sort(key=lambda it: -(it["unitPrice"] * it["quantity"]))
        tax = request.get("tax") or {}
        return cls(
            line_items=tuple(items),
            rounding_mode=tax.get("roundingMode") or HALF_EVEN,
            metadata=request.get("metadata"),
            allow_remainder=bool(request.get("allowRemainder")),
            # The key's presence counts, even with a null rate.
            has_marketplace_rate=any("marketplaceRate" in it for it in items),
        )


class RunningStep:
    """A source and the amount (and uses) it has paid so far in this calculation."""

    __slots__ = ("source", "amount", "uses")

    def __init__(self, source: Source) -> None:
        self.source = source
        self.amount = 0
        self.uses: int | None = None


@dataclass
class Calculation:
    lines: list[dict[str, Any]]  # line items with their live "lineTotal"
    steps: list[RunningStep]  # every source in application order, including those that paid 0
    totals: dict[str, Any]
    marketplace: bool

    @property
    def payable(self) -> int:
        return self.totals["payable"]


def _compile_rule(text: str) -> Any:
    from lightrail.rules import compile_rule

    return compile_rule(text)


def calculate(
    checkout: CheckoutInput,
    pretax: Sequence[Source],
    posttax: Sequence[Source],
    now: datetime,
) -> Calculation:
    """Apply `pretax` sources, then tax, then `posttax` sources, in the given orders."""
    steps = [RunningStep(source) for source in (*pretax, *posttax)]
    marketplace = checkout.has_marketplace_rate or any(
        isinstance(s.source, LightrailSource)
        and s.source.candidate.discount
        and s.source.candidate.seller_liability_rule is not None
        for s in steps
    )
    lines = []
    for item in checkout.line_items:
        line = dict(item)
        subtotal = item["unitPrice"] * item["quantity"]
        line["lineTotal"] = {
            "subtotal": subtotal,
            "taxable": subtotal,
            "tax": 0,
            "discount": 0,
            "sellerDiscount": 0 if marketplace else None,
            "remainder": subtotal,
            "payable": 0,
        }
        lines.append(line)
    # Rules see the totals as they were before any source paid (only subtotal and marketplace
    # gross mean anything there); that snapshot is not updated while steps are applied.
    rule_totals = _totals(lines, steps, marketplace, checkout)
    calc = Calculation(lines=lines, steps=steps, totals=rule_totals, marketplace=marketplace)

    pretax_count = len(pretax)
    for step in steps[:pretax_count]:
        _apply(step, calc, checkout, now)
    for line in lines:
        lt = line["lineTotal"]
        lt["taxable"] = lt["remainder"]
        rate = line.get("taxRate")
        tax = 0
        if isinstance(rate, (int, float)) and rate >= 0:
            tax = round_tax(rate * lt["taxable"], checkout.rounding_mode)
        lt["tax"] = tax
        lt["remainder"] += tax
    for step in steps[pretax_count:]:
        _apply(step, calc, checkout, now)

    calc.totals = _totals(lines, steps, marketplace, checkout)
    _adjust_stripe_sub_minimum(calc, checkout)
    return calc


def _apply(step: RunningStep, calc: Calculation, checkout: CheckoutInput, now: datetime) -> None:
    source = step.source
    if isinstance(source, LightrailSource):
        _apply_lightrail(step, source.candidate, calc, checkout, now)
    elif isinstance(source, InternalSource):
        for line in calc.lines:
            lt = line["lineTotal"]
            amount = min(lt["remainder"], source.balance + step.amount)
            step.amount -= amount
            lt["remainder"] -= amount
    else:
        taken_total = 0
        for line in calc.lines:
            lt = line["lineTotal"]
            taken = lt["remainder"]
            if source.max_amount and taken_total + taken > source.max_amount:
                taken = source.max_amount - taken_total
            taken_total += taken
            lt["remainder"] -= taken
        step.amount -= taken_total


def _rule_context(calc: Calculation, checkout: CheckoutInput, step: RunningStep, line: dict[str, Any]) -> dict:
    candidate = step.source.candidate  # type: ignore[union-attr]
    return {
        "currentLineItem": line,
        "lineItems": calc.lines,
        "totals": calc.totals,
        "metadata": checkout.metadata,
        "value": {"balanceChange": step.amount, "metadata": candidate.metadata},
    }


def _apply_lightrail(
    step: RunningStep, value: Candidate, calc: Calculation, checkout: CheckoutInput, now: datetime
) -> None:
    if not value.is_redeemable(now):
        return
    for line in calc.lines:
        lt = line["lineTotal"]
        if lt["remainder"] <= 0:
            continue
        if value.redemption_rule is not None:
            context = _rule_context(calc, checkout, step, line)
            if not _compile_rule(value.redemption_rule).evaluate_to_boolean(context):
                continue
        if value.balance_rule is not None:
            context = _rule_context(calc, checkout, step, line)
            from_rule = _compile_rule(value.balance_rule).evaluate_to_number(context)
            if math.isnan(from_rule) or from_rule < 0:
                from_rule = 0
            amount = min(lt["remainder"], bankers_round(from_rule))
        else:
            amount = min(lt["remainder"], (value.balance or 0) + step.amount)
        amount = int(amount)
        step.amount -= amount
        # One use per checkout, taken as soon as the Value is applicable to any line.
        if value.uses_remaining is not None and not step.uses:
            step.uses = -1
        lt["remainder"] -= amount
        if value.discount:
            lt["discount"] += amount
            if value.seller_liability_rule is not None:
                context = _rule_context(calc, checkout, step, line)
                liability = _compile_rule(value.seller_liability_rule).evaluate_to_number(context)
                if math.isnan(liability):
                    liability = 0  # the original would carry NaN into the totals and fail to store them
                liability = min(1, max(0, liability))
                lt["sellerDiscount"] += int(bankers_round(amount * liability))


def _totals(
    lines: list[dict[str, Any]], steps: list[RunningStep], marketplace: bool, checkout: CheckoutInput
) -> dict[str, Any]:
    def paid(kind: type, discount: bool | None = None) -> int:
        total = 0
        for s in steps:
            if not isinstance(s.source, kind):
                continue
            if discount is not None and s.source.candidate.discount != discount:  # type: ignore[attr-defined]
                continue
            total += s.amount
        return -total

    totals: dict[str, Any] = {
        "subtotal": 0,
        "tax": 0,
        "discount": 0,
        "payable": 0,
        "remainder": 0,
        "forgiven": 0,
        "discountLightrail": paid(LightrailSource, True),
        "paidLightrail": paid(LightrailSource, False),
        "paidStripe": paid(StripeSource),
        "paidInternal": paid(InternalSource),
        "marketplace": None,
    }
    for line in lines:
        lt = line["lineTotal"]
        lt["payable"] = lt["subtotal"] + lt["tax"] - lt["discount"]
        totals["subtotal"] += lt["subtotal"]
        totals["tax"] += lt["tax"]
        totals["discount"] += lt["discount"]
        totals["payable"] += lt["payable"]
        totals["remainder"] += lt["remainder"]
    if marketplace:
        gross: float = 0
        seller_discount = 0
        for line in lines:
            rate = line.get("marketplaceRate")
            rate = rate if rate is not None else 0
            gross += (1.0 - rate) * line["unitPrice"] * (line.get("quantity") or 1)
            seller_discount += line["lineTotal"]["sellerDiscount"]
        seller_gross = int(bankers_round(gross))
        seller_discount = int(bankers_round(seller_discount))
        totals["marketplace"] = {
            "sellerGross": seller_gross,
            "sellerDiscount": seller_discount,
            "sellerNet": seller_gross - seller_discount,
        }
    return totals


def _adjust_stripe_sub_minimum(calc: Calculation, checkout: CheckoutInput) -> None:
    """A Stripe charge below its minimum becomes remainder (allowRemainder), is forgiven
    (forgiveSubMinAmount), or fails the checkout. Line items are left as they are (as the original)."""
    for step in calc.steps:
        source = step.source
        if not isinstance(source, StripeSource):
            continue
        if step.amount == 0 or -step.amount >= source.min_amount:
            continue
        if checkout.allow_remainder:
            calc.totals["remainder"] -= step.amount
        elif source.forgive_sub_min_amount:
            calc.totals["forgiven"] -= step.amount
        else:
            raise stripe_amount_too_small(-step.amount, source.min_amount)
        calc.totals["paidStripe"] += step.amount
        step.amount = 0
