"""The shared conformance vectors of giftbit-ruleslib (Apache-2.0), one test per vector.

Vector files live in the sibling checkout `shared/conformance/ruleslib`; the tests skip when it is
absent. Formats are described in rules.md §2.
"""

from __future__ import annotations

import math
import re
from pathlib import Path

import pytest

from lightrail.rules import Rule, RuleSyntaxError, check_syntax
from lightrail.rules.conversions import to_string

VECTORS = Path(__file__).resolve().parents[3] / ".." / "shared" / "conformance" / "ruleslib"
VALUE_FILES = ("SyntaxTests.txt", "FunctionTests.txt", "SyntaxErrorTests.txt")
TYPE_FILES = {"CanEvaluateToTests.txt": "can", "MustEvaluateToTests.txt": "must"}

FIXTURE = {
    "iamnull": None,
    "iamone": 1,
    "iamonepointfive": 1.5,
    "iamtrue": True,
    "iamfalse": False,
    "iamfoo": "foo",
    "emptyarray": [],
    "anumber": [1],
    "numbers": [1, 2, 3],
    "foorbararray": ["foo", "bar"],
    "mixedarray": [1, "foo", None],
    "nestedarray": [[1, 2], [3, 4]],
    "empty": {},
    "flatmap": {"a": "a", "one": 1, "2": "two", "isnull": None},
    "complexmap": {
        "ismap": {"a": "alpha", "b": "beta", "c": "charlie"},
        "isarrayofmap": [
            {"d": "delta", "e": "echo"},
            {"f": "foxtrot", "g": "golf", "h": "hotel"},
            {"i": "india", "j": "juliette"},
        ],
        "nestedflatmap": {"a": "a", "one": 1, "2": "two", "isnull": None},
    },
}
CUSTOM_FUNCTIONS = {"customFunction": lambda x=None: f"extracted {to_string(x)} from custom function"}


def _lines(name: str) -> list[tuple[int, str]]:
    if not VECTORS.is_dir():
        return []
    text = (VECTORS / name).read_text(encoding="ascii")
    return [(number, line) for number, line in enumerate(text.split("\n"), 1) if line.strip()]


def _value_vectors():
    for name in VALUE_FILES:
        for number, line in _lines(name):
            if line[0] == "#":
                continue
            # Split at the LAST "=": `1 ===@` is the expression `1 ==` expecting an error.
            cut = line.rindex("=")
            yield pytest.param(line[:cut].strip(), line[cut + 1 :].strip(), id=f"{name}:{number}")


def _type_vectors():
    for name, mode in TYPE_FILES.items():
        heading = None
        for number, line in _lines(name):
            if line[0] == "#":
                heading = line[1:].split()
                continue
            type_name, expected = heading[0], heading[1] == "true"
            yield pytest.param(mode, type_name, expected, line.strip(), id=f"{name}:{number}")


def _expected(text: str):
    if text == "null":
        return None
    if text in ("true", "false"):
        return text == "true"
    if text == "Inf":
        return math.inf
    if text == "-Inf":
        return -math.inf
    if text == "NaN":
        return math.nan
    if re.fullmatch(r"-?[0-9]+", text) or re.fullmatch(r"-?[0-9]+.[0-9]+", text):
        return float(text)
    if re.fullmatch(r'".*"', text):
        return text[1:-1].replace('\\"', '"').replace("\\\\", "\\")
    raise ValueError(f"unsupported expected value {text!r}")


def _assert_same(actual, expected) -> None:
    if isinstance(expected, float):
        # Numbers compare by value (int or float), but a boolean is never a number.
        assert isinstance(actual, (int, float)) and not isinstance(actual, bool), actual
        if math.isnan(expected):
            assert math.isnan(actual)
        else:
            assert actual == expected
    elif isinstance(expected, bool):
        assert actual is expected
    else:
        assert type(actual) is type(expected) and actual == expected


needs_vectors = pytest.mark.skipif(not VECTORS.is_dir(), reason=f"conformance vectors not found at {VECTORS}")


@needs_vectors
def test_all_1180_vectors_are_collected():
    assert len(list(_value_vectors())) + len(list(_type_vectors())) == 1180


@needs_vectors
@pytest.mark.parametrize(("expression", "expected"), list(_value_vectors()))
def test_value_vector(expression: str, expected: str):
    if expected.startswith("@"):
        error = check_syntax(expression)
        assert isinstance(error, RuleSyntaxError)
        if expected[1:]:
            assert re.search(expected[1:], error.message)
        return
    actual = Rule(expression).evaluate(FIXTURE, functions=CUSTOM_FUNCTIONS)
    _assert_same(actual, _expected(expected))


@needs_vectors
@pytest.mark.parametrize(("mode", "type_name", "expected", "expression"), list(_type_vectors()))
def test_type_analysis_vector(mode: str, type_name: str, expected: bool, expression: str):
    rule = Rule(expression)
    if mode == "can":
        assert rule.can_evaluate_to_type(type_name) is expected
    else:
        assert rule.must_evaluate_to_type(type_name) is expected
