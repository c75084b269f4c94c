"""JavaScript semantics the conformance vectors do not pin down (rules.md §6-§8, verified items)."""

from __future__ import annotations

import math
from decimal import Decimal

import pytest

from lightrail.rules import Rule

CONTEXT = {"iamone": 1, "size": "abcd", "numbers": [1, 2, 3], "flatmap": {"a": "a", "one": 1, "2": "two"}}


def value(text: str, context: dict | None = None):
    return Rule(text).evaluate(CONTEXT if context is None else context)


def same(actual, expected) -> bool:
    """Equal values, and a boolean only where a boolean is expected (True == 1 in Python)."""
    return actual == expected and (type(actual) is bool) == (type(expected) is bool)


def is_negative_zero(x) -> bool:
    return x == 0 and math.copysign(1.0, x) < 0


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # members (§7.3)
        ("[1, 2, 3][-0.5]", None),  # floor(-0.5) is -1: no wrap-around
        ("[1, 2, 3][-1]", None),
        ("[1, 2, 3][2.9]", 3),
        ("[1, 2, 3]['2']", 3),
        ("[1, 2, 3][[1]]", 2),
        ("[1, 2, 3][[1, 2]]", 1),  # '1,2' is NaN, read as 0
        ("numbers.size", 1),  # dot access on a list reads element 0 for any name
        ("numbers.length", 1),
        ("'foo'[0]", None),
        ("'foo'.size", None),
        ("{'null': 1}[null]", 1),
        ("{'true': 1}[true]", 1),
        ("{'1,2': 'x'}[[1, 2]]", "x"),
        ("{'2': 'two'}[2.0]", "two"),
        ("{'[object Object]': 1}[{}]", 1),
        ("flatmap[0.5]", None),
        ("iamone.a.b.c", None),
        ("size(size)", 4),  # variables and functions live in separate namespaces
        # no JavaScript prototype leaks, and no Python attribute leaks
        ("constructor", None),
        ("{}.constructor", None),
        ("{}.hasOwnProperty", None),
        ("'abc'.__len__", None),
        ("flatmap.__class__", None),
        ("flatmap.get", None),
        ("flatmap.keys", None),
        ("numbers.__class__", 1),
        # unary (§7.4)
        ("-[5]", -5),
        ("-[[5]]", -5),
        ("-[1, 2]", 0),
        ("-{}", 0),
        ("+' 12 '", 12),
        ("+'0x10'", 16),
        ("-(0/0)", 0),
        ("+'Infinity'", math.inf),
        # arithmetic (§7.5)
        ("'x' + 0.1 + 0.2", "x0.10.2"),
        ("0.1 * 3", 0.30000000000000004),
        ("1 / 3", 0.3333333333333333),
        ("-1 / 0", -math.inf),
        ("Inf % 2", None),  # NaN, checked below
        ("5 % Inf", 5),
        ("-5.5 % 2", -1.5),
        ("1e308 * 10", math.inf),
        ("'5' - '2'", 3),
        ("[1] + [2, [3]]", [1, 2, [3]]),
        ("'n: ' + {a: [1, null], b: {}}", "n: {a: [1, ], b: {}}"),
        ("'' + 123456789012345678901", "123456789012345680000"),
        ("'' + 1e21 + ' ' + 1e-7 + ' ' + 0.000001 + ' ' + -1.5e300", "1e+21 1e-7 0.000001 -1.5e+300"),
        ("'' + (0/0) + ' ' + Inf + ' ' + -Inf + ' ' + -0", "NaN Infinity -Infinity 0"),
        # relational (§7.6)
        ("'B' < 'a'", True),
        ("'10' < '9'", True),
        ("[10] < [9]", True),
        ("{} <= {}", True),
        ("{} < 1", False),
        ("'a' < 1", False),
        ("1 < 'a'", False),
        ("'a' >= 0", False),
        ("null < 'a'", False),
        ("(0/0) >= (0/0)", False),
        ("'\uffff' < '😀'", False),  # UTF-16 code units: U+1F600 starts with 0xD83D
        ("null >= 0", True),
        # equality (§7.7)
        ("'0x1' == 1", True),
        ("' 1' == 1", True),
        ("'1e0' == 1", True),
        ("'true' == true", False),
        ("'x' == true", False),
        ("'1' == true", True),
        ("true == 2", False),
        ("null == ''", False),
        ("null == 'null'", False),
        ("(0/0) == (0/0)", False),
        ("0 == -0", True),
        ("{a: null} == {}", False),
        ("{a: 1} == {a: '1'}", True),
        ("{a: 1, b: 2} == {b: 2, a: 1}", True),
        ("{} == '[object Object]'", True),
        ("[] == ''", False),
        ("'' == []", False),
        ("[1] == true", False),
        ("[[1, '2']] == [['1', 2]]", True),
        # logical (§7.8, §7.9)
        ("0 && 11 && 12", 0),
        ("1 && 'a' && []", []),
        ("0 || '' || null", None),
        ("0 || '' || 'x' || 1", "x"),
        ("(0/0) ? 'nan is truthy' : 'nan is falsy'", "nan is falsy"),
        ("[] ? 'yes' : 'no'", "yes"),
        ("{} ? 'yes' : 'no'", "yes"),
        ("'0' ? 'yes' : 'no'", "yes"),
        ("'false' && 'yes'", "yes"),
    ],
)
def test_operators(text, expected):
    actual = value(text)
    if text == "Inf % 2":
        assert math.isnan(actual)
    else:
        assert same(actual, expected)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("max(-5, [])", None),  # reference quirk: the empty list's null replaces -5
        ("min(5, [])", None),
        ("max([], 1)", 1),
        ("[].max()", None),
        ("max(null, 3, '4', true)", 4),
        ("min('abc', -1)", -1),
        ("max(5, [10, [30, 40]], -1)", 40),
        ("sum([])", 0),
        ("[].sum()", 0),
        ("sum(Inf, -Inf, 5)", 5),  # `(sum || 0) + x` restarts a NaN total
        ("sum([0.1, 0.2])", 0.30000000000000004),
        ("sum('3', [4, ['5']], {}, 'x')", 12),
        ("round(2.5)", 3),
        ("round(-2.5)", -2),
        ("round(0.49999999999999994)", 0),
        ("round(1e300)", 1e300),
        ("roundBankers(0.5)", 0),
        ("roundBankers(1.5)", 2),
        ("roundBankers(-0.5)", 0),
        ("roundBankers(1.5000000000000002)", 2),
        ("roundBankers(Inf)", math.inf),
        ("roundBankers(-Inf)", -math.inf),
        ("ceil(-Inf)", -math.inf),
        ("abs(-Inf)", math.inf),
        ("size('😀')", 2),
        ("'a😀b'.substring(1, 3)", "😀"),
        ("substring('abc', 1.7)", "bc"),
        ("substring('abc', Inf)", ""),
        ("substring('abcdef', 4, 1)", "bcd"),
        ("substring('abc', -Inf, Inf)", "abc"),
        ("substring('abc', 0/0, 2)", "ab"),
        ("toUpperCase('straße')", "STRASSE"),
        ("toLowerCase('ÀÉÎ')", "àéî"),
        ("keys({b: 1, '2': 2, a: 3, '1': 4})", ["1", "2", "b", "a"]),
        ("values({b: 1, '2': 2, a: 3, '1': 4})", [4, 2, 1, 3]),
        ("keys({'01': 1, '4294967295': 2, '4294967294': 3})", ["4294967294", "01", "4294967295"]),
        ("flatten([[1, [2, [3]]]], Inf)", [1, 2, 3]),
        ("flatten([[1, [2]]], 0/0)", [[1, [2]]]),
        ("flatten([[1, [2]]], '2')", [1, 2]),
        ("flatten({a: 1})", [{"a": 1}]),
        ("isNaN('abc' * 1)", False),  # ToNumber of 'abc' is 0 in arithmetic
        ("isNaN(+{})", False),  # unary plus turns NaN into 0
        ("isNaN(0/0)", True),
        ("isNull(flatmap.missing)", True),
        ("[1, 2, 3].nosuchfunction(1/0)", None),
    ],
)
def test_functions(text, expected):
    actual = value(text)
    assert same(actual, expected)


