"""The result of planning a checkout, and its rendering to the original's JSON shapes.

Amounts are integers in minor units; step amounts are negative (money leaving the source).
`to_json()` methods return exactly what the original's POST response holds (keys that the
original leaves undefined are omitted, nulls are None).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping, Sequence, Union


def format_code_last_four(code: str) -> str:
    """`"…"` + the last four characters of a code, counted in code points (`"SUPER-SECRET⭐"` → `"…RET⭐"`)."""
    return "…" + code[-4:]


def sanitize_payment_sources(sources: Sequence[Mapping[str, Any]] | None) -> list[Mapping[str, Any]] | None:
    """The request `sources` as stored and returned: lightrail code sources show only the last four."""
    if sources is None:
        return None
    sanitized: list[Mapping[str, Any]] = []
    for source in sources:
        if source.get("rail") == "lightrail" and source.get("code"):
            sanitized.append({"rail": source["rail"], "code": format_code_last_four(source["code"])})
        else:
            sanitized.append(source)
    return sanitized


@dataclass(frozen=True)
class LightrailStep:
    """Debit of a Lightrail Value. `uses` is -1 when the Value has usesRemaining, else None."""

    value: Mapping[str, Any]
    amount: int
    uses: int | None
    rail: str = field(default="lightrail", init=False)

    @property
    def value_id(self) -> str:
        return self.value["id"]

    @property
    def balance_before(self) -> int | None:
        return self.value.get("balance")

    @property
    def balance_change(self) -> int:
        return self.amount

    @property
    def balance_after(self) -> int | None:
        before = self.balance_before
        return None if before is None else before + self.amount

    @property
    def uses_remaining_before(self) -> int | None:
        return self.value.get("usesRemaining")

    @property
    def uses_remaining_change(self) -> int | None:
        if self.uses_remaining_before is None and self.uses is None:
            return None
        return self.uses or 0

    @property
    def uses_remaining_after(self) -> int | None:
        before = self.uses_remaining_before
        return None if before is None else before + (self.uses or 0)

    def to_json(self) -> dict[str, Any]:
        code = self.value.get("code")
        return {
            "rail": "lightrail",
            "valueId": self.value_id,
            "contactId": self.value.get("contactId"),
            "code": format_code_last_four(code) if code else None,
            "balanceRule": self.value.get("balanceRule"),
            "balanceBefore": self.balance_before,
            "balanceAfter": self.balance_after,
            "balanceChange": self.balance_change,
            "usesRemainingBefore": self.uses_remaining_before,
            "usesRemainingAfter": self.uses_remaining_after,
            "usesRemainingChange": self.uses_remaining_change,
        }


@dataclass(frozen=True)
class InternalStep:
    """Money from a balance the merchant tracks outside Lightrail; `balance` is what the client sent."""

    internal_id: str
    balance: int
    pretax: bool
    before_lightrail: bool
    amount: int
    rail: str = field(default="internal", init=False)

    @property
    def balance_after(self) -> int:
        return self.balance + self.amount

    def to_json(self) -> dict[str, Any]:
        return {
            "rail": "internal",
            "internalId": self.internal_id,
            "balanceBefore": self.balance,
            "balanceAfter": self.balance_after,
            "balanceChange": self.amount,
        }


@dataclass(frozen=True)
class StripeStep:
    """A Stripe charge to make for `-amount`, with what the Stripe rail needs to make it."""

    idempotency_key: str
    source: str | None
    customer: str | None
    max_amount: int | None
    min_amount: int
    forgive_sub_min_amount: bool
    additional_stripe_params: Mapping[str, Any] | None
    amount: int
    rail: str = field(default="stripe", init=False)

    def to_json(self, charge: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """The step as returned; without a charge (planned or simulated) `chargeId` and `charge` are null."""
        if charge is None:
            return {"rail": "stripe", "chargeId": None, "charge": None, "amount": self.amount}
        return {"rail": "stripe", "chargeId": charge["id"], "charge": charge, "amount": -charge["amount"]}


PlanStep = Union[LightrailStep, InternalStep, StripeStep]


@dataclass(frozen=True)
class LineTotal:
    subtotal: int
    taxable: int
    tax: int
    discount: int
    seller_discount: int | None  # None when the checkout has no marketplace totals
    remainder: int
    payable: int

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "subtotal": self.subtotal,
            "taxable": self.taxable,
            "tax": self.tax,
            "discount": self.discount,
        }
        if self.seller_discount is not None:
            out["sellerDiscount"] = self.seller_discount
        out["remainder"] = self.remainder
        out["payable"] = self.payable
        return out


@dataclass(frozen=True)
class LineItemResult:
    """A request line item (every key the client sent, `quantity` filled in) and its `lineTotal`."""

    item: Mapping[str, Any]
    line_total: LineTotal

    def to_json(self) -> dict[str, Any]:
        out = {k: v for k, v in self.item.items() if k != "lineTotal"}
        out["lineTotal"] = self.line_total.to_json()
        return out


@dataclass(frozen=True)
class MarketplaceTotals:
    seller_gross: int
    seller_discount: int
    seller_net: int

    def to_json(self) -> dict[str, int]:
        return {
            "sellerGross": self.seller_gross,
            "sellerDiscount": self.seller_discount,
            "sellerNet": self.seller_net,
        }


@dataclass(frozen=True)
class CheckoutTotals:
    subtotal: int
    tax: int
    discount: int
    payable: int
    remainder: int
    forgiven: int
    discount_lightrail: int
    paid_lightrail: int
    paid_stripe: int
    paid_internal: int
    marketplace: MarketplaceTotals | None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "subtotal": self.subtotal,
            "tax": self.tax,
            "discount": self.discount,
            "payable": self.payable,
            "remainder": self.remainder,
            "forgiven": self.forgiven,
            "discountLightrail": self.discount_lightrail,
            "paidLightrail": self.paid_lightrail,
            "paidStripe": self.paid_stripe,
            "paidInternal": self.paid_internal,
        }
        if self.marketplace is not None:
            out["marketplace"] = self.marketplace.to_json()
        return out


@dataclass(frozen=True)
class CheckoutPlan:
    """How a checkout is paid. Steps are in application order (pre-tax group, then post-tax group)
    and only those with a non-zero amount; line items are sorted by subtotal, largest first."""

    id: str
    currency: str
    tax: Mapping[str, Any]
    metadata: Any
    payment_sources: list[Mapping[str, Any]] | None
    line_items: list[LineItemResult]
    steps: list[PlanStep]
    totals: CheckoutTotals

    @property
    def lightrail_steps(self) -> list[LightrailStep]:
        return [s for s in self.steps if isinstance(s, LightrailStep)]

    @property
    def stripe_steps(self) -> list[StripeStep]:
        return [s for s in self.steps if isinstance(s, StripeStep)]

    @property
    def internal_steps(self) -> list[InternalStep]:
        return [s for s in self.steps if isinstance(s, InternalStep)]

    def steps_json(self) -> list[dict[str, Any]]:
        return [step.to_json() for step in self.steps]

    def line_items_json(self) -> list[dict[str, Any]]:
        return [line.to_json() for line in self.line_items]

    def totals_json(self) -> dict[str, Any]:
        return self.totals.to_json()

    def to_json(self) -> dict[str, Any]:
        """The checkout transaction's planned fields; the caller adds createdDate, pending,
        pendingVoidDate, createdBy and simulated, and replaces Stripe steps once charged."""
        return {
            "id": self.id,
            "transactionType": "checkout",
            "currency": self.currency,
            "tax": dict(self.tax),
            "totals": self.totals_json(),
            "lineItems": self.line_items_json(),
            "steps": self.steps_json(),
            "paymentSources": self.payment_sources,
            "metadata": self.metadata,
        }
