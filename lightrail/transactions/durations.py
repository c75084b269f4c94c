"""`pending`: when a pending transaction is voided automatically (transactions.md §8.1)."""

from __future__ import annotations

import calendar
import re
from datetime import datetime, timedelta

from lightrail.http.errors import ApiError

_DURATION = re.compile(
    r"P(?:(-?\d+)Y)?(?:(-?\d+)M)?(?:(-?\d+)W)?(?:(-?\d+)D)?(?:T(?:(-?\d+)H)?(?:(-?\d+)M)?(?:(-?\d+)S)?)?"
)
DEFAULT = "P1W"
MINIMUM = "PT1H"
MAXIMUM = "P3M"
MAXIMUM_WITH_STRIPE = "P1W"


def _add_months(moment: datetime, months: int) -> datetime:
    month_index = moment.month - 1 + months
    year, month = moment.year + month_index // 12, month_index % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


def add_duration(moment: datetime, duration: str) -> datetime:
    """Calendar arithmetic, as people read `P1M` (a month later, same day of the month)."""
    match = _DURATION.fullmatch(duration)
    if match is None or duration in ("P", "PT") or duration.endswith("T"):
        raise ApiError(422, f"The pending duration '{duration}' is not an ISO-8601 duration such as 'P7D' or 'PT12H'.")
    years, months, weeks, days, hours, minutes, seconds = (int(g) if g else 0 for g in match.groups())
    moved = _add_months(moment, years * 12 + months)
    return moved + timedelta(weeks=weeks, days=days, hours=hours, minutes=minutes, seconds=seconds)


def pending_void_date(pending: bool | str | None, now: datetime, *, with_stripe: bool = False) -> datetime | None:
    if pending is None or pending is False:
        return None
    void_date = add_duration(now, DEFAULT if pending is True else pending)
    if void_date < add_duration(now, MINIMUM):
        raise ApiError(
            422, "Cannot create a pending transaction with a pendingVoidDate less than the minimum duration of 1 hour.",
            "PendingDurationTooSmall",
        )
    if void_date > add_duration(now, MAXIMUM):
        raise ApiError(
            422, "Cannot create a pending transaction with a pendingVoidDate greater than the maximum duration of 3 months.",
            "PendingDurationTooLarge",
        )
    if with_stripe and void_date > add_duration(now, MAXIMUM_WITH_STRIPE):
        raise ApiError(
            422,
            "Cannot create a pending transaction with a pendingVoidDate greater than the maximum duration of 1 week (when using Stripe).",
            "PendingDurationTooLarge",
        )
    return void_date
