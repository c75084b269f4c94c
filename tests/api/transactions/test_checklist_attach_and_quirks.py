"""§14.33 auto-attach during checkout, §14.6 chains, §14.12 extras and §16 quirks through HTTP."""

from __future__ import annotations

import time
import urllib.parse

import pytest


def lr(value):
    return {"rail": "lightrail", "valueId": value["id"]}


def code_of(response):
    return response.status_code, response.json().get("messageCode")


def checkout(api, tx_id, items, sources, **extra):
    return api.post("/v2/transactions/checkout", json={
        "id": tx_id, "currency": "USD", "lineItems": items, "sources": sources, **extra})


@pytest.fixture
def contact(api):
    def make(contact_id):
        assert api.post("/v2/contacts", json={"id": contact_id}).status_code == 201
        return contact_id
    return make


def attach_transactions(api, value_id):
    listed = api.get(f"/v2/transactions?valueId={urllib.parse.quote(value_id, safe='')}").json()
    return [t for t in listed if t["transactionType"] == "attach"]


def test_auto_attach_draws_down_per_contact_balance_and_uses(api, make_value, contact, balance_of):
    contact("c-aa")
    generic = make_value(code="AUTO-GEN", isGenericCode=True, genericCodeOptions={"perContact": {"balance": 500, "usesRemaining": 3}})
    first = checkout(api, "aa-1", [{"unitPrice": 200}], [{"rail": "lightrail", "contactId": "c-aa"}, {"rail": "lightrail", "code": "AUTO-GEN"}])
    assert first.status_code == 201, first.text
    step = first.json()["steps"][0]
    assert step["valueId"] != generic["id"] and step["contactId"] == "c-aa"
    assert (step["balanceBefore"], step["balanceAfter"], step["usesRemainingBefore"], step["usesRemainingAfter"]) == (500, 300, 3, 2)
    assert len(attach_transactions(api, generic["id"])) == 1
    second = checkout(api, "aa-2", [{"unitPrice": 150}], [{"rail": "lightrail", "contactId": "c-aa"}, {"rail": "lightrail", "code": "AUTO-GEN"}])
    assert second.status_code == 201, second.text
    assert second.json()["steps"][0]["valueId"] == step["valueId"]
    assert balance_of(step["valueId"]) == (150, 1)
    assert len(attach_transactions(api, generic["id"])) == 1
    third = checkout(api, "aa-3", [{"unitPrice": 50}], [{"rail": "lightrail", "contactId": "c-aa"}])
    assert third.status_code == 201, third.text
    assert balance_of(step["valueId"]) == (100, 0)


def test_auto_attach_simulated_persists_nothing_and_unknown_contact_must_be_attached(api, make_value, contact, balance_of):
    contact("c-sim")
    generic = make_value(code="SIM-GEN", isGenericCode=True, genericCodeOptions={"perContact": {"balance": 500, "usesRemaining": 3}})
    sources = [{"rail": "lightrail", "contactId": "c-sim"}, {"rail": "lightrail", "code": "SIM-GEN"}]
    simulated = checkout(api, "sim-aa", [{"unitPrice": 200}], sources, simulate=True)
    assert simulated.status_code == 200, simulated.text
    assert simulated.json()["steps"][0]["valueId"] != generic["id"]
    assert attach_transactions(api, generic["id"]) == []
    unknown = checkout(api, "unk-aa", [{"unitPrice": 200}], [{"rail": "lightrail", "contactId": "nobody"}, {"rail": "lightrail", "code": "SIM-GEN"}])
    assert code_of(unknown) == (409, "ValueMustBeAttached")


def test_two_generic_codes_both_attached_and_first_contact_wins(api, make_value, contact):
    contact("c-one")
    contact("c-two")
    g1 = make_value(code="GEN-ONE", isGenericCode=True, genericCodeOptions={"perContact": {"balance": 100, "usesRemaining": None}})
    g2 = make_value(code="GEN-TWO", isGenericCode=True, genericCodeOptions={"perContact": {"balance": 200, "usesRemaining": None}})
    response = checkout(api, "two-gen", [{"unitPrice": 300}], [
        {"rail": "lightrail", "contactId": "c-one"}, {"rail": "lightrail", "contactId": "c-two"},
        {"rail": "lightrail", "code": "GEN-ONE"}, {"rail": "lightrail", "code": "GEN-TWO"}])
    assert response.status_code == 201, response.text
    assert response.json()["totals"]["paidLightrail"] == 300
    assert {s["contactId"] for s in response.json()["steps"]} == {"c-one"}
    assert len(attach_transactions(api, g1["id"])) == 1 and len(attach_transactions(api, g2["id"])) == 1


