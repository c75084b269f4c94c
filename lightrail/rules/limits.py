"""Safety limits for untrusted rule text, and the step budget that enforces the evaluation limit."""

from __future__ import annotations

from .errors import RuleLimitError

# Rules are written by merchants through the API; every bound below keeps one rule from taking a
# worker's CPU, memory or stack.
MAX_RULE_LENGTH = 10_000
# Depth of the syntax tree. Chains of one operator (`a || b || c ...`) and `?:` else-chains are
# flat, so long lists of alternatives do not count against it; real rules stay well under 20.
MAX_NESTING_DEPTH = 100
# Steps approximate work: each lambda invocation costs its body's node count, each element that a
# built-in walks or copies costs one, long strings cost one per 64 characters built.
MAX_EVALUATION_STEPS = 100_000
RULE_CACHE_SIZE = 1_000


class Budget:
    """Per-evaluation state: remaining steps and the caller's custom functions (usually None)."""

    __slots__ = ("steps", "functions")

    def __init__(self, steps: int = MAX_EVALUATION_STEPS, functions=None) -> None:
        self.steps = steps
        self.functions = functions

    def charge(self, n: int) -> None:
        self.steps -= n
        if self.steps < 0:
            raise RuleLimitError(f"rule evaluation exceeded {MAX_EVALUATION_STEPS} steps")
