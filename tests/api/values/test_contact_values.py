"""Attaching values to contacts and detaching them (core.md §8, §16.3, §16.9)."""

from __future__ import annotations

import pytest

from lightrail.events.tables import events
from lightrail.transactions.tables import transactions
from lightrail.values.contact_values import per_contact_value_id
from tests.conftest import make_token


@pytest.fixture
def contact(api, usd):
    api.post("/v2/contacts", json={"id": "c-1"})
    return "c-1"


def generic(api, value_id="gen", **fields):
    body = {"id": value_id, "currency": "USD", "isGenericCode": True, "code": f"CODE-{value_id}", **fields}
    response = api.post("/v2/values", json=body)
    assert response.status_code == 201, response.json()
    return response.json()


@pytest.mark.parametrize("generic_id,contact_id,expected", [
    ("123", "456", "vi_tcnr5gak5ZKguoofIlgj59yo"),
    ("se46ds", "6rdtfs4", "QrSrg2mt3qeBfh47G1sqnGHOGe4"),
    ("/1ar,3a4/3aw4efsredfgs%a3as", "2353a4sadfsert5_2a=dfg", "mXeuDmmVxP-V_-3K5s_QJIW3hoI"),
    ("dontChangeValueId", "dontChangeContactId", "3BzqT3K3VueDcNW7QGRXT-BJ0q4"),
])
def test_per_contact_ids_are_url_safe_sha1(generic_id, contact_id, expected):
    assert per_contact_value_id(generic_id, contact_id) == expected


def test_unique_value_attach_by_code_and_by_id_then_detach(api, contact):
    api.post("/v2/values", json={"id": "u", "currency": "USD", "code": "UNIQUECODE1"})
    attached = api.post("/v2/contacts/c-1/values/attach", json={"code": "UNIQUECODE1"}).json()
    assert (attached["id"], attached["contactId"], attached["code"]) == ("u", "c-1", "…ODE1")
    assert attached["updatedContactIdDate"] == attached["updatedDate"] is not None
    assert api.post("/v2/contacts/c-1/values/attach", json={"valueId": "u"}).json()["contactId"] == "c-1"
    detached = api.post("/v2/contacts/c-1/values/detach", json={"valueId": "u"}).json()
    assert detached["contactId"] is None
    assert detached == api.get("/v2/values/u").json()


def test_attach_moves_a_unique_value_but_not_for_a_shopper(api, contact):
    api.post("/v2/contacts", json={"id": "c-2"})
    api.post("/v2/values", json={"id": "u", "currency": "USD", "code": "MOVEME12", "contactId": "c-1"})
    shopper = api.as_token(make_token(api.account_id, roles=[], scopes=["lightrailV2:values:attach:self"], contact_id="c-2"))
    response = shopper.post("/v2/contacts/c-2/values/attach", json={"code": "MOVEME12"})
    assert (response.status_code, response.json()["messageCode"]) == (409, "ValueNotFound")
    assert api.post("/v2/contacts/c-2/values/attach", json={"code": "MOVEME12"}).json()["contactId"] == "c-2"


def test_generic_attach_creates_a_per_contact_value_through_an_attach_transaction(api, contact, db_rows):
    generic(api, balance=1200, genericCodeOptions={"perContact": {"balance": 500, "usesRemaining": 2}})
    attached = api.post("/v2/contacts/c-1/values/attach", json={"code": "CODE-gen"}).json()
    assert attached["id"] == per_contact_value_id("gen", "c-1")
    assert (attached["balance"], attached["usesRemaining"], attached["contactId"], attached["code"]) == (500, 2, "c-1", None)
    assert attached["attachedFromValueId"] == "gen" and "genericCodeOptions" not in attached
    assert attached["metadata"] == {"attachedFromGenericValue": {"code": "CODE-gen"}}
    assert api.get("/v2/values/gen").json()["balance"] == 700
    [tx] = db_rows(transactions, api.account_id, transactions.c.transaction_type == "attach")
    assert tx["id"] == attached["id"]
    [event] = [e for e in db_rows(events, api.account_id) if e["type"] == "lightrail.transaction.created" and e["data"]["newTransaction"]["transactionType"] == "attach"]
    generic_step, new_step = event["data"]["newTransaction"]["steps"]
    assert (generic_step["code"], generic_step["balanceBefore"], generic_step["balanceChange"], generic_step["balanceAfter"]) == ("…-gen", 1200, -500, 700)
    assert generic_step["usesRemainingBefore"] is None and generic_step["usesRemainingChange"] is None
    assert (new_step["balanceBefore"], new_step["balanceAfter"], new_step["usesRemainingBefore"], new_step["usesRemainingAfter"]) == (0, 500, 0, 2)


