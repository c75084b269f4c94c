"""The errors the planner detects; they carry the original's status, message and messageCode."""

from __future__ import annotations

from typing import Any

from lightrail.http.errors import ApiError


class PlanError(ApiError):
    """A checkout that cannot be planned, e.g. 409 InsufficientBalance or 409 StripeAmountTooSmall."""

    def __init__(self, status: int, message: str, message_code: str | None = None, **extra: Any) -> None:
        super().__init__(status, message, message_code, **extra)


def insufficient_balance() -> PlanError:
    return PlanError(409, "Insufficient balance for the transaction.", "InsufficientBalance")


def stripe_amount_too_small(amount: int, min_amount: int) -> PlanError:
    return PlanError(
        409,
        f"The transaction cannot be processed because it contains a Stripe charge ({amount}) below the "
        f"minimum ({min_amount}).  Please see the documentation on `allowRemainder` and "
        "`source.forgiveSubMinAmount` or create a fee to raise the total charge.",
        "StripeAmountTooSmall",
        amount=amount,
        minAmount=min_amount,
    )
