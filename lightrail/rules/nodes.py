"""Syntax tree of a rule. `pos` is the character offset of the node's first token."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(slots=True)
class Node:
    pos: int

    def children(self) -> list[Node]:
        return []


@dataclass(slots=True)
class Literal(Node):
    value: object  # None, bool, float or str


@dataclass(slots=True)
class Identifier(Node):
    name: str


@dataclass(slots=True)
class ListLiteral(Node):
    items: list[Node]

    def children(self) -> list[Node]:
        return self.items


@dataclass(slots=True)
class MapLiteral(Node):
    entries: list[tuple[str, Node]]  # in source order; a repeated key keeps its last value

    def children(self) -> list[Node]:
        return [value for _, value in self.entries]


@dataclass(slots=True)
class Member(Node):
    """`target[key]` (computed) or `target.name` (key is a string Literal)."""

    target: Node
    key: Node
    computed: bool

    def children(self) -> list[Node]:
        return [self.target, self.key]


@dataclass(slots=True)
class Lambda(Node):
    """Only ever a call argument: the function decides when and with what to run the body."""

    params: tuple[str, ...]
    body: Node

    def children(self) -> list[Node]:
        return [self.body]


@dataclass(slots=True)
class Call(Node):
    """`name(args)`, or `receiver.name(more)` with the receiver as the first argument."""

    name: str
    args: list[Node]
    method: bool

    def children(self) -> list[Node]:
        return self.args


@dataclass(slots=True)
class Unary(Node):
    op: str  # "!", "-" or "+"
    operand: Node

    def children(self) -> list[Node]:
        return [self.operand]


@dataclass(slots=True)
class Chain(Node):
    """Operators of one precedence level, folded left to right: ((o0 op0 o1) op1 o2) ...

    Kept flat so that long `||` lists and sums neither deepen the tree nor the Python stack.
    """

    ops: list[str]
    operands: list[Node]

    def children(self) -> list[Node]:
        return self.operands


@dataclass(slots=True)
class Conditional(Node):
    """`t0 ? v0 : t1 ? v1 : ... : otherwise`, the right-associative else-chain kept flat."""

    branches: list[tuple[Node, Node]]
    otherwise: Node

    def children(self) -> list[Node]:
        out: list[Node] = []
        for test, value in self.branches:
            out.append(test)
            out.append(value)
        out.append(self.otherwise)
        return out
