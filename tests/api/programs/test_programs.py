"""Programs, value inheritance and program constraints (core.md §5.3, §7.6, §9, §16.4, §16.11)."""

from __future__ import annotations

import pytest

from lightrail.events.tables import events


def program(api, program_id="p", **fields):
    response = api.post("/v2/programs", json={"id": program_id, "currency": "USD", "name": "test program", **fields})
    assert response.status_code == 201, response.json()
    return response.json()


def test_create_has_defaults_and_reads_back(api, usd, db_rows):
    created = program(api, "1")
    assert {k: created[k] for k in ("discount", "discountSellerLiability", "discountSellerLiabilityRule", "pretax", "active", "minInitialBalance", "fixedInitialBalances", "startDate", "metadata")} == {
        "discount": False, "discountSellerLiability": None, "discountSellerLiabilityRule": None, "pretax": False,
        "active": True, "minInitialBalance": None, "fixedInitialBalances": None, "startDate": None, "metadata": None,
    }
    assert created["createdBy"] == api.account_id
    assert api.get("/v2/programs/1").json() == created
    assert api.get("/v2/programs").json() == [created]
    [event] = [e for e in db_rows(events, api.account_id) if e["type"] == "lightrail.program.created"]
    assert event["data"] == {"newProgram": created}


def test_lower_case_currency_is_upper_cased_and_unknown_is_409(api, usd):
    assert program(api, currency="usd")["currency"] == "USD"
    response = api.post("/v2/programs", json={"id": "x", "currency": "ABCDEFGHIJKLMNO", "name": "n"})
    assert (response.status_code, response.json()["messageCode"]) == (409, "CurrencyNotFound")
    assert api.post("/v2/programs", json={"id": "y", "currency": " USD", "name": "n"}).json()["messageCode"] == "CurrencyNotFound"


def test_duplicate_id_is_409(api, usd):
    program(api)
    response = api.post("/v2/programs", json={"id": "p", "currency": "USD", "name": "n"})
    assert (response.status_code, response.json()["messageCode"]) == (409, "ProgramIdExists")


@pytest.mark.parametrize("fields,message", [
    ({"id": "🐶"}, None),
    ({"startDate": "2025-01-01T00:00:00.000Z", "endDate": "2024-01-01T00:00:00.000Z"}, "Property startDate cannot exceed endDate."),
    ({"minInitialBalance": 10, "maxInitialBalance": 5}, "Program's minInitialBalance cannot exceed maxInitialBalance."),
    ({"minInitialBalance": 999999999999}, None),
    ({"fixedInitialBalances": [-1]}, None),
    ({"fixedInitialUsesRemaining": [999999999999]}, None),
    ({"fixedInitialBalances": [1, 1, 2]}, "Program's fixedInitialBalances contains duplicates."),
    ({"fixedInitialUsesRemaining": [1, 1, 2]}, "Program's fixedInitialUsesRemaining contains duplicates."),
    ({"balanceRule": {"rule": "1", "explanation": "x"}, "minInitialBalance": 0}, "Program cannot have a balanceRule when also defining minInitialBalance, maxInitialBalance or fixedInitialBalances."),
    ({"balanceRule": {"rule": "1", "explanation": "x"}, "fixedInitialBalances": []}, "Program cannot have a balanceRule when also defining minInitialBalance, maxInitialBalance or fixedInitialBalances."),
    ({"fixedInitialBalances": [200], "minInitialBalance": 0, "maxInitialBalance": 100}, "Program cannot have fixedInitialBalances defined when also defining minInitialBalance or maxInitialBalance"),
    ({"discountSellerLiability": 0.1}, "Program can't have discountSellerLiability if it is not a discount."),
    ({"id": "a" * 65}, "requestBody.id does not meet maximum length of 64"),
])
def test_invalid_programs_are_422(api, usd, fields, message):
    response = api.post("/v2/programs", json={"id": "p", "currency": "USD", "name": "n", **fields})
    assert response.status_code == 422
    if message:
        assert message in response.json()["message"]


def test_broken_rules_are_422_with_message_codes(api, usd):
    response = api.post("/v2/programs", json={"id": "p", "currency": "USD", "name": "n", "balanceRule": {"rule": "(1", "explanation": "x"}})
    assert response.json()["messageCode"] == "BalanceRuleSyntaxError" and response.json()["message"] == "Program balanceRule has a syntax error."
    response = api.post("/v2/programs", json={"id": "p", "currency": "USD", "name": "n", "balanceRule": {"rule": "1", "explanation": "x"}, "redemptionRule": {"rule": "1 ==", "explanation": "x"}})
    assert response.json()["messageCode"] == "RedemptionRuleSyntaxError" and isinstance(response.json()["row"], int)


