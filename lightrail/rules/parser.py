"""Recursive-descent parser for the rule grammar (rules.md §4), binary operators by precedence.

Recursion happens only where the source nests (brackets, call arguments, `?:` middles), each level
bounded by MAX_NESTING_DEPTH; operator sequences, prefix operators and postfix chains are loops.
"""

from __future__ import annotations

from typing import NoReturn

from . import limits
from .errors import RuleSyntaxError, RuleTooComplexError, position_of
from .lexer import BOOLEAN, EOF, IDENT, INVALID, NULL, NUMBER, QUOTE, STRING, Token, tokenize
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

# Binding power of binary operators; operators of one level form one Chain.
_PRECEDENCE = {
    "||": 1,
    "&&": 2,
    "==": 3, "!=": 3,
    "<": 4, "<=": 4, ">": 4, ">=": 4,
    "+": 5, "-": 5,
    "*": 6, "/": 6, "%": 6,
}
_PREFIX = frozenset(("!", "-", "+"))
_EXPECTED_OPERAND = "expected a value, identifier, '(', '[', '{', '+', '-' or '!'"


def parse(text: str) -> Node:
    """The syntax tree of `text`; raises RuleSyntaxError (RuleTooComplexError for the limits)."""
    if len(text) > limits.MAX_RULE_LENGTH:
        row, column = position_of(text, limits.MAX_RULE_LENGTH)
        raise RuleTooComplexError(
            f"rule is too long: {len(text)} characters, the limit is {limits.MAX_RULE_LENGTH}", row, column
        )
    parser = _Parser(text, tokenize(text))
    try:
        node = parser.parse_rule()
    except RecursionError:
        # Only reachable when the caller's own stack is already nearly exhausted.
        raise RuleTooComplexError("rule is nested too deeply", 1, 0) from None
    _check_depth(text, node)
    return node


