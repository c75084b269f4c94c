"""JavaScript value semantics for rule values (rules.md §5-§7).

Rule values are plain Python data: None, bool, int/float, str, list, dict. Numbers are IEEE
doubles as in JavaScript: ints from the context are read as doubles, every computed number is a
float. Functions that walk lists or maps take the evaluation Budget and charge one step per
element, so values built by a rule (which may share structure, `[a, a]`) cannot make a walk explode.
"""

from __future__ import annotations

import math
import numbers
import re
from collections.abc import Mapping

from .limits import Budget

INF = math.inf
NAN = math.nan
OBJECT_STRING = "[object Object]"  # what JavaScript makes of a map wherever it wants a string

# Kinds of values, from the rule's point of view.
NULL, BOOLEAN, NUMBER, STRING, LIST, MAP = range(6)
_KIND_BY_TYPE = {type(None): NULL, bool: BOOLEAN, int: NUMBER, float: NUMBER, str: STRING, list: LIST, dict: MAP}


def kind_of(value: object) -> int:
    kind = _KIND_BY_TYPE.get(type(value))
    if kind is not None:
        return kind
    # Not JSON-typed: subclasses and look-alikes from Python callers. Anything else reads as null.
    if isinstance(value, bool):
        return BOOLEAN
    if isinstance(value, numbers.Number) and not isinstance(value, complex):
        return NUMBER
    if isinstance(value, str):
        return STRING
    if isinstance(value, Mapping):
        return MAP
    if isinstance(value, (list, tuple)):
        return LIST
    return NULL


def number_value(value: object) -> float:
    """The double of a value of kind NUMBER (ints beyond the double range become ±Infinity)."""
    if type(value) is float:
        return value
    try:
        return float(value)
    except OverflowError:
        return INF if value > 0 else -INF
    except (TypeError, ValueError):
        return NAN


# -- strings -> numbers ---------------------------------------------------------------------------

# ECMAScript WhiteSpace and LineTerminator; Python's str.strip() knows a different set.
_JS_WHITESPACE = "\t\n\v\f\r \u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"
_DECIMAL = re.compile(r"[+-]?(?:Infinity|(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?)")
_RADIX = re.compile(r"0(?:[xX]([0-9a-fA-F]+)|[oO]([0-7]+)|[bB]([01]+))")


def string_to_number(text: str) -> float:
    """ECMAScript StringToNumber: what `Number(text)` gives, NaN when the text is not a number."""
    s = text.strip(_JS_WHITESPACE)
    if not s:
        return 0.0
    if _DECIMAL.fullmatch(s):
        if s[-1] == "y":
            return -INF if s[0] == "-" else INF
        return float(s)
    m = _RADIX.fullmatch(s)
    if m is None:
        return NAN
    hex_digits, oct_digits, bin_digits = m.groups()
    if hex_digits is not None:
        return number_value(int(hex_digits, 16))
    if oct_digits is not None:
        return number_value(int(oct_digits, 8))
    return number_value(int(bin_digits, 2))


# -- numbers -> strings ---------------------------------------------------------------------------

_EXACT_INTEGER = 2.0**53


def number_to_string(value: object) -> str:
    """JavaScript Number::toString: `4` not `4.0`, `1e+21`, `1e-7`, `Infinity`, `NaN`, -0 is `0`."""
    x = number_value(value)
    if x != x:
        return "NaN"
    if x == 0:
        return "0"
    if -_EXACT_INTEGER < x < _EXACT_INTEGER and x == int(x):
        return str(int(x))
    if x == INF:
        return "Infinity"
    if x == -INF:
        return "-Infinity"
    sign = "-" if x < 0 else ""
    # repr gives the shortest digits that round-trip, the same digits JavaScript chooses.
    text = repr(abs(x))
    mantissa, _, exponent = text.partition("e")
    whole, _, fraction = mantissa.partition(".")
    digits = whole + fraction
    point = len(whole) + (int(exponent) if exponent else 0)  # digits before the decimal point
    stripped = digits.lstrip("0")
    point -= len(digits) - len(stripped)
    digits = stripped.rstrip("0")
    k = len(digits)
    n = point
    if k <= n <= 21:
        return sign + digits + "0" * (n - k)
    if 0 < n <= 21:
        return sign + digits[:n] + "." + digits[n:]
    if -6 < n <= 0:
        return sign + "0." + "0" * -n + digits
    e = n - 1
    exp = f"e+{e}" if e >= 0 else f"e-{-e}"
    if k == 1:
        return sign + digits + exp
    return sign + digits[0] + "." + digits[1:] + exp


