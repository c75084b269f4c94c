"""Transaction rows and their steps: writing them, and reading them back in the API shape (transactions.md §1)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.exc import DataError
from sqlalchemy.ext.asyncio import AsyncConnection

from lightrail.currencies.tables import currencies
from lightrail.db.bulk import BulkInsert, array_binds, cast, unnest_insert
from lightrail.db.clock import iso
from lightrail.db.engine import SqliteWriter
from lightrail.db.metadata import supplied_columns
from lightrail.db.prepared import Prepared, write_at_once
from lightrail.events import outbox
from lightrail.events.tables import events
from lightrail.http.validation import MAX_INT
from lightrail.transactions.tables import internal_steps, lightrail_steps, stripe_steps, transactions
from lightrail.values.tables import values

RAIL_ORDER = ("lightrail", "stripe", "internal")


def _date(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text.replace("Z", "+00:00"))


def transaction_row(account_id: str, transaction: Mapping[str, Any], root_transaction_id: str | None = None) -> dict[str, Any]:
    return {
        "account_id": account_id,
        "id": transaction["id"],
        "transaction_type": transaction["transactionType"],
        "currency": transaction["currency"],
        "totals": transaction.get("totals"),
        "line_items": transaction.get("lineItems"),
        "payment_sources": transaction.get("paymentSources"),
        "tax": transaction.get("tax"),
        "metadata": transaction.get("metadata"),
        "pending": bool(transaction.get("pending")),
        "pending_void_date": _date(transaction.get("pendingVoidDate")),
        "root_transaction_id": root_transaction_id or transaction["id"],
        "next_transaction_id": None,
        "created_date": _date(transaction["createdDate"]),
        "created_by": transaction["createdBy"],
    }


def step_rows(account_id: str, transaction_id: str, steps: Iterable[Mapping[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """The step rows per rail; `step_index` is the position in the transaction so each rail keeps its order."""
    rows: dict[str, list[dict[str, Any]]] = {rail: [] for rail in RAIL_ORDER}
    for index, step in enumerate(steps):
        key = {"account_id": account_id, "transaction_id": transaction_id, "step_index": index}
        if step["rail"] == "lightrail":
            rows["lightrail"].append({
                **key,
                "value_id": step["valueId"],
                "contact_id": step.get("contactId"),
                "code": step.get("code"),
                "balance_before": step.get("balanceBefore"),
                "balance_after": step.get("balanceAfter"),
                "balance_change": step.get("balanceChange"),
                "uses_remaining_before": step.get("usesRemainingBefore"),
                "uses_remaining_after": step.get("usesRemainingAfter"),
                "uses_remaining_change": step.get("usesRemainingChange"),
                "balance_rule": step.get("balanceRule"),
            })
        elif step["rail"] == "internal":
            rows["internal"].append({
                **key,
                "internal_id": step["internalId"],
                "balance_before": step["balanceBefore"],
                "balance_after": step["balanceAfter"],
                "balance_change": step["balanceChange"],
            })
        else:
            rows["stripe"].append({
                **key, "charge_id": step.get("chargeId"), "amount": step["amount"], "charge": step.get("charge"),
            })
    return rows


_STEP_TABLES = {"lightrail": lightrail_steps, "stripe": stripe_steps, "internal": internal_steps}


_CURRENCY_KNOWN = sa.exists().where(
    currencies.c.account_id == sa.bindparam("currency_account"), currencies.c.code == sa.bindparam("currency_code"),
)


# The tables the one-statement write fills from arrays, each with its columns but the account (bound
# once) and the name of each column's array parameter.
_ARRAY_TABLES = {"transactions": transactions, **_STEP_TABLES, "events": events}
# Every column of a transaction is written, `pending` included although it has a server default
# (here and by `INSERT_TRANSACTIONS`).
_WRITTEN = {prefix: list(table.c) if table is transactions else supplied_columns(table) for prefix, table in _ARRAY_TABLES.items()}
_ARRAY_COLUMNS = {
    prefix: tuple((f"{prefix}_{column.key}", column) for column in columns if column.key != "account_id")
    for prefix, columns in _WRITTEN.items()
}


@dataclass(frozen=True)
class Write:
    """One transaction for the one-statement write: its row (API shape, with its steps), its events and,
    written at once, the Values' changes (id, version read, amount, uses) made at `now`."""

    transaction: Mapping[str, Any]
    event_rows: list[dict[str, Any]]
    moves: Sequence[tuple[str, int, int, int]] = ()
    now: datetime | None = None
    root_transaction_id: str | None = None


