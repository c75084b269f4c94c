"""Applying a planned transaction to the ledger atomically (transactions.md §3, §10).

Each Value changes through one guarded UPDATE whose WHERE clause re-checks, on the row as it is now,
everything the plan assumed (state, enough balance and uses, no overflow). When a guard fails the
plan was made on stale data: the caller's unit of work rolls back and the request is planned again.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from datetime import datetime
from typing import Any, Union

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from lightrail.db.engine import SqliteWriter
from lightrail.db.prepared import Prepared
from lightrail.events.outbox import Event, event_rows, updated_event, written
from lightrail.http.errors import ApiError
from lightrail.http.validation import MAX_INT
from lightrail.metrics import count_committed_events
from lightrail.transactions import records
from lightrail.transactions.group_commit import GroupCommit
from lightrail.transactions.tables import transactions
from lightrail.values import repository as value_repository
from lightrail.values.codes import ELLIPSIS, CodeCipher
from lightrail.values.contact_values import attach_generic
from lightrail.values.tables import values


class Replan(Exception):
    """The ledger moved since the plan was made (a guard matched no row): plan again from fresh data."""


@dataclass
class ValueChange:
    """A lightrail step: `amount` and `uses` added to the Value (either may be None: not touched)."""

    value: Mapping[str, Any]  # the Value row (column names) the plan was made against
    amount: int | None
    uses: int | None
    allow_canceled: bool = False
    allow_frozen: bool = False

    @property
    def value_id(self) -> str:
        return self.value["id"]

    @property
    def moves_balance(self) -> bool:
        return self.value["balance"] is not None and bool(self.amount)

    @property
    def moves_uses(self) -> bool:
        return self.value["uses_remaining"] is not None and bool(self.uses)


Step = Union[ValueChange, dict]


@dataclass
class LedgerPlan:
    """One transaction to write: its API fields (without steps) and its steps in application order."""

    transaction: dict[str, Any]
    steps: list[Step]
    allow_remainder: bool
    previous_id: str | None = None
    root_id: str | None = None
    # Per-contact copies of generic codes to create before the steps run: copy id → (generic row, contact id).
    attachments: dict[str, tuple[Any, str]] = field(default_factory=dict)

    @property
    def value_changes(self) -> list[ValueChange]:
        return [s for s in self.steps if isinstance(s, ValueChange)]


def step_code(value: Mapping[str, Any]) -> str | None:
    last_four = value["code_last_four"]
    return None if last_four is None else ELLIPSIS + last_four


def lightrail_step(change: ValueChange, balance: int | None, uses_remaining: int | None) -> dict[str, Any]:
    """The step as shown, from the Value's balance and uses before the change (§1.4)."""
    amount, uses, v = change.amount, change.uses, change.value
    return {
        "rail": "lightrail",
        "valueId": v["id"],
        "contactId": v["contact_id"],
        "code": step_code(v),
        "balanceRule": v["balance_rule"] if amount is not None else None,
        "balanceBefore": balance,
        "balanceAfter": None if balance is None else balance + (amount or 0),
        "balanceChange": (amount or 0) if balance is not None or amount is not None else None,
        "usesRemainingBefore": uses_remaining,
        "usesRemainingAfter": None if uses_remaining is None else uses_remaining + (uses or 0),
        "usesRemainingChange": (uses or 0) if uses_remaining is not None or uses is not None else None,
    }


def planned_step(step: Step) -> dict[str, Any]:
    if isinstance(step, ValueChange):
        return lightrail_step(step, step.value["balance"], step.value["uses_remaining"])
    return step


def insufficient_balance(message: str = "Insufficient balance for the transaction.") -> ApiError:
    return ApiError(409, message, "InsufficientBalance")


def insufficient_uses(message: str = "Insufficient usesRemaining for the transaction.") -> ApiError:
    return ApiError(409, message, "InsufficientUsesRemaining")