@pytest.mark.parametrize(
    "text",
    ["-0", "-null", "round(-0.4)", "round(-0.5)", "ceil(-0.5)", "floor(-0)", "roundBankers(-0.4)", "-[]"],
)
def test_negative_zero_exists(text):
    result = value(text)
    assert is_negative_zero(result)
    assert value(f"1 / ({text})") == -math.inf


def test_negative_zero_prints_as_zero_and_equals_zero():
    assert value("'' + -0") == "0"
    assert value("-0 == 0") is True


def test_numbers_are_doubles():
    assert value("8 / 2") == 4 and type(value("8 / 2")) is float
    assert value("a + 1", {"a": 2**53}) == 2**53  # 2^53 + 1 is not a double
    assert value("a * 1", {"a": 10**400}) == math.inf
    assert value("'' + a", {"a": 10**400}) == "Infinity"
    assert value("a == b", {"a": 2**53 + 1, "b": float(2**53)}) is True


def test_results_are_new_values_and_the_context_is_not_changed():
    context = {"items": [3, 1, 2], "m": {"k": [1]}}
    snapshot = {"items": [3, 1, 2], "m": {"k": [1]}}
    result = Rule("items + [4]").evaluate(context)
    result.append(5)
    Rule("items.filter(x => x > 1)").evaluate(context).clear()
    constant = Rule("[1, 2]")
    constant.evaluate({}).append(3)
    assert constant.evaluate({}) == [1, 2]
    assert context == snapshot


