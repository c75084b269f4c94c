"""Values: creation defaults, validation, PATCH, delete, and the initialBalance transaction (core.md §5.4, §7.5, §9)."""

from __future__ import annotations

import pytest

from lightrail.events.tables import events
from lightrail.transactions.tables import lightrail_steps, transactions


def test_create_has_the_documented_defaults(api, usd):
    response = api.post("/v2/values", json={"id": "1", "currency": "USD", "balance": 0})
    assert response.status_code == 201
    value = response.json()
    assert {k: value[k] for k in (
        "usesRemaining", "programId", "issuanceId", "contactId", "code", "isGenericCode", "active", "canceled", "frozen",
        "pretax", "startDate", "endDate", "redemptionRule", "balanceRule", "discount", "discountSellerLiability",
        "discountSellerLiabilityRule", "updatedContactIdDate", "metadata",
    )} == {
        "usesRemaining": None, "programId": None, "issuanceId": None, "contactId": None, "code": None,
        "isGenericCode": False, "active": True, "canceled": False, "frozen": False, "pretax": False, "startDate": None,
        "endDate": None, "redemptionRule": None, "balanceRule": None, "discount": False, "discountSellerLiability": None,
        "discountSellerLiabilityRule": None, "updatedContactIdDate": None, "metadata": {},
    }
    assert "genericCodeOptions" not in value and "attachedFromValueId" not in value
    assert value["createdBy"] == api.account_id
    assert api.get("/v2/values/1").json() == value


def test_without_balance_or_rule_the_balance_is_0(api, usd):
    assert api.post("/v2/values", json={"id": "v", "currency": "USD"}).json()["balance"] == 0


def test_creation_records_an_initial_balance_transaction_and_events(api, usd, db_rows):
    value = api.post("/v2/values", json={"id": "gift", "currency": "USD", "balance": 5000, "startDate": "2077-01-01T00:00:00.000Z", "endDate": "2077-02-02T00:00:00.000Z"}).json()
    [tx] = db_rows(transactions, api.account_id)
    assert (tx["id"], tx["transaction_type"], tx["root_transaction_id"], tx["created_by"]) == ("gift", "initialBalance", "gift", api.account_id)
    assert tx["totals"] is None and tx["metadata"] is None and tx["next_transaction_id"] is None and tx["pending_void_date"] is None
    [step] = db_rows(lightrail_steps, api.account_id)
    assert (step["balance_before"], step["balance_after"], step["balance_change"]) == (0, 5000, 5000)
    assert step["uses_remaining_before"] is None and step["code"] is None
    emitted = [e for e in db_rows(events, api.account_id) if e["type"] != "lightrail.currency.created"]
    assert sorted(e["type"] for e in emitted) == ["lightrail.transaction.created", "lightrail.value.created"]
    by_type = {e["type"]: e["data"] for e in emitted}
    assert by_type["lightrail.value.created"] == {"newValue": value}
    assert by_type["lightrail.transaction.created"]["newTransaction"] == {
        "id": "gift", "transactionType": "initialBalance", "currency": "USD", "createdDate": value["createdDate"],
        "tax": None, "totals": None, "lineItems": None, "paymentSources": None, "pending": False, "metadata": None,
        "createdBy": api.account_id,
        "steps": [{
            "rail": "lightrail", "valueId": "gift", "contactId": None, "code": None, "balanceRule": None,
            "balanceBefore": 0, "balanceAfter": 5000, "balanceChange": 5000,
            "usesRemainingBefore": None, "usesRemainingAfter": None, "usesRemainingChange": None,
        }],
    }


def test_patch_emits_updated_event_with_old_and_new(api, usd, db_rows):
    created = api.post("/v2/values", json={"id": "v", "currency": "USD", "balance": 1}).json()
    patched = api.patch("/v2/values/v", json={"discount": True}).json()
    assert patched["discount"] is True
    [event] = [e for e in db_rows(events, api.account_id) if e["type"] == "lightrail.value.updated"]
    assert event["data"] == {"oldValue": created, "newValue": patched}


def test_duplicate_id_is_409_value_id_exists(api, usd):
    api.post("/v2/values", json={"id": "1", "currency": "USD"})
    response = api.post("/v2/values", json={"id": "1", "currency": "USD"})
    assert (response.status_code, response.json()["messageCode"]) == (409, "ValueIdExists")


