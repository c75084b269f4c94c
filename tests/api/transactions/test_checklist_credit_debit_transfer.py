"""§14.2–§14.4 checklist: credit, debit and transfer details and the §11 error catalogue."""

from __future__ import annotations

import pytest


def lr(value_id: str) -> dict:
    return {"rail": "lightrail", "valueId": value_id}


RULE = {"rule": "500", "explanation": "five hundred"}


def credit(api, tx_id, destination, **fields):
    return api.post("/v2/transactions/credit", json={"id": tx_id, "destination": destination, "currency": "USD", **fields})


def debit(api, tx_id, source, **fields):
    return api.post("/v2/transactions/debit", json={"id": tx_id, "source": source, "currency": "USD", **fields})


def transfer(api, tx_id, source, destination, **fields):
    return api.post("/v2/transactions/transfer", json={
        "id": tx_id, "source": source, "destination": destination, "currency": "USD", **fields})


def code_of(response):
    return response.status_code, response.json().get("messageCode")


# --- credit (§14.2) ---------------------------------------------------------------------------------------------

def test_credit_exact_body_and_get(api, make_value, balance_of):
    value = make_value(balance=0)
    response = credit(api, "credit-1", lr(value["id"]), amount=1000)
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["totals"] is None and body["lineItems"] is None and body["paymentSources"] is None
    assert body["tax"] is None and body["metadata"] is None and body["pending"] is False
    assert body["currency"] == "USD" and body["transactionType"] == "credit"
    assert [(s["balanceBefore"], s["balanceAfter"], s["balanceChange"]) for s in body["steps"]] == [(0, 1000, 1000)]
    assert balance_of(value["id"]) == (1000, None)
    assert api.get("/v2/transactions/credit-1").json() == body
    assert code_of(credit(api, "credit-1", lr(value["id"]), amount=1)) == (409, "TransactionExists")
    simulated = credit(api, "credit-sim", lr(value["id"]), amount=1100, simulate=True)
    assert simulated.status_code == 200
    assert simulated.json()["simulated"] is True
    assert [(s["balanceBefore"], s["balanceAfter"]) for s in simulated.json()["steps"]] == [(1000, 2100)]
    assert balance_of(value["id"]) == (1000, None)


def test_credit_by_secure_code_shows_last_four(api, make_value, balance_of):
    value = make_value(balance=0, code="SUPER-SECRET⭐")
    response = credit(api, "c" * 32, {"rail": "lightrail", "code": "SUPER-SECRET⭐"}, amount=1000)
    assert response.status_code == 201, response.text
    assert response.json()["steps"][0]["code"] == "…RET⭐"
    assert balance_of(value["id"]) == (1000, None)


def test_credit_by_generic_code_credits_generic_value(api, make_value, balance_of):
    generic = make_value(balance=0, code="GENERIC-CODE", isGenericCode=True,
                         genericCodeOptions={"perContact": {"balance": 1, "usesRemaining": None}})
    response = credit(api, "c-gen", {"rail": "lightrail", "code": "GENERIC-CODE"}, amount=1000)
    assert response.status_code == 201, response.text
    step = response.json()["steps"][0]
    assert (step["valueId"], step["code"], step["balanceBefore"], step["balanceAfter"]) == (generic["id"], "…CODE", 0, 1000)
    assert balance_of(generic["id"]) == (1000, None)


def test_credit_uses_on_balance_rule_value(api, make_value):
    value = make_value(balanceRule=RULE, usesRemaining=0)
    response = credit(api, "c-uses", lr(value["id"]), uses=2)
    assert response.status_code == 201, response.text
    step = response.json()["steps"][0]
    assert (step["usesRemainingBefore"], step["usesRemainingAfter"], step["usesRemainingChange"]) == (0, 2, 2)
    assert (step["balanceBefore"], step["balanceAfter"], step["balanceChange"], step["balanceRule"]) == (None, None, None, None)


