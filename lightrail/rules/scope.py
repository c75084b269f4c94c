"""Variable scopes and compiled lambdas."""

from __future__ import annotations

from collections.abc import Callable


class Scope:
    """The variables of one collection-function call, in front of the enclosing scope.

    A parameter bound to null still hides an outer variable of the same name; a declared
    parameter the function does not supply is not bound and reads through (rules.md §7.11).
    """

    __slots__ = ("bound", "parent")

    def __init__(self, bound: dict, parent) -> None:
        self.bound = bound
        self.parent = parent  # the rule context (a mapping) or another Scope

    def get(self, name: str):
        bound = self.bound
        if name in bound:
            return bound[name]
        return self.parent.get(name)


class CompiledLambda:
    """A lambda argument. Functions that take lambdas bind `params` in a Scope and run `body`.

    Called like any compiled expression, it runs the body with no parameter bound: that is what the
    reference does when a lambda is given where a value is expected (`sum(x => 5)` is 5).
    """

    __slots__ = ("params", "body", "cost")

    def __init__(self, params: tuple[str, ...], body: Callable, cost: int) -> None:
        self.params = params
        self.body = body
        self.cost = cost  # steps charged per invocation: the body's node count

    def __call__(self, env, st):
        st.charge(self.cost)
        return self.body(env, st)