def _row_binds() -> list[sa.BindParameter]:
    """The transaction row's columns as parameters named after them."""
    return [sa.bindparam(column.key, type_=column.type) for column in transactions.c]


def _unnest_insert(prefix: str) -> tuple[str, list[sa.BindParameter]]:
    """INSERT of any number of rows, one array per column: transactions only in a currency the account
    has, the rest only if the transactions went in."""
    table = _ARRAY_TABLES[prefix]
    arrays = array_binds((column for _, column in _ARRAY_COLUMNS[prefix]), prefix=f"{prefix}_")
    sql = unnest_insert(table, _WRITTEN[prefix], arrays, fixed={"account_id": ":account_id"})
    if prefix == "transactions":
        return f"{sql} WHERE EXISTS (SELECT FROM currencies WHERE account_id = :account_id AND code = u.currency) RETURNING 1", arrays
    return f"{sql} WHERE EXISTS (SELECT FROM tx)", arrays


def _moves() -> tuple[str, list[sa.BindParameter]]:
    """The Values' changes, applied only to rows still at the version the plan read (any update bumps
    it), and never past the ledger's bounds."""
    c = values.c
    arrays = [
        sa.bindparam("moved_id", type_=ARRAY(c.id.type)),
        sa.bindparam("moved_version", type_=ARRAY(c.version.type)),
        sa.bindparam("moved_amount", type_=ARRAY(c.balance.type)),
        sa.bindparam("moved_uses", type_=ARRAY(c.uses_remaining.type)),
        sa.bindparam("moved_at", type_=ARRAY(c.updated_date.type)),
    ]
    in_bounds = " AND ".join(
        f"(v.{column} IS NULL OR v.{column} + m.{delta} BETWEEN 0 AND {MAX_INT})"
        for column, delta in (("balance", "amount"), ("uses_remaining", "uses"))
    )
    sql = (
        'moved AS (UPDATE "values" AS v SET balance = v.balance + m.amount, uses_remaining = v.uses_remaining + m.uses, '
        "updated_date = m.at, version = v.version + 1 "
        f"FROM unnest({', '.join(cast(bind, array=True) for bind in arrays)}) AS m(id, version, amount, uses, at) "
        # The id list is repeated as `= ANY` so that the plan reaches the rows by primary key instead of
        # joining the unnest against a scan of the account's Values.
        f"WHERE v.account_id = :account_id AND v.id = ANY({cast(arrays[0], array=True)}) AND v.id = m.id "
        f"AND v.version = m.version AND {in_bounds} RETURNING 1)"
    )
    return sql, [*arrays, sa.bindparam("moved_count", type_=sa.Integer())]


@cache
def _write_in_one_statement(tables: tuple[str, ...], moves: bool = False) -> Prepared:
    """PostgreSQL: transactions of one account, their steps and their events in one round trip
    (data-modifying CTEs).

    `tables` names the tables that have rows to insert: a table the statement names costs PostgreSQL
    its relation, indexes and constraints at every execution, rows or none. With `moves`, the statement
    also applies the Values' changes and stands alone: unless every change applied and every
    transaction went in, it fails on a division by zero and nothing of it is kept.
    """
    parts, binds = [], [sa.bindparam("account_id", type_=sa.String())]
    for prefix in tables:
        sql, arrays = _unnest_insert(prefix)
        parts.append(f"{'tx' if prefix == 'transactions' else prefix} AS ({sql})")
        binds += arrays
    result = "count(*) AS inserted FROM tx"
    if moves:
        sql, moved = _moves()
        parts.insert(0, sql)
        binds += [*moved, sa.bindparam("written_count", type_=sa.Integer())]
        result = (f"count(*) AS inserted, 1 / ((SELECT count(*) FROM moved) = {cast(moved[-1])} "
                  f"AND count(*) = {cast(binds[-1])})::int FROM tx")
    text = f"WITH {', '.join(parts)} SELECT {result}"
    return Prepared(sa.text(text).bindparams(*binds).columns(inserted=sa.Integer))


def _insert_if_currency_exists() -> Prepared:
    row = sa.select(*_row_binds()).where(_CURRENCY_KNOWN)
    return Prepared(sa.insert(transactions).from_select(list(transactions.c), row).returning(transactions.c.id))


_INSERT_TRANSACTION = _insert_if_currency_exists()
INSERT_STEPS = {rail: BulkInsert(table) for rail, table in _STEP_TABLES.items()}
INSERT_TRANSACTIONS = BulkInsert(transactions, _WRITTEN["transactions"])


