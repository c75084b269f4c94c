"""Transactions (transactions.md §2–§9): planning each kind of transaction, and reading the ledger. No HTTP."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from lightrail.checkout import plan_checkout
from lightrail.checkout.plan import LightrailStep
from lightrail.db import clock
from lightrail.db.engine import Database
from lightrail.http.errors import ApiError
from lightrail.http.filters import CREATED_OPS, ID_OPS, EmptyResult, FilterField, filter_conditions
from lightrail.http.pagination import Page, PageRequest, fetch_page
from lightrail.http.validation import is_system_id
from lightrail.transactions import executor, records, resolution
from lightrail.transactions.durations import pending_void_date
from lightrail.transactions.executor import LedgerPlan, Replan, ValueChange
from lightrail.transactions.group_commit import group_commit
from lightrail.transactions.schemas import Checkout, Credit, Debit, FollowUp, Transfer
from lightrail.transactions.tables import lightrail_steps, transactions
from lightrail.values import repository as value_repository
from lightrail.values.codes import CodeCipher
from lightrail.values.tables import values

# A plan made on stale data is made again this many times before the request gives up (§3 step 3).
REPLANS = 3
Planner = Callable[[AsyncConnection, datetime], Awaitable[LedgerPlan]]
_NEXT_CONFLICTS = {
    "reverse": ("TransactionReversed", "The Transaction has already been reversed in Transaction '{}'."),
    "capture": ("TransactionCaptured", "The Transaction has already been captured in Transaction '{}'."),
    "void": ("TransactionVoided", "The Transaction has already been voided in Transaction '{}'."),
}


def transaction_not_found(transaction_id: str) -> ApiError:
    return ApiError(404, f"Transaction with id '{transaction_id}' not found.", "TransactionNotFound")


def skeleton(
    transaction_id: str, transaction_type: str, currency: str, now: datetime, created_by: str, *,
    tax: Any = None, totals: Any = None, line_items: Any = None, payment_sources: Any = None,
    void_date: datetime | None = None, metadata: Any = None,
) -> dict[str, Any]:
    """A transaction's fields in the original's key order; the executor adds the steps."""
    body: dict[str, Any] = {
        "id": transaction_id, "transactionType": transaction_type, "currency": currency,
        "createdDate": clock.iso(now), "tax": tax, "totals": totals, "lineItems": line_items,
        "paymentSources": payment_sources, "pending": void_date is not None,
    }
    if void_date is not None:
        body["pendingVoidDate"] = clock.iso(void_date)
    body["metadata"] = metadata
    body["createdBy"] = created_by
    return body


async def _planned_first(db: Database, codes: CodeCipher, account_id: str, make_plan: Planner) -> dict[str, Any] | None:
    """The plan made outside any unit of work, written at once; None when it could not be.

    On PostgreSQL, with nothing of the account in flight, the write goes at once on the read's
    connection; otherwise it goes with the account's other writes of the moment (`group_commit`). On
    SQLite it queues behind the process's other writers and goes through the process's writer
    connection. A write that waits does so once the read's connection is back in the pool (waiting
    while holding one would deadlock against the writer at the head of the queue waiting for one)."""
    now = clock.now()
    writes = None if db.is_sqlite else group_commit(db)
    async with db.read() as conn:
        plan = await make_plan(conn, now)
        if not executor.applies_at_once(plan):
            return None
        if writes is not None:
            async with writes.leading(account_id) as alone:
                if alone:
                    return await executor.execute_at_once(conn, account_id, plan, codes, now)
    if writes is not None:
        return await executor.execute_at_once(writes, account_id, plan, codes, now)
    async with db.writer() as writer:
        return await executor.execute_at_once(writer, account_id, plan, codes, now)


async def run(
    db: Database, codes: CodeCipher, account_id: str, simulate: bool, make_plan: Planner, *, follow_up: bool = False,
) -> dict[str, Any]:
    """Plans and writes one transaction in one unit of work, planning again when the ledger moved.

    The first try plans outside any transaction and writes at once (one statement on PostgreSQL, one
    hop to SQLite's thread), applied only if nothing it read has moved; when something has, the plan
    is made again under the locks of a unit of work. A `follow_up` (reverse, capture, void) links to its
    target, which only the unit of work does, so it is planned there straight away rather than twice."""
    if simulate:
        async with db.read() as conn:
            plan = await make_plan(conn, clock.now())
        executor.validate(plan)
        return executor.simulated(plan)
    if not follow_up:
        written = await _planned_first(db, codes, account_id, make_plan)
        if written is not None:
            return written
    for _ in range(REPLANS + 1):
        try:
            async with db.transaction() as conn:
                now = clock.now()
                return await executor.execute(conn, account_id, await make_plan(conn, now), codes, now)
        except Replan:
            continue
    raise ApiError(
        409, "The transaction could not be applied because the Values it uses kept changing; please retry.",
        "TransactionConflict",
    )


def _party(model: Any) -> dict[str, Any]:
    return model.model_dump(exclude_none=True)


async def credit(db: Database, codes: CodeCipher, account_id: str, created_by: str, body: Credit) -> dict[str, Any]:
    currency = body.currency.upper()

    async def make_plan(conn: AsyncConnection, now: datetime) -> LedgerPlan:
        rows = await resolution.load_values(conn, account_id, codes, [_party(body.destination)])
        row = resolution.resolve_one(rows, currency, now, "destination")
        if body.amount is not None and row.balance is None:
            raise ApiError(409, "Cannot credit amount to a Value with balance=null.", "NullBalance")
        if body.uses is not None and row.uses_remaining is None:
            raise ApiError(409, "Cannot credit uses to a Value with usesRemaining=null.", "NullUses")
        tx = skeleton(body.id, "credit", currency, now, created_by, metadata=body.metadata)
        return LedgerPlan(tx, [ValueChange(row._mapping, body.amount, body.uses)], allow_remainder=False)

    return await run(db, codes, account_id, bool(body.simulate), make_plan)


async def debit(db: Database, codes: CodeCipher, account_id: str, created_by: str, body: Debit) -> dict[str, Any]:
    currency = body.currency.upper()

    async def make_plan(conn: AsyncConnection, now: datetime) -> LedgerPlan:
        void_date = pending_void_date(body.pending, now)
        rows = await resolution.load_values(conn, account_id, codes, [_party(body.source)])
        row = resolution.resolve_one(rows, currency, now, "source")
        if body.amount is not None and row.balance is None:
            raise ApiError(409, "Cannot debit amount from a Value with balance=null.", "NullBalance")
        if body.uses is not None and row.uses_remaining is None:
            raise ApiError(409, "Cannot debit uses from a Value with usesRemaining=null.", "NullUses")
        if body.uses is not None and not body.allowRemainder and body.uses > row.uses_remaining:
            raise executor.insufficient_uses("Insufficient uses for the transaction.")
        amount = None if body.amount is None else min(body.amount, row.balance)
        uses = None if body.uses is None else min(body.uses, row.uses_remaining)
        tx = skeleton(
            body.id, "debit", currency, now, created_by, totals={"remainder": (body.amount or 0) - (amount or 0)},
            void_date=void_date, metadata=body.metadata,
        )
        change = ValueChange(row._mapping, None if amount is None else -amount, None if uses is None else -uses)
        return LedgerPlan(tx, [change], allow_remainder=bool(body.allowRemainder))

    return await run(db, codes, account_id, bool(body.simulate), make_plan)


async def transfer(db: Database, codes: CodeCipher, account_id: str, created_by: str, body: Transfer) -> dict[str, Any]:
    currency = body.currency.upper()
    if body.source.rail == "stripe":
        if body.source.forgiveSubMinAmount:
            raise ApiError(422, "The POST body has 1 validation error(s): requestBody.source.forgiveSubMinAmount is not allowed on transfers.")
        raise executor.stripe_not_configured()

    async def make_plan(conn: AsyncConnection, now: datetime) -> LedgerPlan:
        sources = await resolution.load_values(conn, account_id, codes, [_party(body.source)])
        source = resolution.resolve_one(sources, currency, now, "source")
        destinations = await resolution.load_values(conn, account_id, codes, [_party(body.destination)])
        destination = resolution.resolve_one(destinations, currency, now, "destination")
        # A Value without a balance (balance rule) has nothing to give.
        moved = min(body.amount, source.balance or 0)
        tx = skeleton(body.id, "transfer", currency, now, created_by, totals={"remainder": body.amount - moved}, metadata=body.metadata)
        steps = [ValueChange(source._mapping, -moved, None), ValueChange(destination._mapping, moved, None)]
        return LedgerPlan(tx, steps, allow_remainder=bool(body.allowRemainder))

    return await run(db, codes, account_id, bool(body.simulate), make_plan)


def _check_internal_ids(sources: list[dict[str, Any]]) -> None:
    seen: set[str] = set()
    for source in sources:
        if source.get("rail") != "internal":
            continue
        if source["internalId"] in seen:
            raise ApiError(
                409, f"A transaction step with internalId '{source['internalId']}' appears more than once.", "TransactionStepExists",
            )
        seen.add(source["internalId"])


async def checkout(
    db: Database, codes: CodeCipher, account_id: str, created_by: str, body: Checkout, request: dict[str, Any],
) -> dict[str, Any]:
    """`request` is the client's JSON: line items are echoed with every key they were sent with."""
    currency = body.currency.upper()
    sources: list[dict[str, Any]] = request["sources"]
    _check_internal_ids(sources)
    with_stripe = any(s.get("rail") == "stripe" for s in sources)

    async def make_plan(conn: AsyncConnection, now: datetime) -> LedgerPlan:
        void_date = pending_void_date(body.pending, now, with_stripe=with_stripe)
        rows = await resolution.load_values(conn, account_id, codes, sources)
        candidates, to_attach = await resolution.checkout_candidates(conn, account_id, rows, sources)
        by_id = {c["id"]: c for c in candidates}
        planned = plan_checkout(request, [value_repository.to_json(c, codes) for c in candidates], now)
        steps: list[executor.Step] = [
            ValueChange(by_id[s.value_id], s.amount, s.uses) if isinstance(s, LightrailStep) else s.to_json()
            for s in planned.steps
        ]
        tx = skeleton(
            body.id, "checkout", currency, now, created_by, tax=dict(planned.tax), totals=planned.totals_json(),
            line_items=planned.line_items_json(), payment_sources=planned.payment_sources, void_date=void_date,
            metadata=body.metadata,
        )
        return LedgerPlan(tx, steps, allow_remainder=bool(body.allowRemainder), attachments=to_attach)

    return await run(db, codes, account_id, bool(body.simulate), make_plan)


async def _target(conn: AsyncConnection, account_id: str, transaction_id: str) -> Any:
    row = await records.get_row(conn, account_id, transaction_id) if is_system_id(transaction_id) else None
    if row is None:
        raise transaction_not_found(transaction_id)
    return row


async def _refuse_if_followed(conn: AsyncConnection, account_id: str, row: Any) -> None:
    if row.next_transaction_id is None:
        return
    following = await records.get_row(conn, account_id, row.next_transaction_id)
    code, message = _NEXT_CONFLICTS.get(following.transaction_type, _NEXT_CONFLICTS["reverse"])
    raise ApiError(409, message.format(following.id), code)


async def _current_values(conn: AsyncConnection, account_id: str, steps: list[dict[str, Any]]) -> dict[str, Any]:
    ids = sorted({s["valueId"] for s in steps if s["rail"] == "lightrail"})
    if not ids:
        return {}
    query = sa.select(values).where(values.c.account_id == account_id, values.c.id.in_(ids))
    return {row.id: row for row in (await conn.execute(query)).all()}


def _negate(amount: int | None) -> int | None:
    return None if amount is None else -amount


def invert_totals(totals: dict[str, Any] | None) -> dict[str, Any] | None:
    if totals is None:
        return None
    return {k: invert_totals(v) if isinstance(v, dict) else (-v if isinstance(v, (int, float)) and v else v) for k, v in totals.items()}


async def _inverse_steps(
    conn: AsyncConnection, account_id: str, steps: list[dict[str, Any]], *, action: str, allow_frozen: bool,
) -> list[executor.Step]:
    """Steps that undo `steps`; a Value in a state that cannot be changed stops it with a 409."""
    current = await _current_values(conn, account_id, steps)
    for value_id, row in current.items():
        if row.frozen and not allow_frozen:
            raise ApiError(409, f"Cannot {action} Transaction because value '{value_id}' is frozen.", "ValueFrozen")
        if not row.active:
            raise ApiError(409, f"Cannot {action} Transaction because value '{value_id}' is inactive.", "ValueInactive")
    inverse: list[executor.Step] = []
    for step in steps:
        if step["rail"] == "lightrail":
            inverse.append(ValueChange(
                current[step["valueId"]]._mapping, _negate(step["balanceChange"]), _negate(step["usesRemainingChange"]),
                allow_canceled=True, allow_frozen=allow_frozen,
            ))
        elif step["rail"] == "internal":
            inverse.append({
                "rail": "internal", "internalId": step["internalId"], "balanceBefore": step["balanceAfter"],
                "balanceAfter": step["balanceBefore"], "balanceChange": -step["balanceChange"],
            })
        else:
            raise executor.stripe_not_configured()
    return inverse


async def reverse(db: Database, codes: CodeCipher, account_id: str, created_by: str, target_id: str, body: FollowUp) -> dict[str, Any]:
    async def make_plan(conn: AsyncConnection, now: datetime) -> LedgerPlan:
        target = await _target(conn, account_id, target_id)
        if target.pending_void_date is not None:
            raise ApiError(409, "Cannot reverse a pending transaction.", "TransactionPending")
        if target.transaction_type in ("reverse", "void"):
            raise ApiError(409, f"Cannot reverse a {target.transaction_type} transaction.", "TransactionNotReversible")
        await _refuse_if_followed(conn, account_id, target)
        # A capture is undone by undoing the pending transaction it captured.
        inverted = target if target.transaction_type != "capture" else await records.get_row(conn, account_id, target.root_transaction_id)
        steps = (await records.load_steps(conn, account_id, [inverted.id]))[inverted.id]
        inverse = await _inverse_steps(conn, account_id, steps, action="reverse", allow_frozen=False)
        tx = skeleton(
            body.id, "reverse", inverted.currency, now, created_by, tax=inverted.tax, totals=invert_totals(inverted.totals),
            metadata=body.metadata,
        )
        return LedgerPlan(tx, inverse, allow_remainder=True, previous_id=target.id, root_id=inverted.root_transaction_id)

    return await run(db, codes, account_id, bool(body.simulate), make_plan, follow_up=True)


async def _pending_target(conn: AsyncConnection, account_id: str, target_id: str, action: str) -> Any:
    target = await _target(conn, account_id, target_id)
    if target.pending_void_date is None:
        raise ApiError(409, f"Cannot {action} a Transaction that is not pending.", "TransactionNotPending")
    await _refuse_if_followed(conn, account_id, target)
    return target


async def void(
    db: Database, codes: CodeCipher, account_id: str, created_by: str, target_id: str, body: FollowUp,
) -> dict[str, Any]:
    async def make_plan(conn: AsyncConnection, now: datetime) -> LedgerPlan:
        target = await _pending_target(conn, account_id, target_id, "void")
        steps = (await records.load_steps(conn, account_id, [target.id]))[target.id]
        # Held funds go back even to frozen or canceled Values.
        inverse = await _inverse_steps(conn, account_id, steps, action="void", allow_frozen=True)
        tx = skeleton(
            body.id, "void", target.currency, now, created_by, tax=target.tax, totals=invert_totals(target.totals),
            metadata=body.metadata,
        )
        return LedgerPlan(tx, inverse, allow_remainder=True, previous_id=target.id, root_id=target.root_transaction_id)

    return await run(db, codes, account_id, bool(body.simulate), make_plan, follow_up=True)


async def capture(
    db: Database, codes: CodeCipher, account_id: str, created_by: str, target_id: str, body: FollowUp,
) -> dict[str, Any]:
    async def make_plan(conn: AsyncConnection, now: datetime) -> LedgerPlan:
        target = await _pending_target(conn, account_id, target_id, "capture")
        if target.pending_void_date < now:
            raise ApiError(
                409, "Cannot capture Transaction because it has passed the pendingVoidDate.  It is in the process of being automatically voided.",
                "TransactionVoiding",
            )
        steps = (await records.load_steps(conn, account_id, [target.id]))[target.id]
        for value_id, row in (await _current_values(conn, account_id, steps)).items():
            if row.frozen:
                raise ApiError(409, f"Cannot capture Transaction because value '{value_id}' is frozen.", "ValueFrozen")
        if any(s["rail"] == "stripe" for s in steps):
            raise executor.stripe_not_configured()
        tx = skeleton(body.id, "capture", target.currency, now, created_by, tax=target.tax, metadata=body.metadata)
        return LedgerPlan(tx, [], allow_remainder=False, previous_id=target.id, root_id=target.root_transaction_id)

    return await run(db, codes, account_id, bool(body.simulate), make_plan, follow_up=True)


async def get_transaction(db: Database, account_id: str, transaction_id: str) -> dict[str, Any]:
    if not is_system_id(transaction_id):
        raise transaction_not_found(transaction_id)
    async with db.read() as conn:
        found = await records.get_transaction(conn, account_id, transaction_id)
    if found is None:
        raise transaction_not_found(transaction_id)
    return found


_FILTERS = {
    "id": FilterField(transactions.c.id, ops=ID_OPS, system_id=True),
    "transactionType": FilterField(transactions.c.transaction_type, ops=ID_OPS),
    "createdDate": FilterField(transactions.c.created_date, kind="date", ops=CREATED_OPS),
    "currency": FilterField(transactions.c.currency, ops=ID_OPS),
    "rootTransactionId": FilterField(transactions.c.root_transaction_id, ops=ID_OPS, system_id=True),
}


def _step_condition(account_id: str, column: sa.ColumnElement[Any], wanted: str) -> sa.ColumnElement[bool]:
    """Transactions with a lightrail step on the Value (or Contact); ids that could not exist match nothing."""
    if not is_system_id(wanted):
        raise EmptyResult()
    holders = sa.select(lightrail_steps.c.transaction_id).where(lightrail_steps.c.account_id == account_id, column == wanted)
    return transactions.c.id.in_(holders)


def _list_query(account_id: str, params: list[tuple[str, str]]) -> sa.Select:
    conditions = filter_conditions(params, _FILTERS)
    query_values = dict(params)
    if "valueId" in query_values:
        conditions.append(_step_condition(account_id, lightrail_steps.c.value_id, query_values["valueId"]))
    if "contactId" in query_values:
        conditions.append(_step_condition(account_id, lightrail_steps.c.contact_id, query_values["contactId"]))
    return sa.select(transactions).where(transactions.c.account_id == account_id, *conditions)


async def list_transactions(db: Database, account_id: str, params: list[tuple[str, str]], page: PageRequest) -> tuple[list[dict[str, Any]], Page]:
    try:
        query = _list_query(account_id, params)
    except EmptyResult:
        return [], Page([], page, None, None)
    async with db.read() as conn:
        result = await fetch_page(conn, query, transactions.c.created_date, transactions.c.id, page)
        return await records.render_rows(conn, account_id, result.rows), result


async def chain(db: Database, account_id: str, transaction_id: str, params: list[tuple[str, str]], page: PageRequest) -> list[dict[str, Any]]:
    """Every transaction sharing the root of this one, oldest first (a chain is a handful of transactions)."""
    async with db.read() as conn:
        target = await _target(conn, account_id, transaction_id)
        try:
            query = _list_query(account_id, params)
        except EmptyResult:
            return []
        query = query.where(transactions.c.root_transaction_id == target.root_transaction_id)
        rows = (await conn.execute(query.order_by(transactions.c.created_date, transactions.c.id).limit(page.limit))).all()
        return await records.render_rows(conn, account_id, list(rows))
