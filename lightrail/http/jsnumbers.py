"""JavaScript's reading of numbers and dates from query strings, which filters inherited from the original."""

from __future__ import annotations

import math
import re
from datetime import datetime, timezone

_DECIMAL = re.compile(r"^[+-]?(\d+\.?\d*([eE][+-]?\d+)?|\.\d+([eE][+-]?\d+)?)$")
_RADIX = re.compile(r"^0([xX][0-9a-fA-F]+|[oO][0-7]+|[bB][01]+)$")


def js_number(text: str) -> float:
    """`Number(text)`: trims, empty is 0, accepts hex/octal/binary and Infinity; NaN otherwise."""
    s = text.strip()
    if s == "":
        return 0.0
    if _DECIMAL.match(s):
        return float(s)
    if _RADIX.match(s):
        return float(int(s, 0))
    if s in ("Infinity", "+Infinity"):
        return math.inf
    if s == "-Infinity":
        return -math.inf
    return math.nan


_DATE_ONLY = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")


def js_date(text: str) -> datetime | None:
    """`new Date(text)` for the forms clients send: ISO dates and date-times; None when unparseable."""
    s = text.strip()
    m = _DATE_ONLY.match(s)
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
