"""Automatic void: pending transactions past their pendingVoidDate give their held funds back (§8.4).

Several servers may run this at once: each void goes through the chain guard, so a transaction is
voided once and the others' attempts end in a 409 that is simply skipped.
"""

from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa
from fastapi import FastAPI

from lightrail.db import clock
from lightrail.db.engine import Database
from lightrail.http.errors import ApiError
from lightrail.logs import get_logger
from lightrail.transactions import service
from lightrail.transactions.schemas import FollowUp
from lightrail.transactions.tables import transactions
from lightrail.values.codes import CodeCipher
from lightrail.workers import run_periodically

CREATED_BY = "automatic-void"
BATCH = 500
INTERVAL_SECONDS = 600
log = get_logger("lightrail.automatic_void")


# An overdue pending transaction: its pendingVoidDate, account and id, the order they are voided in.
Overdue = tuple[datetime, str, str]


async def overdue(db: Database, now: datetime, limit: int, after: Overdue | None = None) -> list[Overdue]:
    """The next overdue pending transactions, oldest first, after `after`."""
    t = transactions.c
    order = (t.pending_void_date, t.account_id, t.id)
    query = sa.select(*order).where(t.pending_void_date < now, t.next_transaction_id.is_(None))
    if after is not None:
        query = query.where(sa.tuple_(*order) > sa.tuple_(*(sa.literal(v, c.type) for v, c in zip(after, order))))
    async with db.read() as conn:
        return [tuple(row) for row in (await conn.execute(query.order_by(*order).limit(limit))).all()]


async def void_overdue(db: Database, codes: CodeCipher, now: datetime | None = None, batch: int = BATCH) -> int:
    """Voids what is overdue now; returns how many this run voided.

    A transaction that cannot be voided now (its Value was deactivated, say) is tried again next run;
    the run goes on past it, batch after batch, so such transactions never hold the later ones back."""
    now = now or clock.now()
    voided = 0
    after = None
    while found := await overdue(db, now, batch, after):
        for _, account_id, transaction_id in found:
            body = FollowUp(id=f"automatic-void-{uuid.uuid4()}")
            try:
                await service.void(db, codes, account_id, CREATED_BY, transaction_id, body)
            except ApiError as error:
                # Another server voided it first, or a Value can no longer take the funds back.
                log.info("automatic void skipped", account_id=account_id, transaction_id=transaction_id, reason=error.message_code)
                continue
            voided += 1
        if len(found) < batch:
            break
        after = found[-1]
    return voided


async def automatic_void_worker(app: FastAPI) -> None:
    await run_periodically("automatic_void", INTERVAL_SECONDS, lambda: void_overdue(app.state.db, app.state.codes))
