"""Static type analysis: can a rule evaluate to a type, must it (rules.md §11)?

Each node gets the set of types it *can* evaluate to (optimistic) and the set it *must* evaluate to
(pessimistic; at most one type, or none when unknown), computed bottom-up in one pass.
"""

from __future__ import annotations

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

TYPES = frozenset(("boolean", "string", "number", "list", "map"))
_NONE: frozenset = frozenset()
_BOOLEAN = frozenset(("boolean",))
_NUMBER = frozenset(("number",))
_STRING = frozenset(("string",))
_LIST = frozenset(("list",))
_MAP = frozenset(("map",))
_ADDS_AS_NUMBER = frozenset(("boolean", "number", "map"))

Types = tuple[frozenset, frozenset]  # (can, must)
_UNKNOWN: Types = (TYPES, _NONE)


def analyse(node: Node) -> Types:
    t = type(node)
    if t is Literal:
        return _literal_type(node.value)
    if t is ListLiteral:
        return _LIST, _LIST
    if t is MapLiteral:
        # The reference throws "unknown node type 'Object'" here; a map literal is a map.
        return _MAP, _MAP
    if t is Unary:
        types = _BOOLEAN if node.op == "!" else _NUMBER
        return types, types
    if t is Chain:
        return _chain(node)
    if t is Conditional:
        results = [analyse(value) for _, value in node.branches]
        results.append(analyse(node.otherwise))
        return _union(results)
    if t in (Call, Identifier, Member, Lambda):
        return _UNKNOWN
    raise TypeError(f"unknown node {t.__name__}")


def _literal_type(value: object) -> Types:
    if value is None:
        # The reference asks `typeof null === "object"`, so a null literal counts as a map.
        return _MAP, _MAP
    if type(value) is bool:
        return _BOOLEAN, _BOOLEAN
    if type(value) is str:
        return _STRING, _STRING
    return _NUMBER, _NUMBER


def _union(results: list[Types]) -> Types:
    """Any operand may be the result (`&&`, `||`, `?:` branches)."""
    can = frozenset().union(*(c for c, _ in results))
    must = results[0][1].intersection(*(m for _, m in results[1:]))
    return can, must


def _chain(node: Chain) -> Types:
    op = node.ops[0]
    if op in ("&&", "||"):
        return _union([analyse(operand) for operand in node.operands])
    if op in ("==", "!=", "<", "<=", ">", ">="):
        return _BOOLEAN, _BOOLEAN
    # Additive and multiplicative levels: fold left to right like the evaluation does.
    result = analyse(node.operands[0])
    for op, operand in zip(node.ops, node.operands[1:]):
        if op == "+":
            result = _plus(result, analyse(operand))
        else:
            result = (_NUMBER, _NUMBER)
    return result


def _plus(left: Types, right: Types) -> Types:
    """`a + b` concatenates lists, joins text if either side is a string, else adds numbers."""
    return _plus_set(left[0], right[0], left[1], right[1]), _plus_set(left[1], right[1], left[1], right[1])


def _plus_set(a: frozenset, b: frozenset, must_a: frozenset, must_b: frozenset) -> frozenset:
    out = set()
    if "list" in a and "list" in b:
        out.add("list")
    if "string" in a or "string" in b:
        out.add("string")
    if "string" not in must_a and "string" not in must_b and (a & _ADDS_AS_NUMBER or b & _ADDS_AS_NUMBER):
        out.add("number")
    return frozenset(out)
