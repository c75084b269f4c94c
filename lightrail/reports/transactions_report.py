"""GET /v2/reports/transactions (core.md §7.8): one row per transaction with its amounts."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import orjson
import sqlalchemy as sa

from lightrail.db.clock import iso
from lightrail.db.engine import Database
from lightrail.http.errors import ApiError
from lightrail.http.filters import CREATED_OPS, ID_OPS, EmptyResult, FilterField, filter_conditions
from lightrail.http.pagination import Page, PageRequest, fetch_page
from lightrail.transactions.tables import internal_steps, lightrail_steps, stripe_steps
from lightrail.transactions.tables import transactions as t
from lightrail.http.validation import is_system_id
from lightrail.values import display
from lightrail.values.tables import values as v

CHECKOUT_COLUMNS = ("subtotal", "tax", "discountLightrail", "paidLightrail", "paidStripe", "paidInternal", "remainder", "forgiven")
MARKETPLACE_COLUMNS = ("sellerNet", "sellerGross", "sellerDiscount")


FILTERS = {
    "transactionType": FilterField(t.c.transaction_type, ops=ID_OPS),
    "createdDate": FilterField(t.c.created_date, kind="date", ops=CREATED_OPS),
}


def _program_conditions(account_id: str, params: list[tuple[str, str]]) -> list[sa.ColumnElement[bool]]:
    """`programId` (eq, in): transactions with a lightrail step on a value of the program(s).

    An EXISTS rather than a join, so a transaction with several matching steps is listed once.
    """
    conditions = []
    for key, raw in params:
        prop, _, op = key.partition(".")
        if prop != "programId":
            continue
        op = op.split(".")[0] or "eq"
        if op not in ID_OPS:
            raise ApiError(400, f"Query filter key 'programId' does not support operator '{op}'.")
        wanted = [p for p in (raw.split(",") if op == "in" else [raw]) if is_system_id(p)]
        if not wanted:
            raise EmptyResult()
        conditions.append(sa.exists().where(
            lightrail_steps.c.account_id == account_id, lightrail_steps.c.transaction_id == t.c.id,
            v.c.account_id == account_id, v.c.id == lightrail_steps.c.value_id, v.c.program_id.in_(wanted),
        ))
    return conditions


def _metadata_cell(metadata: Any) -> str | None:
    # The original replaced only the first comma, a quirk of its CSV writer that reports kept.
    return None if metadata is None else orjson.dumps(metadata).decode().replace(",", ";", 1)


async def _step_amounts(conn: Any, account_id: str, tx_ids: list[str]) -> dict[str, list[int]]:
    """Each transaction's step amounts in the order GET shows steps: lightrail, stripe, internal."""
    amounts: dict[str, list[int]] = defaultdict(list)
    for table, column in (
        (lightrail_steps, lightrail_steps.c.balance_change),
        (stripe_steps, stripe_steps.c.amount),
        (internal_steps, internal_steps.c.balance_change),
    ):
        query = sa.select(table.c.transaction_id, column).where(
            table.c.account_id == account_id, table.c.transaction_id.in_(tx_ids)
        ).order_by(table.c.transaction_id, table.c.step_index)
        for tx_id, amount in await conn.execute(query):
            amounts[tx_id].append(amount or 0)
    return amounts


def report_row(tx: Any, amounts: list[int]) -> dict[str, Any]:
    if tx.transaction_type == "transfer":
        amount = next((a for a in amounts if a > 0), 0)
    else:
        amount = sum(amounts)
    totals = tx.totals or {}
    marketplace = totals.get("marketplace") or {}
    return {
        "id": tx.id,
        "createdDate": iso(tx.created_date),
        "transactionType": tx.transaction_type,
        "currency": tx.currency,
        "transactionAmount": amount,
        **{f"checkout_{key}": totals.get(key) or 0 for key in CHECKOUT_COLUMNS},
        **{f"marketplace_{key}": marketplace.get(key) or 0 for key in MARKETPLACE_COLUMNS},
        "stepsCount": len(amounts),
        "metadata": _metadata_cell(tx.metadata),
    }


def _format(row: dict[str, Any], currency: Any) -> dict[str, Any]:
    for key in row:
        if key == "transactionAmount" or key.startswith(("checkout_", "marketplace_")):
            row[key] = display.format_amount(row[key], currency)
    return row


async def transactions_report(
    db: Database, account_id: str, params: list[tuple[str, str]], page: PageRequest, *, format_currencies: bool,
) -> tuple[list[dict[str, Any]], Page]:
    try:
        conditions = [*filter_conditions(params, FILTERS), *_program_conditions(account_id, params)]
    except EmptyResult:
        return [], Page([], page, None, None)
    query = sa.select(t).where(t.c.account_id == account_id, *conditions)
    async with db.read() as conn:
        result = await fetch_page(conn, query, t.c.created_date, t.c.id, page)
        amounts = await _step_amounts(conn, account_id, [row.id for row in result.rows]) if result.rows else {}
        currencies = await display.currencies_of(conn, account_id, (r.currency for r in result.rows)) if format_currencies else {}
    rows = [report_row(tx, amounts.get(tx.id, [])) for tx in result.rows]
    if format_currencies:
        rows = [_format(row, currencies.get(row["currency"])) for row in rows]
    return rows, result
