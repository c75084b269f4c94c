"""The 26 built-in functions (rules.md §8).

Each receives its compiled arguments unevaluated, `(args, env, st)`, and evaluates what it needs:
collection functions must not evaluate the list when no lambda is given, and extra arguments are
ignored without being evaluated. A lambda argument is a CompiledLambda.
"""

from __future__ import annotations

import math

from .conversions import (
    INF,
    LIST,
    MAP,
    NUMBER,
    STRING,
    js_number,
    kind_of,
    number_value,
    ordered_keys,
    to_boolean,
    to_number,
    to_string,
    utf16_length,
)
from .scope import CompiledLambda, Scope

# -- argument helpers -----------------------------------------------------------------------------


def _number_arg(args, index, env, st) -> float:
    return to_number(args[index](env, st)) if index < len(args) else 0.0


def _string_arg(args, index, env, st) -> str:
    return to_string(args[index](env, st), st) if index < len(args) else ""


def _as_list(value):
    """The value as a sequence if it is a list, else None."""
    if type(value) is list:
        return value
    return value if kind_of(value) == LIST else None


def _lambda_call(args, env, st):
    """(items, lambda, scope) for `f(list, x => ...)`, or None when the call does not qualify.

    The list is evaluated only when the second argument is a lambda (rules.md §8.3).
    """
    if len(args) < 2 or type(args[1]) is not CompiledLambda:
        return None
    items = _as_list(args[0](env, st))
    if items is None:
        return None
    return items, args[1], Scope({}, env)


# -- numbers --------------------------------------------------------------------------------------


def _signed_zero(result: float, x: float) -> float:
    # JavaScript keeps the sign on a zero result (`ceil(-0.5)` is -0); Python's int-returning
    # rounding functions lose it.
    return math.copysign(0.0, x) if result == 0 else result


def abs_(args, env, st):
    return abs(_number_arg(args, 0, env, st))


def ceil(args, env, st):
    x = _number_arg(args, 0, env, st)
    if x != x or x in (INF, -INF):
        return x
    return _signed_zero(float(math.ceil(x)), x)


def floor(args, env, st):
    x = _number_arg(args, 0, env, st)
    if x != x or x in (INF, -INF):
        return x
    return _signed_zero(float(math.floor(x)), x)


def round_(args, env, st):
    """`Math.round`: halves go toward +Infinity. Not floor(x + 0.5), which rounds
    0.49999999999999994 up."""
    x = _number_arg(args, 0, env, st)
    if x != x or x in (INF, -INF):
        return x
    r = float(math.floor(x))
    if x - r >= 0.5:  # exact: x - floor(x) is representable
        r += 1.0
    return _signed_zero(r, x)


def round_bankers(args, env, st):
    """Halves go to the even neighbour, decided on the exact binary value (Python's round)."""
    x = _number_arg(args, 0, env, st)
    if x != x or x in (INF, -INF):
        return x
    return _signed_zero(float(round(x)), x)


def _best(values, better, st):
    """max/min (§8.1): lists contribute their own best, which is null for an empty list; null
    then compares as 0 but still replaces the best (a quirk of the reference, kept)."""
    st.charge(len(values))
    best = None
    for value in values:
        items = _as_list(value)
        if items is not None:
            candidate = _best(items, better, st)
        else:
            candidate = js_number(value, st)
            if candidate != candidate or candidate == 0:
                candidate = 0.0  # `+value || 0`
        if best is None or better(0.0 if candidate is None else candidate, best):
            best = candidate
    return best


def _greater(a: float, b: float) -> bool:
    return a > b


def _less(a: float, b: float) -> bool:
    return a < b


def max_(args, env, st):
    return _best([arg(env, st) for arg in args], _greater, st)


def min_(args, env, st):
    return _best([arg(env, st) for arg in args], _less, st)


def _total(values, st):
    """sum (§8.1): lists add their own total (null when empty, adding as 0); a running total that
    is NaN restarts from 0, as `(sum || 0) + x` does in the reference."""
    st.charge(len(values))
    total = None
    for value in values:
        items = _as_list(value)
        if items is not None:
            part = _total(items, st)
            if part is None:
                part = 0.0
        else:
            part = js_number(value, st)
            if part != part:
                part = 0.0
        # `(total || 0) + part`: null, ±0 and NaN all restart from +0 (Python floats: NaN is truthy).
        base = total if total and total == total else 0.0
        total = base + part
    return total


def sum_(args, env, st):
    return _total([arg(env, st) for arg in args], st)


# -- predicates -----------------------------------------------------------------------------------


def is_nan(args, env, st):
    if not args:
        return False
    value = args[0](env, st)
    if type(value) is float:
        return value != value
    if kind_of(value) != NUMBER:
        return False
    x = number_value(value)
    return x != x


def is_null(args, env, st):
    if not args:
        return True
    return args[0](env, st) is None


# -- collections with a lambda -------------------------------------------------------------------


def every(args, env, st):
    call = _lambda_call(args, env, st)
    if call is None:
        return False
    items, lam, scope = call
    name, body, cost, bound = lam.params[0], lam.body, lam.cost, scope.bound
    for item in items:
        st.charge(cost)
        bound[name] = item
        if not to_boolean(body(scope, st)):
            return False
    return True


def some(args, env, st):
    call = _lambda_call(args, env, st)
    if call is None:
        return False
    items, lam, scope = call
    name, body, cost, bound = lam.params[0], lam.body, lam.cost, scope.bound
    for item in items:
        st.charge(cost)
        bound[name] = item
        if to_boolean(body(scope, st)):
            return True
    return False


