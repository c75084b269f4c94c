"""Reverse, pending, capture, void and chains (transactions.md §8, §9, §14.3, §14.6)."""

from __future__ import annotations

import sqlalchemy as sa

from lightrail.transactions.tables import transactions


def debit(api, value, tx_id, amount, **extra):
    return api.post("/v2/transactions/debit", json={
        "id": tx_id, "source": {"rail": "lightrail", "valueId": value["id"]}, "amount": amount, "currency": "USD", **extra,
    })


def test_reverse_of_debit_restores_balance(api, make_value, balance_of):
    value = make_value(balance=100)
    assert debit(api, value, "d-1", 75).status_code == 201
    response = api.post("/v2/transactions/d-1/reverse", json={"id": "r-1", "metadata": {"why": "refund"}})
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["transactionType"] == "reverse"
    assert (body["steps"][0]["balanceBefore"], body["steps"][0]["balanceAfter"], body["steps"][0]["balanceChange"]) == (25, 100, 75)
    assert body["totals"] == {"remainder": 0}
    assert body["metadata"] == {"why": "refund"}
    assert balance_of(value["id"]) == (100, None)
    chain = api.get("/v2/transactions/r-1/chain").json()
    assert [t["id"] for t in chain] == ["d-1", "r-1"]


def test_second_reverse_is_transaction_reversed(api, make_value):
    value = make_value(balance=100)
    debit(api, value, "d-2", 10)
    assert api.post("/v2/transactions/d-2/reverse", json={"id": "r-2"}).status_code == 201
    again = api.post("/v2/transactions/d-2/reverse", json={"id": "r-3"})
    assert again.status_code == 409
    assert again.json()["messageCode"] == "TransactionReversed"
    of_reverse = api.post("/v2/transactions/r-2/reverse", json={"id": "r-4"})
    assert of_reverse.json()["messageCode"] == "TransactionNotReversible"


def test_reverse_of_initial_balance_empties_the_value(api, make_value, balance_of):
    value = make_value(balance=300, usesRemaining=3)
    response = api.post(f"/v2/transactions/{value['id']}/reverse", json={"id": "r-init"})
    assert response.status_code == 201, response.text
    assert balance_of(value["id"]) == (0, 0)
    # Same-second transactions of a chain come in id order.
    assert {t["id"] for t in api.get(f"/v2/transactions/{value['id']}/chain").json()} == {value["id"], "r-init"}


def test_reverse_of_spent_credit_is_insufficient_balance(api, make_value):
    value = make_value(balance=0)
    api.post("/v2/transactions/credit", json={"id": "c-1", "destination": {"rail": "lightrail", "valueId": value["id"]}, "amount": 50, "currency": "USD"})
    debit(api, value, "d-3", 40)
    response = api.post("/v2/transactions/c-1/reverse", json={"id": "r-5"})
    assert response.status_code == 409
    assert response.json()["messageCode"] == "InsufficientBalance"


def test_reverse_with_frozen_value_is_value_frozen(api, make_value):
    value = make_value(balance=100)
    debit(api, value, "d-4", 10)
    assert api.patch(f"/v2/values/{value['id']}", json={"frozen": True}).status_code == 200
    response = api.post("/v2/transactions/d-4/reverse", json={"id": "r-6"})
    assert response.status_code == 409
    assert response.json()["messageCode"] == "ValueFrozen"


def test_reverse_unknown_transaction_is_404(api, usd):
    response = api.post("/v2/transactions/nothing/reverse", json={"id": "r-7"})
    assert response.status_code == 404
    assert response.json()["messageCode"] == "TransactionNotFound"


def test_pending_debit_holds_funds_and_void_gives_them_back(api, make_value, balance_of):
    value = make_value(balance=50)
    pending = debit(api, value, "p-1", 10, pending=True)
    assert pending.status_code == 201, pending.text
    assert pending.json()["pending"] is True and "pendingVoidDate" in pending.json()
    assert balance_of(value["id"]) == (40, None)
    reverse = api.post("/v2/transactions/p-1/reverse", json={"id": "r-8"})
    assert reverse.json()["messageCode"] == "TransactionPending"
    void = api.post("/v2/transactions/p-1/void", json={"id": "v-1"})
    assert void.status_code == 201, void.text
    assert void.json()["transactionType"] == "void" and void.json()["pending"] is False
    assert balance_of(value["id"]) == (50, None)
    assert api.post("/v2/transactions/p-1/capture", json={"id": "cap-1"}).json()["messageCode"] == "TransactionVoided"
    assert api.post("/v2/transactions/p-1/void", json={"id": "v-2"}).json()["messageCode"] == "TransactionVoided"
    assert api.get("/v2/transactions/p-1").json() == pending.json()