def test_ids_differing_by_case_are_distinct(api, usd):
    assert api.post("/v2/values", json={"id": "case-A", "currency": "USD", "balance": 1}).status_code == 201
    assert api.post("/v2/values", json={"id": "case-a", "currency": "USD", "balance": 2}).status_code == 201
    assert api.get("/v2/values/case-a").json()["balance"] == 2
    assert [v["id"] for v in api.get("/v2/values?id=case-A").json()] == ["case-A"]


@pytest.mark.parametrize("body", [
    {"id": "💩", "currency": "USD"},
    {"id": "v", "currency": "USD", "balance": 999999999999},
    {"id": "v", "currency": "USD", "balance": -1},
    {"id": "v", "currency": "USD", "usesRemaining": -1},
    {"id": "v", "currency": "USD", "usesRemaining": 999999999999},
    {"id": "\tv", "currency": "USD"},
    {"id": "v\n", "currency": "USD"},
    {"id": "v", "currency": "USD", "code": "A", "generateCode": {}},
    {"id": "v", "currency": "USD", "generateCode": {"length": 12, "bogus": 1}},
    {"id": "v", "currency": "USD", "balance": 50, "balanceRule": {"rule": "500", "explanation": "x"}},
    {"id": "v", "currency": "USD", "discountSellerLiability": 1.0},
    {"id": "v", "currency": "USD", "metadata": {"a": "x" * 65530}},
])
def test_invalid_bodies_are_422(api, usd, body):
    assert api.post("/v2/values", json=body).status_code == 422


def test_id_of_65_characters_is_422_with_schema_message(api, usd):
    assert api.post("/v2/values", json={"id": "a" * 64, "currency": "USD"}).status_code == 201
    response = api.post("/v2/values", json={"id": "b" * 65, "currency": "USD"})
    assert response.status_code == 422
    assert "requestBody.id does not meet maximum length of 64" in response.json()["message"]


def test_missing_currency_message(api, usd):
    response = api.post("/v2/values", json={"id": "v"})
    assert response.json()["message"] == "Property currency cannot be null. Please provide a currency or a programId."


def test_start_after_end_is_422(api, usd):
    response = api.post("/v2/values", json={"id": "v", "currency": "USD", "startDate": "2077-01-02T00:00:00.000Z", "endDate": "2077-01-01T00:00:00.000Z"})
    assert (response.status_code, response.json()["message"]) == (422, "Property startDate cannot exceed endDate.")


@pytest.mark.parametrize("currency", ["IDK", " USD", "USD ", "usd"])
def test_unknown_currency_is_409_currency_not_found(api, usd, currency):
    response = api.post("/v2/values", json={"id": "v", "currency": currency})
    assert (response.status_code, response.json()["messageCode"]) == (409, "CurrencyNotFound")


def test_unknown_contact_is_409_contact_not_found(api, usd):
    response = api.post("/v2/values", json={"id": "v", "currency": "USD", "contactId": "idontexist"})
    assert (response.status_code, response.json()["messageCode"]) == (409, "ContactNotFound")


def test_created_with_contact_sets_updated_contact_id_date(api, usd):
    api.post("/v2/contacts", json={"id": "c1"})
    value = api.post("/v2/values", json={"id": "v", "currency": "USD", "contactId": "c1"}).json()
    assert value["contactId"] == "c1" and value["updatedContactIdDate"] == value["createdDate"]


def test_balance_rule_value_has_null_balance_and_patchable_rules(api, usd):
    value = api.post("/v2/values", json={
        "id": "r", "currency": "USD", "balanceRule": {"rule": "500", "explanation": "$5 the hard way 😍"},
        "redemptionRule": {"rule": "1 == 1", "explanation": "always"},
    }).json()
    assert value["balance"] is None
    patched = api.patch("/v2/values/r", json={
        "balanceRule": {"rule": "400", "explanation": "$4"}, "redemptionRule": {"rule": "2 == 2", "explanation": "still"},
    }).json()
    assert patched["balanceRule"] == {"rule": "400", "explanation": "$4"}
    assert patched["redemptionRule"]["rule"] == "2 == 2"
    assert {k: v for k, v in patched.items() if k not in ("balanceRule", "redemptionRule", "updatedDate")} == \
        {k: v for k, v in value.items() if k not in ("balanceRule", "redemptionRule", "updatedDate")}


