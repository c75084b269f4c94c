"""GET /v2/reports/transactions rows of real checkouts, credits, debits and transfers (core.md §7.8, §16.14).

The original's Stripe split-tender checkout is replayed with an internal source (no Stripe rail here).
"""

from __future__ import annotations

import csv
import io

AMOUNT_COLUMNS = (
    "checkout_subtotal", "checkout_tax", "checkout_discountLightrail", "checkout_paidLightrail", "checkout_paidStripe",
    "checkout_paidInternal", "checkout_remainder", "checkout_forgiven",
    "marketplace_sellerNet", "marketplace_sellerGross", "marketplace_sellerDiscount",
)
HEADER = ["id", "createdDate", "transactionType", "currency", "transactionAmount", *AMOUNT_COLUMNS, "stepsCount", "metadata"]


def ok(response, status=201):
    assert response.status_code == status, response.text
    return response.json()


def report(api, query: str = "") -> list[dict]:
    response = api.get(f"/v2/reports/transactions{query}")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "text/csv"
    assert response.headers["Max-Limit"] == "10000"
    reader = csv.DictReader(io.StringIO(response.text.lstrip("\ufeff")))
    rows = list(reader)
    if rows:
        assert reader.fieldnames == HEADER
    return rows


def value(api, value_id: str, balance: int, **fields):
    ok(api.post("/v2/values", json={"id": value_id, "currency": "USD", "balance": balance, **fields}))
    return {"rail": "lightrail", "valueId": value_id}


def checkout(api, tx_id: str, amount: int, sources: list[dict], **extra):
    return ok(api.post("/v2/transactions/checkout", json={
        "id": tx_id, "currency": "USD", "lineItems": [{"type": "product", "unitPrice": amount}], "sources": sources, **extra,
    }))


def debit(api, tx_id: str, value_id: str, amount: int, **extra):
    return ok(api.post("/v2/transactions/debit", json={
        "id": tx_id, "source": {"rail": "lightrail", "valueId": value_id}, "amount": amount, "currency": "USD", **extra,
    }))


def setup_report(api):
    for n in (1, 2, 3):
        checkout(api, f"checkout-{n}", 1000, [value(api, f"gc-{n}", 1000)])
    ok(api.post("/v2/programs", json={"id": "prog", "currency": "USD", "name": "prog"}))
    ok(api.post("/v2/values", json={"id": "in-prog", "programId": "prog", "balance": 1000}))
    ok(api.post("/v2/transactions/credit", json={
        "id": "credit-500", "destination": {"rail": "lightrail", "valueId": "in-prog"}, "amount": 500, "currency": "USD",
    }))
    debit(api, "debit-550", "in-prog", 550)


def test_transactions_report_rows(api, usd):
    setup_report(api)
    formatted = {row["id"]: row for row in report(api, "?transactionType=initialBalance&formatCurrencies=true")}
    assert formatted["in-prog"]["transactionAmount"] == "$10.00"
    assert all(formatted["in-prog"][column] == "$0.00" for column in AMOUNT_COLUMNS)
    assert formatted["in-prog"]["stepsCount"] == "1"

    response = api.get("/v2/reports/transactions")
    assert (response.headers["Limit"], response.headers["Max-Limit"]) == ("10000", "10000")
    rows = report(api)
    assert len(rows) == 9
    by_id = {row["id"]: row for row in rows}
    for n in (1, 2, 3):
        row = by_id[f"checkout-{n}"]
        assert (row["transactionType"], row["currency"], row["transactionAmount"], row["stepsCount"], row["metadata"]) == (
            "checkout", "USD", "-1000", "1", "")
        assert (row["checkout_subtotal"], row["checkout_paidLightrail"]) == ("1000", "1000")
        assert all(row[c] == "0" for c in AMOUNT_COLUMNS if c not in ("checkout_subtotal", "checkout_paidLightrail"))
    initial = [row for row in rows if row["transactionType"] == "initialBalance"]
    assert len(initial) == 4
    for row in initial:
        assert (row["transactionAmount"], row["stepsCount"]) == ("1000", "1")
        assert all(row[c] == "0" for c in AMOUNT_COLUMNS)

    walked, path = [], "/v2/reports/transactions?limit=3"
    while path:
        page = api.get(path)
        assert page.headers["Limit"] == "3"
        walked += [row["id"] for row in csv.DictReader(io.StringIO(page.text.lstrip("\ufeff")))]
        links = [part for part in page.headers.get("Link", "").split(",") if 'rel="next"' in part]
        path = links[0].split(">")[0].strip().lstrip("<") if links else None
    assert walked == [row["id"] for row in rows]

    assert sorted(row["id"] for row in report(api, "?transactionType=checkout")) == ["checkout-1", "checkout-2", "checkout-3"]
    assert len(report(api, "?transactionType=initialBalance")) == 4
    credit_debit = {row["transactionType"]: row for row in report(api, "?transactionType.in=credit,debit")}
    assert (credit_debit["credit"]["transactionAmount"], credit_debit["credit"]["stepsCount"]) == ("500", "1")
    assert (credit_debit["debit"]["transactionAmount"], credit_debit["debit"]["stepsCount"]) == ("-550", "1")
    assert report(api, "?transactionType=debit&formatCurrencies=true")[0]["transactionAmount"] == "$-5.50"

    in_program = {row["id"] for row in report(api, "?programId=prog&createdDate.gte=2007-04-05T14:30:00.000Z")}
    assert in_program == {"in-prog", "credit-500", "debit-550"}