def test_credit_amount_and_uses_together(api, make_value, balance_of):
    value = make_value(balance=349, usesRemaining=3)
    response = credit(api, "c-both", lr(value["id"]), amount=101, uses=1)
    assert response.status_code == 201, response.text
    step = response.json()["steps"][0]
    assert (step["balanceBefore"], step["balanceAfter"], step["usesRemainingBefore"], step["usesRemainingAfter"]) == (349, 450, 3, 4)
    assert balance_of(value["id"]) == (450, 4)


@pytest.mark.parametrize("fields, code", [
    ("canceled", "ValueCanceled"),
    ({"frozen": True}, "ValueFrozen"),
    ({"startDate": "2099-01-01T00:00:00.000Z"}, "ValueNotStarted"),
    ({"endDate": "1999-01-01T00:00:00.000Z"}, "ValueEnded"),
    ({"active": False}, "ValueInactive"),
])
def test_credit_and_debit_state_errors(api, make_value, fields, code):
    value = make_value(balance=100)
    if fields == "canceled":
        assert api.patch(f"/v2/values/{value['id']}", json={"canceled": True}).status_code == 200
    else:
        value = make_value(balance=100, **fields)
    assert code_of(credit(api, "c-state", lr(value["id"]), amount=1)) == (409, code)
    assert code_of(debit(api, "d-state", lr(value["id"]), amount=1)) == (409, code)


def test_null_balance_and_null_uses(api, make_value):
    rule_value = make_value(balanceRule=RULE)
    plain = make_value(balance=10)
    assert code_of(credit(api, "c-nb", lr(rule_value["id"]), amount=1)) == (409, "NullBalance")
    assert code_of(debit(api, "d-nb", lr(rule_value["id"]), amount=1)) == (409, "NullBalance")
    assert code_of(credit(api, "c-nu", lr(plain["id"]), uses=1)) == (409, "NullUses")
    assert code_of(debit(api, "d-nu", lr(plain["id"]), uses=1)) == (409, "NullUses")


def test_uses_overflow_is_value_uses_remaining_too_large(api, make_value):
    value = make_value(balance=1, usesRemaining=0x7ffffff)
    assert code_of(credit(api, "c-ovf", lr(value["id"]), uses=2147483647)) == (409, "ValueUsesRemainingTooLarge")
    full = make_value(balance=2147483647)
    assert code_of(credit(api, "c-ovf2", lr(full["id"]), amount=2147483647)) == (409, "ValueBalanceTooLarge")


@pytest.mark.parametrize("route, party_key", [("credit", "destination"), ("debit", "source")])
@pytest.mark.parametrize("override", [
    {"amount": -1500}, {"amount": 999999999999}, {"id": None}, {"id": 123}, {"id": "emoji-😃"},
    {"id": "x" * 65}, {"uses": -1}, {"unknownKey": 1},
])
def test_schema_violations_are_422(api, make_value, route, party_key, override):
    value = make_value(balance=100, usesRemaining=10)
    body = {"id": "ok", party_key: lr(value["id"]), "amount": 1, "currency": "USD", **override}
    if override.get("id", "") is None:
        del body["id"]
    response = api.post(f"/v2/transactions/{route}", json=body)
    assert response.status_code == 422, response.text


@pytest.mark.parametrize("route, party_key", [("credit", "destination"), ("debit", "source")])
def test_id_of_64_chars_is_fine(api, make_value, route, party_key):
    value = make_value(balance=100)
    response = api.post(f"/v2/transactions/{route}", json={
        "id": "y" * 64, party_key: lr(value["id"]), "amount": 1, "currency": "USD"})
    assert response.status_code == 201, response.text


def test_metadata_too_large_is_422(api, make_value):
    value = make_value(balance=100)
    response = credit(api, "c-meta", lr(value["id"]), amount=1, metadata={"x": "a" * 65535})
    assert response.status_code == 422
    assert response.json()["message"] == (
        "The POST body has 1 validation error(s): requestBody.metadata must have a maximum number of 65535 characters.")


# --- debit (§14.3) ----------------------------------------------------------------------------------------------

