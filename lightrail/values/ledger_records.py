"""The ledger rows that value creation and generic-code attach write: transactions and lightrail steps.

Value creation is an `initialBalance` transaction and a generic attach an `attach` transaction
(core.md §9.3, §8.3); both are plain lightrail-only transactions, written in batches through
lightrail.transactions.records.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from lightrail.db.clock import iso
from lightrail.db.prepared import Present
from lightrail.transactions.tables import transactions


def insert_step(value_id: str, contact_id: str | None, code: str | None, balance: int | None, uses: int | None) -> dict[str, Any]:
    """The step of a value coming into being: from 0 (or nothing) to its first balance and uses."""
    return {
        "rail": "lightrail",
        "valueId": value_id,
        "contactId": contact_id,
        "code": code,
        "balanceRule": None,
        "balanceBefore": None if balance is None else 0,
        "balanceAfter": balance,
        "balanceChange": balance,
        "usesRemainingBefore": None if uses is None else 0,
        "usesRemainingAfter": uses,
        "usesRemainingChange": uses,
    }


def simple_transaction(
    transaction_id: str, transaction_type: str, currency: str, created_date: datetime, created_by: str,
    steps: list[dict[str, Any]],
) -> dict[str, Any]:
    """A transaction without totals, line items or payment sources, as GET /v2/transactions/{id} shows it."""
    return {
        "id": transaction_id,
        "transactionType": transaction_type,
        "currency": currency,
        "createdDate": iso(created_date),
        "tax": None,
        "totals": None,
        "lineItems": None,
        "steps": steps,
        "paymentSources": None,
        "pending": False,
        "metadata": None,
        "createdBy": created_by,
    }


TRANSACTION_IDS_PRESENT = Present(transactions.c.id)