def test_generic_balance_cap_runs_out(api, usd):
    for contact_id in ("a", "b", "c"):
        api.post("/v2/contacts", json={"id": contact_id})
    generic(api, balance=1200, genericCodeOptions={"perContact": {"balance": 500, "usesRemaining": 2}})
    assert api.post("/v2/contacts/a/values/attach", json={"code": "CODE-gen"}).status_code == 200
    assert api.post("/v2/contacts/b/values/attach", json={"code": "CODE-gen"}).status_code == 200
    response = api.post("/v2/contacts/c/values/attach", json={"code": "CODE-gen"})
    assert (response.status_code, response.json()["messageCode"]) == (409, "InsufficientBalance")
    assert len(api.get("/v2/values?attachedFromValueId=gen").json()) == 2
    assert {c["id"] for c in api.get("/v2/contacts?valueId=gen").json()} == {"a", "b"}
    assert {c["id"] for c in api.get("/v2/values/gen/contacts").json()} == {"a", "b"}


def test_generic_uses_cap_runs_out(api, usd):
    for contact_id in ("a", "b"):
        api.post("/v2/contacts", json={"id": contact_id})
    generic(api, balance=None, usesRemaining=2, genericCodeOptions={"perContact": {"balance": 500, "usesRemaining": 2}})
    assert api.post("/v2/contacts/a/values/attach", json={"code": "CODE-gen"}).status_code == 200
    response = api.post("/v2/contacts/b/values/attach", json={"code": "CODE-gen"})
    assert (response.status_code, response.json()["messageCode"]) == (409, "InsufficientUsesRemaining")


def test_reattaching_a_generic_code_returns_the_same_copy(api, contact):
    generic(api, balanceRule={"rule": "500", "explanation": "x"}, usesRemaining=20, genericCodeOptions={"perContact": {"balance": None, "usesRemaining": 1}})
    first = api.post("/v2/contacts/c-1/values/attach", json={"valueId": "gen"}).json()
    detached = api.post("/v2/contacts/c-1/values/detach", json={"valueId": "gen"}).json()
    assert (detached["id"], detached["contactId"]) == (first["id"], None)
    assert api.get("/v2/contacts/c-1/values").json() == []
    again = api.post("/v2/contacts/c-1/values/attach", json={"valueId": "gen"}).json()
    assert (again["id"], again["contactId"]) == (first["id"], "c-1")
    assert api.get("/v2/values/gen").json()["usesRemaining"] == 19
    assert len(api.get("/v2/values?attachedFromValueId=gen").json()) == 1


@pytest.mark.parametrize("is_generic", [True, False])
@pytest.mark.parametrize("change,code", [({"frozen": True}, "ValueFrozen"), ({"canceled": True}, "ValueCanceled"), ({"active": False}, "ValueInactive"), ({"endDate": "2011-01-01T00:00:00.000Z"}, "ValueExpired")])
def test_unattachable_states(api, contact, is_generic, change, code):
    body = {"id": "v", "currency": "USD", "balanceRule": {"rule": "500", "explanation": "x"}, "code": "STATECODE", "isGenericCode": is_generic}
    api.post("/v2/values", json=body)
    api.patch("/v2/values/v", json=change)
    response = api.post("/v2/contacts/c-1/values/attach", json={"valueId": "v"})
    assert (response.status_code, response.json()["messageCode"]) == (409, code)


