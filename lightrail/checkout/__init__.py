"""The pure checkout planner: given a checkout request and its candidate Values, how the cart is paid."""

from lightrail.checkout.errors import PlanError
from lightrail.checkout.plan import CheckoutPlan
from lightrail.checkout.planner import plan_checkout

__all__ = ["CheckoutPlan", "PlanError", "plan_checkout"]
