"""Values, sources and checkout requests in the API's JSON shapes, for the planner tests."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from lightrail.checkout import CheckoutPlan, plan_checkout

NOW = datetime(2024, 6, 1, 12, 0, 0, 250000, tzinfo=timezone.utc)


def value(id: str, **fields: Any) -> dict[str, Any]:
    """A Value as GET /v2/values/{id} returns it (defaults: CAD, active, no balance, no rules)."""
    v: dict[str, Any] = {
        "id": id,
        "currency": "CAD",
        "balance": None,
        "usesRemaining": None,
        "programId": None,
        "issuanceId": None,
        "contactId": None,
        "code": None,
        "isGenericCode": False,
        "pretax": False,
        "active": True,
        "canceled": False,
        "frozen": False,
        "discount": False,
        "discountSellerLiability": None,
        "discountSellerLiabilityRule": None,
        "redemptionRule": None,
        "balanceRule": None,
        "startDate": None,
        "endDate": None,
        "metadata": {},
    }
    v.update(fields)
    return v


def rule(text: str, explanation: str = "") -> dict[str, str]:
    return {"rule": text, "explanation": explanation}


def lr(value_id: str) -> dict[str, Any]:
    return {"rail": "lightrail", "valueId": value_id}


def internal(internal_id: str, balance: int, **flags: Any) -> dict[str, Any]:
    return {"rail": "internal", "internalId": internal_id, "balance": balance, **flags}


def stripe(**fields: Any) -> dict[str, Any]:
    return {"rail": "stripe", "source": "tok_visa", **fields}


def item(unit_price: int, tax_rate: float | None = None, **fields: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"unitPrice": unit_price, **fields}
    if tax_rate is not None:
        out["taxRate"] = tax_rate
    return out


def checkout(line_items: list[dict], sources: list[dict], **fields: Any) -> dict[str, Any]:
    return {"id": "checkout-1", "currency": "CAD", "lineItems": line_items, "sources": sources, **fields}


def plan(request: dict, values: list[dict], now: datetime = NOW) -> CheckoutPlan:
    return plan_checkout(request, values, now)


def step_amounts(p: CheckoutPlan) -> list[tuple[str, str | None, int]]:
    """(rail, value id / internal id / None, amount) for each step, in order."""
    out: list[tuple[str, str | None, int]] = []
    for step in p.steps:
        if step.rail == "lightrail":
            out.append(("lightrail", step.value_id, step.amount))
        elif step.rail == "internal":
            out.append(("internal", step.internal_id, step.amount))
        else:
            out.append(("stripe", None, step.amount))
    return out


def line_totals(p: CheckoutPlan) -> list[dict[str, int]]:
    return [line.line_total.to_json() for line in p.line_items]


def totals(**fields: int) -> dict[str, Any]:
    """A full checkout totals object: zeros except what is given."""
    out: dict[str, Any] = {
        "subtotal": 0,
        "tax": 0,
        "discount": 0,
        "payable": 0,
        "remainder": 0,
        "forgiven": 0,
        "discountLightrail": 0,
        "paidLightrail": 0,
        "paidStripe": 0,
        "paidInternal": 0,
    }
    out.update(fields)
    return out


def lightrail_step(
    value_id: str,
    change: int,
    before: int | None = None,
    *,
    contact_id: str | None = None,
    code: str | None = None,
    balance_rule: dict | None = None,
    uses_before: int | None = None,
) -> dict[str, Any]:
    """The JSON of a checkout lightrail step."""
    return {
        "rail": "lightrail",
        "valueId": value_id,
        "contactId": contact_id,
        "code": code,
        "balanceRule": balance_rule,
        "balanceBefore": before,
        "balanceAfter": None if before is None else before + change,
        "balanceChange": change,
        "usesRemainingBefore": uses_before,
        "usesRemainingAfter": None if uses_before is None else uses_before - 1,
        "usesRemainingChange": None if uses_before is None else -1,
    }