def test_patch_revalidates_the_merged_program(api, usd):
    program(api, minInitialBalance=5, maxInitialBalance=10)
    assert api.patch("/v2/programs/p", json={"minInitialBalance": 15}).status_code == 422
    assert api.patch("/v2/programs/p", json={"id": "other"}).status_code == 422
    patched = api.patch("/v2/programs/p", json={"minInitialBalance": None, "maxInitialBalance": None, "balanceRule": {"rule": "500", "explanation": "x"}}).json()
    assert patched["balanceRule"]["rule"] == "500" and patched["minInitialBalance"] is None
    assert api.patch("/v2/programs/p", json={"name": "renamed", "currency": "CAD"}).json()["currency"] == "USD"
    assert api.patch("/v2/programs/p", json={"fixedInitialBalances": [1, 1, 2]}).status_code == 422


def test_liability_number_and_rule(api, usd):
    assert program(api, "a", discount=True, discountSellerLiability=0.25)["discountSellerLiabilityRule"] == {"rule": "0.25", "explanation": "Seller 25% liable"}
    patched = api.patch("/v2/programs/a", json={"discountSellerLiabilityRule": {"rule": "0.05", "explanation": "5%"}}).json()
    assert patched["discountSellerLiability"] == 0.05
    assert api.patch("/v2/programs/a", json={"discount": False}).status_code == 422
    for rule in ("-1", "1.1"):
        assert api.post("/v2/programs", json={"id": "b", "currency": "USD", "name": "n", "discount": True, "discountSellerLiabilityRule": {"rule": rule, "explanation": "x"}}).status_code == 422


def test_delete_and_in_use(api, usd):
    program(api, "gone")
    assert api.delete("/v2/programs/gone").json() == {"success": True}
    assert api.get("/v2/programs/gone").status_code == 404
    assert api.delete("/v2/programs/gone").status_code == 404
    program(api, "used")
    api.post("/v2/values", json={"id": "v", "programId": "used"})
    response = api.delete("/v2/programs/used")
    assert (response.status_code, response.json()["messageCode"]) == (409, "ProgramInUse")


@pytest.mark.parametrize("method", ["GET", "PATCH", "DELETE"])
def test_non_ascii_id_is_404_program_not_found(api, method):
    response = api.request(method, "/v2/programs/%F0%9F%92%A9", json={"discount": False} if method == "PATCH" else None)
    assert (response.status_code, response.json()["messageCode"]) == (404, "ProgramNotFound")


def test_list_filters(api, usd):
    api.post("/v2/currencies", json={"code": "CAD", "name": "c", "symbol": "$", "decimalPlaces": 2})
    for program_id, name in (("one", "a"), ("two", "b"), ("three", "c")):
        program(api, program_id, name=name)
    program(api, "one-cad", currency="CAD")
    assert len(api.get("/v2/programs?id.in=one,two,three").json()) == 3
    assert [p["id"] for p in api.get("/v2/programs?currency.eq=CAD").json()] == ["one-cad"]
    assert {p["id"] for p in api.get("/v2/programs?name.in=a,b").json()} == {"one", "two"}
    assert api.get("/v2/programs?createdDate.gte=2121-01-01T00:00:00.000Z").json() == []
    assert api.get("/v2/programs?endDate.gt=2019-01-01&endDate.orNull=true").status_code == 200
    assert api.get("/v2/programs?id=%F0%9F%92%A9").json() == []