def test_debit_by_value_id_with_code(api, make_value, balance_of):
    value = make_value(balance=1000, code="IAMASECRETCODE")
    response = debit(api, "debit-1", lr(value["id"]), amount=599)
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["totals"] == {"remainder": 0}
    assert body["steps"][0]["code"] == "…CODE"
    assert (body["steps"][0]["balanceBefore"], body["steps"][0]["balanceAfter"]) == (1000, 401)
    assert api.get("/v2/transactions/debit-1").json() == body
    assert code_of(debit(api, "debit-1", lr(value["id"]), amount=1)) == (409, "TransactionExists")
    simulated = debit(api, "debit-sim", lr(value["id"]), amount=300, simulate=True)
    assert simulated.status_code == 200 and simulated.json()["simulated"] is True
    assert (simulated.json()["steps"][0]["balanceBefore"], simulated.json()["steps"][0]["balanceAfter"]) == (401, 101)
    assert balance_of(value["id"]) == (401, None)
    assert code_of(debit(api, "debit-2", lr(value["id"]), amount=1301)) == (409, "InsufficientBalance")
    remainder = debit(api, "debit-3", lr(value["id"]), amount=9500, allowRemainder=True)
    assert remainder.status_code == 201
    assert remainder.json()["totals"] == {"remainder": 9099}
    assert remainder.json()["steps"][0]["balanceChange"] == -401
    assert balance_of(value["id"]) == (0, None)


def test_debit_by_secure_code_and_generic_code(api, make_value, balance_of):
    secure = make_value(balance=1000, code="CODE-TO-CHARGE")
    generic = make_value(balance=1000, code="GENERIC-DEBIT", isGenericCode=True,
                         genericCodeOptions={"perContact": {"balance": 1, "usesRemaining": None}})
    response = debit(api, "d-sc", {"rail": "lightrail", "code": "CODE-TO-CHARGE"}, amount=1)
    assert response.status_code == 201, response.text
    assert response.json()["steps"][0]["code"] == "…ARGE"
    assert balance_of(secure["id"]) == (999, None)
    response = debit(api, "d-gc", {"rail": "lightrail", "code": "GENERIC-DEBIT"}, amount=1)
    assert response.status_code == 201, response.text
    assert response.json()["steps"][0]["valueId"] == generic["id"]
    assert balance_of(generic["id"]) == (999, None)


def test_debit_uses_from_balance_rule_value(api, make_value, balance_of):
    value = make_value(balanceRule=RULE, usesRemaining=20)
    response = debit(api, "d-u", lr(value["id"]), uses=3)
    assert response.status_code == 201, response.text
    step = response.json()["steps"][0]
    assert (step["usesRemainingBefore"], step["usesRemainingAfter"], step["usesRemainingChange"]) == (20, 17, -3)
    assert (step["balanceBefore"], step["balanceAfter"], step["balanceChange"], step["balanceRule"]) == (None, None, None, None)


def test_debit_amount_and_uses(api, make_value, balance_of):
    value = make_value(balance=2000, usesRemaining=20)
    response = debit(api, "d-au", lr(value["id"]), amount=1111, uses=3)
    assert response.status_code == 201, response.text
    step = response.json()["steps"][0]
    assert (step["balanceBefore"], step["balanceAfter"], step["usesRemainingBefore"], step["usesRemainingAfter"]) == (2000, 889, 20, 17)


def test_debit_remainder_with_uses(api, make_value, balance_of):
    value = make_value(balance=2000, usesRemaining=1)
    response = debit(api, "d-ru", lr(value["id"]), amount=9500, uses=23, allowRemainder=True)
    assert response.status_code == 201, response.text
    step = response.json()["steps"][0]
    assert (step["balanceChange"], step["usesRemainingChange"]) == (-2000, -1)
    assert response.json()["totals"] == {"remainder": 7500}
    assert code_of(debit(api, "d-ru2", lr(make_value(balance=1, usesRemaining=1)["id"]), uses=2)) == (409, "InsufficientUsesRemaining")


