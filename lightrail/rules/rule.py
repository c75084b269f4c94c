"""A compiled rule."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from . import limits
from .compiler import compile_tree
from .conversions import js_number, js_string, to_boolean
from .errors import RuleLimitError
from .limits import Budget
from .parser import parse
from .typecheck import TYPES, analyse

_EMPTY: dict = {}
_TOO_DEEP = "rule evaluation went too deep: the values it works on are nested too deeply"


def _environment(context) -> Mapping:
    if type(context) is dict:
        return context
    return context if isinstance(context, Mapping) else _EMPTY


class Rule:
    """A rule parsed and compiled once, to be evaluated many times (and from many threads).

    Evaluation never raises on JSON-typed context data except RuleLimitError. `functions` may add
    or override functions for one evaluation: each is called with the evaluated argument values
    (a lambda argument arrives as a Python callable) and must return JSON-typed data.
    """

    __slots__ = ("text", "_tree", "_evaluate", "_types")

    def __init__(self, text: str) -> None:
        if not isinstance(text, str):
            raise TypeError(f"a rule is a string, not {type(text).__name__}")
        self.text = text
        self._tree = parse(text)
        self._evaluate = compile_tree(self._tree)
        self._types = None

    def __repr__(self) -> str:
        return f"Rule({self.text!r})"

    def evaluate(self, context: Mapping | None, functions: Mapping[str, Callable] | None = None) -> object:
        """The raw result: None, bool, int/float, str, list or dict."""
        try:
            return self._evaluate(_environment(context), Budget(limits.MAX_EVALUATION_STEPS, functions))
        except RecursionError:
            raise RuleLimitError(_TOO_DEEP) from None

    def evaluate_to_boolean(self, context: Mapping | None, functions: Mapping[str, Callable] | None = None) -> bool:
        """JavaScript truthiness of the result (how redemption rules are read)."""
        try:
            return to_boolean(self._evaluate(_environment(context), Budget(limits.MAX_EVALUATION_STEPS, functions)))
        except RecursionError:
            raise RuleLimitError(_TOO_DEEP) from None

    def evaluate_to_number(self, context: Mapping | None, functions: Mapping[str, Callable] | None = None) -> float:
        """JavaScript unary plus of the result (§9.3): null 0, '' 0, 'abc' NaN, [5] 5, {} NaN."""
        st = Budget(limits.MAX_EVALUATION_STEPS, functions)
        try:
            return js_number(self._evaluate(_environment(context), st), st)
        except RecursionError:
            raise RuleLimitError(_TOO_DEEP) from None

    def evaluate_to_string(self, context: Mapping | None, functions: Mapping[str, Callable] | None = None) -> str:
        """JavaScript `result + ""` (§9.3): null 'null', [1, null, [2]] '1,,2', a map '[object Object]'."""
        st = Budget(limits.MAX_EVALUATION_STEPS, functions)
        try:
            return js_string(self._evaluate(_environment(context), st), st)
        except RecursionError:
            raise RuleLimitError(_TOO_DEEP) from None

    def can_evaluate_to_type(self, type_name: str) -> bool:
        """Whether the rule might evaluate to the type (optimistic static analysis)."""
        return type_name in self._analysis(type_name)[0]

    def must_evaluate_to_type(self, type_name: str) -> bool:
        """Whether the rule always evaluates to the type (pessimistic static analysis)."""
        return type_name in self._analysis(type_name)[1]

    def _analysis(self, type_name: str):
        if type_name not in TYPES:
            raise ValueError(f"unknown type {type_name!r}: expected one of {', '.join(sorted(TYPES))}")
        if self._types is None:
            self._types = analyse(self._tree)
        return self._types
