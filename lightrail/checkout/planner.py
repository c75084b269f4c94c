"""plan_checkout: the pure checkout planner (no database, no clock, no HTTP).

The caller resolves the request's lightrail sources to Values (codes, contacts, ids), performs the
auto-attach of per-contact generic codes (passing the new per-contact Values in place of the
generic ones), and passes the current time. The planner returns the steps, line items and totals
exactly as the original computes them, or raises PlanError.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Mapping, Sequence

from lightrail.checkout.calculation import (
    Calculation,
    CheckoutInput,
    InternalSource,
    LightrailSource,
    Source,
    StripeSource,
    calculate,
)
from lightrail.checkout.candidates import Candidate, filter_candidate_values
from lightrail.checkout.errors import insufficient_balance
from lightrail.checkout.ordering import order_group
from lightrail.checkout.plan import (
    CheckoutPlan,
    CheckoutTotals,
    InternalStep,
    LightrailStep,
    LineItemResult,
    LineTotal,
    MarketplaceTotals,
    PlanStep,
    StripeStep,
    sanitize_payment_sources,
)
from lightrail.checkout.rounding import HALF_EVEN

# Stripe's smallest charge per (lower-case) currency, in minor units; other currencies: 0.
STRIPE_MIN_CHARGES = {
    "usd": 50, "aud": 50, "brl": 50, "cad": 50, "chf": 50, "dkk": 250, "eur": 50,
    "hkd": 400, "jpy": 50, "mxn": 10, "nok": 300, "nzd": 50, "sek": 300, "sgd": 50,
}


def stripe_min_charge(currency: str) -> int:
    return STRIPE_MIN_CHARGES.get(currency.lower(), 0)


def build_sources(request: Mapping[str, Any], values: Sequence[Mapping[str, Any]]) -> list[Source]:
    """One source per Value, per internal source and per stripe source (in request order).

    Values are taken in ascending id order: that is the order the original's database returned
    them in, and it settles the ties of the ordering.
    """
    currency = (request.get("currency") or "").upper()
    sources: list[Source] = [
        LightrailSource(Candidate.from_value(v)) for v in sorted(values, key=lambda v: v["id"])
    ]
    parties = request.get("sources") or []
    for party in parties:
        if party.get("rail") == "internal":
            sources.append(
                InternalSource(
                    internal_id=party["internalId"],
                    balance=party["balance"],
                    pretax=bool(party.get("pretax")),
                    before_lightrail=bool(party.get("beforeLightrail")),
                )
            )
    stripe_parties = [p for p in parties if p.get("rail") == "stripe"]
    for index, party in enumerate(stripe_parties):
        min_amount = party.get("minAmount")
        sources.append(
            StripeSource(
                idempotency_key=f"{request['id']}-{index}",
                source=party.get("source") or None,
                customer=party.get("customer") or None,
                max_amount=party.get("maxAmount") or None,
                min_amount=min_amount if min_amount is not None else stripe_min_charge(currency),
                forgive_sub_min_amount=bool(party.get("forgiveSubMinAmount")),
                additional_stripe_params=party.get("additionalStripeParams") or None,
            )
        )
    return sources


def order_sources(
    checkout: CheckoutInput, sources: Sequence[Source], now: datetime
) -> tuple[list[Source], list[Source]]:
    """The pre-tax and post-tax sources, each in application order."""
    pretax_group = [s for s in sources if s.pretax]
    posttax_group = [s for s in sources if not s.pretax]
    ordered_pretax: list[Source] = []
    ordered_posttax: list[Source] = []

    def payable_of(pretax: Sequence[Source], posttax: Sequence[Source]) -> int:
        return calculate(checkout, pretax, posttax, now).payable

    for group, is_pretax in ((pretax_group, True), (posttax_group, False)):
        order_group(
            group,
            pretax=is_pretax,
            ordered_pretax=ordered_pretax,
            ordered_posttax=ordered_posttax,
            payable_of=payable_of,
        )
    return ordered_pretax, ordered_posttax


def plan_checkout(
    request: Mapping[str, Any],
    values: Sequence[Mapping[str, Any]],
    now: datetime,
    *,
    check_remainder: bool = True,
) -> CheckoutPlan:
    """Plan a checkout.

    `request`: the CheckoutRequest JSON (camelCase), already schema-validated.
    `values`: the Values the lightrail sources resolved to (Value JSON shape). They are filtered
    again the way the original's resolution filters them (currency, canceled, frozen, inactive,
    dates, zero balance/uses without allowRemainder, repeated ids), so passing more is harmless.
    `now`: timezone-aware current time.
    `check_remainder`: raise 409 InsufficientBalance when a remainder is left and the request
    does not allow one (the original checks that right after planning).

    Raises PlanError (409 StripeAmountTooSmall, 409 InsufficientBalance).
    """
    currency = (request.get("currency") or "").upper()
    checkout = CheckoutInput.from_request(request)
    candidates = filter_candidate_values(
        values, currency=currency, now=now, allow_remainder=checkout.allow_remainder
    )
    ordered_pretax, ordered_posttax = order_sources(checkout, build_sources(request, candidates), now)
    calc = calculate(checkout, ordered_pretax, ordered_posttax, now)
    plan = _to_plan(request, currency, calc)
    if check_remainder and plan.totals.remainder and not checkout.allow_remainder:
        raise insufficient_balance()
    return plan


def _to_plan(request: Mapping[str, Any], currency: str, calc: Calculation) -> CheckoutPlan:
    steps: list[PlanStep] = []
    for running in calc.steps:
        if running.amount == 0:
            continue
        source = running.source
        if isinstance(source, LightrailSource):
            steps.append(LightrailStep(value=source.candidate.raw, amount=running.amount, uses=running.uses))
        elif isinstance(source, InternalSource):
            steps.append(
                InternalStep(
                    internal_id=source.internal_id,
                    balance=source.balance,
                    pretax=source.pretax,
                    before_lightrail=source.before_lightrail,
                    amount=running.amount,
                )
            )
        else:
            steps.append(
                StripeStep(
                    idempotency_key=source.idempotency_key,
                    source=source.source,
                    customer=source.customer,
                    max_amount=source.max_amount,
                    min_amount=source.min_amount,
                    forgive_sub_min_amount=source.forgive_sub_min_amount,
                    additional_stripe_params=source.additional_stripe_params,
                    amount=running.amount,
                )
            )
    line_items = []
    for line in calc.lines:
        lt = line["lineTotal"]
        line_items.append(
            LineItemResult(
                item={k: v for k, v in line.items() if k != "lineTotal"},
                line_total=LineTotal(
                    subtotal=lt["subtotal"],
                    taxable=lt["taxable"],
                    tax=lt["tax"],
                    discount=lt["discount"],
                    seller_discount=lt["sellerDiscount"] if calc.marketplace else None,
                    remainder=lt["remainder"],
                    payable=lt["payable"],
                ),
            )
        )
    t = calc.totals
    marketplace = t["marketplace"]
    totals = CheckoutTotals(
        subtotal=t["subtotal"],
        tax=t["tax"],
        discount=t["discount"],
        payable=t["payable"],
        remainder=t["remainder"],
        forgiven=t["forgiven"],
        discount_lightrail=t["discountLightrail"],
        paid_lightrail=t["paidLightrail"],
        paid_stripe=t["paidStripe"],
        paid_internal=t["paidInternal"],
        marketplace=None
        if marketplace is None
        else MarketplaceTotals(
            seller_gross=marketplace["sellerGross"],
            seller_discount=marketplace["sellerDiscount"],
            seller_net=marketplace["sellerNet"],
        ),
    )
    tax = request.get("tax") or {}
    return CheckoutPlan(
        id=request["id"],
        currency=currency,
        tax={**tax, "roundingMode": tax.get("roundingMode") or HALF_EVEN},
        metadata=request.get("metadata"),
        payment_sources=sanitize_payment_sources(request.get("sources")),
        line_items=line_items,
        steps=steps,
        totals=totals,
    )
