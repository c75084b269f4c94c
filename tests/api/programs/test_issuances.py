"""Issuances: bulk value creation, all or nothing (core.md §10, §16.5)."""

from __future__ import annotations

import pytest

from lightrail.transactions.tables import transactions


@pytest.fixture
def plain(api, usd):
    api.post("/v2/programs", json={"id": "P", "currency": "USD", "name": "plain"})
    return "P"


@pytest.mark.parametrize("count,first,last", [(1, "-0", "-0"), (10, "-9", "-0"), (11, "-10", "-00"), (100, "-99", "-00"), (1000, "-999", "-000")])
def test_issuance_creates_count_values_with_padded_ids(api, plain, count, first, last):
    response = api.post("/v2/programs/P/issuances", json={"id": f"iss{count}", "name": "n", "count": count, "generateCode": {}})
    assert response.status_code == 201
    issuance = response.json()
    assert {k: issuance[k] for k in ("programId", "count", "balance", "usesRemaining", "active", "metadata", "startDate", "balanceRule")} == {
        "programId": "P", "count": count, "balance": None, "usesRemaining": None, "active": True, "metadata": {},
        "startDate": None, "balanceRule": None,
    }
    assert issuance["createdBy"] == api.account_id
    assert api.get(f"/v2/programs/P/issuances/iss{count}").json() == issuance
    listed = api.get(f"/v2/values?limit=1000&issuanceId=iss{count}").json()
    assert len(listed) == count and listed[0]["id"] == f"iss{count}{first}" and listed[-1]["id"] == f"iss{count}{last}"
    assert all(v["active"] and v["balance"] == 0 and v["code"].startswith("…") for v in listed)


def test_program_rules_and_dates_are_inherited_unless_given(api, usd):
    api.post("/v2/programs", json={"id": "PR", "currency": "USD", "name": "r", "balanceRule": {"rule": "500", "explanation": "x"}, "redemptionRule": {"rule": "1 == 1", "explanation": "y"}, "startDate": "2077-01-01T00:00:00.000Z", "endDate": "2078-01-01T00:00:00.000Z"})
    issuance = api.post("/v2/programs/PR/issuances", json={"id": "i1", "name": "n", "count": 1}).json()
    value = api.get("/v2/values/i1-0").json()
    for key in ("balanceRule", "redemptionRule", "startDate", "endDate"):
        assert issuance[key] == value[key] is not None
    assert value["balance"] is None
    own = api.post("/v2/programs/PR/issuances", json={"id": "i2", "name": "n", "count": 1, "balanceRule": {"rule": "700", "explanation": "x"}, "startDate": "2177-01-01T00:00:00.000Z", "endDate": "2178-01-01T00:00:00.000Z"}).json()
    assert own["balanceRule"]["rule"] == api.get("/v2/values/i2-0").json()["balanceRule"]["rule"] == "700"
    response = api.post("/v2/programs/PR/issuances", json={"id": "i3", "name": "n", "count": 1, "balance": 1})
    assert (response.status_code, response.json()["message"]) == (422, "Value can't have both a balance and balanceRule.")


def test_codes_of_issuances(api, plain):
    assert api.post("/v2/programs/P/issuances", json={"id": "g", "name": "n", "count": 1, "isGenericCode": True, "balance": None, "balanceRule": {"rule": "1", "explanation": "x"}, "code": "PRETTY-GENERIC"}).status_code == 201
    value = api.get("/v2/values/g-0").json()
    assert (value["code"], value["isGenericCode"]) == ("PRETTY-GENERIC", True)
    api.post("/v2/programs/P/issuances", json={"id": "u", "name": "n", "count": 1, "code": "IEDKQODLAOWKRJ"})
    assert api.get("/v2/values/u-0").json()["code"] == "…WKRJ"


@pytest.mark.parametrize("body,fragment", [
    ({"id": "x", "count": 1}, 'requestBody requires property "name"'),
    ({"id": "x", "name": "n", "count": 2, "isGenericCode": True}, "Issuance count must be 1 if isGenericCode:true."),
    ({"id": "x", "name": "n", "count": 2, "code": "ABCDEFG"}, "Issuance count must be 1 if code is set"),
    ({"id": "x", "name": "n", "count": 1, "code": "ABCDEFG", "generateCode": {}}, "Parameter generateCode is not allowed with parameters code or isGenericCode:true."),
    ({"id": "x" * 59, "name": "n", "count": 1}, "requestBody.id does not meet maximum length of 58"),
    ({"id": "x", "name": "n", "count": 10001}, "maximum value of 10000"),
])
def test_invalid_issuances_are_422(api, plain, body, fragment):
    response = api.post("/v2/programs/P/issuances", json=body)
    assert response.status_code == 422 and fragment in response.json()["message"]


