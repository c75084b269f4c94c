"""GET /v2/reports/values (core.md §7.8): the values list flattened into report rows."""

from __future__ import annotations

from typing import Any

from lightrail.db.engine import Database
from lightrail.http.filters import EmptyResult
from lightrail.http.pagination import Page, PageRequest
from lightrail.values import display, repository
from lightrail.values.codes import CodeCipher


def report_row(value: dict[str, Any]) -> dict[str, Any]:
    """Every value has every column, so the CSV header (taken from the first row) fits all rows."""
    per_contact = (value.get("genericCodeOptions") or {}).get("perContact") or {}
    row = {key: item for key, item in value.items() if key != "genericCodeOptions"}
    row.setdefault("attachedFromValueId", None)
    row["genericCodeOptions_perContact_balance"] = per_contact.get("balance")
    row["genericCodeOptions_perContact_usesRemaining"] = per_contact.get("usesRemaining")
    return row


async def values_report(
    db: Database, codes: CodeCipher, account_id: str, params: list[tuple[str, str]], page: PageRequest, *,
    show_code: bool, format_currencies: bool,
) -> tuple[list[dict[str, Any]], Page]:
    try:
        query = repository.list_query(account_id, codes, params)
        async with db.read() as conn:
            result = await repository.list_page(conn, query, page)
            currencies = await display.currencies_of(conn, account_id, (r.currency for r in result.rows)) if format_currencies else {}
    except EmptyResult:
        return [], Page([], page, None, None)
    rows = []
    for stored in result.rows:
        value = repository.to_json(stored, codes, show_code=show_code)
        if format_currencies:
            display.format_value(value, currencies.get(stored.currency))
        rows.append(report_row(value))
    return rows, result
