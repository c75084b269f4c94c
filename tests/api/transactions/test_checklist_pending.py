"""§14.19 and the pending part of §14.3: pending checkouts/debits, capture and void through HTTP (no Stripe)."""

from __future__ import annotations

import pytest

HALF_EVEN = {"roundingMode": "HALF_EVEN"}


def lr(value):
    return {"rail": "lightrail", "valueId": value["id"]}


def debit(api, tx_id, value, amount, **extra):
    return api.post("/v2/transactions/debit", json={
        "id": tx_id, "source": lr(value), "amount": amount, "currency": "USD", **extra})


def code_of(response):
    return response.status_code, response.json().get("messageCode")


def test_lightrail_pending_checkout_then_void(api, make_value, balance_of):
    value = make_value(balance=1000)
    pending = api.post("/v2/transactions/checkout", json={
        "id": "pc-1", "currency": "USD", "lineItems": [{"unitPrice": 50}], "sources": [lr(value)], "pending": True})
    assert pending.status_code == 201, pending.text
    body = pending.json()
    assert body["pending"] is True and body["pendingVoidDate"]
    assert api.get("/v2/transactions/pc-1").json() == body
    assert balance_of(value["id"]) == (950, None)
    void = api.post("/v2/transactions/pc-1/void", json={"id": "pc-1-void"})
    assert void.status_code == 201, void.text
    voided = void.json()
    assert voided["transactionType"] == "void"
    assert voided["totals"] == {"subtotal": -50, "tax": 0, "discount": 0, "discountLightrail": 0, "payable": -50,
                                "paidInternal": 0, "paidLightrail": -50, "paidStripe": 0, "remainder": 0, "forgiven": 0}
    assert voided["lineItems"] is None and voided["paymentSources"] is None and voided["tax"] == HALF_EVEN
    assert voided["pending"] is False
    assert [(s["balanceBefore"], s["balanceAfter"], s["balanceChange"]) for s in voided["steps"]] == [(950, 1000, 50)]
    assert api.get("/v2/transactions/pc-1-void").json() == voided
    assert balance_of(value["id"]) == (1000, None)


def test_lightrail_pending_checkout_then_capture(api, make_value, balance_of):
    value = make_value(balance=1000)
    api.post("/v2/transactions/checkout", json={
        "id": "pc-2", "currency": "USD", "lineItems": [{"unitPrice": 50}], "sources": [lr(value)], "pending": True})
    capture = api.post("/v2/transactions/pc-2/capture", json={"id": "pc-2-cap"})
    assert capture.status_code == 201, capture.text
    body = capture.json()
    assert {k: body[k] for k in ("transactionType", "totals", "lineItems", "steps", "paymentSources", "pending", "metadata", "tax")} == {
        "transactionType": "capture", "totals": None, "lineItems": None, "steps": [], "paymentSources": None,
        "pending": False, "metadata": None, "tax": HALF_EVEN}
    assert api.get("/v2/transactions/pc-2-cap").json() == body
    assert balance_of(value["id"]) == (950, None)


def test_remainder_only_pending_checkout(api, usd):
    pending = api.post("/v2/transactions/checkout", json={
        "id": "pc-3", "currency": "USD", "lineItems": [{"unitPrice": 14286, "taxRate": 0.05}],
        "sources": [{"rail": "lightrail", "code": "this-does-not-exist"}], "allowRemainder": True, "pending": True})
    assert pending.status_code == 201, pending.text
    body = pending.json()
    assert body["totals"]["remainder"] == 15000 and body["steps"] == []
    assert body["paymentSources"] == [{"rail": "lightrail", "code": "…xist"}]
    void = api.post("/v2/transactions/pc-3/void", json={"id": "pc-3-void"})
    assert void.status_code == 201
    assert void.json()["totals"]["remainder"] == -15000 and void.json()["steps"] == []
    api.post("/v2/transactions/checkout", json={
        "id": "pc-4", "currency": "USD", "lineItems": [{"unitPrice": 14286, "taxRate": 0.05}],
        "sources": [{"rail": "lightrail", "code": "this-does-not-exist"}], "allowRemainder": True, "pending": True})
    capture = api.post("/v2/transactions/pc-4/capture", json={"id": "pc-4-cap"})
    assert capture.status_code == 201 and capture.json()["steps"] == []


def test_lower_case_currency_checkout_is_accepted(api, make_value):
    api.post("/v2/currencies", json={"code": "CAD", "name": "Canadian", "symbol": "$", "decimalPlaces": 2})
    value = make_value(balance=100, currency="CAD")
    response = api.post("/v2/transactions/checkout", json={
        "id": "pc-cad", "currency": "cad", "lineItems": [{"unitPrice": 50}], "sources": [lr(value)], "pending": True})
    assert response.status_code == 201, response.text
    assert response.json()["currency"] == "CAD"


def test_pending_debit_simulated(api, make_value, balance_of):
    value = make_value(balance=50)
    response = debit(api, "pd-sim", value, 10, pending=True, simulate=True)
    assert response.status_code == 200
    body = response.json()
    assert body["pending"] is True and body["simulated"] is True and body["pendingVoidDate"]
    assert api.get("/v2/transactions/pd-sim").status_code == 404
    assert balance_of(value["id"]) == (50, None)


