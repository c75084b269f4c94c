"""Credit, debit and transfer (transactions.md §5, §14.2–§14.4)."""

from __future__ import annotations


def test_credit_adds_to_balance_and_records_one_step(api, make_value, balance_of):
    value = make_value(balance=100)
    response = api.post("/v2/transactions/credit", json={
        "id": "credit-1", "destination": {"rail": "lightrail", "valueId": value["id"]}, "amount": 50, "currency": "USD",
    })
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["transactionType"] == "credit"
    assert body["totals"] is None and body["lineItems"] is None and body["paymentSources"] is None
    assert body["pending"] is False and "pendingVoidDate" not in body
    assert body["steps"] == [{
        "rail": "lightrail", "valueId": value["id"], "contactId": None, "code": None, "balanceRule": None,
        "balanceBefore": 100, "balanceAfter": 150, "balanceChange": 50,
        "usesRemainingBefore": None, "usesRemainingAfter": None, "usesRemainingChange": None,
    }]
    assert balance_of(value["id"]) == (150, None)
    assert api.get("/v2/transactions/credit-1").json() == body


def test_simulated_credit_answers_200_and_changes_nothing(api, make_value, balance_of):
    value = make_value(balance=100)
    response = api.post("/v2/transactions/credit", json={
        "id": "sim-1", "destination": {"rail": "lightrail", "valueId": value["id"]}, "amount": 50, "currency": "USD",
        "simulate": True,
    })
    assert response.status_code == 200
    assert response.json()["simulated"] is True
    assert response.json()["steps"][0]["balanceAfter"] == 150
    assert balance_of(value["id"]) == (100, None)
    assert api.get("/v2/transactions/sim-1").status_code == 404


def test_credit_of_uses_on_value_without_uses_is_null_uses(api, make_value):
    value = make_value(balance=100)
    response = api.post("/v2/transactions/credit", json={
        "id": "c-2", "destination": {"rail": "lightrail", "valueId": value["id"]}, "uses": 2, "currency": "USD",
    })
    assert response.status_code == 409
    assert response.json()["messageCode"] == "NullUses"


def test_credit_with_wrong_currency_is_refused(api, make_value):
    value = make_value(balance=100)
    api.post("/v2/currencies", json={"code": "CAD", "name": "Canadian", "symbol": "$", "decimalPlaces": 2})
    response = api.post("/v2/transactions/credit", json={
        "id": "c-3", "destination": {"rail": "lightrail", "valueId": value["id"]}, "amount": 1, "currency": "CAD",
    })
    assert response.status_code == 409
    assert response.json()["messageCode"] == "WrongCurrency"


def test_credit_to_unknown_value_is_invalid_party(api, usd):
    response = api.post("/v2/transactions/credit", json={
        "id": "c-4", "destination": {"rail": "lightrail", "valueId": "nope"}, "amount": 1, "currency": "USD",
    })
    assert response.status_code == 409
    assert response.json()["messageCode"] == "InvalidParty"


def test_credit_to_frozen_value_is_value_frozen(api, make_value):
    value = make_value(balance=1, frozen=True)
    response = api.post("/v2/transactions/credit", json={
        "id": "c-5", "destination": {"rail": "lightrail", "valueId": value["id"]}, "amount": 1, "currency": "USD",
    })
    assert response.status_code == 409
    assert response.json()["messageCode"] == "ValueFrozen"


def test_credit_without_amount_or_uses_is_422(api, make_value):
    value = make_value(balance=1)
    response = api.post("/v2/transactions/credit", json={
        "id": "c-6", "destination": {"rail": "lightrail", "valueId": value["id"]}, "currency": "USD",
    })
    assert response.status_code == 422


def test_id_longer_than_64_is_422(api, make_value):
    value = make_value(balance=1)
    response = api.post("/v2/transactions/credit", json={
        "id": "x" * 65, "destination": {"rail": "lightrail", "valueId": value["id"]}, "amount": 1, "currency": "USD",
    })
    assert response.status_code == 422
    assert "requestBody.id does not meet maximum length of 64" in response.json()["message"]


def test_credit_beyond_max_int_is_value_balance_too_large(api, make_value):
    value = make_value(balance=2147483000)
    response = api.post("/v2/transactions/credit", json={
        "id": "c-7", "destination": {"rail": "lightrail", "valueId": value["id"]}, "amount": 1000, "currency": "USD",
    })
    assert response.status_code == 409
    assert response.json()["messageCode"] == "ValueBalanceTooLarge"


def test_debit_takes_from_balance_and_reports_no_remainder(api, make_value, balance_of):
    value = make_value(balance=100, usesRemaining=20)
    response = api.post("/v2/transactions/debit", json={
        "id": "d-1", "source": {"rail": "lightrail", "valueId": value["id"]}, "amount": 75, "currency": "USD",
    })
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["totals"] == {"remainder": 0}
    step = body["steps"][0]
    assert (step["balanceBefore"], step["balanceAfter"], step["balanceChange"]) == (100, 25, -75)
    assert (step["usesRemainingBefore"], step["usesRemainingAfter"], step["usesRemainingChange"]) == (20, 20, 0)
    assert balance_of(value["id"]) == (25, 20)