def test_debit_wrong_currency_and_invalid_party(api, make_value):
    api.post("/v2/currencies", json={"code": "CAD", "name": "Canadian", "symbol": "$", "decimalPlaces": 2})
    value = make_value(balance=100, currency="CAD")
    assert code_of(debit(api, "d-wc", lr(value["id"]), amount=1)) == (409, "WrongCurrency")
    assert code_of(debit(api, "d-ip", lr("does-not-exist"), amount=1)) == (409, "InvalidParty")


# --- transfer (§14.4) -------------------------------------------------------------------------------------------

def test_transfer_basics(api, make_value, balance_of):
    a, b = make_value(balance=1500), make_value(balance=2500)
    response = transfer(api, "transfer-1", lr(a["id"]), lr(b["id"]), amount=1000)
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["totals"] == {"remainder": 0}
    assert [(s["valueId"], s["balanceBefore"], s["balanceAfter"]) for s in body["steps"]] == [
        (a["id"], 1500, 500), (b["id"], 2500, 3500)]
    assert api.get("/v2/transactions/transfer-1").json() == body
    assert code_of(transfer(api, "transfer-1", lr(a["id"]), lr(b["id"]), amount=1)) == (409, "TransactionExists")
    simulated = transfer(api, "t-sim", lr(a["id"]), lr(b["id"]), amount=500, simulate=True)
    assert simulated.status_code == 200 and simulated.json()["simulated"] is True
    assert [(s["balanceBefore"], s["balanceAfter"]) for s in simulated.json()["steps"]] == [(500, 0), (3500, 4000)]
    assert balance_of(a["id"]) == (500, None) and balance_of(b["id"]) == (3500, None)
    remainder = transfer(api, "t-rem", lr(a["id"]), lr(b["id"]), amount=7500, allowRemainder=True)
    assert remainder.status_code == 201
    assert remainder.json()["totals"] == {"remainder": 7000}
    assert [s["balanceChange"] for s in remainder.json()["steps"]] == [-500, 500]
    assert code_of(transfer(api, "t-ins", lr(b["id"]), lr(a["id"]), amount=20000)) == (409, "InsufficientBalance")


def test_transfer_by_codes(api, make_value, balance_of):
    secure = make_value(balance=100, code="TRANSFER-SECRET")
    plain = make_value(balance=100)
    generic = make_value(balance=100, code="TRANSFER-GENERIC", isGenericCode=True,
                         genericCodeOptions={"perContact": {"balance": 1, "usesRemaining": None}})
    response = transfer(api, "t-c1", {"rail": "lightrail", "code": "TRANSFER-SECRET"}, lr(plain["id"]), amount=100)
    assert response.status_code == 201, response.text
    steps = response.json()["steps"]
    assert (steps[0]["code"], steps[0]["balanceBefore"], steps[0]["balanceAfter"]) == ("…CRET", 100, 0)
    assert (steps[1]["balanceBefore"], steps[1]["balanceAfter"]) == (100, 200)
    response = transfer(api, "t-c2", lr(plain["id"]), {"rail": "lightrail", "code": "TRANSFER-SECRET"}, amount=100)
    assert [(s["balanceBefore"], s["balanceAfter"]) for s in response.json()["steps"]] == [(200, 100), (0, 100)]
    response = transfer(api, "t-c3", {"rail": "lightrail", "code": "TRANSFER-GENERIC"}, lr(plain["id"]), amount=100)
    assert response.status_code == 201, response.text
    assert [(s["valueId"], s["balanceBefore"], s["balanceAfter"]) for s in response.json()["steps"]] == [
        (generic["id"], 100, 0), (plain["id"], 100, 200)]
    response = transfer(api, "t-c4", lr(plain["id"]), {"rail": "lightrail", "code": "TRANSFER-GENERIC"}, amount=100)
    assert [(s["balanceBefore"], s["balanceAfter"]) for s in response.json()["steps"]] == [(200, 100), (0, 100)]
    assert balance_of(secure["id"]) == (100, None)


