"""CSV reports of values and transactions (core.md §7.8, §16.13, §16.14)."""

from __future__ import annotations

import csv
import io


def rows_of(response) -> list[dict]:
    return list(csv.DictReader(io.StringIO(response.text.lstrip("\ufeff"))))


def setup_values(api):
    for pid in ("program1", "program2", "program3"):
        api.post("/v2/programs", json={"id": pid, "currency": "USD", "name": pid})
    for vid, pid in (("v1", "program1"), ("v2", "program2"), ("v3", "program2"), ("v4", "program3")):
        api.post("/v2/values", json={"id": vid, "programId": pid, "balance": 50})
    api.post("/v2/contacts", json={"id": "c"})
    api.post("/v2/values", json={"id": "gen", "currency": "USD", "isGenericCode": True, "code": "GENCODE", "balance": None, "genericCodeOptions": {"perContact": {"balance": 50, "usesRemaining": 3}}})
    return api.post("/v2/contacts/c/values/attach", json={"valueId": "gen"}).json()


def test_values_report(api, usd):
    attached = setup_values(api)
    response = api.get("/v2/reports/values")
    assert response.status_code == 200 and response.headers["content-type"] == "text/csv"
    assert (response.headers["Limit"], response.headers["Max-Limit"]) == ("10000", "10000")
    rows = {row["id"]: row for row in rows_of(response)}
    assert len(rows) == 6
    assert (rows["gen"]["balance"], rows["gen"]["isGenericCode"], rows["gen"]["genericCodeOptions_perContact_balance"], rows["gen"]["genericCodeOptions_perContact_usesRemaining"]) == ("", "true", "50", "3")
    per_contact = rows[attached["id"]]
    assert (per_contact["attachedFromValueId"], per_contact["usesRemaining"], per_contact["contactId"], per_contact["balance"]) == ("gen", "3", "c", "50")
    assert (rows["v1"]["createdBy"], rows["v1"]["genericCodeOptions_perContact_balance"], rows["v1"]["attachedFromValueId"]) == (api.account_id, "", "")
    assert "genericCodeOptions" not in rows["v1"]


def test_values_report_pages_filters_and_formats(api, usd):
    setup_values(api)
    everything = [row["id"] for row in rows_of(api.get("/v2/reports/values"))]
    walked, path = [], "/v2/reports/values?limit=3"
    while path:
        response = api.get(path)
        walked += [row["id"] for row in rows_of(response)]
        links = [part for part in response.headers["Link"].split(",") if 'rel="next"' in part]
        path = links[0].split(">")[0].lstrip("<") if links else None
    assert walked == everything
    assert [row["id"] for row in rows_of(api.get("/v2/reports/values?programId=program1"))] == ["v1"]
    assert len(rows_of(api.get("/v2/reports/values?programId.in=program2,program3"))) == 3
    formatted = {row["id"]: row for row in rows_of(api.get("/v2/reports/values?id.in=v1,gen&formatCurrencies=true"))}
    assert (formatted["v1"]["balance"], formatted["gen"]["genericCodeOptions_perContact_balance"]) == ("$0.50", "$0.50")
    assert len(rows_of(api.get("/v2/reports/values?programId=program1&createdDate.gte=2007-04-05T14:30:00.000Z"))) == 1


def test_reports_are_csv_only(api, usd):
    assert api.get("/v2/reports/values", headers={"Accept": "application/json"}).status_code == 404
    assert api.get("/v2/reports/transactions", headers={"Accept": "application/json"}).status_code == 404


def test_transactions_report_of_initial_balances(api, usd):
    setup_values(api)
    rows = rows_of(api.get("/v2/reports/transactions?transactionType=initialBalance"))
    assert len(rows) == 5
    v1 = next(row for row in rows if row["id"] == "v1")
    assert (v1["transactionAmount"], v1["stepsCount"], v1["checkout_subtotal"], v1["marketplace_sellerNet"], v1["metadata"]) == ("50", "1", "0", "0", "")
    attach = rows_of(api.get("/v2/reports/transactions?transactionType=attach"))
    assert [row["stepsCount"] for row in attach] == ["2"]
    formatted = rows_of(api.get("/v2/reports/transactions?transactionType=initialBalance&programId=program1&formatCurrencies=true"))
    assert [(row["id"], row["transactionAmount"], row["checkout_paidLightrail"]) for row in formatted] == [("v1", "$0.50", "$0.00")]
    assert len(rows_of(api.get("/v2/reports/transactions?programId.in=program1,program2"))) == 3
    assert rows_of(api.get("/v2/reports/transactions?programId=%20program1")) == []
    response = api.get("/v2/reports/transactions?programId.like=x")
    assert response.status_code == 400 and response.headers["content-type"] == "application/json"