class TestValuesOfPrograms:
    def test_unknown_program_is_404_and_null_program_is_fine(self, api, usd):
        assert api.post("/v2/values", json={"id": "v", "currency": "USD", "programId": None}).status_code == 201
        for pid in ("nope", "\tp", "p\t"):
            response = api.post("/v2/values", json={"id": "w", "programId": pid})
            assert (response.status_code, response.json()["messageCode"]) == (404, "ProgramNotFound")

    def test_currency_comes_from_program_and_must_match(self, api, usd):
        program(api)
        assert api.post("/v2/values", json={"id": "v", "programId": "p"}).json()["currency"] == "USD"
        assert api.post("/v2/values", json={"id": "w", "programId": "p", "currency": "CAD"}).status_code == 409

    @pytest.mark.parametrize("fields,accepted,rejected", [
        ({"fixedInitialBalances": [100, 200]}, [{"balance": 100}, {"balance": 200}], [{}, {"balance": 1}]),
        ({"fixedInitialUsesRemaining": [100, 200]}, [{"usesRemaining": 100}], [{}, {"usesRemaining": 1}]),
        ({"minInitialBalance": 100, "maxInitialBalance": 200}, [{"balance": 150}, {"balance": 100}, {"balance": 200}], [{}, {"balance": 1}, {"balance": 201}]),
        ({"minInitialBalance": 0}, [{"balance": 2500}, {"balance": 0}], [{"balance": None}]),
        ({"fixedInitialBalances": [0]}, [{"balance": 0}], [{"balance": None}]),
        ({}, [{"balance": 0}, {"balance": None}], []),
    ])
    def test_program_constraints_are_409_without_message_code(self, api, usd, fields, accepted, rejected):
        program(api, **fields)
        for i, body in enumerate(accepted):
            assert api.post("/v2/values", json={"id": f"ok{i}", "programId": "p", **body}).status_code == 201, body
        for i, body in enumerate(rejected):
            response = api.post("/v2/values", json={"id": f"bad{i}", "programId": "p", **body})
            assert response.status_code == 409 and "messageCode" not in response.json(), body

    def test_min_message_names_the_constraint(self, api, usd):
        program(api, minInitialBalance=100, maxInitialBalance=200)
        assert "minInitialBalance" in api.post("/v2/values", json={"id": "a", "programId": "p"}).json()["message"]
        assert "maxInitialBalance" in api.post("/v2/values", json={"id": "b", "programId": "p", "balance": 201}).json()["message"]

    def test_inheritance_and_overrides(self, api, usd):
        program(
            api, balanceRule={"rule": "500", "explanation": "x"}, discount=True, discountSellerLiability=0.2, pretax=True,
            active=False, redemptionRule={"rule": "true", "explanation": "y"}, fixedInitialUsesRemaining=[1, 2, 3],
            startDate="2077-01-01T00:00:00.123Z", endDate="2078-01-01T00:00:00.000Z", metadata={"a": 1, "b": 2},
        )
        value = api.post("/v2/values", json={"id": "v", "programId": "p", "usesRemaining": 3}).json()
        assert (value["balance"], value["balanceRule"]["rule"], value["discount"], value["discountSellerLiability"]) == (None, "500", True, 0.2)
        assert (value["pretax"], value["active"], value["redemptionRule"]["rule"]) == (True, False, "true")
        assert (value["startDate"], value["endDate"]) == ("2077-01-01T00:00:00.000Z", "2078-01-01T00:00:00.000Z")
        assert value["metadata"] == {"a": 1, "b": 2}
        own = api.post("/v2/values", json={
            "id": "w", "programId": "p", "usesRemaining": 1, "pretax": False, "active": True,
            "balanceRule": {"rule": "600", "explanation": "z"}, "metadata": {"b": "override", "c": 3},
        }).json()
        assert (own["balanceRule"]["rule"], own["pretax"], own["active"]) == ("600", False, True)
        assert own["metadata"] == {"a": 1, "b": "override", "c": 3}

    def test_value_liability_overrides_program(self, api, usd):
        program(api, discount=True, discountSellerLiability=0.25)
        value = api.post("/v2/values", json={"id": "v", "programId": "p", "discountSellerLiability": 0.35}).json()
        assert value["discountSellerLiabilityRule"] == {"rule": "0.35", "explanation": "Seller 35% liable"}
        assert api.post("/v2/values", json={"id": "w", "programId": "p"}).json()["discountSellerLiability"] == 0.25

    def test_generic_per_contact_balance_is_what_program_constraints_see(self, api, usd):
        program(api, minInitialBalance=5, maxInitialBalance=10)
        body = {"programId": "p", "isGenericCode": True, "balance": None}
        for i, per_contact in enumerate((None, 1, 11)):
            options = {"perContact": {"balance": per_contact, "usesRemaining": None}}
            rule = {} if per_contact is not None else {"balanceRule": None}
            assert api.post("/v2/values", json={"id": f"g{i}", **body, "genericCodeOptions": options, **rule}).status_code in (409, 422)
        assert api.post("/v2/values", json={"id": "ok", **body, "genericCodeOptions": {"perContact": {"balance": 7, "usesRemaining": None}}}).status_code == 201