@pytest.mark.parametrize("fields, code", [
    ({"frozen": True}, "ValueFrozen"),
    ({"startDate": "2099-01-01T00:00:00.000Z"}, "ValueNotStarted"),
    ({"endDate": "1999-01-01T00:00:00.000Z"}, "ValueEnded"),
    ("canceled", "ValueCanceled"),
])
def test_transfer_state_errors_on_either_side(api, make_value, fields, code):
    good = make_value(balance=100)
    if fields == "canceled":
        bad = make_value(balance=100)
        assert api.patch(f"/v2/values/{bad['id']}", json={"canceled": True}).status_code == 200
    else:
        bad = make_value(balance=100, **fields)
    assert code_of(transfer(api, "t-s1", lr(bad["id"]), lr(good["id"]), amount=1)) == (409, code)
    assert code_of(transfer(api, "t-s2", lr(good["id"]), lr(bad["id"]), amount=1)) == (409, code)


def test_transfer_party_errors(api, make_value):
    value = make_value(balance=100)
    assert code_of(transfer(api, "t-p1", lr("nope"), lr(value["id"]), amount=1)) == (409, "InvalidParty")
    assert code_of(transfer(api, "t-p2", lr(value["id"]), lr("nope"), amount=1)) == (409, "InvalidParty")
    api.post("/v2/currencies", json={"code": "XXX", "name": "X", "symbol": "X", "decimalPlaces": 2})
    response = api.post("/v2/transactions/transfer", json={
        "id": "t-p3", "source": lr(value["id"]), "destination": lr(make_value(balance=1)["id"]), "amount": 1, "currency": "XXX"})
    assert code_of(response) == (409, "WrongCurrency")


@pytest.mark.parametrize("override", [{"id": None}, {"id": "bad\n"}, {"amount": 999999999999}, {"id": "z" * 65},
                                      {"destination": {"rail": "stripe", "source": "tok_visa"}}])
def test_transfer_schema_violations_are_422(api, make_value, override):
    a, b = make_value(balance=100), make_value(balance=100)
    body = {"id": "t-ok", "source": lr(a["id"]), "destination": lr(b["id"]), "amount": 1, "currency": "USD", **override}
    if override.get("id", "") is None:
        del body["id"]
    assert api.post("/v2/transactions/transfer", json=body).status_code == 422


def test_transfer_64_char_id_and_overflow(api, make_value):
    a, b = make_value(balance=2147483647), make_value(balance=2147483647)
    assert code_of(transfer(api, "t-ovf", lr(a["id"]), lr(b["id"]), amount=2147483647)) == (409, "ValueBalanceTooLarge")
    d, e = make_value(balance=10), make_value(balance=0)
    assert transfer(api, "v" * 64, lr(d["id"]), lr(e["id"]), amount=1).status_code == 201


# --- §2.0 / §11 extras ------------------------------------------------------------------------------------------

def test_currency_never_created_is_currency_not_found(api, make_value):
    response = api.post("/v2/transactions/checkout", json={
        "id": "cnf", "currency": "EUR", "lineItems": [{"unitPrice": 1}], "sources": [], "allowRemainder": True})
    assert code_of(response) == (409, "CurrencyNotFound")


def test_simulation_does_not_detect_a_duplicate_id(api, make_value):
    value = make_value(balance=100)
    assert credit(api, "dup-sim", lr(value["id"]), amount=1).status_code == 201
    assert credit(api, "dup-sim", lr(value["id"]), amount=1, simulate=True).status_code == 200


def test_transfer_without_destination_is_422(api, make_value):
    value = make_value(balance=100)
    response = api.post("/v2/transactions/transfer", json={"id": "t-nd", "source": lr(value["id"]), "amount": 1, "currency": "USD"})
    assert response.status_code == 422


def test_transfer_uses_or_pending_are_422(api, make_value):
    a, b = make_value(balance=100), make_value(balance=100)
    assert transfer(api, "t-u", lr(a["id"]), lr(b["id"]), amount=1, uses=1).status_code == 422
    assert transfer(api, "t-pe", lr(a["id"]), lr(b["id"]), amount=1, pending=True).status_code == 422
    assert credit(api, "c-pe", lr(a["id"]), amount=1, pending=True).status_code == 422
    assert credit(api, "c-ar", lr(a["id"]), amount=1, allowRemainder=True).status_code == 422
