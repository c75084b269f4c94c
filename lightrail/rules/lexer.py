"""Tokens of the rule language (rules.md §3)."""

from __future__ import annotations

import re
from typing import NamedTuple

# Token kinds. Punctuation and operators use their own text as kind ("(", "==", "=>", ...).
NUMBER = "number"
STRING = "string"
BOOLEAN = "boolean"
NULL = "null"
IDENT = "identifier"
QUOTE = "quote"  # a quote that opens no complete string: never valid, so lexing stops there
INVALID = "invalid"  # a character the language does not know
EOF = "eof"

_KEYWORDS = {"Inf": NUMBER, "true": BOOLEAN, "false": BOOLEAN, "null": NULL}

# Only ASCII space, tab, CR and LF separate tokens; any other character (NBSP, `#`, `@`, `é`)
# is an error, as in the reference grammar.
_TOKEN = re.compile(
    r"""
    (?P<ws>[ \t\r\n]+)
  | (?P<number>[0-9]+(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?)
  | (?P<name>[a-zA-Z_$][a-zA-Z0-9_$]*)
  | (?P<string>"(?:\\.|[^"\\])*"|'(?:\\.|[^'\\])*')
  | (?P<op>==|!=|<=|>=|&&|\|\||=>|[()\[\]{},.?:+\-*/%!<>])
  | (?P<quote>['"])
    """,
    re.VERBOSE | re.DOTALL,
)

# JS `.` does not match line terminators, so a backslash before one is kept (rules.md §3).
_ESCAPE = re.compile("\\\\([^\n\r\u2028\u2029])")
_ESCAPED = {"b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v"}


class Token(NamedTuple):
    kind: str
    value: object  # float for numbers, the unescaped text for strings, bool, None, or the source text
    pos: int  # character offset in the rule text


def _unescape(match: re.Match) -> str:
    c = match.group(1)
    return _ESCAPED.get(c, c)


def string_content(literal: str) -> str:
    """The value of a string literal: quotes removed; `\\X` is X except the six control escapes."""
    body = literal[1:-1]
    if "\\" not in body:
        return body
    return _ESCAPE.sub(_unescape, body)


def tokenize(text: str) -> list[Token]:
    """All tokens up to and including the first invalid one, then EOF.

    Lexing stops at the first invalid character or unmatched quote: no grammar rule accepts those,
    so the parser reports an error at or before it, and stopping avoids rescanning the rest of the
    text for every stray quote.
    """
    tokens: list[Token] = []
    append = tokens.append
    pos = 0
    end = len(text)
    match = _TOKEN.match
    while pos < end:
        m = match(text, pos)
        if m is None:
            append(Token(INVALID, text[pos], pos))
            break
        group = m.lastgroup
        if group == "op":
            op = m.group()
            append(Token(op, op, pos))
        elif group == "name":
            word = m.group()
            kind = _KEYWORDS.get(word)
            if kind is None:
                append(Token(IDENT, word, pos))
            elif kind is NUMBER:
                append(Token(NUMBER, float("inf"), pos))
            elif kind is BOOLEAN:
                append(Token(BOOLEAN, word == "true", pos))
            else:
                append(Token(NULL, None, pos))
        elif group == "number":
            append(Token(NUMBER, float(m.group()), pos))
        elif group == "string":
            append(Token(STRING, string_content(m.group()), pos))
        elif group == "quote":
            append(Token(QUOTE, m.group(), pos))
            break
        pos = m.end()
    append(Token(EOF, None, end))
    return tokens