def test_capture_keeps_funds_and_is_reversed_through_the_capture(api, make_value, balance_of):
    value = make_value(balance=50)
    debit(api, value, "p-2", 10, pending=True)
    capture = api.post("/v2/transactions/p-2/capture", json={"id": "cap-2"})
    assert capture.status_code == 201, capture.text
    assert (capture.json()["steps"], capture.json()["pending"], capture.json()["totals"]) == ([], False, None)
    assert balance_of(value["id"]) == (40, None)
    assert api.post("/v2/transactions/p-2/capture", json={"id": "cap-3"}).json()["messageCode"] == "TransactionCaptured"
    assert api.post("/v2/transactions/p-2/void", json={"id": "v-3"}).json()["messageCode"] == "TransactionCaptured"
    reverse = api.post("/v2/transactions/cap-2/reverse", json={"id": "r-9"})
    assert reverse.status_code == 201, reverse.text
    assert balance_of(value["id"]) == (50, None)
    assert sorted(t["id"] for t in api.get("/v2/transactions/cap-2/chain").json()) == ["cap-2", "p-2", "r-9"]
    assert [t["id"] for t in api.get("/v2/transactions/p-2/chain").json()] == [t["id"] for t in api.get("/v2/transactions/r-9/chain").json()]


def test_capture_of_non_pending_is_transaction_not_pending(api, make_value):
    value = make_value(balance=50)
    debit(api, value, "d-5", 10)
    response = api.post("/v2/transactions/d-5/capture", json={"id": "cap-4"})
    assert response.status_code == 409
    assert response.json()["messageCode"] == "TransactionNotPending"


def test_pending_duration_sets_void_date(api, make_value):
    value = make_value(balance=50)
    body = debit(api, value, "p-3", 10, pending="P14D").json()
    from datetime import datetime, timedelta

    created = datetime.fromisoformat(body["createdDate"].replace("Z", "+00:00"))
    assert body["pendingVoidDate"] == (created + timedelta(days=14)).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def test_pending_durations_out_of_bounds_are_422(api, make_value):
    value = make_value(balance=50)
    assert debit(api, value, "p-4", 10, pending="P-1D").json()["messageCode"] == "PendingDurationTooSmall"
    assert debit(api, value, "p-5", 10, pending="P100Y").json()["messageCode"] == "PendingDurationTooLarge"
    assert debit(api, value, "p-6", 10, pending="tomorrow").status_code == 422


def test_capture_after_void_date_is_voiding_and_worker_voids_it(api, make_value, balance_of, app, run_async):
    from lightrail.transactions.pending import void_overdue

    value = make_value(balance=50)
    debit(api, value, "p-7", 10, pending=True)

    async def backdate():
        from datetime import datetime, timezone

        async with app.state.db.transaction() as conn:
            await conn.execute(sa.update(transactions).where(
                transactions.c.account_id == api.account_id, transactions.c.id == "p-7",
            ).values(pending_void_date=datetime(2000, 1, 1, tzinfo=timezone.utc)))

    run_async(backdate)
    response = api.post("/v2/transactions/p-7/capture", json={"id": "cap-5"})
    assert response.json()["messageCode"] == "TransactionVoiding"
    assert run_async(lambda: void_overdue(app.state.db, app.state.codes)) >= 1
    assert balance_of(value["id"]) == (50, None)
    chain = api.get("/v2/transactions/p-7/chain").json()
    assert sorted((t["transactionType"], t["createdBy"]) for t in chain)[1] == ("void", "automatic-void")


def test_automatic_void_goes_on_past_a_transaction_it_cannot_void(api, make_value, balance_of, app, run_async):
    """A pending debit whose Value was deactivated cannot be voided (409 ValueInactive); the worker tries it
    again next run, and meanwhile voids the ones after it, even when a batch holds only that one."""
    from datetime import datetime, timezone

    from lightrail.transactions.pending import void_overdue

    cards = [make_value(balance=50) for _ in range(3)]
    for day, card in enumerate(cards, start=1):
        debit(api, card, f"stuck-{day}", 10, pending=True)

        async def backdate(day=day):
            async with app.state.db.transaction() as conn:
                await conn.execute(sa.update(transactions).where(
                    transactions.c.account_id == api.account_id, transactions.c.id == f"stuck-{day}",
                ).values(pending_void_date=datetime(2001, 1, day, tzinfo=timezone.utc)))

        run_async(backdate)
    assert api.patch(f"/v2/values/{cards[0]['id']}", json={"active": False}).status_code == 200

    def voided(day: int) -> bool:
        return len(api.get(f"/v2/transactions/stuck-{day}/chain").json()) == 2

    run_async(lambda: void_overdue(app.state.db, app.state.codes, batch=1))
    assert [voided(day) for day in (1, 2, 3)] == [False, True, True]
    assert [balance_of(card["id"])[0] for card in cards] == [40, 50, 50]
    assert api.patch(f"/v2/values/{cards[0]['id']}", json={"active": True}).status_code == 200
    run_async(lambda: void_overdue(app.state.db, app.state.codes, batch=1))
    assert voided(1) and balance_of(cards[0]["id"])[0] == 50


