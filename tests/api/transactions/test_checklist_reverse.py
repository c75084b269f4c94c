"""§14.25–§14.31 checklist: reverse of every transaction type (no Stripe), through HTTP."""

from __future__ import annotations

import urllib.parse


def lr(value):
    return {"rail": "lightrail", "valueId": value["id"]}


def code_of(response):
    return response.status_code, response.json().get("messageCode")


def reverse(api, tx_id, new_id, **extra):
    return api.post(f"/v2/transactions/{urllib.parse.quote(tx_id, safe='')}/reverse", json={"id": new_id, **extra})


def reverse_and_compare_with_simulation(api, tx_id, new_id, **extra):
    simulated = reverse(api, tx_id, new_id, simulate=True, **extra)
    assert simulated.status_code == 200, simulated.text
    real = reverse(api, tx_id, new_id, **extra)
    assert real.status_code == 201, real.text
    sim_body = simulated.json()
    assert sim_body.pop("simulated") is True
    body = real.json()
    assert {k: v for k, v in sim_body.items() if k != "createdDate"} == {k: v for k, v in body.items() if k != "createdDate"}
    return body


def steps(body):
    return [(s["balanceBefore"], s["balanceAfter"], s["balanceChange"]) for s in body["steps"]]


def uses(body):
    return [(s["usesRemainingBefore"], s["usesRemainingAfter"], s["usesRemainingChange"]) for s in body["steps"]]


# --- §14.25 -------------------------------------------------------------------------------------------------------

def test_reverse_errors(api, make_value):
    value = make_value(balance=100)
    assert reverse(api, value["id"], "rev-1").status_code == 201
    assert code_of(reverse(api, value["id"], "rev-2")) == (409, "TransactionReversed")
    assert code_of(reverse(api, "rev-1", "rev-3")) == (409, "TransactionNotReversible")
    assert code_of(reverse(api, "unknown", "rev-4")) == (404, "TransactionNotFound")


def test_reverse_with_the_original_id_is_transaction_exists(api, make_value):
    value = make_value(balance=100)
    response = api.post("/v2/transactions/credit", json={
        "id": "orig", "destination": lr(value), "amount": 1, "currency": "USD"})
    assert response.status_code == 201
    response = reverse(api, "orig", "orig")
    assert code_of(response) == (409, "TransactionExists")
    assert response.json()["message"] == "A Lightrail transaction with transactionId 'orig' already exists."


def test_reverse_id_length(api, make_value):
    value = make_value(balance=100)
    assert reverse(api, value["id"], "r" * 65).status_code == 422
    assert reverse(api, value["id"], "r" * 64).status_code == 201


def test_reverse_of_void_is_not_reversible_and_of_pending_is_pending(api, make_value):
    value = make_value(balance=100)
    api.post("/v2/transactions/debit", json={"id": "pend", "source": lr(value), "amount": 5, "currency": "USD", "pending": True})
    assert code_of(reverse(api, "pend", "pend-rev")) == (409, "TransactionPending")
    assert api.post("/v2/transactions/pend/void", json={"id": "pend-void"}).status_code == 201
    assert code_of(reverse(api, "pend-void", "pend-void-rev")) == (409, "TransactionNotReversible")


# --- §14.26 initialBalance ----------------------------------------------------------------------------------------

def test_reverse_initial_balance(api, make_value, balance_of):
    value = make_value(balance=100)
    body = reverse_and_compare_with_simulation(api, value["id"], "rev-ib")
    assert body["transactionType"] == "reverse"
    assert body["totals"] is None and body["tax"] is None
    assert steps(body) == [(100, 0, -100)]
    assert balance_of(value["id"]) == (0, None)


def test_reverse_initial_balance_of_balance_rule_value(api, make_value, balance_of):
    value = make_value(balanceRule={"rule": "500", "explanation": "$5"}, usesRemaining=1)
    body = reverse_and_compare_with_simulation(api, value["id"], "rev-ib-br")
    assert uses(body) == [(1, 0, -1)]
    assert steps(body) == [(None, None, None)]
    assert balance_of(value["id"]) == (None, 0)


# --- §14.27 credit ------------------------------------------------------------------------------------------------

def test_reverse_credit(api, make_value, balance_of):
    value = make_value(balance=100)
    api.post("/v2/transactions/credit", json={"id": "cr", "destination": lr(value), "amount": 50, "currency": "USD"})
    body = reverse_and_compare_with_simulation(api, "cr", "cr-rev")
    assert body["totals"] is None
    assert steps(body) == [(150, 100, -50)]
    assert balance_of(value["id"]) == (100, None)


def test_reverse_credit_of_uses(api, make_value, balance_of):
    value = make_value(balanceRule={"rule": "500", "explanation": "$5"}, usesRemaining=1)
    api.post("/v2/transactions/credit", json={"id": "cru", "destination": lr(value), "uses": 5, "currency": "USD"})
    body = reverse_and_compare_with_simulation(api, "cru", "cru-rev")
    assert uses(body) == [(6, 1, -5)]
    assert balance_of(value["id"]) == (None, 1)


