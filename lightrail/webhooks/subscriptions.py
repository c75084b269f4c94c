"""Which events a webhook receives (platform.md §6.4)."""

from __future__ import annotations

from collections.abc import Iterable


def matches_event(subscriptions: Iterable[str], event_type: str) -> bool:
    """`*` is everything, `a.*` is `a` and everything below it, anything else is exact.

    Unlike the original, every subscription is considered (it stopped at the first `x.*`), and `a.*`
    needs the dot: it does not match `ab`.
    """
    for subscription in subscriptions:
        if subscription == "*" or subscription == event_type:
            return True
        if subscription.endswith(".*"):
            prefix = subscription[:-2]
            if event_type == prefix or event_type.startswith(prefix + "."):
                return True
    return False
