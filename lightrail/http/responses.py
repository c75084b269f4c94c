"""Response helpers: fast JSON, and lists answered as JSON or CSV by the `Accept` header."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import Response

from lightrail.http.csv import to_csv
from lightrail.http.errors import NO_MATCHING_PATH, ApiError


class JSONResponse(Response):
    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        return orjson.dumps(content)


def json_response(body: Any, status: int = 200, headers: Mapping[str, str] | None = None) -> JSONResponse:
    return JSONResponse(body, status_code=status, headers=dict(headers) if headers else None)


def error_response(error: ApiError) -> JSONResponse:
    return json_response(error.body(), error.status)


def wants_csv(request: Request, *, json_allowed: bool = True) -> bool:
    """Content negotiation of the list routes: the first acceptable of JSON and CSV, JSON by default."""
    accept = request.headers.get("accept")
    if not accept:
        return not json_allowed
    kinds = [part.split(";")[0].strip().lower() for part in accept.split(",")]
    for kind in kinds:
        if kind in ("application/json", "application/*") and json_allowed:
            return False
        if kind in ("text/csv", "text/*"):
            return True
        if kind == "*/*":
            return not json_allowed
    raise ApiError(404, NO_MATCHING_PATH)


def csv_response(body: Any, headers: Mapping[str, str] | None = None) -> Response:
    # The content type is exactly `text/csv`, without the charset parameter Starlette would add.
    return Response(body, headers={**(headers or {}), "content-type": "text/csv"})


def list_response(request: Request, items: list[dict[str, Any]], headers: Mapping[str, str] | None = None) -> Response:
    if wants_csv(request):
        return csv_response(to_csv(items), headers)
    return json_response(items, headers=headers)
