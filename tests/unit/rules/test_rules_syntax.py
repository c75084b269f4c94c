"""What parses, what does not, and where errors are reported (rules.md §3, §4, §9.1)."""

from __future__ import annotations

import pytest

from lightrail.rules import Rule, RuleSyntaxError, check_syntax


def value(text: str, context: dict | None = None):
    return Rule(text).evaluate(context or {})


@pytest.mark.parametrize(
    ("text", "row", "column"),
    [
        ("", 1, 0),
        ("   ", 1, 3),
        ("1 +", 1, 3),
        ("(1", 1, 2),
        ("1 # 2", 1, 2),
        ("1 2", 1, 2),
        ("a..b", 1, 2),
        ("a.1", 1, 2),
        ("unclosed)", 1, 8),
        ("'unclosed", 1, 0),
        ("x == 'open", 1, 5),
        ("max()", 1, 4),
        ("x => 1", 1, 2),
        ("{1: 2}", 1, 1),
        ("1 ? 1", 1, 5),
        ("[1,,2]", 1, 3),
        ("a[]", 1, 2),
        ("a\n  + #", 2, 4),
        ("x > 1 &&\n\n  y = 2", 3, 4),
        ("a +\r\n@", 2, 0),
        ("1 =\n2", 1, 2),
    ],
)
def test_error_row_and_column_point_at_the_offending_token(text, row, column):
    error = check_syntax(text)
    assert isinstance(error, RuleSyntaxError)
    assert (error.row, error.column) == (row, column), error.message


def test_unknown_character_is_a_token_recognition_error():
    error = check_syntax("1 # 2")
    assert error.message == "token recognition error at: '#'"
    assert str(error) == error.message


def test_compile_raises_the_same_error_check_syntax_returns():
    with pytest.raises(RuleSyntaxError) as raised:
        Rule("1 +")
    assert (raised.value.row, raised.value.column) == (1, 3)
    assert "end of the rule" in raised.value.message


def test_check_syntax_accepts_valid_rules_and_rejects_non_strings():
    assert check_syntax("currentLineItem.lineTotal.subtotal * 0.5") is None
    error = check_syntax(None)
    assert isinstance(error, RuleSyntaxError) and (error.row, error.column) == (1, 0)


@pytest.mark.parametrize(
    "text",
    [
        "max()", "sum()", "size()", "f()",  # global calls need an argument
        "x => 1", "() => 1", "[1].map((x, ) => x)", "[1].map(x =>)",  # lambdas only as arguments
        "[1,,2]", "[,,]", "{1: 'x'}", "{true: 1}", "{null: 1}", "{Inf: 1}", "{,a: 1}",
        "a.1", "a.'b'", "a.(b)", "a..b", "a[]", "a.true", "true ? 1",
        ".5", "1.", "1e", "0x10", "1_000", "1cantstartwithnumber", "'it''s'",
        "1 = 1", "1 === 1", "a & b", "a | b", "a ** 2", "a++",
        "1\u00a0+ 1", "1 \f+ 1", "caf\u00e9", "a // comment",
    ],
)
def test_rejected(text):
    assert isinstance(check_syntax(text), RuleSyntaxError)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("[1, 2,]", [1, 2]),
        ("[,1]", [1]),
        ("[,]", []),
        ("{,}", {}),
        ("{a: 1,}", {"a": 1}),
        ("{a: 1, a: 2}", {"a": 2}),
        ("{'x y': 1, \"z\": 2}", {"x y": 1, "z": 2}),
        ("00012", 12),
        ("1e3 + 1E+3 + 1.5e-2", 2000.015),
        ("1.round()", 1),
        ("1.5.round()", 2),
        ("Info", None),
        ("trueish", None),
        ("nulls", None),
        ("Infinity", None),
        ("NaN", None),  # not a literal, despite SYNTAX.md: an unset identifier
        ("$a_1 + _b", 0),
        ("1\t+\r\n1", 2),
        ("(x) == null", True),
        ("[1].map((x) => x + 1)", [2]),
    ],
)
def test_accepted(text, expected):
    assert check_syntax(text) is None
    assert value(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("'f\\'o\\'o'", "f'o'o"),
        ('"a\\"b"', 'a"b'),
        ("'tab\\there'", "tab\there"),
        ("'\\b\\f\\n\\r\\t\\v'", "\b\f\n\r\t\v"),
        ("'a\\qb'", "aqb"),  # an unknown escape drops the backslash
        ("'a\\u0041b'", "au0041b"),  # there are no unicode escapes
        ('"foo\\\\"', "foo\\"),
        ("'line\nbreak'", "line\nbreak"),
        ("'keep\\\nbackslash'", "keep\\\nbackslash"),  # a backslash before a line break stays
        ("\"it's\"", "it's"),
        ("'😀'", "😀"),
    ],
)
def test_string_literals(text, expected):
    assert value(text) == expected


def test_escaped_backslash_before_closing_quote_then_another_string():
    # The reference lexer swallows this (rules.md §3); a conventional lexer reads two strings.
    assert value('"foo\\\\" + "bar"') == "foo\\bar"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("-[1,2].size()", -2),  # postfix binds tighter than prefix
        ("-abs(-3)", -3),
        ("!1 == 0", True),
        ("2 * -3", -6),
        ("1 - - 1", 2),
        ("--1", 1),
        ("!!'x'", True),
        ("true ? 1 : 2 + 10", 1),
        ("3 > 2 > 1", False),  # (3 > 2) > 1 is true > 1
        ("1 + 2 * 3 - 4 / 2 % 3", 5),
        ("1 < 2 == 2 > 1", True),
        ("false && true || true", True),
        ("true || true && false", True),
        ("null ? 1 : 0 ? 2 : 3", 3),
        ("1 ? 0 ? 'a' : 'b' : 'c'", "b"),
        ("(1 + 2) * 3", 9),
    ],
)
def test_precedence_and_associativity(text, expected):
    assert value(text) == expected


def test_not_equals_is_negated_equality():
    assert value("1 != '1'") is False
    assert value("1 == 1 != false") is True  # (1 == 1) != false
