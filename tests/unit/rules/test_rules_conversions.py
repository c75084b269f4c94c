"""Result conversions of the entry points (rules.md §9.3) and the JavaScript number <-> text rules."""

from __future__ import annotations

import math

import pytest

from lightrail.rules import Rule
from lightrail.rules.conversions import number_to_string, string_to_number


@pytest.mark.parametrize(
    ("result", "expected"),
    [
        (None, 0.0),
        (True, 1.0),
        (False, 0.0),
        ("", 0.0),
        ("  12.5 ", 12.5),
        ("0x10", 16.0),
        ("1e3", 1000.0),
        ("abc", math.nan),  # JavaScript unary plus, not the library's NaN-to-0 conversion
        ("Infinity", math.inf),
        ([5], 5.0),
        (["5"], 5.0),
        ([], 0.0),
        ([1, 2], math.nan),
        ({}, math.nan),
        ({"a": 1}, math.nan),
        (7, 7.0),
        (2.5, 2.5),
    ],
)
def test_evaluate_to_number_is_javascript_unary_plus(result, expected):
    actual = Rule("r").evaluate_to_number({"r": result})
    assert type(actual) is float
    assert math.isnan(actual) if math.isnan(expected) else actual == expected


def test_evaluate_to_number_keeps_nan_and_infinity_of_computed_results():
    assert math.isnan(Rule("0/0").evaluate_to_number({}))
    assert Rule("-1/0").evaluate_to_number({}) == -math.inf
    assert Rule("currentLineItem.lineTotal.subtotal * 0.5").evaluate_to_number(
        {"currentLineItem": {"lineTotal": {"subtotal": 1001}}}
    ) == 500.5


@pytest.mark.parametrize(
    ("result", "expected"),
    [
        (None, False), (False, False), (0, False), (0.0, False), (-0.0, False), (math.nan, False), ("", False),
        (True, True), (1, True), (-1.5, True), ("0", True), ("false", True), ([], True), ({}, True), ([0], True),
    ],
)
def test_evaluate_to_boolean_is_javascript_truthiness(result, expected):
    assert Rule("r").evaluate_to_boolean({"r": result}) is expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("null", "null"),
        ("true", "true"),
        ("4.0", "4"),
        ("-0", "0"),
        ("0/0", "NaN"),
        ("1e21", "1e+21"),
        ("'text'", "text"),
        ("[1, null, [2, 'a']]", "1,,2,a"),
        ("[{}]", "[object Object]"),
        ("{a: 1}", "[object Object]"),
    ],
)
def test_evaluate_to_string_is_javascript_string_concatenation(text, expected):
    assert Rule(text).evaluate_to_string({}) == expected


@pytest.mark.parametrize(
    ("number", "text"),
    [
        (0.0, "0"),
        (-0.0, "0"),
        (1.0, "1"),
        (2.5, "2.5"),
        (-2.5, "-2.5"),
        (0.1, "0.1"),
        (1 / 3, "0.3333333333333333"),
        (0.000001, "0.000001"),
        (0.0000012, "0.0000012"),
        (1e-7, "1e-7"),
        (1.5e-7, "1.5e-7"),
        (123e-20, "1.23e-18"),
        (1e20, "100000000000000000000"),
        (1e21, "1e+21"),
        (1.5e21, "1.5e+21"),
        (1e301, "1e+301"),
        (2.0**53, "9007199254740992"),
        (2.0**60, "1152921504606847000"),
        (123456789012345678901.0, "123456789012345680000"),
        (-123.456, "-123.456"),
        (5e-324, "5e-324"),
        (1.7976931348623157e308, "1.7976931348623157e+308"),
        (math.inf, "Infinity"),
        (-math.inf, "-Infinity"),
        (math.nan, "NaN"),
        (12, "12"),
        (10**400, "Infinity"),
    ],
)
def test_number_to_string_matches_javascript(number, text):
    assert number_to_string(number) == text


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("", 0.0),
        ("   ", 0.0),
        (" 5 ", 5.0),
        ("\u00a05\ufeff", 5.0),  # JavaScript whitespace
        ("5.", 5.0),
        (".5", 0.5),
        ("-.5e1", -5.0),
        ("+1e3", 1000.0),
        ("0x10", 16.0),
        ("0X1f", 31.0),
        ("0o17", 15.0),
        ("0b101", 5.0),
        ("0x" + "f" * 300, math.inf),
        ("Infinity", math.inf),
        ("-Infinity", -math.inf),
        ("1e999", math.inf),
        ("00012", 12.0),
        ("-0x10", math.nan),
        ("1,000", math.nan),
        ("1_000", math.nan),
        ("NaN", math.nan),
        ("Inf", math.nan),
        ("inf", math.nan),
        ("infinity", math.nan),
        ("\u0661", math.nan),  # Arabic-Indic one: Python's float() would accept it
        ("\x1c5", math.nan),  # Python strips this separator, JavaScript does not
        ("5\n", 5.0),
        (".", math.nan),
        ("e5", math.nan),
    ],
)
def test_string_to_number_matches_javascript(text, number):
    actual = string_to_number(text)
    assert math.isnan(actual) if math.isnan(number) else actual == number