def filter_(args, env, st):
    call = _lambda_call(args, env, st)
    if call is None:
        return []
    items, lam, scope = call
    name, body, cost, bound = lam.params[0], lam.body, lam.cost, scope.bound
    kept = []
    for item in items:
        st.charge(cost)
        bound[name] = item
        if to_boolean(body(scope, st)):
            kept.append(item)
    return kept


def map_(args, env, st):
    call = _lambda_call(args, env, st)
    if call is None:
        return []
    items, lam, scope = call
    name, body, cost, bound = lam.params[0], lam.body, lam.cost, scope.bound
    results = []
    for item in items:
        st.charge(cost)
        bound[name] = item
        results.append(body(scope, st))
    return results


def _find_index(args, env, st, indexes) -> tuple:
    """(index, item) of the first match over `indexes(len)`, or (-1, None)."""
    call = _lambda_call(args, env, st)
    if call is None:
        return -1.0, None
    items, lam, scope = call
    name, body, cost, bound = lam.params[0], lam.body, lam.cost, scope.bound
    for index in indexes(len(items)):
        st.charge(cost)
        item = items[index]
        bound[name] = item
        if to_boolean(body(scope, st)):
            return float(index), item
    return -1.0, None


def _forward(n: int) -> range:
    return range(n)


def _backward(n: int) -> range:
    return range(n - 1, -1, -1)


def find(args, env, st):
    return _find_index(args, env, st, _forward)[1]


def find_index(args, env, st):
    return _find_index(args, env, st, _forward)[0]


def find_last(args, env, st):
    return _find_index(args, env, st, _backward)[1]


def find_last_index(args, env, st):
    return _find_index(args, env, st, _backward)[0]


def reduce_(args, env, st):
    """Parameters bind positionally to (accumulator, item, index, list), as many as declared."""
    call = _lambda_call(args, env, st)
    if call is None:
        return None
    items, lam, scope = call
    accumulator = args[2](env, st) if len(args) > 2 else None
    params = lam.params[:4]
    body, cost, bound = lam.body, lam.cost, scope.bound
    whole = items if type(items) is list else list(items)
    for index, item in enumerate(items):
        st.charge(cost)
        for name, value in zip(params, (accumulator, item, float(index), whole)):
            bound[name] = value
        accumulator = body(scope, st)
    return accumulator


# -- lists and maps -------------------------------------------------------------------------------


def flatten(args, env, st):
    if not args:
        return []
    value = args[0](env, st)
    items = _as_list(value)
    if items is None:
        return [value]
    depth = _number_arg(args, 1, env, st) if len(args) >= 2 else 1.0
    return _flat(items, depth, st)


def _flat(items, depth: float, st) -> list:
    """`Array.prototype.flat(depth)`: NaN or depth <= 0 copies, Infinity flattens fully."""
    st.charge(len(items) + 1)
    if not depth > 0:
        return list(items)
    out = []
    for item in items:
        inner = _as_list(item)
        if inner is None:
            out.append(item)
        else:
            out.extend(_flat(inner, depth - 1, st))
    return out


def keys(args, env, st):
    if not args:
        return []
    value = args[0](env, st)
    if kind_of(value) != MAP:
        return []
    st.charge(len(value))
    return ordered_keys(value)


def values(args, env, st):
    if not args:
        return []
    value = args[0](env, st)
    if kind_of(value) != MAP:
        return []
    st.charge(len(value))
    return [value[key] for key in ordered_keys(value)]


def size(args, env, st):
    if not args:
        return 0.0
    value = args[0](env, st)
    kind = kind_of(value)
    if kind == LIST:
        return float(len(value))
    if kind == STRING:
        return float(utf16_length(str(value)))
    return 0.0


# -- strings --------------------------------------------------------------------------------------


def _code_unit_slice(text: str, start: int, end: int) -> str:
    if text.isascii():
        return text[start:end]
    units = text.encode("utf-16-le", "surrogatepass")
    # A slice may split a surrogate pair, as in JavaScript; the lone half is kept.
    return units[2 * start : 2 * end].decode("utf-16-le", "surrogatepass")


def _clamped_index(x: float, length: int) -> int:
    """ToIntegerOrInfinity clamped to [0, length], as String.prototype.substring does."""
    if x != x or x <= 0:
        return 0
    if x >= length:
        return length
    return int(x)


def substring(args, env, st):
    text = _string_arg(args, 0, env, st)
    length = utf16_length(text)
    lower = _number_arg(args, 1, env, st)
    higher = _number_arg(args, 2, env, st) if len(args) > 2 else float(length)
    if lower > higher:
        lower, higher = higher, lower
    start = _clamped_index(lower, length)
    end = _clamped_index(higher, length)
    if start > end:
        start, end = end, start
    st.charge(length >> 6)
    return _code_unit_slice(text, start, end)


def to_lower_case(args, env, st):
    text = _string_arg(args, 0, env, st)
    st.charge(len(text) >> 6)
    return text.lower()


def to_upper_case(args, env, st):
    text = _string_arg(args, 0, env, st)
    st.charge(len(text) >> 6)
    return text.upper()


BUILTINS = {
    "abs": abs_,
    "ceil": ceil,
    "every": every,
    "filter": filter_,
    "find": find,
    "findIndex": find_index,
    "findLast": find_last,
    "findLastIndex": find_last_index,
    "flatten": flatten,
    "floor": floor,
    "isNaN": is_nan,
    "isNull": is_null,
    "keys": keys,
    "map": map_,
    "max": max_,
    "min": min_,
    "reduce": reduce_,
    "round": round_,
    "roundBankers": round_bankers,
    "size": size,
    "some": some,
    "substring": substring,
    "sum": sum_,
    "toLowerCase": to_lower_case,
    "toUpperCase": to_upper_case,
    "values": values,
}