def test_future_start_date_does_not_prevent_attach(api, contact):
    api.post("/v2/values", json={"id": "v", "currency": "USD", "startDate": "2077-01-01T00:00:00.000Z"})
    assert api.post("/v2/contacts/c-1/values/attach", json={"valueId": "v"}).status_code == 200


@pytest.mark.parametrize("body", [{}, {"code": "A", "valueId": "b"}, {"valueId": "v", "extra": 1}, {"valueId": "v", "attachGenericAsNewValue": True}])
def test_attach_bodies_that_are_422(api, contact, body):
    assert api.post("/v2/contacts/c-1/values/attach", json=body).status_code == 422


def test_attach_errors(api, contact):
    for path, body, status, code in [
        ("/v2/contacts/%20c-1/values/attach", {"valueId": "irrelevant"}, 404, "ContactNotFound"),
        ("/v2/contacts/nobody/values/attach", {"valueId": "irrelevant"}, 404, "ContactNotFound"),
        ("/v2/contacts/c-1/values/attach", {"valueId": "missing"}, 404, "ValueNotFound"),
        ("/v2/contacts/c-1/values/attach", {"code": "NOSUCHCODE"}, 404, "ValueNotFound"),
    ]:
        response = api.post(path, json=body)
        assert (response.status_code, response.json()["messageCode"]) == (status, code), path


def test_detach_errors(api, contact):
    api.post("/v2/values", json={"id": "u", "currency": "USD"})
    generic(api, balance=None)
    assert api.post("/v2/contacts/c-1/values/detach", json={}).status_code == 422
    for body, code in [({"valueId": "u"}, "AttachedValueNotFound"), ({"valueId": "gen"}, "AttachedValueNotFound")]:
        response = api.post("/v2/contacts/c-1/values/detach", json=body)
        assert (response.status_code, response.json()["messageCode"]) == (409, code)
    api.post("/v2/contacts/c-1/values/attach", json={"valueId": "u"})
    api.patch("/v2/values/u", json={"frozen": True})
    response = api.post("/v2/contacts/c-1/values/detach", json={"valueId": "u"})
    assert (response.status_code, response.json()["messageCode"]) == (409, "ValueFrozen")
    api.patch("/v2/values/u", json={"frozen": False, "canceled": True})
    assert api.post("/v2/contacts/c-1/values/detach", json={"valueId": "u"}).status_code == 200


def test_contact_values_lists_and_filters(api, usd):
    api.post("/v2/contacts", json={"id": "A"})
    api.post("/v2/contacts", json={"id": "B"})
    api.post("/v2/values", json={"id": "owned", "currency": "USD", "contactId": "A"})
    generic(api, "GEN1", balanceRule={"rule": "1", "explanation": "x"})
    api.post("/v2/contacts/A/values/attach", json={"valueId": "GEN1"})
    api.post("/v2/contacts/B/values/attach", json={"valueId": "GEN1"})
    ids_of_a = {v["id"] for v in api.get("/v2/contacts/A/values").json()}
    assert ids_of_a == {"owned", per_contact_value_id("GEN1", "A")}
    assert {v["id"] for v in api.get("/v2/values?contactId=A").json()} == ids_of_a
    assert {v["id"] for v in api.get("/v2/contacts/A/values?contactId=B").json()} == ids_of_a
    assert [c["id"] for c in api.get("/v2/contacts?valueId=owned").json()] == ["A"]
    assert {c["id"] for c in api.get("/v2/contacts?valueId=GEN1").json()} == {"A", "B"}
    assert api.get("/v2/contacts?valueId=%20GEN1").json() == []
    assert api.get("/v2/values?contactId=%20A").json() == []
