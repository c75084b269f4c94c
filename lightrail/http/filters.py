"""Query filters `prop.op=value` (spec core.md §3.4), built once and plugged into each list route."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

import sqlalchemy as sa

from lightrail.http.errors import ApiError
from lightrail.http.jsnumbers import js_date, js_number
from lightrail.http.validation import is_system_id

Kind = Literal["string", "number", "boolean", "date"]

_COMPARISONS = frozenset({"eq", "ne", "lt", "lte", "gt", "gte", "isNull", "orNull"})
DEFAULT_OPS: dict[str, frozenset[str]] = {
    "boolean": frozenset({"eq", "ne", "isNull", "orNull"}),
    "number": _COMPARISONS,
    "date": _COMPARISONS,
    "string": _COMPARISONS | {"like"},
}
ID_OPS = frozenset({"eq", "in"})
CREATED_OPS = frozenset({"eq", "gt", "gte", "lt", "lte", "ne"})


class EmptyResult(Exception):
    """A filter that no row can match (e.g. an id that could never exist): answer an empty list."""


@dataclass(frozen=True)
class FilterField:
    column: sa.ColumnElement[Any]
    kind: Kind = "string"
    ops: frozenset[str] | None = None
    system_id: bool = False
    case_insensitive: bool = False
    # Turns the query value into what the column holds (e.g. a code into its lookup hash).
    transform: Callable[[str], Any] | None = None

    @property
    def allowed(self) -> frozenset[str]:
        return self.ops if self.ops is not None else DEFAULT_OPS[self.kind]


def filter_conditions(params: Iterable[tuple[str, str]], fields: Mapping[str, FilterField]) -> list[sa.ColumnElement[bool]]:
    """SQL conditions for the known filters among the query parameters; unknown keys are ignored."""
    by_prop: dict[str, list[tuple[str, str]]] = {}
    for key, value in params:
        parts = key.split(".")
        prop, op = parts[0], (parts[1] if len(parts) > 1 else "eq")
        field = fields.get(prop)
        if field is None:
            continue
        if op not in field.allowed:
            raise ApiError(400, f"Query filter key '{prop}' does not support operator '{op}'.")
        by_prop.setdefault(prop, []).append((op, value))
    conditions = []
    for prop, filters in by_prop.items():
        condition = _property_condition(fields[prop], filters)
        if condition is not None:
            conditions.append(condition)
    return conditions


def _property_condition(field: FilterField, filters: list[tuple[str, str]]) -> sa.ColumnElement[bool] | None:
    or_null: bool | None = None
    parts = []
    for op, raw in filters:
        if op in ("isNull", "orNull"):
            flag = _null_flag(op, raw)
            if op == "orNull":
                or_null = flag
            else:
                parts.append(field.column.is_(None) if flag else field.column.is_not(None))
        else:
            parts.append(_comparison(field, op, raw))
    if not parts:
        return None
    if or_null is not None:
        # Each filter on the property admits the nulls (or non-nulls) on its own, as the original did.
        null_test = field.column.is_(None) if or_null else field.column.is_not(None)
        parts = [sa.or_(part, null_test) for part in parts]
    return sa.and_(*parts)


def _null_flag(op: str, raw: str) -> bool:
    if raw not in ("true", "false"):
        raise ApiError(422, f"Query filter '{raw}' is not allowed on {op} operator. Allowed values [true, false].")
    return raw == "true"


def _comparison(field: FilterField, op: str, raw: str) -> sa.ColumnElement[bool]:
    column = field.column
    if op == "in":
        values = [_parse(field, v) for v in raw.split(",")]
        values = [v for v in values if v is not _SKIP]
        if not values:
            raise EmptyResult()
        if field.case_insensitive:
            return sa.func.lower(column).in_([v.lower() for v in values])
        return column.in_(values)
    value = _parse(field, raw)
    if value is _SKIP:
        raise EmptyResult()
    if field.case_insensitive and isinstance(value, str):
        column, value = sa.func.lower(column), value.lower()
    if op == "like":
        return column.like(value)
    return {
        "eq": column.__eq__,
        "ne": column.__ne__,
        "lt": column.__lt__,
        "lte": column.__le__,
        "gt": column.__gt__,
        "gte": column.__ge__,
    }[op](value)


_SKIP = object()


def _parse(field: FilterField, raw: str) -> Any:
    if field.kind == "number":
        number = js_number(raw)
        if math.isnan(number):
            raise ApiError(400, f"Query filter value '{raw}' could not be parsed as a number.")
        return int(number) if number.is_integer() else number
    if field.kind == "boolean":
        return raw.lower() == "true"
    if field.kind == "date":
        moment = js_date(raw)
        if moment is None:
            raise ApiError(400, f"Query filter value '{raw}' could not be parsed as an ISO Date.")
        return moment
    if field.system_id and not is_system_id(raw):
        return _SKIP
    return field.transform(raw) if field.transform else raw
