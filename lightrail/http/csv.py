"""CSV as the original wrote it (papaparse 5.2 `unparse`, spec core.md §1.5)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

import orjson

BOM = "\ufeff"


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, dict):
        text = orjson.dumps(value).decode()
    elif isinstance(value, list):
        text = ",".join(_cell(v) for v in value)
    elif isinstance(value, float) and value.is_integer():
        text = str(int(value))
    else:
        text = str(value)
    if any(c in text for c in ',"\r\n') or text.startswith(" ") or text.endswith(" "):
        return '"' + text.replace('"', '""') + '"'
    return text


def csv_lines(rows: Iterable[dict[str, Any]]) -> Iterator[str]:
    """The document piece by piece: BOM and header with the first row, then `\\r\\n` before each next row."""
    header: list[str] | None = None
    for row in rows:
        if header is None:
            header = list(row.keys())
            yield BOM + ",".join(_cell(h) for h in header) + "\r\n" + ",".join(_cell(row.get(k)) for k in header)
        else:
            yield "\r\n" + ",".join(_cell(row.get(k)) for k in header)
    if header is None:
        yield BOM


def to_csv(rows: Iterable[dict[str, Any]]) -> str:
    return "".join(csv_lines(rows))