async def write_transaction(
    conn: AsyncConnection, account_id: str, transaction: Mapping[str, Any], root_transaction_id: str | None,
    event_rows: list[dict[str, Any]],
) -> bool:
    """Writes the transaction (API shape, with its steps) and its events; False, and nothing written, when
    its currency does not exist. An id clash raises IntegrityError."""
    if conn.dialect.name == "postgresql":
        tables, params = _arrays(account_id, [Write(transaction, event_rows, root_transaction_id=root_transaction_id)])
        return (await _write_in_one_statement(tables).first(conn, params)).inserted == 1
    if await _INSERT_TRANSACTION.first(conn, _write_params(account_id, transaction, root_transaction_id)) is None:
        return False
    for rail, rows in step_rows(account_id, transaction["id"], transaction["steps"]).items():
        await INSERT_STEPS[rail].execute(conn, rows)
    await outbox.insert_rows(conn, event_rows)
    return True


async def write_with_moves(conn: AsyncConnection | SqliteWriter, account_id: str, write: Write) -> bool:
    """Outside any transaction: the Values' changes and the transaction with its steps and events,
    applied entirely or not at all; False, with nothing written, when a Value moved since it was read
    or the currency is gone. Raises IntegrityError on an id clash.

    PostgreSQL takes it as one statement on `conn`; SQLite as one unit of work in one hop to the thread
    of the process's writer, which the caller holds (`Database.writer()`)."""
    if not isinstance(conn, SqliteWriter):
        return await write_all_with_moves(conn, account_id, [write])
    transaction = write.transaction
    return await write_at_once(conn, [
        *((_MOVE, [_move_params(account_id, move, write.now)], True) for move in write.moves),
        (_INSERT_TRANSACTION, [_write_params(account_id, transaction, None)], True),
        *((INSERT_STEPS[rail].each_row, rows, False) for rail, rows in step_rows(account_id, transaction["id"], transaction["steps"]).items() if rows),
        (outbox.INSERT.each_row, write.event_rows, False),
    ])


async def write_all_with_moves(conn: AsyncConnection, account_id: str, writes: Sequence[Write]) -> bool:
    """PostgreSQL, outside any transaction: several writes at once of one account in one statement,
    all applied or none (False, nothing written, when any of them would not apply on its own; an id
    clash raises IntegrityError). No two may move the same Value."""
    tables, params = _arrays(account_id, writes)
    moves = [(*move, write.now) for write in writes for move in write.moves]
    ids, versions, amounts, uses, moved_at = (list(column) for column in zip(*moves))
    params.update(moved_id=ids, moved_version=versions, moved_amount=amounts, moved_uses=uses, moved_at=moved_at,
                  moved_count=len(moves), written_count=len(writes))
    try:
        await _write_in_one_statement(tables, moves=True).first(conn, params)
    except DataError:  # the division by zero of a change that did not apply
        return False
    return True


def _moved_one() -> Prepared:
    """One Value's change, applied only to the row still at the version the plan read, within bounds."""
    c = values.c
    amount, uses = sa.bindparam("moved_amount", type_=sa.Integer), sa.bindparam("moved_uses", type_=sa.Integer)
    return Prepared(
        sa.update(values).where(
            c.account_id == sa.bindparam("moved_account"), c.id == sa.bindparam("moved_id"),
            c.version == sa.bindparam("moved_version"),
            sa.or_(c.balance.is_(None), (c.balance + amount).between(0, MAX_INT)),
            sa.or_(c.uses_remaining.is_(None), (c.uses_remaining + uses).between(0, MAX_INT)),
        ).values(
            balance=c.balance + amount, uses_remaining=c.uses_remaining + uses,
            updated_date=sa.bindparam("moved_at", type_=c.updated_date.type), version=c.version + 1,
        )
    )


_MOVE = _moved_one()


def _move_params(account_id: str, move: tuple[str, int, int, int], now: datetime) -> dict[str, Any]:
    value_id, version, amount, uses = move
    return {"moved_account": account_id, "moved_id": value_id, "moved_version": version, "moved_amount": amount,
            "moved_uses": uses, "moved_at": now}


def _write_params(account_id: str, transaction: Mapping[str, Any], root_transaction_id: str | None) -> dict[str, Any]:
    row = transaction_row(account_id, transaction, root_transaction_id)
    return {**row, "currency_account": account_id, "currency_code": row["currency"]}