def test_generic_without_per_contact_is_used_directly(api, make_value, contact):
    contact("c-direct")
    generic = make_value(code="DIRECT-GEN", isGenericCode=True, balanceRule={"rule": "100", "explanation": "$1"})
    response = checkout(api, "direct", [{"unitPrice": 300}], [
        {"rail": "lightrail", "contactId": "c-direct"}, {"rail": "lightrail", "code": "DIRECT-GEN"}], allowRemainder=True)
    assert response.status_code == 201, response.text
    assert response.json()["steps"][0]["valueId"] == generic["id"]
    assert attach_transactions(api, generic["id"]) == []


def test_expired_generic_is_not_attached(api, make_value, contact):
    contact("c-exp")
    generic = make_value(code="EXP-GEN", isGenericCode=True, endDate="2000-01-01T00:00:00.000Z",
                         genericCodeOptions={"perContact": {"balance": 100, "usesRemaining": None}})
    response = checkout(api, "exp", [{"unitPrice": 300}], [
        {"rail": "lightrail", "contactId": "c-exp"}, {"rail": "lightrail", "code": "EXP-GEN"}], allowRemainder=True)
    assert response.status_code == 201, response.text
    assert response.json()["steps"] == []
    assert attach_transactions(api, generic["id"]) == []


def test_contact_discount_covering_everything_means_no_attach(api, make_value, contact):
    contact("c-cov")
    make_value(balance=1000, discount=True, contactId="c-cov")
    generic = make_value(code="COV-GEN", isGenericCode=True, balanceRule={"rule": "500 + value.balanceChange", "explanation": "$5"},
                         genericCodeOptions={"perContact": {"balance": None, "usesRemaining": 1}})
    response = checkout(api, "cov", [{"unitPrice": 777}], [
        {"rail": "lightrail", "contactId": "c-cov"}, {"rail": "lightrail", "code": "COV-GEN"}])
    assert response.status_code == 201, response.text
    assert attach_transactions(api, generic["id"]) == []


def test_attach_on_exhausted_generic_pool_is_insufficient(api, make_value, contact):
    contact("c-p1")
    contact("c-p2")
    generic = make_value(code="POOL", isGenericCode=True, balance=100,
                         genericCodeOptions={"perContact": {"balance": 100, "usesRemaining": None}})
    assert api.post("/v2/contacts/c-p1/values/attach", json={"code": "POOL"}).status_code == 200
    response = checkout(api, "pool", [{"unitPrice": 50}], [{"rail": "lightrail", "contactId": "c-p2"}, {"rail": "lightrail", "code": "POOL"}])
    assert code_of(response) == (409, "InsufficientBalance")
    assert api.get(f"/v2/values/{generic['id']}").json()["balance"] == 0


def test_checkout_contact_filter_lists_attach_and_checkout(api, make_value, contact):
    contact("c-list")
    make_value(code="LIST-GEN", isGenericCode=True, genericCodeOptions={"perContact": {"balance": 100, "usesRemaining": None}})
    make_value(balance=80, contactId="c-list")
    response = checkout(api, "list-co", [{"unitPrice": 150}], [
        {"rail": "lightrail", "contactId": "c-list"}, {"rail": "lightrail", "code": "LIST-GEN"}])
    assert response.status_code == 201, response.text
    listed = api.get("/v2/transactions?contactId=c-list").json()
    assert sorted(t["transactionType"] for t in listed) == ["attach", "checkout", "initialBalance"]
    assert [t for t in listed if t["id"] == "list-co"][0] == response.json()


def test_chain_of_pending_checkout_capture_reverse(api, make_value):
    value = make_value(balance=100)
    assert checkout(api, "ch-co", [{"unitPrice": 10}], [lr(value)], pending=True).status_code == 201
    time.sleep(1)
    assert api.post("/v2/transactions/ch-co/capture", json={"id": "ch-cap"}).status_code == 201
    time.sleep(1)
    assert api.post("/v2/transactions/ch-cap/reverse", json={"id": "ch-rev"}).status_code == 201
    chains = [api.get(f"/v2/transactions/{tx_id}/chain").json() for tx_id in ("ch-co", "ch-cap", "ch-rev")]
    assert chains[0] == chains[1] == chains[2]
    assert [t["transactionType"] for t in chains[0]] == ["checkout", "capture", "reverse"]
    assert api.get(f"/v2/transactions/{value['id']}/chain").json()[0]["transactionType"] == "initialBalance"
    assert api.get("/v2/transactions/missing/chain").status_code == 404