def validate(plan: LedgerPlan) -> None:
    """What the original checks on every plan, simulated or not (§3 step 2.1)."""
    totals = plan.transaction.get("totals") or {}
    if totals.get("remainder") and not plan.allow_remainder:
        raise insufficient_balance()
    sums: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    rows: dict[str, Mapping[str, Any]] = {}
    for change in plan.value_changes:
        v = change.value
        if v["balance"] is not None and v["balance"] + (change.amount or 0) < 0:
            raise insufficient_balance()
        if v["uses_remaining"] is not None and v["uses_remaining"] + (change.uses or 0) < 0:
            raise insufficient_uses()
        sums[change.value_id][0] += change.amount or 0
        sums[change.value_id][1] += change.uses or 0
        rows[change.value_id] = v
    for value_id, (amount, uses) in sums.items():
        v = rows[value_id]
        if v["balance"] is not None:
            if v["balance"] + amount < 0:
                raise insufficient_balance(
                    f"The Value with id '{value_id}' cannot be used in this transaction because it has insufficient balance."
                )
            if v["balance"] + amount > MAX_INT:
                raise ApiError(409, f"The Value with id '{value_id}' would have a balance greater than {MAX_INT}.", "ValueBalanceTooLarge")
        if v["uses_remaining"] is not None:
            if v["uses_remaining"] + uses < 0:
                raise insufficient_uses(
                    f"The Value with id '{value_id}' cannot be used in this transaction because it has insufficient usesRemaining."
                )
            if v["uses_remaining"] + uses > MAX_INT:
                raise ApiError(
                    409, f"The Value with id '{value_id}' would have usesRemaining greater than {MAX_INT}.", "ValueUsesRemainingTooLarge",
                )


def simulated(plan: LedgerPlan) -> dict[str, Any]:
    body = _with_steps(plan.transaction, [planned_step(s) for s in plan.steps])
    return _mark_simulated(body)


def _with_steps(transaction: dict[str, Any], steps: list[dict[str, Any]]) -> dict[str, Any]:
    """The API key order: steps after lineItems."""
    body: dict[str, Any] = {}
    for key, item in transaction.items():
        body[key] = item
        if key == "lineItems":
            body["steps"] = steps
    return body