# -- conversions ----------------------------------------------------------------------------------


def to_boolean(value: object) -> bool:
    """JavaScript truthiness: null, false, 0, -0, NaN and '' are false; [] and {} are true."""
    if value is None or value is False:
        return False
    if value is True:
        return True
    t = type(value)
    if t is str:
        return value != ""
    if t is float:
        return value == value and value != 0.0
    if t is int:
        return value != 0
    kind = kind_of(value)
    if kind == NUMBER:
        x = number_value(value)
        return x == x and x != 0.0
    if kind == STRING:
        return value != ""
    if kind == BOOLEAN:
        return bool(value)
    return kind != NULL


def to_number(value: object) -> float:
    """The library's number conversion (§6.2): unparseable strings, lists and maps are 0."""
    t = type(value)
    if t is float:
        return value
    if t is int:
        return number_value(value)
    if value is None:
        return 0.0
    if t is bool:
        return 1.0 if value else 0.0
    if t is str:
        x = string_to_number(value)
        # `+s || 0`: NaN and -0 both become +0.
        return x if x == x and x != 0.0 else 0.0
    kind = kind_of(value)
    if kind == NUMBER:
        return number_value(value)
    if kind == BOOLEAN:
        return 1.0 if value else 0.0
    if kind == STRING:
        return to_number(str(value))
    return 0.0


def js_number(value: object, st: Budget | None = None) -> float:
    """JavaScript's own ToNumber (unary `+`): lists go through their joined text, maps are NaN."""
    t = type(value)
    if t is float:
        return value
    if t is int:
        return number_value(value)
    if value is None:
        return 0.0
    if t is bool:
        return 1.0 if value else 0.0
    if t is str:
        return string_to_number(value)
    kind = kind_of(value)
    if kind == NUMBER:
        return number_value(value)
    if kind == BOOLEAN:
        return 1.0 if value else 0.0
    if kind == STRING:
        return string_to_number(str(value))
    if kind == LIST:
        return string_to_number(js_join(value, st))
    if kind == MAP:
        return NAN
    return 0.0


def to_string(value: object, st: Budget | None = None) -> str:
    """The library's string conversion (§6.3): null is '', lists `[a, b]`, maps `{k: v}`."""
    t = type(value)
    if t is str:
        return value
    if value is None:
        return ""
    if t is bool:
        return "true" if value else "false"
    if t is float or t is int:
        return number_to_string(value)
    kind = kind_of(value)
    if kind == LIST:
        if st is not None:
            st.charge(len(value) + 1)
        return "[" + ", ".join([to_string(item, st) for item in value]) + "]"
    if kind == MAP:
        if st is not None:
            st.charge(len(value) + 1)
        return "{" + ", ".join([f"{key}: {to_string(value[key], st)}" for key in ordered_keys(value)]) + "}"
    if kind == STRING:
        return str(value)
    if kind == BOOLEAN:
        return "true" if value else "false"
    if kind == NUMBER:
        return number_to_string(value)
    return ""


def js_string(value: object, st: Budget | None = None) -> str:
    """JavaScript's own ToString (`value + ""`): null is 'null', lists join with ',', maps are
    '[object Object]'."""
    if value is None:
        return "null"
    kind = kind_of(value)
    if kind == LIST:
        return js_join(value, st)
    if kind == MAP:
        return OBJECT_STRING
    if kind == NULL:
        return "null"
    return to_string(value, st)