def test_pending_debit_void_and_capture_exact(api, make_value, balance_of):
    value = make_value(balance=50)
    body = debit(api, "pd-1", value, 10, pending=True).json()
    assert api.get("/v2/transactions/pd-1").json() == body
    assert balance_of(value["id"]) == (40, None)
    void = api.post("/v2/transactions/pd-1/void", json={"id": "pd-1-void"})
    assert void.status_code == 201 and void.json()["pending"] is False
    assert api.get("/v2/transactions/pd-1-void").json() == void.json()
    assert balance_of(value["id"]) == (50, None)
    assert code_of(api.post("/v2/transactions/pd-1/capture", json={"id": "pd-1-cap"})) == (409, "TransactionVoided")
    assert code_of(api.post("/v2/transactions/pd-1/void", json={"id": "pd-1-void2"})) == (409, "TransactionVoided")
    debit(api, "pd-2", value, 10, pending=True)
    capture = api.post("/v2/transactions/pd-2/capture", json={"id": "pd-2-cap"})
    assert capture.status_code == 201 and capture.json()["pending"] is False
    assert api.get("/v2/transactions/pd-2-cap").json() == capture.json()
    assert balance_of(value["id"]) == (40, None)
    assert code_of(api.post("/v2/transactions/pd-2/capture", json={"id": "pd-2-cap2"})) == (409, "TransactionCaptured")
    assert code_of(api.post("/v2/transactions/pd-2/void", json={"id": "pd-2-void"})) == (409, "TransactionCaptured")


def test_pending_debit_with_remainder_void_and_capture(api, make_value, balance_of):
    value = make_value(balance=50)
    response = debit(api, "pd-r", value, 100, pending=True, allowRemainder=True)
    assert response.status_code == 201 and response.json()["totals"] == {"remainder": 50}
    assert balance_of(value["id"]) == (0, None)
    assert api.post("/v2/transactions/pd-r/void", json={"id": "pd-r-void"}).status_code == 201
    assert balance_of(value["id"]) == (50, None)
    debit(api, "pd-r2", value, 100, pending=True, allowRemainder=True)
    assert api.post("/v2/transactions/pd-r2/capture", json={"id": "pd-r2-cap"}).status_code == 201
    assert balance_of(value["id"]) == (0, None)


@pytest.mark.parametrize("duration, code", [("P-1D", "PendingDurationTooSmall"), ("PT30M", "PendingDurationTooSmall"),
                                            ("P100Y", "PendingDurationTooLarge"), ("P4M", "PendingDurationTooLarge")])
def test_pending_durations_out_of_bounds(api, make_value, duration, code):
    value = make_value(balance=50)
    assert code_of(debit(api, "pd-bad", value, 1, pending=duration)) == (422, code)


def test_simulated_capture_and_void_answer_201(api, make_value, balance_of):
    value = make_value(balance=50)
    debit(api, "pd-s", value, 10, pending=True)
    assert api.post("/v2/transactions/pd-s/capture", json={"id": "pd-s-cap", "simulate": True}).status_code == 201
    assert api.post("/v2/transactions/pd-s/void", json={"id": "pd-s-void", "simulate": True}).status_code == 201
    assert balance_of(value["id"]) == (40, None)
    assert api.get("/v2/transactions/pd-s-void").status_code == 404


def test_frozen_after_pending_debit_void_ok_capture_frozen(api, make_value, balance_of):
    value = make_value(balance=50)
    debit(api, "pd-f1", value, 5, pending=True)
    debit(api, "pd-f2", value, 5, pending=True)
    assert api.patch(f"/v2/values/{value['id']}", json={"frozen": True}).status_code == 200
    assert code_of(api.post("/v2/transactions/pd-f1/capture", json={"id": "pd-f1-cap"})) == (409, "ValueFrozen")
    assert api.post("/v2/transactions/pd-f2/void", json={"id": "pd-f2-void"}).status_code == 201


def test_canceled_after_pending_debit_void_and_capture_ok(api, make_value):
    value = make_value(balance=50)
    debit(api, "pd-c1", value, 5, pending=True)
    debit(api, "pd-c2", value, 5, pending=True)
    assert api.patch(f"/v2/values/{value['id']}", json={"canceled": True}).status_code == 200
    assert api.post("/v2/transactions/pd-c1/capture", json={"id": "pd-c1-cap"}).status_code == 201
    assert api.post("/v2/transactions/pd-c2/void", json={"id": "pd-c2-void"}).status_code == 201


def test_void_and_capture_of_unknown_or_non_pending(api, make_value):
    value = make_value(balance=50)
    debit(api, "np-1", value, 5)
    assert code_of(api.post("/v2/transactions/np-1/void", json={"id": "np-1-void"})) == (409, "TransactionNotPending")
    assert code_of(api.post("/v2/transactions/nope/void", json={"id": "x-void"})) == (404, "TransactionNotFound")
    assert code_of(api.post("/v2/transactions/nope/capture", json={"id": "x-cap"})) == (404, "TransactionNotFound")