def test_patch_and_delete_are_forbidden(api, usd):
    assert api.patch("/v2/transactions/x", json={}).json()["messageCode"] == "CannotModifyTransaction"
    assert api.delete("/v2/transactions/x").json()["messageCode"] == "CannotDeleteTransaction"


def test_list_filters_by_type_currency_and_value(api, make_value):
    a, b = make_value(balance=50), make_value(balance=25)
    debit(api, a, "d-6", 5)
    listed = api.get("/v2/transactions")
    assert (listed.headers["Limit"], listed.headers["Max-Limit"]) == ("100", "1000")
    assert len(listed.json()) == 3
    assert len(api.get("/v2/transactions?transactionType=initialBalance").json()) == 2
    assert [t["id"] for t in api.get(f"/v2/transactions?valueId={a['id']}&transactionType=debit").json()] == ["d-6"]
    assert sorted(t["id"] for t in api.get(f"/v2/values/{a['id']}/transactions").json()) == sorted([a["id"], "d-6"])
    assert api.get(f"/v2/transactions?valueId=%20{b['id']}").json() == []
    assert len(api.get("/v2/transactions?currency.in=USD,EUR").json()) == 3
    assert api.get("/v2/transactions?createdDate.gt=3030-01-01").json() == []


def test_another_account_sees_nothing(api, make_value):
    from tests.conftest import make_token

    value = make_value(balance=50)
    debit(api, value, "d-7", 5)
    other = api.as_token(make_token("acct-someone-else-TEST"))
    assert other.get("/v2/transactions").json() == []
    assert other.get("/v2/transactions/d-7").status_code == 404


def test_reverse_of_checkout_negates_totals_and_restores_values(api, make_value, balance_of):
    promo, gc = make_value(balance=100, discount=True), make_value(balance=5000)
    api.post("/v2/transactions/checkout", json={
        "id": "co-r", "currency": "USD", "lineItems": [{"unitPrice": 5000}], "allowRemainder": True,
        "sources": [{"rail": "lightrail", "valueId": promo["id"]}, {"rail": "lightrail", "valueId": gc["id"]}],
    })
    response = api.post("/v2/transactions/co-r/reverse", json={"id": "co-r-rev"})
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["totals"] == {
        "subtotal": -5000, "tax": 0, "discount": -100, "payable": -4900, "remainder": 0, "forgiven": 0,
        "discountLightrail": -100, "paidLightrail": -4900, "paidStripe": 0, "paidInternal": 0,
    }
    assert (body["lineItems"], body["paymentSources"], body["tax"]) == (None, None, {"roundingMode": "HALF_EVEN"})
    assert balance_of(promo["id"]) == (100, None)
    assert balance_of(gc["id"]) == (5000, None)


def test_void_of_remainder_only_pending_checkout_has_no_steps(api, usd):
    pending = api.post("/v2/transactions/checkout", json={
        "id": "co-p", "currency": "USD", "lineItems": [{"unitPrice": 15000}], "sources": [], "allowRemainder": True, "pending": True,
    })
    assert pending.status_code == 201, pending.text
    void = api.post("/v2/transactions/co-p/void", json={"id": "co-p-void"})
    assert void.status_code == 201, void.text
    assert void.json()["steps"] == []
    assert void.json()["totals"]["remainder"] == -15000


def test_pending_checkout_with_stripe_cannot_wait_more_than_a_week(api, usd):
    response = api.post("/v2/transactions/checkout", json={
        "id": "co-s", "currency": "USD", "lineItems": [{"unitPrice": 1500}], "pending": "P8D", "simulate": True,
        "sources": [{"rail": "stripe", "source": "tok_visa"}],
    })
    assert response.status_code == 422
    assert response.json()["messageCode"] == "PendingDurationTooLarge"
