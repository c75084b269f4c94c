"""HTTP routes of the CSV reports (core.md §7.8): CSV only, up to 10000 rows a page."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from fastapi import APIRouter, Depends
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse

from lightrail.auth.badge import Principal
from lightrail.auth.requests import account_principal
from lightrail.http.csv import csv_lines
from lightrail.http.pagination import MAX_CSV_LIMIT, page_headers, page_request
from lightrail.http.responses import wants_csv
from lightrail.reports.transactions_report import transactions_report
from lightrail.reports.values_report import values_report

router = APIRouter()


def _csv_stream(rows: list[dict[str, Any]], headers: dict[str, str]) -> Response:
    def encoded() -> Iterator[bytes]:
        for piece in csv_lines(rows):
            yield piece.encode()

    return StreamingResponse(encoded(), headers={**headers, "content-type": "text/csv"})


@router.get("/v2/reports/values")
async def report_values(request: Request, principal: Principal = Depends(account_principal)) -> Response:
    principal.require_scopes("lightrailV2:values:list")
    wants_csv(request, json_allowed=False)
    page = page_request(request, default_limit=MAX_CSV_LIMIT, max_limit=MAX_CSV_LIMIT)
    rows, result = await values_report(
        request.app.state.db, request.app.state.codes, principal.account_id, request.query_params.multi_items(), page,
        show_code=request.query_params.get("showCode") == "true",
        format_currencies=request.query_params.get("formatCurrencies") == "true",
    )
    return _csv_stream(rows, page_headers(request, result))


@router.get("/v2/reports/transactions")
async def report_transactions(request: Request, principal: Principal = Depends(account_principal)) -> Response:
    principal.require_scopes("lightrailV2:transactions:list")
    wants_csv(request, json_allowed=False)
    page = page_request(request, default_limit=MAX_CSV_LIMIT, max_limit=MAX_CSV_LIMIT)
    rows, result = await transactions_report(
        request.app.state.db, principal.account_id, request.query_params.multi_items(), page,
        format_currencies=request.query_params.get("formatCurrencies") == "true",
    )
    return _csv_stream(rows, page_headers(request, result))
