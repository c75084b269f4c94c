"""§14.5 filtering and §14.1 list/get basics through HTTP."""

from __future__ import annotations

import uuid

import sqlalchemy as sa

from lightrail.transactions.tables import transactions
from tests.conftest import make_token


def lr(value):
    return {"rail": "lightrail", "valueId": value["id"]}


def ids(response):
    assert response.status_code == 200, response.text
    return sorted(t["id"] for t in response.json())


def test_value_id_filter_and_value_transactions_route(api, make_value):
    values = [make_value(balance=i + 1) for i in range(3)]
    assert ids(api.get(f"/v2/transactions?valueId={values[0]['id']}")) == [values[0]["id"]]
    assert api.get(f"/v2/values/{values[0]['id']}/transactions").json() == api.get(f"/v2/transactions?valueId={values[0]['id']}").json()


def test_same_value_id_under_another_account_is_isolated(api, make_value, client):
    a, _ = make_value(balance=1), make_value(balance=2)
    other = api.as_token(make_token(f"acct-filter-other-{uuid.uuid4().hex[:8]}-TEST"))
    other.post("/v2/currencies", json={"code": "USD", "name": "US dollars", "symbol": "$", "decimalPlaces": 2})
    assert other.post("/v2/values", json={"id": a["id"], "currency": "USD", "balance": 7}).status_code == 201
    listed = api.get("/v2/transactions").json()
    assert sorted(t["steps"][0]["balanceAfter"] for t in listed) == [1, 2]
    only = api.get(f"/v2/transactions?valueId={a['id']}").json()
    assert [t["steps"][0]["balanceAfter"] for t in only] == [1]


def test_filter_dataset(api, make_value):
    api.post("/v2/currencies", json={"code": "CAD", "name": "Canadian", "symbol": "$", "decimalPlaces": 2})
    usd_values = []
    for i in range(2):
        value = make_value(balance=50)
        usd_values.append(value)
        assert api.post("/v2/transactions/debit", json={
            "id": f"fd-{i}", "source": lr(value), "amount": 5, "currency": "USD"}).status_code == 201
        make_value(balance=25, currency="CAD")
    assert len(api.get("/v2/transactions").json()) == 6
    assert len(api.get("/v2/transactions?currency=USD").json()) == 4
    assert len(api.get("/v2/transactions?transactionType=initialBalance").json()) == 4
    assert len(api.get("/v2/transactions?transactionType=initialBalance&currency=USD").json()) == 2
    assert len(api.get("/v2/transactions?currency.in=USD,EUR").json()) == 4
    assert len(api.get("/v2/transactions?currency.in=USD,CAD").json()) == 6
    assert len(api.get("/v2/transactions?createdDate.lt=2088-01-01").json()) == 6
    assert len(api.get("/v2/transactions?createdDate.gt=2088-01-01").json()) == 0
    assert ids(api.get(f"/v2/transactions?transactionType=initialBalance&valueId={usd_values[0]['id']}")) == [usd_values[0]["id"]]
    assert ids(api.get("/v2/transactions?id.in=fd-0,fd-1")) == ["fd-0", "fd-1"]
    assert api.get("/v2/transactions?contactId=%20nope").json() == []


def test_list_and_get_basics(api, make_value, balance_of):
    empty = api.get("/v2/transactions")
    assert empty.json() == [] and (empty.headers["Limit"], empty.headers["Max-Limit"]) == ("100", "1000")
    gc1, gc2 = make_value(id="vs-gc-1", balance=1000), make_value(id="vs-gc-2", balance=0)
    transfer = api.post("/v2/transactions/transfer", json={
        "id": "transfer-1", "source": lr(gc1), "destination": lr(gc2), "amount": 1, "currency": "USD"}).json()
    listed = api.get("/v2/transactions").json()
    assert sorted(t["transactionType"] for t in listed) == ["initialBalance", "initialBalance", "transfer"]
    assert transfer in listed
    debit = api.post("/v2/transactions/debit", json={"id": "tx-1", "source": lr(gc1), "amount": 2, "currency": "USD"}).json()
    assert debit in api.get("/v2/transactions").json()
    api.post("/v2/transactions/debit", json={
        "id": "tx-2", "source": lr(gc1), "amount": 2, "currency": "USD", "metadata": {"light": "rail"}})
    assert api.get("/v2/transactions/tx-2").json()["metadata"] == {"light": "rail"}
    assert {"transfer-1", "tx-1", "tx-2"} <= set(ids(api.get("/v2/transactions")))
    assert len(api.get("/v2/transactions").json()) == 5
    assert api.get("/v2/transactions/nothing-here").status_code == 404
    assert api.get("/v2/transactions/%20transfer-1").status_code == 404
    assert api.get("/v2/transactions/transfer-1%20").status_code == 404
    checkout = api.post("/v2/transactions/checkout", json={
        "id": "checkout-1", "currency": "USD", "lineItems": [{"type": "product", "productId": "happiness-😃", "unitPrice": 50}],
        "sources": [lr(gc1), lr(gc2)]})
    assert checkout.status_code == 201, checkout.text
    body = checkout.json()
    assert body["totals"] == {"subtotal": 50, "tax": 0, "discount": 0, "discountLightrail": 0, "payable": 50, "paidInternal": 0,
                              "paidLightrail": 50, "paidStripe": 0, "remainder": 0, "forgiven": 0}
    assert [(s["valueId"], s["balanceBefore"], s["balanceAfter"], s["balanceChange"]) for s in body["steps"]] == [
        ("vs-gc-2", 1, 0, -1), ("vs-gc-1", 995, 946, -49)]
    assert api.get("/v2/transactions/checkout-1").json() == body


def test_ids_are_case_sensitive(api, make_value):
    value = make_value(balance=10)
    for tx_id in ("CASE-A", "case-a"):
        response = api.post("/v2/transactions/credit", json={"id": tx_id, "destination": lr(value), "amount": 1, "currency": "USD"})
        assert response.status_code == 201, response.text
        assert api.get(f"/v2/transactions/{tx_id}").json()["id"] == tx_id
        assert ids(api.get(f"/v2/transactions?id={tx_id}")) == [tx_id]


def test_checkout_ids_with_surrounding_newlines_are_422(api, make_value):
    value = make_value(balance=10)
    for tx_id in ("\ncheckout", "checkout\n"):
        response = api.post("/v2/transactions/checkout", json={
            "id": tx_id, "currency": "USD", "lineItems": [{"unitPrice": 1}], "sources": [lr(value)]})
        assert response.status_code == 422


def test_default_sort_is_newest_first(api, make_value, app, run_async):
    value = make_value(balance=100)
    for i in range(4):
        api.post("/v2/transactions/debit", json={"id": f"sort-{i}", "source": lr(value), "amount": 1, "currency": "USD"})

    async def backdate():
        from datetime import datetime, timezone

        async with app.state.db.transaction() as conn:
            for i in range(4):
                await conn.execute(sa.update(transactions).where(
                    transactions.c.account_id == api.account_id, transactions.c.id == f"sort-{i}",
                ).values(created_date=datetime(3030, 2, i + 1, tzinfo=timezone.utc)))

    run_async(backdate)
    listed = api.get("/v2/transactions?transactionType=debit&createdDate.gt=3030-01-01").json()
    assert [t["id"] for t in listed] == ["sort-3", "sort-2", "sort-1", "sort-0"]