def _check_depth(text: str, root: Node) -> None:
    """Bound the depth of the tree, which compiling, analysing and evaluating all recurse over.

    Iterative, so that the check itself cannot overflow the stack it protects.
    """
    stack = [(root, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > limits.MAX_NESTING_DEPTH:
            raise _too_deep(text, node.pos)
        for child in node.children():
            stack.append((child, depth + 1))


def _too_deep(text: str, pos: int) -> RuleTooComplexError:
    row, column = position_of(text, pos)
    return RuleTooComplexError(f"rule is nested too deeply: more than {limits.MAX_NESTING_DEPTH} levels", row, column)


def _describe(token: Token) -> str:
    kind = token.kind
    if kind is EOF:
        return "the end of the rule"
    if kind is NUMBER:
        return "a number"
    if kind is STRING:
        return "a string"
    if kind is BOOLEAN:
        return "true" if token.value else "false"
    if kind is NULL:
        return "null"
    return repr(token.value)


class _Parser:
    __slots__ = ("text", "tokens", "index", "depth")

    def __init__(self, text: str, tokens: list[Token]) -> None:
        self.text = text
        self.tokens = tokens
        self.index = 0
        self.depth = 0

    # -- token helpers -------------------------------------------------------------------------

    def _peek(self, ahead: int = 0) -> Token:
        i = self.index + ahead
        tokens = self.tokens
        return tokens[i] if i < len(tokens) else tokens[-1]

    def _next(self) -> Token:
        token = self.tokens[self.index]
        if token.kind is not EOF:
            self.index += 1
        return token

    def _expect(self, kind: str, what: str) -> Token:
        token = self._peek()
        if token.kind != kind:
            self._fail(token, f"expected {what} but found {_describe(token)}")
        return self._next()

    def _fail(self, token: Token, message: str) -> NoReturn:
        if token.kind is INVALID:
            message = f"token recognition error at: {token.value!r}"
        elif token.kind is QUOTE:
            message = f"unterminated string: no closing {token.value}"
        row, column = position_of(self.text, token.pos)
        raise RuleSyntaxError(message, row, column)

    # -- grammar -------------------------------------------------------------------------------

    def parse_rule(self) -> Node:
        if self._peek().kind is EOF:
            self._fail(self._peek(), "the rule is empty")
        node = self._expression()
        token = self._peek()
        if token.kind is not EOF:
            self._fail(token, f"expected an operator or the end of the rule but found {_describe(token)}")
        return node

    def _expression(self) -> Node:
        """cond := binary [ "?" cond ":" cond ], the else-chain collected in a loop."""
        self.depth += 1
        if self.depth > limits.MAX_NESTING_DEPTH:
            raise _too_deep(self.text, self._peek().pos)
        test = self._binary()
        if self._peek().kind == "?":
            branches = []
            while self._peek().kind == "?":
                self._next()
                value = self._expression()
                self._expect(":", "':' of the conditional")
                branches.append((test, value))
                test = self._binary()
            test = Conditional(branches[0][0].pos, branches, test)
        self.depth -= 1
        return test

    def _binary(self) -> Node:
        """Operator-precedence reduction with explicit stacks; left-associative at every level."""
        operands = [self._operand()]
        operators: list[Token] = []
        while True:
            token = self._peek()
            precedence = _PRECEDENCE.get(token.kind)
            if precedence is None:
                break
            while operators and _PRECEDENCE[operators[-1].kind] >= precedence:
                self._reduce(operands, operators)
            operators.append(self._next())
            operands.append(self._operand())
        while operators:
            self._reduce(operands, operators)
        return operands[0]

    @staticmethod
    def _reduce(operands: list[Node], operators: list[Token]) -> None:
        op = operators.pop().kind
        right = operands.pop()
        left = operands.pop()
        level = _PRECEDENCE[op]
        # Extending a left operand that is already a chain of this level keeps the tree flat; that
        # holds for a bracketed one too, since `(a - b) - c` is the same left fold.
        if type(left) is Chain and _PRECEDENCE[left.ops[0]] == level:
            left.ops.append(op)
            left.operands.append(right)
            operands.append(left)
        else:
            operands.append(Chain(left.pos, [op], [left, right]))

    def _operand(self) -> Node:
        """Prefix operators, a primary, then postfix member accesses and method calls.

        One method on purpose: each nesting level of the source costs few Python frames.
        """
        prefixes: list[Token] = []
        while self._peek().kind in _PREFIX:
            prefixes.append(self._next())

        token = self._next()
        kind = token.kind
        if kind in (NUMBER, STRING, BOOLEAN, NULL):
            node: Node = Literal(token.pos, token.value)
        elif kind is IDENT:
            if self._peek().kind == "(":
                self._next()
                if self._peek().kind == ")":
                    self._fail(self._peek(), f"function {token.value}() needs at least one argument")
                node = Call(token.pos, token.value, self._arguments([]), False)
            else:
                node = Identifier(token.pos, token.value)
        elif kind == "(":
            node = self._expression()
            self._expect(")", "')'")
        elif kind == "[":
            node = self._list(token)
        elif kind == "{":
            node = self._map(token)
        else:
            self._fail(token, f"{_EXPECTED_OPERAND} but found {_describe(token)}")

        while True:
            kind = self._peek().kind
            if kind == "[":
                self._next()
                if self._peek().kind == "]":
                    self._fail(self._peek(), "expected an index inside '[]'")
                key = self._expression()
                self._expect("]", "']'")
                node = Member(node.pos, node, key, True)
            elif kind == ".":
                self._next()
                name = self._peek()
                if name.kind is not IDENT:
                    self._fail(name, f"expected a property or function name after '.' but found {_describe(name)}")
                self._next()
                if self._peek().kind == "(":
                    self._next()
                    if self._peek().kind == ")":
                        self._next()
                        args = [node]
                    else:
                        args = self._arguments([node])
                    node = Call(node.pos, name.value, args, True)
                else:
                    node = Member(node.pos, node, Literal(name.pos, name.value), False)
            else:
                break

        for prefix in reversed(prefixes):
            node = Unary(prefix.pos, prefix.kind, node)
        return node

    def _arguments(self, args: list[Node]) -> list[Node]:
        """Call arguments up to and including `)`; each a lambda or an expression.

        Lambdas (`x => e`, `(x, y) => e`) exist only here.
        """
        while True:
            first = self._peek()
            params = None
            if first.kind is IDENT and self._peek(1).kind == "=>":
                self.index += 2
                params = (first.value,)
            elif first.kind == "(":
                params = self._lambda_params()
            args.append(self._expression() if params is None else Lambda(first.pos, params, self._expression()))
            if self._peek().kind != ",":
                break
            self._next()
        self._expect(")", "',' or ')' in the call")
        return args

    def _lambda_params(self) -> tuple[str, ...] | None:
        """Consume `( ID {, ID} ) =>` if that is what follows, else consume nothing."""
        i = 1
        names = []
        while True:
            token = self._peek(i)
            if token.kind is not IDENT:
                return None
            names.append(token.value)
            separator = self._peek(i + 1).kind
            if separator == ")":
                break
            if separator != ",":
                return None
            i += 2
        if self._peek(i + 2).kind != "=>":
            return None
        self.index += i + 3
        return tuple(names)

    def _list(self, start: Token) -> Node:
        """`[` [expr] {`,` expr} [`,`] `]`: a leading empty slot and a trailing comma are allowed."""
        items: list[Node] = []
        if self._peek().kind not in (",", "]"):
            items.append(self._expression())
        while self._peek().kind == ",":
            self._next()
            if self._peek().kind == "]":
                break
            items.append(self._expression())
        self._expect("]", "',' or ']' in the list")
        return ListLiteral(start.pos, items)

    def _map(self, start: Token) -> Node:
        """`{` [pair {`,` pair}] [`,`] `}` with identifier or string keys."""
        entries: list[tuple[str, Node]] = []
        if self._peek().kind == ",":
            self._next()
        elif self._peek().kind != "}":
            entries.append(self._pair())
            while self._peek().kind == ",":
                self._next()
                if self._peek().kind == "}":
                    break
                entries.append(self._pair())
        self._expect("}", "',' or '}' in the map")
        return MapLiteral(start.pos, entries)

    def _pair(self) -> tuple[str, Node]:
        key = self._peek()
        if key.kind is not IDENT and key.kind is not STRING:
            self._fail(key, f"expected a map key (a name or a string) but found {_describe(key)}")
        self._next()
        self._expect(":", "':' after the map key")
        return key.value, self._expression()
