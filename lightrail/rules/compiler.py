"""Compiles a syntax tree into nested Python closures `(env, st) -> value`.

`env` is the rule context (any mapping) or a Scope inside lambdas; both answer `.get(name)`.
`st` is the evaluation's Budget. Closures are built once per rule; evaluating one is a handful of
plain function calls, with fast paths for the shapes rules mostly have (`a.b.c`, `x * 0.1`,
`x > 0`, `x == 'sale'`). Nothing here evaluates Python code from the rule text.
"""

from __future__ import annotations

import operator
from collections.abc import Callable

from .conversions import (
    add,
    divide,
    divide_numbers,
    equals,
    greater_or_equal,
    greater_than,
    less_or_equal,
    less_than,
    member,
    multiply,
    negate,
    not_equals,
    ordered_keys,
    plus,
    remainder,
    subtract,
    to_boolean,
)
from .functions import BUILTINS
from .limits import Budget
from .nodes import (
    Call,
    Chain,
    Conditional,
    Identifier,
    Lambda,
    ListLiteral,
    Literal,
    MapLiteral,
    Member,
    Node,
    Unary,
)
from .scope import CompiledLambda, Scope

Compiled = Callable[[object, Budget], object]

_BINARY = {
    "+": add,
    "-": subtract,
    "*": multiply,
    "/": divide,
    "%": remainder,
    "==": equals,
    "!=": not_equals,
    "<": less_than,
    "<=": less_or_equal,
    ">": greater_than,
    ">=": greater_or_equal,
}
# What the operator is on two floats, for the fast path; `%` and equality have no shortcut.
_ON_FLOATS = {
    "+": operator.add,
    "-": operator.sub,
    "*": operator.mul,
    "/": divide_numbers,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}


def compile_tree(node: Node) -> Compiled:
    return _COMPILERS[type(node)](node)


def _literal(node: Literal) -> Compiled:
    value = node.value

    def literal(env, st):
        return value

    return literal


def _identifier(node: Identifier) -> Compiled:
    name = node.name

    def identifier(env, st):
        return env.get(name)

    return identifier


def _dot_path(node: Member) -> tuple[str, list[str]] | None:
    """`root.a.b.c` as ("root", ["a", "b", "c"]), if the node is such a path."""
    names = []
    while type(node) is Member and not node.computed:
        names.append(node.key.value)
        node = node.target
    if type(node) is not Identifier:
        return None
    names.reverse()
    return node.name, names


def _member(node: Member) -> Compiled:
    path = _dot_path(node)
    if path is not None:
        root, names = path

        def dot_path(env, st):
            value = env.get(root)
            for name in names:
                if type(value) is dict:
                    value = value.get(name)
                elif value is None:
                    return None
                else:
                    value = member(value, name, st)
            return value

        return dot_path

    target = compile_tree(node.target)
    if not node.computed:
        name = node.key.value

        def dot(env, st):
            value = target(env, st)
            if type(value) is dict:
                return value.get(name)
            return member(value, name, st)

        return dot

    key = compile_tree(node.key)

    def index(env, st):
        k = key(env, st)
        return member(target(env, st), k, st)

    return index


def _list(node: ListLiteral) -> Compiled:
    if all(type(item) is Literal for item in node.items):
        constant = [item.value for item in node.items]

        def constant_list(env, st):
            return list(constant)  # a fresh list: callers may keep or change results

        return constant_list

    items = [compile_tree(item) for item in node.items]

    def list_literal(env, st):
        return [item(env, st) for item in items]

    return list_literal


def _map(node: MapLiteral) -> Compiled:
    by_key = {}
    for key, value in node.entries:
        by_key[key] = value  # a repeated key keeps its first position and its last value
    pairs = [(key, compile_tree(by_key[key])) for key in ordered_keys(by_key)]

    def map_literal(env, st):
        return {key: value(env, st) for key, value in pairs}

    return map_literal


def _unary(node: Unary) -> Compiled:
    op = node.op
    operand = compile_tree(node.operand)
    if op == "!":

        def logical_not(env, st):
            return not to_boolean(operand(env, st))

        return logical_not

    convert = negate if op == "-" else plus
    if type(node.operand) is Literal:
        # `-1` is unary minus on a literal in the grammar; fold it.
        value = convert(node.operand.value, Budget())
        return _literal(Literal(node.pos, value))

    def unary(env, st):
        return convert(operand(env, st), st)

    return unary


def _chain(node: Chain) -> Compiled:
    ops = node.ops
    operands = [compile_tree(operand) for operand in node.operands]
    if ops[0] == "&&":
        return _logical(operands, stop_when=False)
    if ops[0] == "||":
        return _logical(operands, stop_when=True)
    if len(operands) == 2:
        right = node.operands[1]
        if type(right) is Literal:
            return _binary_constant(ops[0], operands[0], right.value)
        return _binary(ops[0], operands[0], operands[1])

    first = operands[0]
    rest = [(_BINARY[op], operand) for op, operand in zip(ops, operands[1:])]

    def chain(env, st):
        value = first(env, st)
        for apply, operand in rest:
            value = apply(value, operand(env, st), st)
        return value

    return chain