def test_program_filter_lists_each_transaction_once(api, usd):
    for pid in ("program1", "program2"):
        ok(api.post("/v2/programs", json={"id": pid, "currency": "USD", "name": pid, "fixedInitialBalances": [5000]}))
    for vid, pid in (("value1", "program1"), ("value2", "program1"), ("value3", "program2")):
        ok(api.post("/v2/values", json={"id": vid, "programId": pid, "balance": 5000}))
    checkout(api, "checkout-1", 100, [{"rail": "lightrail", "valueId": "value1"}])
    debit(api, "debit-2", "value2", 200)
    checkout(api, "checkout-3", 100, [{"rail": "lightrail", "valueId": "value3"}])

    assert {row["id"] for row in report(api, "?programId=program1")} == {"checkout-1", "debit-2", "value1", "value2"}
    assert {row["id"] for row in report(api, "?programId.eq=program2")} == {"checkout-3", "value3"}
    assert len(report(api, "?programId.in=program1,program2")) == 6
    assert len(report(api, "?limit=2&programId=program1")) == 2

    # Several steps on values of the program(s) still make one row each.
    ok(api.post("/v2/transactions/transfer", json={
        "id": "move", "currency": "USD", "amount": 7,
        "source": {"rail": "lightrail", "valueId": "value1"}, "destination": {"rail": "lightrail", "valueId": "value2"},
    }))
    checkout(api, "both", 12000, [{"rail": "lightrail", "valueId": "value1"}, {"rail": "lightrail", "valueId": "value2"},
                                  {"rail": "lightrail", "valueId": "value3"}])
    for query in ("?programId=program1", "?programId.in=program1,program2"):
        ids = [row["id"] for row in report(api, query)]
        assert len(ids) == len(set(ids)) and {"both", "move"} <= set(ids)
    both = next(row for row in report(api, "?programId=program1") if row["id"] == "both")
    assert (both["transactionAmount"], both["stepsCount"]) == ("-12000", "3")


def test_transfer_and_multi_value_checkout_rows(api, usd):
    source, destination = value(api, "from", 10), value(api, "to", 0)
    ok(api.post("/v2/transactions/transfer", json={
        "id": "transfer-1", "currency": "USD", "amount": 1, "source": source, "destination": destination,
    }))
    [row] = report(api, "?transactionType=transfer")
    assert (row["id"], row["transactionType"], row["transactionAmount"], row["stepsCount"]) == ("transfer-1", "transfer", "1", "2")
    assert all(row[c] == "0" for c in AMOUNT_COLUMNS)
    shown = api.get("/v2/transactions/transfer-1").json()
    assert (row["createdDate"], row["currency"], row["metadata"]) == (shown["createdDate"], "USD", "")

    sources = [value(api, "a", 50), value(api, "b", 50), value(api, "c", 50)]
    checkout(api, "checkout-150", 150, sources, metadata={"a": 1, "b": 2, "c": 3})
    [row] = report(api, "?transactionType=checkout")
    assert (row["transactionAmount"], row["checkout_subtotal"], row["checkout_paidLightrail"], row["stepsCount"]) == (
        "-150", "150", "150", "3")
    assert row["metadata"] == '{"a":1;"b":2,"c":3}'


