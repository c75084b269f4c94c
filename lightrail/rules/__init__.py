"""The Lightrail rule language: redemption, balance and seller-liability rules.

    rule = compile_rule("currentLineItem.lineTotal.subtotal * 0.1")
    rule.evaluate_to_number({"currentLineItem": {"lineTotal": {"subtotal": 1000}}})  # 100.0

The language and its JavaScript semantics are specified in rules.md; README.md in this package is
the guide for rule authors.
"""

from __future__ import annotations

from .cache import RuleCache
from .errors import RuleLimitError, RuleSyntaxError, RuleTooComplexError
from .functions import BUILTINS
from .limits import MAX_EVALUATION_STEPS, MAX_NESTING_DEPTH, MAX_RULE_LENGTH, RULE_CACHE_SIZE
from .rule import Rule

__all__ = [
    "BUILTIN_FUNCTIONS",
    "MAX_EVALUATION_STEPS",
    "MAX_NESTING_DEPTH",
    "MAX_RULE_LENGTH",
    "RULE_CACHE_SIZE",
    "Rule",
    "RuleLimitError",
    "RuleSyntaxError",
    "RuleTooComplexError",
    "check_syntax",
    "compile_rule",
    "rule_cache",
]

BUILTIN_FUNCTIONS = frozenset(BUILTINS)
rule_cache = RuleCache(RULE_CACHE_SIZE)


def compile_rule(text: str) -> Rule:
    """The compiled rule for `text`, from a process-wide cache. Raises RuleSyntaxError (and
    RuleTooComplexError, a RuleSyntaxError and RuleLimitError, when the text exceeds the limits)."""
    return rule_cache.get(text)


def check_syntax(text: str) -> RuleSyntaxError | None:
    """The syntax error of `text`, or None if it is a valid rule (for validating API input)."""
    if not isinstance(text, str):
        return RuleSyntaxError("a rule must be a string", 1, 0)
    try:
        compile_rule(text)
    except RuleSyntaxError as error:
        return error
    return None
