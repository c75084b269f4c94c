"""JavaScript's reading of numbers and dates from query strings, which filters inherited from the original."""

from __future__ import annotations

import re
from datetime import datetime, timezone

# `Number(text)`: one reading of numbers for the whole product, the rule language's.
from lightrail.rules.conversions import string_to_number as js_number  # noqa: F401

_DATE_ONLY = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")


def js_date(text: str) -> datetime | None:
    """`new Date(text)` for the forms clients send: ISO dates and date-times; None when unparseable."""
    s = text.strip()
    m = _DATE_ONLY.fullmatch(s)
    try:
        if m:
            year, month, day = int(m.group(1)), int(m.group(2) or 1), int(m.group(3) or 1)
            return datetime(year, month, day, tzinfo=timezone.utc)
        value = datetime.fromisoformat(s.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        return None
    if value.tzinfo is None:
        # ECMAScript reads a date-time without offset as local time; servers run in UTC.
        value = value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc)
