"""Rounding of fractional money to integer minor units, bit-for-bit as the original computes it.

The original works on IEEE doubles; Python floats are the same doubles, so products such as
`taxRate * taxable` are computed with plain float multiplication and only the rounding differs
from Python's built-in `round()` (which must not be used here).
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Context, Decimal

HALF_EVEN = "HALF_EVEN"
HALF_UP = "HALF_UP"
ROUNDING_MODES = (HALF_EVEN, HALF_UP)

_EIGHT_PLACES = Decimal("1e-8")
_WIDE = Context(prec=1200)  # exact quantize of any finite double
_TIE_TOLERANCE = 1e-8


def js_math_round(x: float) -> float | int:
    """JavaScript `Math.round`: nearest integer, exact halves toward +infinity."""
    if isinstance(x, int):
        return x
    if not math.isfinite(x):
        return x
    floor = math.floor(x)
    return floor + 1 if x - floor >= 0.5 else floor


def _to_fixed_8(x: float) -> float:
    """`+x.toFixed(8)`: the exact decimal value of the double, rounded half away from zero at 8 places."""
    if abs(x) >= 1e21:  # toFixed falls back to the plain number there
        return x
    return float(Decimal(x).quantize(_EIGHT_PLACES, rounding=ROUND_HALF_UP, context=_WIDE))


def bankers_round(x: float | int) -> float | int:
    """HALF_EVEN to an integer, after normalising to 8 decimals (so 37.5000000001 counts as a tie).

    NaN and infinities are returned unchanged (the original lets them through too); every finite
    input gives an int.
    """
    if isinstance(x, int):
        return x
    if not math.isfinite(x):
        return x
    n = _to_fixed_8(x)
    i = math.floor(n)
    f = n - i
    if 0.5 - _TIE_TOLERANCE < f < 0.5 + _TIE_TOLERANCE:
        return i if i % 2 == 0 else i + 1
    return int(js_math_round(n))


def round_tax(tax: float, mode: str) -> int:
    """A line's tax: HALF_EVEN is `bankers_round`; HALF_UP is `Math.round` on the raw double."""
    if mode == HALF_UP:
        return int(js_math_round(tax))
    return int(bankers_round(tax))