def js_join(items, st: Budget | None = None) -> str:
    """`Array.prototype.join(",")`, also what JavaScript makes of a list wherever it wants a
    primitive: null elements are empty, nested lists joined the same way."""
    if st is not None:
        st.charge(len(items) + 1)
    parts = []
    for item in items:
        t = type(item)
        if t is str:
            parts.append(item)
        elif item is None:
            parts.append("")
        elif t is float or t is int:
            parts.append(number_to_string(item))
        else:
            kind = kind_of(item)
            if kind == LIST:
                parts.append(js_join(item, st))
            elif kind == NULL:
                parts.append("")
            else:
                parts.append(js_string(item, st))
    return ",".join(parts)


def property_key(key: object, st: Budget | None = None) -> str:
    """The map key JavaScript uses for `map[key]`: `2` and `2.0` are '2', null is 'null'."""
    if type(key) is str:
        return key
    return js_string(key, st)


def to_primitive(value: object, st: Budget | None) -> object:
    """JavaScript ToPrimitive for operators: lists become their joined text, maps '[object Object]'."""
    kind = kind_of(value)
    if kind == LIST:
        return js_join(value, st)
    if kind == MAP:
        return OBJECT_STRING
    if kind == NULL:
        return None
    return value


# -- maps ----------------------------------------------------------------------------------------

_MAX_ARRAY_INDEX = 2**32 - 2


def _is_array_index(key: object) -> bool:
    return (
        type(key) is str
        and key.isascii()
        and key.isdigit()
        and (key == "0" or key[0] != "0")
        and int(key) <= _MAX_ARRAY_INDEX
    )


def ordered_keys(mapping) -> list:
    """Keys in JavaScript object order: array-index keys ascending first, then insertion order."""
    keys = list(mapping)
    for key in keys:
        if type(key) is str and key and "0" <= key[0] <= "9":
            break
    else:
        return keys
    indexes = [key for key in keys if _is_array_index(key)]
    if not indexes:
        return keys
    indexes.sort(key=int)
    return indexes + [key for key in keys if not _is_array_index(key)]


# -- member access ------------------------------------------------------------------------------


def member(target: object, key: object, st: Budget | None) -> object:
    """`target[key]` (§7.3): never fails; anything missing is null."""
    t = type(target)
    if t is dict:
        return target.get(key if type(key) is str else property_key(key, st))
    if t is list:
        return list_item(target, key, st)
    kind = kind_of(target)
    if kind == MAP:
        k = property_key(key, st)
        return target[k] if k in target else None
    if kind == LIST:
        return list_item(target, key, st)
    return None  # null, booleans, numbers and strings have no members


def list_item(items, key: object, st: Budget | None) -> object:
    # `Math.floor(+key || 0)`: a non-numeric key reads element 0; no wrap-around for negatives.
    index = js_number(key, st)
    if index != index:
        return items[0] if items else None
    if index < 0 or index >= len(items):
        return None
    return items[int(index)]


# -- operators ----------------------------------------------------------------------------------


def add(a: object, b: object, st: Budget) -> object:
    """`+`: list concatenation, else text if either side is a string, else numbers (§7.5)."""
    ta = type(a)
    tb = type(b)
    if (ta is float or ta is int) and (tb is float or tb is int):
        return number_value(a) + number_value(b)
    ka = kind_of(a)
    kb = kind_of(b)
    if ka == LIST and kb == LIST:
        st.charge(len(a) + len(b))
        return list(a) + list(b)
    if ka == STRING or kb == STRING:
        text = to_string(a, st) + to_string(b, st)
        st.charge(len(text) >> 6)
        return text
    return to_number(a) + to_number(b)


def subtract(a: object, b: object, st: Budget) -> float:
    return to_number(a) - to_number(b)


def multiply(a: object, b: object, st: Budget) -> float:
    return to_number(a) * to_number(b)


def divide(a: object, b: object, st: Budget) -> float:
    return divide_numbers(to_number(a), to_number(b))


def divide_numbers(x: float, y: float) -> float:
    try:
        return x / y
    except ZeroDivisionError:
        if x != x or x == 0:
            return NAN
        return math.copysign(INF, x) * math.copysign(1.0, y)