@pytest.mark.parametrize("rule_name,code", [("balanceRule", "BalanceRuleSyntaxError"), ("redemptionRule", "RedemptionRuleSyntaxError")])
def test_broken_rules_are_422_with_position(api, usd, rule_name, code):
    body = {"id": "v", "currency": "USD", "balance": None, rule_name: {"rule": "currentLineItem.lineTotal.subtotal * (0.1", "explanation": "x"}}
    response = api.post("/v2/values", json=body)
    assert response.status_code == 422
    error = response.json()
    assert error["messageCode"] == code and error["message"] == f"Value {rule_name} has a syntax error."
    assert isinstance(error["syntaxErrorMessage"], str) and isinstance(error["row"], int) and isinstance(error["column"], int)
    api.post("/v2/values", json={"id": "ok", "currency": "USD", "balance": None})
    patched = api.patch("/v2/values/ok", json={rule_name: body[rule_name]})
    assert (patched.status_code, patched.json()["messageCode"]) == (422, code)


def test_patching_a_balance_rule_onto_a_balance_is_422(api, usd):
    api.post("/v2/values", json={"id": "v", "currency": "USD", "balance": 500})
    response = api.patch("/v2/values/v", json={"balanceRule": {"rule": "500", "explanation": "x"}})
    assert response.status_code == 422 and response.json().get("messageCode") != "BalanceRuleSyntaxError"


@pytest.mark.parametrize("body", [{"balance": 5}, {"usesRemaining": 5}, {"currency": "XYZZY"}, {"contactId": "c"}, {"id": "other"}, {"metadata": {"a": "x" * 65530}}])
def test_patch_of_immutable_or_invalid_fields_is_422(api, usd, body):
    api.post("/v2/values", json={"id": "v", "currency": "USD"})
    assert api.patch("/v2/values/v", json=body).status_code == 422


def test_patch_dates_flags_and_metadata(api, usd):
    api.post("/v2/values", json={"id": "v", "currency": "USD"})
    response = api.patch("/v2/values/v", json={"startDate": "2077-01-01T00:00:00.000Z", "endDate": "2277-01-01T00:00:00.000Z"})
    assert (response.json()["startDate"], response.json()["endDate"]) == ("2077-01-01T00:00:00.000Z", "2277-01-01T00:00:00.000Z")
    assert api.patch("/v2/values/v", json={"metadata": {"emoji": "❄"}}).json()["metadata"] == {"emoji": "❄"}
    for flag in ("frozen", "canceled"):
        assert api.patch("/v2/values/v", json={flag: True}).json()[flag] is True
        assert api.patch("/v2/values/v", json={flag: False}).json()[flag] is False


def test_patch_start_beyond_end_is_422(api, usd):
    api.post("/v2/values", json={"id": "v", "currency": "USD", "endDate": "2077-01-01T00:00:00.000Z"})
    assert api.patch("/v2/values/v", json={"startDate": "2078-01-01T00:00:00.000Z"}).status_code == 422


@pytest.mark.parametrize("method", ["GET", "PATCH", "DELETE"])
def test_non_ascii_id_in_path_is_404_value_not_found(api, usd, method):
    response = api.request(method, "/v2/values/%F0%9F%92%A9", json={} if method == "PATCH" else None)
    assert (response.status_code, response.json()["messageCode"]) == (404, "ValueNotFound")


def test_id_filters_drop_non_system_ids(api, usd):
    api.post("/v2/values", json={"id": "valid", "currency": "USD"})
    assert api.get("/v2/values?id=%F0%9F%92%A9").json() == []
    assert [v["id"] for v in api.get("/v2/values?id.in=%F0%9F%92%A9,valid").json()] == ["valid"]
    assert api.get("/v2/values?currency=%20USD").json() == []


def test_delete_of_untouched_value_removes_it_and_its_initial_balance(api, usd, db_rows):
    api.post("/v2/values", json={"id": "v", "currency": "USD", "balance": 1982})
    assert api.delete("/v2/values/v").json() == {"success": True}
    assert api.get("/v2/values/v").status_code == 404
    assert db_rows(transactions, api.account_id) == [] and db_rows(lightrail_steps, api.account_id) == []


def test_delete_of_missing_value_is_404(api):
    assert api.delete("/v2/values/idonotexist").status_code == 404


