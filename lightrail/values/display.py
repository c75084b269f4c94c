"""`formatCurrencies=true`: amounts as the currency writes them, e.g. USD 549 → "$5.49" (core.md §1.3)."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from lightrail.currencies import repository as currencies


def format_amount(amount: int | None, currency: Any) -> str | None:
    """Symbol, then the amount in major units with exactly the currency's decimal places (sign after the symbol)."""
    if amount is None or currency is None:
        return amount
    places = currency.decimal_places
    return f"{currency.symbol}{Decimal(amount).scaleb(-places):.{places}f}"


async def currencies_of(conn: AsyncConnection, account_id: str, codes: Iterable[str]) -> dict[str, Any]:
    wanted = sorted(set(codes))
    return await currencies.get_many(conn, account_id, wanted) if wanted else {}


def format_value(value: dict[str, Any], currency: Any) -> dict[str, Any]:
    value["balance"] = format_amount(value["balance"], currency)
    per_contact = (value.get("genericCodeOptions") or {}).get("perContact")
    if per_contact is not None:
        per_contact["balance"] = format_amount(per_contact["balance"], currency)
    return value
