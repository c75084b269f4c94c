"""Filters and cursors (core.md §3)."""

from __future__ import annotations

import math
from datetime import datetime, timezone

import pytest
import sqlalchemy as sa

from lightrail.http.errors import ApiError
from lightrail.http.filters import ID_OPS, EmptyResult, FilterField, filter_conditions
from lightrail.http.jsnumbers import js_date, js_number
from lightrail.http.pagination import _decode_cursor, _limit, encode_cursor

t = sa.table("t", sa.column("id"), sa.column("n"), sa.column("flag"), sa.column("d"))
FIELDS = {
    "id": FilterField(t.c.id, ops=ID_OPS, system_id=True),
    "n": FilterField(t.c.n, kind="number"),
    "flag": FilterField(t.c.flag, kind="boolean"),
    "d": FilterField(t.c.d, kind="date"),
}


def sql(params):
    conditions = filter_conditions(params, FIELDS)
    return str(sa.and_(*conditions).compile(compile_kwargs={"literal_binds": True}))


def test_unknown_keys_are_ignored():
    assert filter_conditions([("limit", "5"), ("showCode", "true")], FIELDS) == []


def test_operators():
    assert sql([("n.gte", "5")]) == "t.n >= 5"
    assert sql([("n.lt", "0x10")]) == "t.n < 16"
    assert sql([("id.in", "a,b")]) == "t.id IN ('a', 'b')"
    assert sql([("flag", "TRUE")]) == "t.flag = true"
    assert sql([("flag", "yes")]) == "t.flag = false"
    assert sql([("n.isNull", "true")]) == "t.n IS NULL"


def test_or_null_applies_to_each_filter_of_the_property():
    assert sql([("n.gt", "1"), ("n.orNull", "true")]) == "t.n > 1 OR t.n IS NULL"


def test_disallowed_operator_is_400():
    with pytest.raises(ApiError) as e:
        filter_conditions([("id.gt", "a")], FIELDS)
    assert e.value.status == 400
    assert e.value.message == "Query filter key 'id' does not support operator 'gt'."


def test_unparseable_values():
    with pytest.raises(ApiError) as e:
        filter_conditions([("n", "abc")], FIELDS)
    assert e.value.message == "Query filter value 'abc' could not be parsed as a number."
    with pytest.raises(ApiError) as e:
        filter_conditions([("d.gt", "nope")], FIELDS)
    assert e.value.message == "Query filter value 'nope' could not be parsed as an ISO Date."
    with pytest.raises(ApiError) as e:
        filter_conditions([("n.isNull", "maybe")], FIELDS)
    assert e.value.status == 422


def test_impossible_ids_empty_the_result():
    with pytest.raises(EmptyResult):
        filter_conditions([("id", "💩")], FIELDS)
    with pytest.raises(EmptyResult):
        filter_conditions([("id.in", "💩, x")], FIELDS)
    assert sql([("id.in", "💩,ok")]) == "t.id IN ('ok')"


def test_js_number_and_date():
    assert js_number(" 12 ") == 12 and js_number("") == 0 and js_number("1e3") == 1000
    assert math.isnan(js_number("12abc"))
    assert js_date("2020-01-01") == datetime(2020, 1, 1, tzinfo=timezone.utc)
    assert js_date("2020-01-01T10:00:00.000+02:00") == datetime(2020, 1, 1, 8, tzinfo=timezone.utc)
    assert js_date("junk") is None


def test_limit_rules():
    assert _limit(None, 100, 1000) == 100
    assert _limit("0", 100, 1000) == 100
    assert _limit("abc", 100, 1000) == 100
    assert _limit("-5", 100, 1000) == 1
    assert _limit("5000", 100, 1000) == 1000


def test_cursor_round_trip_and_opacity():
    moment = datetime(2021, 3, 4, 5, 6, 7, tzinfo=timezone.utc)
    cursor = encode_cursor("id-1", moment)
    assert "=" not in cursor
    assert _decode_cursor(cursor) == (moment, "id-1")
    with pytest.raises(ApiError):
        _decode_cursor("bm90IGpzb24_")