def test_empty_line_items_is_a_zero_checkout(api, usd):
    response = checkout(api, "q1", [], [])
    assert response.status_code == 201, response.text
    assert response.json()["totals"]["payable"] == 0


def test_one_use_per_checkout_whatever_the_number_of_lines(api, make_value, balance_of):
    value = make_value(balance=1000, usesRemaining=5)
    response = checkout(api, "q14", [{"unitPrice": 10}, {"unitPrice": 20}, {"unitPrice": 30}], [lr(value)])
    assert response.status_code == 201, response.text
    assert balance_of(value["id"]) == (940, 4)


def test_internal_source_with_65_char_id_is_422(api, usd):
    response = checkout(api, "int65", [{"unitPrice": 10}], [{"rail": "internal", "internalId": "i" * 65, "balance": 10}])
    assert response.status_code == 422
    assert "does not meet maximum length of 64" in response.json()["message"]


def test_same_value_listed_twice_is_one_step(api, make_value):
    value = make_value(balance=1000)
    response = checkout(api, "twice", [{"unitPrice": 50}], [lr(value), lr(value)])
    assert response.status_code == 201
    assert [s["balanceChange"] for s in response.json()["steps"]] == [-50]


def test_chain_links_are_stored(api, make_value, app, run_async):
    import sqlalchemy as sa

    from lightrail.transactions.tables import transactions

    value = make_value(balance=10)
    # the chain is sorted by createdDate (second precision) then id: this reverse id sorts after the Value id
    credit = api.post("/v2/transactions/credit", json={"id": "link-c", "destination": lr(value), "amount": 1, "currency": "USD"})
    assert credit.status_code == 201
    assert api.post(f"/v2/transactions/{value['id']}/reverse", json={"id": "z-link-rev"}).status_code == 201

    async def read():
        async with app.state.db.read() as conn:
            rows = await conn.execute(sa.select(transactions.c.id, transactions.c.root_transaction_id, transactions.c.next_transaction_id,
                                                transactions.c.pending_void_date)
                                      .where(transactions.c.account_id == api.account_id))
            return {r.id: (r.root_transaction_id, r.next_transaction_id, r.pending_void_date) for r in rows}

    rows = run_async(read)
    assert rows["link-c"] == ("link-c", None, None)
    assert rows[value["id"]] == (value["id"], "z-link-rev", None)
    assert rows["z-link-rev"] == (value["id"], None, None)
    assert [t["id"] for t in api.get(f"/v2/transactions/{value['id']}/chain").json()] == [value["id"], "z-link-rev"]


def test_lower_case_currency_is_upper_cased_on_credit_debit_transfer(api, make_value):
    a, b = make_value(balance=100), make_value(balance=100)
    for route, body in (("credit", {"destination": lr(a), "amount": 1}), ("debit", {"source": lr(a), "amount": 1}),
                        ("transfer", {"source": lr(a), "destination": lr(b), "amount": 1})):
        response = api.post(f"/v2/transactions/{route}", json={"id": f"lc-{route}", "currency": "usd", **body})
        assert response.status_code == 201, response.text
        assert response.json()["currency"] == "USD"


def test_transfer_from_inactive_value_is_value_inactive(api, make_value):
    inactive, plain = make_value(balance=5, active=False), make_value(balance=5)
    response = api.post("/v2/transactions/transfer", json={
        "id": "t-ina", "source": lr(inactive), "destination": lr(plain), "amount": 1, "currency": "USD"})
    assert code_of(response) == (409, "ValueInactive")


def test_reverse_body_rejects_unknown_keys(api, make_value):
    value = make_value(balance=5)
    assert api.post(f"/v2/transactions/{value['id']}/reverse", json={"id": "rv-x", "extra": 1}).status_code == 422
    assert code_of(api.post(f"/v2/transactions/{value['id']}/capture", json={"id": "cp-x"})) == (409, "TransactionNotPending")