def test_python_values_beyond_json_are_read_sensibly():
    context = {"price": Decimal("12.50"), "pair": (1, 2), "flag": True, "when": object()}
    assert value("price * 2", context) == 25
    assert value("pair[1] + pair.size()", context) == 4
    assert value("flag + 1", context) == 2
    assert value("when", context) is not None  # returned as given...
    assert value("isNull(when.x) && when + 1", context) == 1  # ...and otherwise read as null


def test_context_may_be_none_or_not_a_mapping():
    assert Rule("x == null").evaluate(None) is True
    assert Rule("x == null").evaluate([1, 2]) is True


def test_custom_functions_get_values_and_lambdas_as_callables():
    calls = []

    def tick(x):
        calls.append(x)
        return x

    functions = {"tick": tick, "apply": lambda f, v: f(v), "size": lambda v: 42}
    rule = Rule("apply(x => x * 2, 21) + size('a')")
    assert rule.evaluate({}, functions=functions) == 84
    assert rule.evaluate({}) == 1  # without them: apply() is unknown (null), size('a') is 1
    assert Rule("nosuch(tick(1))").evaluate({}, functions=functions) is None
    assert Rule("every(tick([1]))").evaluate({}, functions=functions) is False
    assert Rule("filter(tick([1]), 'no lambda')").evaluate({}, functions=functions) == []
    assert calls == []  # unknown functions and lambda-less collection calls evaluate nothing
    assert Rule("every(tick([1]), x => true)").evaluate({}, functions=functions) is True
    assert calls == [[1]]


def test_type_analysis_beyond_the_vectors():
    assert Rule("{a: 1}").must_evaluate_to_type("map")  # the reference throws on map literals
    assert Rule("null").must_evaluate_to_type("map")  # reference quirk: typeof null is "object"
    assert Rule("a != b").must_evaluate_to_type("boolean")
    assert Rule("a ? 1 : b ? 2 : 3").must_evaluate_to_type("number")
    assert not Rule("a ? 1 : b ? 'x' : 3").can_evaluate_to_type("list")
    assert Rule("1 + 2 - 'x' + 'y'").must_evaluate_to_type("string")
    assert Rule("x || y || 1").can_evaluate_to_type("list")
    assert not Rule("x || y || 1").must_evaluate_to_type("number")
    with pytest.raises(ValueError):
        Rule("1").can_evaluate_to_type("integer")