def test_delete_of_generic_code_with_attached_copies_is_409_value_in_use(api, usd):
    api.post("/v2/contacts", json={"id": "c"})
    api.post("/v2/values", json={"id": "g", "currency": "USD", "isGenericCode": True, "code": "G1", "genericCodeOptions": {"perContact": {"balance": 5, "usesRemaining": None}}})
    assert api.post("/v2/contacts/c/values/attach", json={"valueId": "g"}).status_code == 200
    response = api.delete("/v2/values/g")
    assert (response.status_code, response.json()["messageCode"]) == (409, "ValueInUse")
    assert api.get("/v2/values/g").status_code == 200


class TestDiscountSellerLiability:
    def create(self, api, **fields):
        return api.post("/v2/values", json={"id": "d", "currency": "USD", "discount": True, **fields})

    def test_number_becomes_a_rule(self, api, usd):
        value = self.create(api, discountSellerLiability=0.25).json()
        assert value["discountSellerLiabilityRule"] == {"rule": "0.25", "explanation": "Seller 25% liable"}
        assert value["discountSellerLiability"] == 0.25

    def test_numeric_rule_gives_the_number(self, api, usd):
        assert self.create(api, discountSellerLiabilityRule={"rule": "0.25", "explanation": "25% off"}).json()["discountSellerLiability"] == 0.25

    def test_non_numeric_rule_gives_null(self, api, usd):
        value = self.create(api, discountSellerLiabilityRule={"rule": "1 - currentLineItem.marketplaceRate", "explanation": "x"}).json()
        assert value["discountSellerLiability"] is None

    def test_patch_number_is_persisted_as_rule(self, api, usd):
        self.create(api, discountSellerLiabilityRule={"rule": "1 - currentLineItem.marketplaceRate", "explanation": "x"})
        patched = api.patch("/v2/values/d", json={"discountSellerLiability": 1.0}).json()
        assert (patched["discountSellerLiability"], patched["discountSellerLiabilityRule"]) == (1, {"rule": "1", "explanation": "Seller 100% liable"})
        assert api.get("/v2/values/d").json()["discountSellerLiabilityRule"] == {"rule": "1", "explanation": "Seller 100% liable"}
        assert api.patch("/v2/values/d", json={"discountSellerLiability": 0.5}).json()["discountSellerLiabilityRule"]["explanation"] == "Seller 50% liable"

    @pytest.mark.parametrize("fields", [
        {"discountSellerLiability": {"rule": "0.1", "explanation": "x"}},
        {"discountSellerLiability": None, "discountSellerLiabilityRule": {"rule": "0.1", "explanation": "x"}},
        {"discountSellerLiabilityRule": {"rule": "-1", "explanation": "x"}},
        {"discountSellerLiabilityRule": {"rule": "1.1", "explanation": "x"}},
        {"discountSellerLiabilityRule": {"rule": "(1", "explanation": "x"}},
        {"discount": False, "discountSellerLiabilityRule": {"rule": "0.1", "explanation": "x"}},
    ])
    def test_invalid_liabilities_are_422(self, api, usd, fields):
        assert self.create(api, **fields).status_code == 422

    def test_patch_discount_false_while_liable_is_422(self, api, usd):
        self.create(api, discountSellerLiability=0.2)
        assert api.patch("/v2/values/d", json={"discount": False}).status_code == 422

    @pytest.mark.parametrize("fields", [{"discountSellerLiability": None}, {"discountSellerLiabilityRule": None}, {"discountSellerLiability": None, "discountSellerLiabilityRule": None}])
    def test_nulls_without_discount_are_fine(self, api, usd, fields):
        assert self.create(api, discount=False, **fields).status_code == 201


def test_generic_code_with_per_contact_uses_only(api):
    api.post("/v2/currencies", json={"code": "CAD", "name": "Dollar", "symbol": "$", "decimalPlaces": 2})
    body = {
        "id": "gen-uses", "currency": "CAD", "isGenericCode": True, "code": "GENERIC1",
        "balanceRule": {"rule": "500", "explanation": "$5"},
        "genericCodeOptions": {"perContact": {"usesRemaining": 1}},
    }
    response = api.post("/v2/values", json=body)
    assert response.status_code == 201, response.text
    assert response.json()["genericCodeOptions"] == {"perContact": {"balance": None, "usesRemaining": 1}}