def _mark_simulated(body: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, item in body.items():
        if key == "pending":
            out["simulated"] = True
        out[key] = item
    return out


def stripe_not_configured() -> ApiError:
    return ApiError(
        422, "The Stripe rail is not configured on this server: transactions that charge or refund Stripe cannot be made.",
        "StripeNotConfigured",
    )


# The guarded statements are built once per shape and reused with bound parameters: checkout is the
# hot path, and building and hashing a fresh statement per step cost more than running it.
@cache
def _state_guard(allow_canceled: bool, allow_frozen: bool) -> tuple[sa.ColumnElement[bool], ...]:
    c = values.c
    # Bound names differ from the column names, which UPDATE reserves for its SET clause.
    where = [c.account_id == sa.bindparam("guard_account"), c.id == sa.bindparam("guard_value"), c.active.is_(True)]
    if not allow_canceled:
        where.append(c.canceled.is_(False))
    if not allow_frozen:
        where.append(c.frozen.is_(False))
    return tuple(where)


@cache
def _guarded_update(allow_canceled: bool, allow_frozen: bool, balance: int, uses: int) -> Prepared:
    """`balance` and `uses` give each column's direction: -1 takes, +1 adds, 0 leaves it alone."""
    c = values.c
    where = list(_state_guard(allow_canceled, allow_frozen))
    sets: dict[str, Any] = {"updated_date": sa.bindparam("guard_now", type_=c.updated_date.type), "version": c.version + 1}
    for direction, column, name in ((balance, c.balance, "amount"), (uses, c.uses_remaining, "uses")):
        if not direction:
            continue
        delta = sa.bindparam(f"guard_{name}", type_=sa.Integer)
        sets[column.key] = column + delta
        where.append(column >= -delta if direction < 0 else column <= MAX_INT - delta)
    return Prepared(sa.update(values).where(*where).values(**sets).returning(*values.c))


def _guard_statement(change: ValueChange) -> Prepared:
    def direction(moves: bool, delta: int | None) -> int:
        return 0 if not moves else (-1 if delta < 0 else 1)

    balance = direction(change.moves_balance, change.amount)
    uses = direction(change.moves_uses, change.uses)
    return _guarded_update(change.allow_canceled, change.allow_frozen, balance, uses)


async def _write(conn: AsyncConnection, account_id: str, plan: LedgerPlan, transaction: dict[str, Any], events: list[Event]) -> None:
    """The transaction, its steps and its events, written last: one round trip on PostgreSQL."""
    rows = event_rows(events)
    try:
        inserted = await records.write_transaction(conn, account_id, transaction, plan.root_id, rows)
    except IntegrityError:
        raise ApiError(
            409, f"A Lightrail transaction with transactionId '{transaction['id']}' already exists.", "TransactionExists",
        ) from None
    if not inserted:
        raise ApiError(
            409, f"Currency '{transaction['currency']}' does not exist. See the documentation on creating currencies.", "CurrencyNotFound",
        )
    written(conn, rows)


async def _link_previous(conn: AsyncConnection, account_id: str, plan: LedgerPlan) -> None:
    """At most one reverse, capture or void follows a transaction: the first to set the link wins."""
    if plan.previous_id is None:
        return
    t = transactions.c
    result = await conn.execute(
        sa.update(transactions)
        .where(t.account_id == account_id, t.id == plan.previous_id, t.next_transaction_id.is_(None))
        .values(next_transaction_id=plan.transaction["id"])
    )
    if result.rowcount != 1:
        raise Replan()


async def _attach_copies(conn: AsyncConnection, codes: CodeCipher, account_id: str, plan: LedgerPlan, now: datetime) -> None:
    used = {change.value_id for change in plan.value_changes}
    for copy_id, (generic, contact_id) in plan.attachments.items():
        if copy_id not in used:
            continue
        locked = await value_repository.get(conn, account_id, generic.id, for_update=True)
        try:
            await attach_generic(conn, codes, account_id, locked, contact_id, plan.transaction["createdBy"], now)
        except IntegrityError:
            # A concurrent checkout attached the same copy first: planning again finds and uses it.
            raise Replan() from None


async def execute(conn: AsyncConnection, account_id: str, plan: LedgerPlan, codes: CodeCipher, now: datetime) -> dict[str, Any]:
    """Writes the plan in the caller's unit of work; returns the transaction as POST answers it."""
    validate(plan)
    if _charges_stripe(plan):
        raise stripe_not_configured()
    await _link_previous(conn, account_id, plan)
    await _attach_copies(conn, codes, account_id, plan, now)

    # Values are updated in id order so concurrent transactions lock rows in the same order.
    order = sorted(range(len(plan.steps)), key=lambda i: (isinstance(plan.steps[i], dict), _value_id(plan.steps[i]), i))
    rendered: list[dict[str, Any] | None] = [None] * len(plan.steps)
    before: dict[str, tuple[Any, int, int]] = {}
    after: dict[str, Any] = {}
    for index in order:
        step = plan.steps[index]
        if not isinstance(step, ValueChange):
            rendered[index] = step
            continue
        if not (step.moves_balance or step.moves_uses):
            # A percent-off promotion: priced from the Value as this transaction read it, usable, and not
            # rewritten, so a popular promotion is not a row every checkout queues on (the original bumped
            # its updatedDate on every use, serialising them all).
            rendered[index] = planned_step(step)
            continue
        params = {
            "guard_account": account_id, "guard_value": step.value_id, "guard_now": now,
            "guard_amount": step.amount, "guard_uses": step.uses,
        }
        row = await _guard_statement(step).first(conn, params)
        if row is None:
            raise Replan()
        balance = None if row.balance is None else row.balance - (step.amount if step.moves_balance else 0)
        uses = None if row.uses_remaining is None else row.uses_remaining - (step.uses if step.moves_uses else 0)
        rendered[index] = lightrail_step(step, balance, uses)
        before.setdefault(step.value_id, (step.value, balance, uses))
        after[step.value_id] = row
    steps = [s for s in rendered if s is not None]
    transaction = _with_steps(plan.transaction, steps)
    await _write(conn, account_id, plan, transaction, _events(account_id, transaction, codes, before, after, now))
    return transaction


def applies_at_once(plan: LedgerPlan) -> bool:
    """Whether the plan can be written by `execute_at_once`: nothing to link or attach first, no Stripe."""
    return plan.previous_id is None and not plan.attachments and not _charges_stripe(plan)


def _charges_stripe(plan: LedgerPlan) -> bool:
    return any(isinstance(s, dict) and s["rail"] == "stripe" for s in plan.steps)


async def execute_at_once(
    conn: AsyncConnection | SqliteWriter | GroupCommit, account_id: str, plan: LedgerPlan, codes: CodeCipher, now: datetime,
) -> dict[str, Any] | None:
    """The plan made from rows read outside any transaction: writes it at once (`records.write_with_moves`),
    applied only if every Value it moves is still the row the plan read. Returns the transaction as POST
    answers it, or None, with nothing written, when anything moved (or the id or the currency is in
    question): the caller then goes the locking way of `execute`, which also names the error. On SQLite
    `conn` is the process's writer, which the caller holds (`Database.writer()`); on PostgreSQL a
    connection, or the database's `GroupCommit`, which writes it together with others of the account.

    Two round trips (read, write) instead of five on PostgreSQL, two thread hops instead of eight on
    SQLite, and no row is locked, nor SQLite's writer lock held, while the plan is made.
    """
    validate(plan)
    rendered: list[dict[str, Any]] = []
    before: dict[str, tuple[Any, int, int]] = {}
    after: dict[str, Any] = {}
    moves: dict[str, list[Any]] = {}
    for step in plan.steps:
        if not isinstance(step, ValueChange) or not (step.moves_balance or step.moves_uses):
            rendered.append(planned_step(step))
            continue
        # Several steps on one Value: each starts where the previous left it.
        row = after.get(step.value_id, step.value)
        amount = step.amount if step.moves_balance else 0
        uses = step.uses if step.moves_uses else 0
        rendered.append(lightrail_step(step, row["balance"], row["uses_remaining"]))
        before.setdefault(step.value_id, (step.value, step.value["balance"], step.value["uses_remaining"]))
        after[step.value_id] = {
            **row, "updated_date": now, "version": step.value["version"] + 1,
            "balance": None if row["balance"] is None else row["balance"] + amount,
            "uses_remaining": None if row["uses_remaining"] is None else row["uses_remaining"] + uses,
        }
        move = moves.setdefault(step.value_id, [step.value_id, step.value["version"], 0, 0])
        move[2] += amount
        move[3] += uses
    if not moves:
        return None
    transaction = _with_steps(plan.transaction, rendered)
    rows = event_rows(_events(account_id, transaction, codes, before, after, now))
    try:
        write = records.Write(transaction, rows, [tuple(m) for m in moves.values()], now)
        if isinstance(conn, GroupCommit):
            written = await conn.write(account_id, write)
        else:
            written = await records.write_with_moves(conn, account_id, write)
        if not written:
            return None
    except IntegrityError:
        return None
    count_committed_events(rows)
    return transaction


def _value_id(step: Step) -> str:
    return step.value_id if isinstance(step, ValueChange) else ""


def get_shape(transaction: dict[str, Any]) -> dict[str, Any]:
    """What GET returns for a transaction just written: steps by rail, nothing simulated."""
    return {**transaction, "steps": records.in_get_order(transaction["steps"])}


def _events(
    account_id: str, transaction: dict[str, Any], codes: CodeCipher,
    before: dict[str, tuple[Any, int, int]], after: dict[str, Any], now: datetime,
) -> list[Event]:
    events = [(account_id, "lightrail.transaction.created", transaction["id"], now, now, {"newTransaction": get_shape(transaction)})]
    for value_id, new in after.items():
        planned, balance, uses = before[value_id]
        old = {**planned, "balance": balance, "uses_remaining": uses}
        events.append(updated_event(account_id, "value", value_id, now, value_repository.to_json(old, codes), value_repository.to_json(new, codes)))
    return events