def test_reverse_spent_credit_then_after_topping_up(api, make_value, balance_of):
    value = make_value(balance=0)
    api.post("/v2/transactions/credit", json={"id": "crs", "destination": lr(value), "amount": 50, "currency": "USD"})
    api.post("/v2/transactions/debit", json={"id": "crs-d", "source": lr(value), "amount": 1, "currency": "USD"})
    assert code_of(reverse(api, "crs", "crs-rev")) == (409, "InsufficientBalance")
    api.post("/v2/transactions/credit", json={"id": "crs-c2", "destination": lr(value), "amount": 2, "currency": "USD"})
    response = reverse(api, "crs", "crs-rev")
    assert response.status_code == 201, response.text
    assert steps(response.json()) == [(51, 1, -50)]


# --- §14.28 debit -------------------------------------------------------------------------------------------------

def test_reverse_debit_with_metadata(api, make_value, balance_of):
    value = make_value(balance=100)
    api.post("/v2/transactions/debit", json={"id": "db", "source": lr(value), "amount": 75, "currency": "USD"})
    metadata = {"oh_look_a_cat": "🐈"}
    body = reverse_and_compare_with_simulation(api, "db", "db-rev", metadata=metadata)
    assert body["totals"] == {"remainder": 0}
    assert steps(body) == [(25, 100, 75)]
    assert body["metadata"] == metadata
    assert balance_of(value["id"]) == (100, None)


def test_reverse_debit_of_uses(api, make_value, balance_of):
    value = make_value(balanceRule={"rule": "500", "explanation": "$5"}, usesRemaining=5)
    api.post("/v2/transactions/debit", json={"id": "dbu", "source": lr(value), "uses": 3, "currency": "USD"})
    body = reverse_and_compare_with_simulation(api, "dbu", "dbu-rev")
    assert uses(body) == [(2, 5, 3)]


def test_reverse_debit_with_remainder(api, make_value, balance_of):
    value = make_value(balance=50)
    api.post("/v2/transactions/debit", json={"id": "dbr", "source": lr(value), "amount": 100, "currency": "USD", "allowRemainder": True})
    assert reverse(api, "dbr", "dbr-rev").status_code == 201
    assert balance_of(value["id"]) == (50, None)


def test_reverse_captured_pending_debit_goes_through_the_capture(api, make_value, balance_of):
    value = make_value(balance=50)
    api.post("/v2/transactions/debit", json={"id": "dbp", "source": lr(value), "amount": 20, "currency": "USD", "pending": True})
    assert api.post("/v2/transactions/dbp/capture", json={"id": "dbp-cap"}).status_code == 201
    assert reverse(api, "dbp", "dbp-rev").status_code == 409
    response = reverse(api, "dbp-cap", "dbp-rev")
    assert response.status_code == 201, response.text
    assert [s["balanceChange"] for s in response.json()["steps"]] == [20]
    assert balance_of(value["id"]) == (50, None)
    chain = api.get("/v2/transactions/dbp-rev/chain").json()
    assert {t["id"] for t in chain} == {"dbp", "dbp-cap", "dbp-rev"}


def test_reverse_debit_on_canceled_ok_on_frozen_refused(api, make_value):
    canceled, frozen = make_value(balance=50), make_value(balance=50)
    api.post("/v2/transactions/debit", json={"id": "dbc", "source": lr(canceled), "amount": 20, "currency": "USD"})
    api.post("/v2/transactions/debit", json={"id": "dbf", "source": lr(frozen), "amount": 20, "currency": "USD"})
    assert api.patch(f"/v2/values/{canceled['id']}", json={"canceled": True}).status_code == 200
    assert api.patch(f"/v2/values/{frozen['id']}", json={"frozen": True}).status_code == 200
    response = reverse(api, "dbc", "dbc-rev")
    assert response.status_code == 201, response.text
    assert [s["balanceChange"] for s in response.json()["steps"]] == [20]
    assert code_of(reverse(api, "dbf", "dbf-rev")) == (409, "ValueFrozen")


# --- §14.29 attach ------------------------------------------------------------------------------------------------

def test_reverse_initial_balance_of_value_attached_to_contact(api, make_value, balance_of):
    assert api.post("/v2/contacts", json={"id": "contact-r"}).status_code == 201
    value = make_value(balance=100)
    assert api.post("/v2/contacts/contact-r/values/attach", json={"valueId": value["id"]}).status_code == 200
    response = reverse(api, value["id"], "att-rev")
    assert response.status_code == 201, response.text
    step = response.json()["steps"][0]
    assert (step["valueId"], step["contactId"], step["balanceBefore"], step["balanceAfter"]) == (value["id"], "contact-r", 100, 0)
    fetched = api.get(f"/v2/values/{value['id']}").json()
    assert (fetched["contactId"], fetched["balance"]) == ("contact-r", 0)