def test_split_tender_and_remainder_rows(api, usd):
    gift = value(api, "gift", 50)
    split = checkout(api, "split", 1000, [gift, {"rail": "internal", "internalId": "store-credit", "balance": 5000}])
    assert [s["balanceChange"] for s in split["steps"]] == [-50, -950]
    [row] = report(api, "?transactionType=checkout")
    assert (row["transactionAmount"], row["checkout_subtotal"], row["checkout_paidLightrail"], row["checkout_paidInternal"],
            row["checkout_paidStripe"], row["stepsCount"]) == ("-1000", "1000", "50", "950", "0", "2")
    formatted = report(api, "?transactionType=checkout&formatCurrencies=true")[0]
    assert (formatted["transactionAmount"], formatted["checkout_paidInternal"], formatted["marketplace_sellerNet"]) == (
        "$-10.00", "$9.50", "$0.00")

    value(api, "thirty", 30)
    debit(api, "short", "thirty", 50, allowRemainder=True)
    [row] = report(api, "?transactionType=debit")
    assert (row["transactionAmount"], row["checkout_remainder"], row["stepsCount"]) == ("-30", "20", "1")

    ok(api.post("/v2/transactions/split/reverse", json={"id": "split-reverse"}))
    [row] = report(api, "?transactionType=reverse")
    assert (row["transactionAmount"], row["stepsCount"]) == ("1000", "2")


def test_report_ignores_another_account_with_the_same_ids(api, usd):
    from tests.conftest import make_token

    other = api.as_token(make_token(f"{api.account_id[:-5]}-other-TEST"))
    ok(other.post("/v2/currencies", json={"code": "USD", "name": "US dollars", "symbol": "$", "decimalPlaces": 2}))
    for client in (api, other):
        ok(client.post("/v2/programs", json={"id": "p", "currency": "USD", "name": "p"}))
        ok(client.post("/v2/values", json={"id": "v", "programId": "p", "balance": 100}))
        ok(client.post("/v2/values", json={"id": "w", "currency": "USD", "balance": 100}))
    checkout(other, "co", 150, [{"rail": "lightrail", "valueId": "v"}, {"rail": "lightrail", "valueId": "w"}])
    checkout(api, "co", 30, [{"rail": "lightrail", "valueId": "w"}])
    rows = report(api, "?transactionType=checkout")
    assert [(r["id"], r["transactionAmount"], r["stepsCount"]) for r in rows] == [("co", "-30", "1")]
    assert [r["id"] for r in report(api, "?programId=p")] == ["v"]


def test_values_report_shows_balances_after_redemptions(api, usd):
    ok(api.post("/v2/contacts", json={"id": "shopper"}))
    ok(api.post("/v2/values", json={
        "id": "gen", "currency": "USD", "isGenericCode": True, "code": "REPORTGEN", "balance": 1000,
        "genericCodeOptions": {"perContact": {"balance": 50, "usesRemaining": 3}},
    }))
    gift = value(api, "gift", 500)
    body = checkout(api, "co", 530, [gift, {"rail": "lightrail", "contactId": "shopper"}, {"rail": "lightrail", "code": "REPORTGEN"}])
    copy_id = next(s["valueId"] for s in body["steps"] if s["valueId"] not in ("gift", "gen"))
    response = api.get("/v2/reports/values?formatCurrencies=true")
    assert response.status_code == 200
    rows = {row["id"]: row for row in csv.DictReader(io.StringIO(response.text.lstrip("\ufeff")))}
    assert set(rows) == {"gen", "gift", copy_id}
    assert (rows["gen"]["balance"], rows["gen"]["genericCodeOptions_perContact_balance"], rows["gen"]["genericCodeOptions_perContact_usesRemaining"]) == (
        "$9.50", "$0.50", "3")
    assert (rows[copy_id]["attachedFromValueId"], rows[copy_id]["contactId"], rows[copy_id]["usesRemaining"]) == ("gen", "shopper", "2")
    assert {rows["gift"]["balance"], rows[copy_id]["balance"]} == {"$0.00", "$0.20"}
    report_rows = {row["transactionType"]: row for row in report(api, "?transactionType.in=attach,checkout")}
    assert (report_rows["attach"]["transactionAmount"], report_rows["attach"]["stepsCount"]) == ("0", "2")
    assert (report_rows["checkout"]["transactionAmount"], report_rows["checkout"]["stepsCount"]) == ("-530", "2")