def _logical(operands: list[Compiled], stop_when: bool) -> Compiled:
    """`a && b && c` is the first falsy operand, else the last; `||` the first truthy one.

    Short-circuiting is safe: evaluation has no side effects (the reference evaluates both sides).
    """
    if len(operands) == 2:
        left, right = operands
        if stop_when:

            def logical_or(env, st):
                value = left(env, st)
                if value is True or to_boolean(value):
                    return value
                return right(env, st)

            return logical_or

        def logical_and(env, st):
            value = left(env, st)
            if value is False or not to_boolean(value):
                return value
            return right(env, st)

        return logical_and

    *head, last = operands

    def logical_chain(env, st):
        for operand in head:
            value = operand(env, st)
            if to_boolean(value) is stop_when:
                return value
        return last(env, st)

    return logical_chain


def _binary(op: str, left: Compiled, right: Compiled) -> Compiled:
    apply = _BINARY[op]
    on_floats = _ON_FLOATS.get(op)
    if on_floats is None:

        def binary(env, st):
            return apply(left(env, st), right(env, st), st)

        return binary

    def numeric_binary(env, st):
        x = left(env, st)
        y = right(env, st)
        if type(x) is float and type(y) is float:
            return on_floats(x, y)
        return apply(x, y, st)

    return numeric_binary


def _binary_constant(op: str, left: Compiled, constant: object) -> Compiled:
    """`x op literal`: the most common shape of all (`subtotal * 0.1`, `x > 0`, `t == 'sale'`)."""
    apply = _BINARY[op]
    on_floats = _ON_FLOATS.get(op)
    if type(constant) is float and on_floats is not None:

        def with_number(env, st):
            x = left(env, st)
            if type(x) is float:
                return on_floats(x, constant)
            if type(x) is int:
                try:
                    return on_floats(float(x), constant)
                except OverflowError:
                    pass
            return apply(x, constant, st)

        return with_number

    if type(constant) is str and op in ("==", "!="):
        negated = op == "!="

        def with_text(env, st):
            x = left(env, st)
            if type(x) is str:
                return (x == constant) is not negated
            return equals(x, constant, st) is not negated

        return with_text

    def with_constant(env, st):
        return apply(left(env, st), constant, st)

    return with_constant


def _conditional(node: Conditional) -> Compiled:
    branches = [(compile_tree(test), compile_tree(value)) for test, value in node.branches]
    otherwise = compile_tree(node.otherwise)
    if len(branches) == 1:
        ((test, then),) = branches

        def conditional(env, st):
            return then(env, st) if to_boolean(test(env, st)) else otherwise(env, st)

        return conditional

    def conditional_chain(env, st):
        for test, value in branches:
            if to_boolean(test(env, st)):
                return value(env, st)
        return otherwise(env, st)

    return conditional_chain


def _node_count(node: Node) -> int:
    # Nested lambda bodies are not counted: they charge for themselves when invoked.
    if type(node) is Lambda:
        return 1
    return 1 + sum(_node_count(child) for child in node.children())


def _argument(node: Node):
    if type(node) is Lambda:
        return CompiledLambda(node.params, compile_tree(node.body), _node_count(node.body))
    return compile_tree(node)


def _call(node: Call) -> Compiled:
    name = node.name
    args = tuple(_argument(arg) for arg in node.args)
    builtin = BUILTINS.get(name)

    if builtin is None:

        def unknown_call(env, st):
            # Unknown functions are null and their arguments are not evaluated (§7.10).
            custom = st.functions
            if custom is not None and name in custom:
                return _call_custom(custom[name], args, env, st)
            return None

        return unknown_call

    def call(env, st):
        custom = st.functions
        if custom is not None and name in custom:
            return _call_custom(custom[name], args, env, st)
        return builtin(args, env, st)

    return call


def _call_custom(function: Callable, args: tuple, env, st):
    """Custom functions are host code: they get evaluated values, and lambdas as callables."""
    values = []
    for arg in args:
        if type(arg) is CompiledLambda:
            values.append(_lambda_callable(arg, env, st))
        else:
            values.append(arg(env, st))
    return function(*values)


def _lambda_callable(lam: CompiledLambda, env, st) -> Callable:
    def invoke(*params):
        st.charge(lam.cost)
        return lam.body(Scope(dict(zip(lam.params, params)), env), st)

    return invoke


_COMPILERS = {
    Literal: _literal,
    Identifier: _identifier,
    Member: _member,
    ListLiteral: _list,
    MapLiteral: _map,
    Unary: _unary,
    Chain: _chain,
    Conditional: _conditional,
    Call: _call,
}  # no Lambda: lambdas are only call arguments, compiled by _argument