def remainder(a: object, b: object, st: Budget) -> float:
    """`%` truncates like C fmod (sign of the dividend), unlike Python's floored `%`."""
    x = to_number(a)
    y = to_number(b)
    if y == 0 or x == INF or x == -INF:
        return NAN
    return math.fmod(x, y)


def negate(value: object, st: Budget) -> float:
    x = -js_number(value, st)
    return x if x == x else 0.0


def plus(value: object, st: Budget) -> float:
    x = js_number(value, st)
    return x if x == x else 0.0


def _utf16_order(a: str, b: str) -> tuple:
    # JavaScript compares strings by UTF-16 code units; code points order differently only when
    # characters beyond U+FFFF are involved.
    if a.isascii() and b.isascii():
        return a, b
    return a.encode("utf-16-be", "surrogatepass"), b.encode("utf-16-be", "surrogatepass")


def _relational_operands(a: object, b: object, st: Budget | None) -> tuple:
    """ECMAScript abstract relational comparison: two strings compare as text, anything else
    as numbers (NaN makes every comparison false)."""
    pa = to_primitive(a, st)
    pb = to_primitive(b, st)
    if type(pa) is str and type(pb) is str:
        return _utf16_order(pa, pb)
    return js_number(pa, st), js_number(pb, st)


def less_than(a: object, b: object, st: Budget) -> bool:
    x, y = _relational_operands(a, b, st)
    return x < y


def less_or_equal(a: object, b: object, st: Budget) -> bool:
    x, y = _relational_operands(a, b, st)
    return x <= y


def greater_than(a: object, b: object, st: Budget) -> bool:
    x, y = _relational_operands(a, b, st)
    return x > y


def greater_or_equal(a: object, b: object, st: Budget) -> bool:
    x, y = _relational_operands(a, b, st)
    return x >= y


def equals(a: object, b: object, st: Budget | None) -> bool:
    """`==` (§7.7): lists and maps compare deeply, everything else with JavaScript's loose `==`."""
    ta = type(a)
    tb = type(b)
    if ta is tb and (ta is str or ta is float):
        return a == b
    ka = kind_of(a)
    kb = kind_of(b)
    if ka == LIST:
        if kb != LIST or len(a) != len(b):
            return False
        if st is not None:
            st.charge(len(a))
        for x, y in zip(a, b):
            if not equals(x, y, st):
                return False
        return True
    if kb == LIST:
        return False
    if ka == MAP and kb == MAP:
        if len(a) != len(b):
            return False
        if st is not None:
            st.charge(len(a))
        for key in a:
            if key not in b or not equals(a[key], b[key], st):
                return False
        return True
    return _loose_equals(a, ka, b, kb)


def _loose_equals(a: object, ka: int, b: object, kb: int) -> bool:
    """JavaScript `==` between values that are not lists and not both maps."""
    if ka == kb:
        if ka == NUMBER:
            return number_value(a) == number_value(b)
        if ka == NULL:
            return True
        return a == b
    if ka == NULL or kb == NULL:
        return False
    if ka == BOOLEAN:
        return _loose_equals(1.0 if a else 0.0, NUMBER, b, kb)
    if kb == BOOLEAN:
        return _loose_equals(a, ka, 1.0 if b else 0.0, NUMBER)
    if ka == MAP:
        return _loose_equals(OBJECT_STRING, STRING, b, kb)
    if kb == MAP:
        return _loose_equals(a, ka, OBJECT_STRING, STRING)
    # One number, one string: the string is read as a number.
    if ka == NUMBER:
        return number_value(a) == string_to_number(str(b))
    return string_to_number(str(a)) == number_value(b)


def not_equals(a: object, b: object, st: Budget) -> bool:
    return not equals(a, b, st)


def utf16_length(text: str) -> int:
    """String length as JavaScript counts it: characters beyond U+FFFF count twice."""
    if text.isascii():
        return len(text)
    return len(text.encode("utf-16-le", "surrogatepass")) >> 1
