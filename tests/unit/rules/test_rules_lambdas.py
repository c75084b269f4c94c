"""Lambdas and scoping (rules.md §7.10, §7.11, §8.3)."""

from __future__ import annotations

import pytest

from lightrail.rules import Rule

CONTEXT = {"iamone": 1, "x": 7, "items": [{"tags": ["a", "sale"]}, {"tags": []}]}


def value(text: str, context: dict | None = None):
    return Rule(text).evaluate(CONTEXT if context is None else context)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # nested lambdas see the parameters of the lambdas around them
        ("[1, 2, 3].map(x => [1, 2].map(y => x * y))", [[1, 2], [2, 4], [3, 6]]),
        ("[[1], [2]].map(a => a.map(b => a[0] + b))", [[2], [4]]),
        ("items.some(item => item.tags.some(t => t == 'sale'))", True),
        ("items.filter(item => item.tags.some(t => t == 'sale')).size()", 1),
        # parameters shadow context variables, even when bound to null
        ("[1, 2].map(iamone => iamone * 10)", [10, 20]),
        ("[null].map(x => x)", [None]),
        ("[null].map(x => isNull(x))", [True]),
        # declared parameters the function does not supply read through to the context
        ("[1, 2].filter((a, b) => b)", []),
        ("[1, 2].filter((a, iamone) => iamone)", [1, 2]),
        ("[1].map((a, x) => x)", [7]),
        # parameters do not outlive the call
        ("[1].map(iamone => 5)[0] + iamone", 6),
        ("[5].map(x => x)[0] + x", 12),
        # functions are not shadowed by parameters
        ("['ab'].map(size => size(size))", [2]),
        # a lambda where a value is expected runs with its parameters unbound
        ("sum(y => 5)", 5),
        ("max(y => y)", 0),
        ("max(y => x)", 7),
        # reduce binds (accumulator, item, index, list), as many as declared
        ("[0, 1, 2, 3].reduce((acc, item, index, list) => acc + item + index + list.size(), 5)", 33),
        ("['a', 'b'].reduce((acc, item, index) => acc + index, '')", "01"),
        ("[3, 4].reduce((a, a) => a)", 4),  # a repeated name takes the later binding
        ("[].reduce((acc, item) => item, 'initial')", "initial"),
        # every collection function with a lambda
        ("[1, 2, 3, 4].every(n => n > 0)", True),
        ("[1, 2, 3, 4].some(n => n > 3)", True),
        ("[1, 2, 3, 4].find(n => n > 1)", 2),
        ("[1, 2, 3, 4].findLast(n => n < 4)", 3),
        ("[1, 2, 3, 4].findIndex(n => n > 1)", 1),
        ("[1, 2, 3, 4].findLastIndex(n => n < 4)", 2),
        ("[1, 2, 3, 4].findIndex(n => n > 9)", -1),
        # without a lambda, or over a non-list, the defaults
        ("[1, 2].map(3)", []),
        ("{a: 1}.map(v => v)", []),
        ("'abc'.some(c => true)", False),
        ("null.findIndex(c => true)", -1),
    ],
)
def test_lambdas(text, expected):
    actual = value(text)
    assert actual == expected and (type(actual) is bool) == (type(expected) is bool)


def test_unbound_extra_parameter_reads_the_context_or_null():
    assert value("[1, 2].reduce((acc, item, index, list, extra) => extra)") is None
    assert value("[1, 2].reduce((acc, item, index, list, x) => x)") == 7


def test_evaluation_stops_at_the_first_decisive_element():
    calls = []

    def seen(v):
        calls.append(v)
        return v

    functions = {"seen": seen}
    assert Rule("[1, 2, 3].some(n => seen(n) == 2)").evaluate({}, functions=functions) is True
    assert calls == [1, 2]
    calls.clear()
    assert Rule("[1, 2, 3].findLast(n => seen(n) < 3)").evaluate({}, functions=functions) == 2
    assert calls == [3, 2]
