"""Safety limits: rule length, nesting depth, evaluation steps; no RecursionError escapes."""

from __future__ import annotations

import time

import pytest

from lightrail.rules import (
    MAX_EVALUATION_STEPS,
    MAX_NESTING_DEPTH,
    MAX_RULE_LENGTH,
    Rule,
    RuleLimitError,
    RuleSyntaxError,
    RuleTooComplexError,
    check_syntax,
    compile_rule,
)


def test_limits_have_their_documented_values():
    assert (MAX_RULE_LENGTH, MAX_NESTING_DEPTH, MAX_EVALUATION_STEPS) == (10_000, 100, 100_000)


def test_a_rule_at_the_length_limit_compiles():
    text = "1" + " " * (MAX_RULE_LENGTH - 1)
    assert len(text) == MAX_RULE_LENGTH
    assert Rule(text).evaluate({}) == 1


def test_a_longer_rule_is_rejected_like_a_syntax_error():
    text = "1" + " " * MAX_RULE_LENGTH
    with pytest.raises(RuleTooComplexError) as raised:
        compile_rule(text)
    error = raised.value
    assert isinstance(error, RuleSyntaxError) and isinstance(error, RuleLimitError)
    assert "too long" in error.message and "10000" in error.message
    assert (error.row, error.column) == (1, MAX_RULE_LENGTH)
    assert isinstance(check_syntax(text), RuleTooComplexError)


@pytest.mark.parametrize(
    "template",
    [
        "({})",  # brackets
        "[{}]",  # list literals
        "{{a: {}}}",  # map literals
        "-{}",  # prefix operators
        "{}.a",  # member chains
        "abs({})",  # call arguments
        "[1].map(x => {})",  # lambda bodies
        "1 ? {} : 2",  # conditional middles
    ],
)
def test_nesting_deeper_than_the_limit_is_rejected(template):
    def nest(depth: int) -> str:
        text = "1"
        for _ in range(depth):
            text = template.format(text)
        return text

    assert check_syntax(nest(MAX_NESTING_DEPTH // 4)) is None
    deep = nest(MAX_NESTING_DEPTH + 1)
    error = check_syntax(deep)
    assert isinstance(error, RuleTooComplexError), error
    assert "nested too deeply" in error.message


def test_extremely_deep_nesting_is_a_clean_error_not_a_recursion_error():
    for text in ("(" * 5000 + "1" + ")" * 5000, "!" * 9000 + "1", "[" * 4000 + "]" * 4000, "a" + ".b" * 4999):
        assert isinstance(check_syntax(text), RuleTooComplexError)


def test_long_operator_chains_are_flat_and_allowed():
    alternatives = " || ".join(f"x == {i}" for i in range(800))
    assert len(alternatives) < MAX_RULE_LENGTH
    assert Rule(alternatives).evaluate({"x": 799}) is True
    total = "1" + " + 1" * 2400
    assert Rule(total).evaluate({}) == 2401
    tiers = " : ".join(f"x < {i} ? {i}" for i in range(1, 500)) + " : 0"
    assert Rule(tiers).evaluate({"x": 250}) == 251


@pytest.mark.parametrize(
    "text",
    [
        "big.map(x => x * 2).size()",  # a lambda over a huge list
        "big.filter(x => big.some(y => y < 0))",  # nested loops
        "n40.reduce((acc, x) => acc + acc, 'ab').size()",  # doubling strings
        "n40.reduce((acc, x) => acc + acc, [1]).size()",  # doubling lists
        "n40.reduce((acc, x) => [acc, acc], 1).sum()",  # shared structure walked exponentially
        "n40.reduce((acc, x) => [acc, acc], 1) + ''",
        "n40.reduce((acc, x) => [acc, acc], 1) == n40.reduce((acc, x) => [acc, acc], 1)",
        "n40.reduce((acc, x) => [acc, acc], 1).flatten(Inf).size()",
        "-n40.reduce((acc, x) => [acc, acc], 1)",
        "n40.reduce((acc, x) => {k: acc, j: acc}, 1) + ''",
        "n40.reduce((acc, x) => acc + acc, 'ab').toUpperCase()",
    ],
)
def test_runaway_evaluation_stops_at_the_step_limit(text):
    context = {"big": list(range(200_000)), "n40": list(range(40))}
    start = time.perf_counter()
    with pytest.raises(RuleLimitError) as raised:
        Rule(text).evaluate(context)
    assert "steps" in raised.value.message
    assert time.perf_counter() - start < 5


def test_work_just_under_the_limit_completes():
    rule = Rule("items.map(x => x).size()")  # the lambda body is one node: one step per item
    assert rule.evaluate({"items": list(range(MAX_EVALUATION_STEPS // 2))}) == MAX_EVALUATION_STEPS // 2


def test_every_entry_point_enforces_the_limit():
    rule = Rule("big.map(x => x)")
    context = {"big": list(range(MAX_EVALUATION_STEPS + 1))}
    for method in (rule.evaluate, rule.evaluate_to_boolean, rule.evaluate_to_number, rule.evaluate_to_string):
        with pytest.raises(RuleLimitError):
            method(context)


def test_the_budget_is_per_evaluation():
    rule = Rule("items.map(x => x).size()")
    context = {"items": list(range(MAX_EVALUATION_STEPS // 2))}
    for _ in range(3):
        assert rule.evaluate(context) == MAX_EVALUATION_STEPS // 2


def test_deeply_nested_values_raise_a_limit_error_not_a_recursion_error():
    deep: list = []
    for _ in range(5000):
        deep = [deep]
    for text in ("deep + ''", "deep.flatten(Inf)", "deep == deep", "deep.sum()", "-deep"):
        with pytest.raises(RuleLimitError):
            Rule(text).evaluate({"deep": deep})
    with pytest.raises(RuleLimitError):
        Rule("n.reduce((acc, x) => [acc], 1) + ''").evaluate({"n": list(range(5000))})
