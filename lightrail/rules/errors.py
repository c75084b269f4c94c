"""The two ways a rule can fail: it does not parse, or it exceeds a safety limit."""

from __future__ import annotations


class RuleSyntaxError(Exception):
    """The rule text is not a valid expression.

    `row` is 1-based and `column` 0-based, both pointing at the offending token, which is what the
    original API reports in its 422 bodies (`syntaxErrorMessage`, `row`, `column`).
    """

    def __init__(self, message: str, row: int, column: int) -> None:
        super().__init__(message)
        self.message = message
        self.row = row
        self.column = column

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.message!r}, row={self.row}, column={self.column})"

    def __reduce__(self):
        # Exception pickles its args, which hold only the message.
        return type(self), (self.message, self.row, self.column)


class RuleLimitError(Exception):
    """A safety limit was exceeded: rule too long, nested too deeply, or too many evaluation steps."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class RuleTooComplexError(RuleLimitError, RuleSyntaxError):
    """A limit exceeded while compiling (length, nesting).

    It is also a RuleSyntaxError so that API validation rejects such a rule with a 422 and a position,
    exactly like a rule that does not parse, instead of failing later at checkout.
    """

    def __init__(self, message: str, row: int, column: int) -> None:
        RuleSyntaxError.__init__(self, message, row, column)


def position_of(text: str, offset: int) -> tuple[int, int]:
    """(row, column) of a character offset: rows count line feeds, as ANTLR does."""
    row = text.count("\n", 0, offset) + 1
    line_start = text.rfind("\n", 0, offset) + 1
    return row, offset - line_start