def test_reverse_attach_of_generic_code(api, make_value):
    assert api.post("/v2/contacts", json={"id": "contact-g"}).status_code == 201
    generic = make_value(code="GEN-REV", isGenericCode=True, balanceRule={"rule": "100", "explanation": "$1"},
                         usesRemaining=4, genericCodeOptions={"perContact": {"balance": None, "usesRemaining": 1}})
    attached = api.post("/v2/contacts/contact-g/values/attach", json={"code": "GEN-REV"})
    assert attached.status_code == 200, attached.text
    new_id = attached.json()["id"]
    listed = api.get(f"/v2/transactions?valueId={urllib.parse.quote(new_id, safe='')}").json()
    attach_tx = [t for t in listed if t["transactionType"] == "attach"]
    assert len(attach_tx) == 1
    response = reverse(api, attach_tx[0]["id"], "gen-rev")
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["totals"] is None and body["tax"] is None and body["lineItems"] is None
    assert [(s["valueId"], s["contactId"], s["usesRemainingBefore"], s["usesRemainingAfter"], s["usesRemainingChange"])
            for s in body["steps"]] == [(generic["id"], None, 3, 4, 1), (new_id, "contact-g", 1, 0, -1)]
    restored = api.get(f"/v2/values/{generic['id']}").json()
    assert restored["usesRemaining"] == 4


# --- §14.30 checkout (no Stripe) and §14.31 transfer --------------------------------------------------------------

def test_reverse_marketplace_checkout_negates_marketplace(api, make_value, balance_of):
    value = make_value(balance=110)
    created = api.post("/v2/transactions/checkout", json={
        "id": "mp", "currency": "USD", "sources": [lr(value)],
        "lineItems": [{"unitPrice": 100, "taxRate": 0.10, "marketplaceRate": 0.2}]})
    assert created.status_code == 201, created.text
    assert created.json()["totals"]["marketplace"] == {"sellerGross": 80, "sellerDiscount": 0, "sellerNet": 80}
    assert [s["balanceChange"] for s in created.json()["steps"]] == [-110]
    body = reverse_and_compare_with_simulation(api, "mp", "mp-rev")
    assert body["totals"]["marketplace"] == {"sellerGross": -80, "sellerDiscount": 0, "sellerNet": -80}
    assert balance_of(value["id"]) == (110, None)
    chain = api.get("/v2/transactions/mp/chain").json()
    assert [t["id"] for t in chain] == ["mp", "mp-rev"]


def test_reverse_checkout_with_internal_and_promo(api, make_value, balance_of):
    promo = make_value(balanceRule={"rule": "currentLineItem.lineTotal.subtotal * 0.05", "explanation": "5%"}, discount=True)
    gc = make_value(balance=140)
    created = api.post("/v2/transactions/checkout", json={
        "id": "cki", "currency": "USD", "lineItems": [{"unitPrice": 200}], "allowRemainder": True,
        "sources": [{"rail": "internal", "internalId": "int-1", "balance": 1, "beforeLightrail": True}, lr(promo), lr(gc)]})
    assert created.status_code == 201, created.text
    assert [s.get("balanceChange") for s in created.json()["steps"]] == [-1, -10, -140]
    body = reverse_and_compare_with_simulation(api, "cki", "cki-rev")
    assert sorted(s.get("balanceChange") for s in body["steps"]) == [1, 10, 140]
    assert body["totals"] == {k: -v for k, v in created.json()["totals"].items()}
    assert balance_of(gc["id"]) == (140, None)
    chain = api.get("/v2/transactions/cki-rev/chain").json()
    assert chain[0] == api.get("/v2/transactions/cki").json() and chain[1] == body


def test_reverse_transfer(api, make_value, balance_of):
    source, destination = make_value(balance=100), make_value(balance=20)
    api.post("/v2/transactions/transfer", json={
        "id": "tr", "source": lr(source), "destination": lr(destination), "amount": 75, "currency": "USD"})
    body = reverse_and_compare_with_simulation(api, "tr", "tr-rev")
    assert body["totals"] == {"remainder": 0}
    assert [(s["valueId"], s["balanceBefore"], s["balanceAfter"], s["balanceChange"]) for s in body["steps"]] == [
        (source["id"], 25, 100, 75), (destination["id"], 95, 20, -75)]
    assert balance_of(source["id"]) == (100, None) and balance_of(destination["id"]) == (20, None)


def test_reverse_spent_transfer_then_after_topping_up(api, make_value, balance_of):
    source, destination = make_value(balance=100), make_value(balance=0)
    api.post("/v2/transactions/transfer", json={
        "id": "trs", "source": lr(source), "destination": lr(destination), "amount": 75, "currency": "USD"})
    api.post("/v2/transactions/debit", json={"id": "trs-d", "source": lr(destination), "amount": 1, "currency": "USD"})
    assert code_of(reverse(api, "trs", "trs-rev")) == (409, "InsufficientBalance")
    api.post("/v2/transactions/credit", json={"id": "trs-c", "destination": lr(destination), "amount": 2, "currency": "USD"})
    assert reverse(api, "trs", "trs-rev").status_code == 201
    assert balance_of(source["id"]) == (100, None) and balance_of(destination["id"]) == (1, None)