def test_unknown_or_padded_program_is_404(api, plain):
    for path in ("/v2/programs/nope/issuances", "/v2/programs/%0D%0AP/issuances", "/v2/programs/P%20/issuances"):
        response = api.post(path, json={"id": "x", "name": "n", "count": 1})
        assert (response.status_code, response.json()["messageCode"]) == (404, "ProgramNotFound")


def test_duplicate_issuance_is_409_and_failure_leaves_nothing(api, usd, db_rows):
    api.post("/v2/programs", json={"id": "M", "currency": "USD", "name": "m", "minInitialBalance": 1})
    response = api.post("/v2/programs/M/issuances", json={"id": "x", "name": "n", "count": 5})
    assert response.status_code == 409 and "minInitialBalance" in response.json()["message"]
    assert api.get("/v2/programs/M/issuances").json() == [] and db_rows(transactions, api.account_id) == []
    assert api.post("/v2/programs/M/issuances", json={"id": "x", "name": "n", "count": 2, "balance": 5}).status_code == 201
    response = api.post("/v2/programs/M/issuances", json={"id": "x", "name": "n", "count": 2, "balance": 5})
    assert (response.status_code, "messageCode" in response.json()) == (409, False)


def test_issuances_belong_to_their_program(api, usd):
    for pid in ("A", "B"):
        api.post("/v2/programs", json={"id": pid, "currency": "USD", "name": pid})
        api.post(f"/v2/programs/{pid}/issuances", json={"id": f"i{pid}", "name": "n", "count": 1})
    response = api.get("/v2/programs/A/issuances/iB")
    assert (response.status_code, response.json()["messageCode"]) == (404, "IssuanceNotFound")
    assert [i["id"] for i in api.get("/v2/programs/A/issuances").json()] == ["iA"]
    assert api.get("/v2/programs/A/issuances/%F0%9F%92%A9").json()["messageCode"] == "IssuanceNotFound"


def test_metadata_merges_and_uses_zero_becomes_null(api, usd):
    api.post("/v2/programs", json={"id": "P", "currency": "USD", "name": "p", "metadata": {"a": 1, "b": 2}})
    issuance = api.post("/v2/programs/P/issuances", json={"id": "i", "name": "n", "count": 1, "metadata": {"b": "x", "c": 3}, "usesRemaining": 0}).json()
    assert issuance["metadata"] == api.get("/v2/values/i-0").json()["metadata"] == {"a": 1, "b": "x", "c": 3}
    assert api.get("/v2/values/i-0").json()["usesRemaining"] is None


@pytest.mark.parametrize("program_active", [None, True, False])
@pytest.mark.parametrize("issuance_active", [None, True, False])
def test_active_comes_from_issuance_else_program(api, usd, program_active, issuance_active):
    program = {"id": "P", "currency": "USD", "name": "p", **({} if program_active is None else {"active": program_active})}
    api.post("/v2/programs", json=program)
    body = {"id": "i", "name": "n", "count": 1, **({} if issuance_active is None else {"active": issuance_active})}
    expected = issuance_active if issuance_active is not None else (program_active if program_active is not None else True)
    assert api.post("/v2/programs/P/issuances", json=body).json()["active"] is expected
    assert api.get("/v2/values/i-0").json()["active"] is expected


def test_generated_collisions_in_an_issuance_are_retried(api, plain, monkeypatch):
    from lightrail.values import codes

    produced = iter(["aaaaa", "aaaaa", "aaaaa", "bbbbb"])
    monkeypatch.setattr(codes, "random_characters", lambda recipe: next(produced))
    assert api.post("/v2/programs/P/issuances", json={"id": "i", "name": "n", "count": 2, "generateCode": {"length": 6, "charset": "abcde"}}).status_code == 201
    assert {v["code"] for v in api.get("/v2/values?issuanceId=i&showCode=true").json()} == {"aaaaa", "bbbbb"}