def test_debit_more_than_balance_is_insufficient_balance(api, make_value, balance_of):
    value = make_value(balance=100)
    response = api.post("/v2/transactions/debit", json={
        "id": "d-2", "source": {"rail": "lightrail", "valueId": value["id"]}, "amount": 101, "currency": "USD",
    })
    assert response.status_code == 409
    assert response.json()["messageCode"] == "InsufficientBalance"
    assert balance_of(value["id"]) == (100, None)


def test_debit_with_allow_remainder_takes_what_there_is(api, make_value, balance_of):
    value = make_value(balance=100)
    response = api.post("/v2/transactions/debit", json={
        "id": "d-3", "source": {"rail": "lightrail", "valueId": value["id"]}, "amount": 150, "currency": "USD",
        "allowRemainder": True,
    })
    assert response.status_code == 201
    assert response.json()["totals"] == {"remainder": 50}
    assert response.json()["steps"][0]["balanceChange"] == -100
    assert balance_of(value["id"]) == (0, None)


def test_debit_uses_beyond_remaining_is_insufficient_uses(api, make_value):
    value = make_value(balance=100, usesRemaining=2)
    response = api.post("/v2/transactions/debit", json={
        "id": "d-4", "source": {"rail": "lightrail", "valueId": value["id"]}, "uses": 3, "currency": "USD",
    })
    assert response.status_code == 409
    assert response.json()["messageCode"] == "InsufficientUsesRemaining"


def test_debit_by_code(api, make_value, balance_of):
    value = make_value(balance=100, code="SUPER-SECRET")
    response = api.post("/v2/transactions/debit", json={
        "id": "d-5", "source": {"rail": "lightrail", "code": "SUPER-SECRET"}, "amount": 10, "currency": "USD",
    })
    assert response.status_code == 201, response.text
    assert response.json()["steps"][0]["code"] == "…CRET"
    assert balance_of(value["id"]) == (90, None)


def test_same_transaction_id_twice_is_transaction_exists(api, make_value, balance_of):
    value = make_value(balance=100)
    body = {"id": "dup", "source": {"rail": "lightrail", "valueId": value["id"]}, "amount": 10, "currency": "USD"}
    assert api.post("/v2/transactions/debit", json=body).status_code == 201
    second = api.post("/v2/transactions/debit", json=body)
    assert second.status_code == 409
    assert second.json()["messageCode"] == "TransactionExists"
    assert balance_of(value["id"]) == (90, None)


def test_value_id_is_taken_as_transaction_id(api, make_value):
    value = make_value(balance=100)
    response = api.post("/v2/transactions/debit", json={
        "id": value["id"], "source": {"rail": "lightrail", "valueId": value["id"]}, "amount": 10, "currency": "USD",
    })
    assert response.status_code == 409
    assert response.json()["messageCode"] == "TransactionExists"


def test_transfer_moves_balance_between_values(api, make_value, balance_of):
    source, destination = make_value(balance=100), make_value(balance=10)
    response = api.post("/v2/transactions/transfer", json={
        "id": "t-1", "source": {"rail": "lightrail", "valueId": source["id"]},
        "destination": {"rail": "lightrail", "valueId": destination["id"]}, "amount": 60, "currency": "USD",
    })
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["totals"] == {"remainder": 0}
    assert [(s["valueId"], s["balanceChange"]) for s in body["steps"]] == [(source["id"], -60), (destination["id"], 60)]
    assert balance_of(source["id"]) == (40, None)
    assert balance_of(destination["id"]) == (70, None)


def test_transfer_with_remainder_moves_what_there_is(api, make_value, balance_of):
    source, destination = make_value(balance=100), make_value(balance=0)
    response = api.post("/v2/transactions/transfer", json={
        "id": "t-2", "source": {"rail": "lightrail", "valueId": source["id"]},
        "destination": {"rail": "lightrail", "valueId": destination["id"]}, "amount": 150, "currency": "USD",
        "allowRemainder": True,
    })
    assert response.status_code == 201
    assert response.json()["totals"] == {"remainder": 50}
    assert balance_of(destination["id"]) == (100, None)


def test_transfer_from_stripe_is_not_configured(api, make_value):
    destination = make_value(balance=0)
    response = api.post("/v2/transactions/transfer", json={
        "id": "t-3", "source": {"rail": "stripe", "source": "tok_visa"},
        "destination": {"rail": "lightrail", "valueId": destination["id"]}, "amount": 150, "currency": "USD",
    })
    assert response.status_code == 422
    assert response.json()["messageCode"] == "StripeNotConfigured"


def test_credit_emits_transaction_created_and_value_updated(api, make_value, app, run_async):
    import sqlalchemy as sa

    from lightrail.events.tables import events

    value = make_value(balance=100)
    posted = api.post("/v2/transactions/credit", json={
        "id": "c-ev", "destination": {"rail": "lightrail", "valueId": value["id"]}, "amount": 5, "currency": "USD",
    }).json()

    async def read():
        async with app.state.db.read() as conn:
            rows = await conn.execute(sa.select(events).where(events.c.account_id == api.account_id))
            return [dict(r._mapping) for r in rows]

    rows = run_async(read)
    created = [r for r in rows if r["type"] == "lightrail.transaction.created" and r["data"]["newTransaction"]["id"] == "c-ev"]
    assert created[0]["data"]["newTransaction"] == posted
    updated = [r["data"] for r in rows if r["type"] == "lightrail.value.updated"]
    assert [(u["oldValue"]["balance"], u["newValue"]["balance"]) for u in updated] == [(100, 105)]