def _arrays(account_id: str, writes: Sequence[Write]) -> tuple[tuple[str, ...], dict[str, Any]]:
    """The rows of the writes as one array per column, for the unnest INSERTs of the one-statement write,
    and the tables that have rows."""
    rows: dict[str, list[dict[str, Any]]] = {prefix: [] for prefix in _ARRAY_TABLES}
    for write in writes:
        transaction = write.transaction
        rows["transactions"].append(transaction_row(account_id, transaction, write.root_transaction_id))
        for rail, steps in step_rows(account_id, transaction["id"], transaction["steps"]).items():
            rows[rail] += steps
        rows["events"] += write.event_rows
    tables = tuple(prefix for prefix in _ARRAY_TABLES if rows[prefix])
    params: dict[str, Any] = {"account_id": account_id}
    for prefix in tables:
        params.update({name: [row[column.key] for row in rows[prefix]] for name, column in _ARRAY_COLUMNS[prefix]})
    return tables, params


def _lightrail_step(m: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "rail": "lightrail",
        "valueId": m["value_id"],
        "contactId": m["contact_id"],
        "code": m["code"],
        "balanceRule": m["balance_rule"],
        "balanceBefore": m["balance_before"],
        "balanceAfter": m["balance_after"],
        "balanceChange": m["balance_change"],
        "usesRemainingBefore": m["uses_remaining_before"],
        "usesRemainingAfter": m["uses_remaining_after"],
        "usesRemainingChange": m["uses_remaining_change"],
    }


def _stripe_step(m: Mapping[str, Any]) -> dict[str, Any]:
    return {"rail": "stripe", "chargeId": m["charge_id"], "charge": m["charge"], "amount": m["amount"]}


def _internal_step(m: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "rail": "internal",
        "internalId": m["internal_id"],
        "balanceBefore": m["balance_before"],
        "balanceAfter": m["balance_after"],
        "balanceChange": m["balance_change"],
    }


_RENDER = {"lightrail": _lightrail_step, "stripe": _stripe_step, "internal": _internal_step}


def in_get_order(steps: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Lightrail steps, then stripe, then internal, each keeping its order: how GET lists them."""
    steps = list(steps)
    return [dict(s) for rail in RAIL_ORDER for s in steps if s["rail"] == rail]


def transaction_to_json(row: Any, steps: list[dict[str, Any]]) -> dict[str, Any]:
    """The transaction as GET returns it; `steps` already rendered, in GET order."""
    m = row._mapping if hasattr(row, "_mapping") else row
    body: dict[str, Any] = {
        "id": m["id"],
        "transactionType": m["transaction_type"],
        "currency": m["currency"],
        "createdDate": iso(m["created_date"]),
        "tax": m["tax"],
        "totals": m["totals"],
        "lineItems": m["line_items"],
        "steps": steps,
        "paymentSources": m["payment_sources"],
        "pending": bool(m["pending"]),
    }
    if m["pending_void_date"] is not None:
        body["pendingVoidDate"] = iso(m["pending_void_date"])
    body["metadata"] = m["metadata"]
    body["createdBy"] = m["created_by"]
    return body


async def load_steps(conn: AsyncConnection, account_id: str, transaction_ids: list[str]) -> dict[str, list[dict[str, Any]]]:
    """Rendered steps in GET order for each of the transactions, three queries whatever their number."""
    found: dict[str, list[dict[str, Any]]] = {tid: [] for tid in transaction_ids}
    if not transaction_ids:
        return found
    for rail in RAIL_ORDER:
        table = _STEP_TABLES[rail]
        query = (
            sa.select(table)
            .where(table.c.account_id == account_id, table.c.transaction_id.in_(transaction_ids))
            .order_by(table.c.transaction_id, table.c.step_index)
        )
        for row in (await conn.execute(query)).mappings():
            found[row["transaction_id"]].append(_RENDER[rail](row))
    return found


async def get_row(conn: AsyncConnection, account_id: str, transaction_id: str) -> Any | None:
    query = sa.select(transactions).where(transactions.c.account_id == account_id, transactions.c.id == transaction_id)
    return (await conn.execute(query)).first()


async def get_transaction(conn: AsyncConnection, account_id: str, transaction_id: str) -> dict[str, Any] | None:
    row = await get_row(conn, account_id, transaction_id)
    if row is None:
        return None
    steps = await load_steps(conn, account_id, [transaction_id])
    return transaction_to_json(row, steps[transaction_id])


async def render_rows(conn: AsyncConnection, account_id: str, rows: list[Any]) -> list[dict[str, Any]]:
    steps = await load_steps(conn, account_id, [r.id for r in rows])
    return [transaction_to_json(r, steps[r.id]) for r in rows]
