"""Keyset pagination with opaque cursors and `Link` headers (spec core.md §3.1–§3.3).

Lists are ordered newest first (`createdDate` desc, then `id` desc); a cursor names the row a page
ends at, so pages stay stable while rows are added.
"""

from __future__ import annotations

import base64
import math
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import quote

import orjson
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection
from starlette.requests import Request

from lightrail.db.clock import iso
from lightrail.http.errors import ApiError
from lightrail.http.jsnumbers import js_date, js_number

DEFAULT_LIMIT = 100
MAX_LIMIT = 1000
MAX_CSV_LIMIT = 10000


@dataclass(frozen=True)
class PageRequest:
    limit: int
    max_limit: int
    after: tuple[datetime, str] | None = None
    before: tuple[datetime, str] | None = None
    last: bool = False


@dataclass(frozen=True)
class Page:
    rows: list[Any]
    request: PageRequest
    first_cursor: str | None
    last_cursor: str | None


def page_request(request: Request, *, default_limit: int = DEFAULT_LIMIT, max_limit: int | None = None) -> PageRequest:
    if max_limit is None:
        max_limit = MAX_CSV_LIMIT if request.headers.get("accept") == "text/csv" else MAX_LIMIT
    params = request.query_params
    limit = _limit(params.get("limit"), default_limit, max_limit)
    after = _decode_cursor(params["after"]) if params.get("after") else None
    before = _decode_cursor(params["before"]) if params.get("before") and not after else None
    last = not after and not before and (params.get("last") or "").lower() == "true"
    return PageRequest(limit, max_limit, after, before, last)


def _limit(raw: str | None, default: int, maximum: int) -> int:
    number = js_number(raw) if raw is not None else math.nan
    if math.isnan(number) or number == 0:
        number = default
    return int(max(1, min(number, maximum)))


def encode_cursor(row_id: str, sort: datetime) -> str:
    text = orjson.dumps({"id": row_id, "sort": iso(sort)})
    return base64.b64encode(text).decode().replace("=", "_")


def _decode_cursor(cursor: str) -> tuple[datetime, str]:
    try:
        data = orjson.loads(base64.b64decode(cursor.replace("_", "=").encode(), validate=True))
        row_id, sort = data["id"], js_date(data["sort"])
        if not isinstance(row_id, str) or sort is None:
            raise ValueError
        return sort, row_id
    except Exception:
        raise ApiError(400) from None


async def fetch_page(
    conn: AsyncConnection,
    query: sa.Select,
    sort_column: sa.ColumnElement[Any],
    id_column: sa.ColumnElement[Any],
    page: PageRequest,
) -> Page:
    """Runs `query` (already filtered) for one page; rows come back newest first."""
    descending = (sort_column.desc(), id_column.desc())
    ascending = (sort_column.asc(), id_column.asc())
    if page.after:
        sort, row_id = page.after
        query = query.where(sa.or_(sort_column < sort, sa.and_(sort_column == sort, id_column < row_id)))
        rows = (await conn.execute(query.order_by(*descending).limit(page.limit))).all()
    elif page.before:
        sort, row_id = page.before
        query = query.where(sa.or_(sort_column > sort, sa.and_(sort_column == sort, id_column > row_id)))
        rows = list(reversed((await conn.execute(query.order_by(*ascending).limit(page.limit))).all()))
    elif page.last:
        rows = list(reversed((await conn.execute(query.order_by(*ascending).limit(page.limit))).all()))
    else:
        rows = (await conn.execute(query.order_by(*descending).limit(page.limit))).all()
    sort_key, id_key = sort_column.key, id_column.key
    first = encode_cursor(rows[0]._mapping[id_key], rows[0]._mapping[sort_key]) if rows else None
    last = encode_cursor(rows[-1]._mapping[id_key], rows[-1]._mapping[sort_key]) if rows else None
    return Page(list(rows), page, first, last)


def _querystring(params: list[tuple[str, str]]) -> str:
    # Node's querystring.stringify escaping, which the original used to build links.
    safe = "-_.!~*'()"
    return "&".join(f"{quote(k, safe=safe)}={quote(v, safe=safe)}" for k, v in params)


def page_headers(request: Request, page: Page) -> dict[str, str]:
    pr = page.request
    kept = [(k, v) for k, v in request.query_params.multi_items() if k not in ("after", "before", "last")]
    path = request.url.path
    on_first = (not pr.after and not pr.before and not pr.last) or (pr.before is not None and len(page.rows) < pr.limit)
    on_last = pr.last or (pr.after is not None and len(page.rows) < pr.limit)
    links = []
    if page.rows and not on_first:
        links.append(f'<{path}?{_querystring(kept)}>; rel="first"')
        links.append(f'<{path}?{_querystring(kept + [("before", page.first_cursor)])}>; rel="prev"')
    if page.rows and not on_last:
        links.append(f'<{path}?{_querystring(kept + [("after", page.last_cursor)])}>; rel="next"')
        links.append(f'<{path}?{_querystring(kept + [("last", "true")])}>; rel="last"')
    return {"Limit": str(pr.limit), "Max-Limit": str(pr.max_limit), "Link": ",".join(links)}
