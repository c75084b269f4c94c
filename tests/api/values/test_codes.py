"""Codes of values: storage at rest, display, generation, lookup and changeCode (core.md §13)."""

from __future__ import annotations

import itertools

import pytest

from lightrail.transactions.tables import lightrail_steps, transactions
from lightrail.values import codes as code_module
from lightrail.values.tables import values


def stored(db_rows, api, value_id):
    [row] = db_rows(values, api.account_id, values.c.id == value_id)
    return row


def test_unique_code_is_masked_unless_show_code(api, usd, app, db_rows):
    created = api.post("/v2/values", json={"id": "s", "currency": "USD", "code": "SECURE"}).json()
    assert created["code"] == "…CURE"
    assert api.get("/v2/values/s").json()["code"] == "…CURE"
    assert api.get("/v2/values/s?showCode=true").json()["code"] == "SECURE"
    assert api.get("/v2/values?showCode=true").json()[0]["code"] == "SECURE"
    row = stored(db_rows, api, "s")
    assert row["code_last_four"] == "CURE"
    assert row["code_hashed"] == app.state.codes.lookup_hash(api.account_id, "SECURE")
    assert app.state.codes.decrypt(row["code_encrypted"]) == "SECURE"
    assert "SECURE" not in (row["code_hashed"] + row["code_encrypted"])


def test_plaintext_code_is_nowhere_but_encrypted(api, usd, db_rows, monkeypatch):
    monkeypatch.setattr(code_module, "random_characters", lambda recipe: "QWERASDFZXCV")
    response = api.post("/v2/values", json={"id": "hidden", "currency": "USD", "balance": 5, "generateCode": {}})
    assert response.json()["code"] == "…ZXCV" and "QWERASDFZXCV" not in response.text
    everything = [stored(db_rows, api, "hidden"), *db_rows(transactions, api.account_id), *db_rows(lightrail_steps, api.account_id)]
    assert "QWERASDFZXCV" not in repr(everything)
    assert db_rows(lightrail_steps, api.account_id)[0]["code"] == "…ZXCV"


@pytest.mark.parametrize("code,masked", [("芷若⳥ⳢⳫⳂⳀ", "…ⳢⳫⳂⳀ"), ("👮😭💀😒😴🙌😇🚀", "…😴🙌😇🚀")])
def test_masking_counts_code_points(api, usd, code, masked):
    assert api.post("/v2/values", json={"id": "u", "currency": "USD", "code": code}).json()["code"] == masked
    assert api.get("/v2/values/u?showCode=true").json()["code"] == code


@pytest.mark.parametrize("code", ["PUBLIC", "A", "🚀"])
def test_generic_codes_are_shown_in_full(api, usd, code, db_rows):
    created = api.post("/v2/values", json={"id": "g", "currency": "USD", "code": code, "isGenericCode": True, "balanceRule": {"rule": "500", "explanation": "x"}}).json()
    assert (created["code"], created["isGenericCode"], created["genericCodeOptions"]) == (code, True, None)
    assert api.get("/v2/values/g").json()["code"] == code
    assert api.get("/v2/values").json()[0]["code"] == code
    assert stored(db_rows, api, "g")["code_last_four"] == code[-4:]


def test_same_code_twice_is_409_value_code_exists(api, usd):
    body = {"currency": "USD", "code": "PANTSDANCE", "isGenericCode": True, "balanceRule": {"rule": "1", "explanation": "x"}}
    api.post("/v2/values", json={"id": "a", **body})
    response = api.post("/v2/values", json={"id": "b", **body})
    assert (response.status_code, response.json()["messageCode"]) == (409, "ValueCodeExists")


def test_same_code_in_another_account_is_fine(api, usd, client):
    from tests.conftest import ApiClient, make_token

    api.post("/v2/values", json={"id": "a", "currency": "USD", "code": "SHARED-CODE"})
    other = ApiClient(client, make_token(api.account_id + "x"), api.account_id + "x")
    other.post("/v2/currencies", json={"code": "USD", "name": "d", "symbol": "$", "decimalPlaces": 2})
    assert other.post("/v2/values", json={"id": "a", "currency": "USD", "code": "SHARED-CODE"}).status_code == 201


@pytest.mark.parametrize("code", [" LEAD", "TRAIL ", "+PLUS", "PLUS+"])
def test_codes_with_leading_or_trailing_whitespace_or_plus_are_422(api, usd, code):
    response = api.post("/v2/values", json={"id": "v", "currency": "USD", "code": code})
    assert (response.status_code, response.json()["message"]) == (422, "Code may not have leading or trailing whitespace.")


def test_generated_code_defaults_to_16_characters(api, usd):
    masked = api.post("/v2/values", json={"id": "v", "currency": "USD", "generateCode": {}}).json()["code"]
    assert masked.startswith("…") and len(masked) == 5
    full = api.get("/v2/values/v?showCode=true").json()["code"]
    assert len(full) == 16 and set(full) <= set(code_module.DEFAULT_CHARSET)


def test_generated_code_of_requested_length_with_show_code(api, usd):
    response = api.post("/v2/values?showCode=true", json={"id": "v", "currency": "USD", "generateCode": {"length": 20, "prefix": "GC-"}})
    assert len(response.json()["code"]) == 23 and response.json()["code"].startswith("GC-")


def test_emoji_charset(api, usd):
    emoji = "😀😁😂😃😄😅😆😇"
    response = api.post("/v2/values", json={"id": "v", "currency": "USD", "generateCode": {"length": 16, "charset": emoji}})
    assert len(response.json()["code"].encode("utf-16-le")) // 2 == 9
    full = api.get("/v2/values/v?showCode=true").json()["code"]
    assert len(full) == 16 and set(full) <= set(emoji)


@pytest.mark.parametrize("params,fragment", [
    ({"charset": "A BCDEFG"}, "cannot contain whitespace"),
    ({"length": 5}, "doesn't meet minimum requirement of 6"),
    ({"charset": "ABCA"}, "contains duplicates"),
    ({"charset": "ABCD"}, "minimum charset size"),
])
def test_bad_generation_parameters_are_422_invalid_generate_code_parameters(api, usd, params, fragment):
    response = api.post("/v2/values", json={"id": "v", "currency": "USD", "generateCode": params})
    assert response.status_code == 422
    assert response.json()["messageCode"] == "InvalidGenerateCodeParameters" and fragment in response.json()["message"]


def test_generated_collisions_are_retried(api, usd, monkeypatch):
    produced = iter(["aaaaa", "aaaaa", "aaaaa", "bbbbb"])
    calls = itertools.count()
    monkeypatch.setattr(code_module, "random_characters", lambda recipe: (next(calls), next(produced))[1])
    recipe = {"length": 6, "charset": "abcde"}
    assert api.post("/v2/values?showCode=true", json={"id": "1", "currency": "USD", "generateCode": recipe}).json()["code"] == "aaaaa"
    assert api.post("/v2/values?showCode=true", json={"id": "2", "currency": "USD", "generateCode": recipe}).json()["code"] == "bbbbb"
    assert next(calls) == 4


def test_three_collisions_are_409(api, usd, monkeypatch):
    monkeypatch.setattr(code_module, "random_characters", lambda recipe: "SAMESAME")
    api.post("/v2/values", json={"id": "1", "currency": "USD", "generateCode": {}})
    response = api.post("/v2/values", json={"id": "2", "currency": "USD", "generateCode": {}})
    assert (response.status_code, response.json()["messageCode"]) == (409, "ValueCodeExists")


def test_code_filter_trims_and_hashes(api, usd):
    api.post("/v2/values", json={"id": "imported", "currency": "USD", "code": "ABCDEFGHIJKLMNO"})
    api.post("/v2/values", json={"id": "spring", "currency": "USD", "code": "SPRING2018", "isGenericCode": True, "balance": None})
    for query in ("code=ABCDEFGHIJKLMNO", "code=%20ABCDEFGHIJKLMNO", "code=ABCDEFGHIJKLMNO%20", "code=%0D%0AABCDEFGHIJKLMNO%20%20"):
        assert [v["id"] for v in api.get(f"/v2/values?{query}").json()] == ["imported"], query
    assert api.get("/v2/values?code=NOPE").json() == []
    assert {v["id"] for v in api.get("/v2/values?code.in=SPRING2018,ABCDEFGHIJKLMNO").json()} == {"imported", "spring"}
    response = api.get("/v2/values?code=ABCDEFGHIJKLMNO")
    assert "codeHashed" not in response.headers["Link"]


def test_is_generic_code_filter(api, usd):
    api.post("/v2/values", json={"id": "u", "currency": "USD"})
    api.post("/v2/values", json={"id": "g", "currency": "USD", "isGenericCode": True, "code": "GEN", "balance": None})
    assert [v["id"] for v in api.get("/v2/values?isGenericCode=true").json()] == ["g"]
    assert [v["id"] for v in api.get("/v2/values?isGenericCode=false").json()] == ["u"]


class TestChangeCode:
    def test_sets_removes_and_generates(self, api, usd, db_rows, app):
        original = api.post("/v2/values", json={"id": "v", "currency": "USD", "balance": 100, "code": "OLDCODE"}).json()
        changed = api.post("/v2/values/v/changeCode", json={"code": "NEWCODEXYZ123"}).json()
        assert changed["code"] == "…Z123"
        assert {k: v for k, v in changed.items() if k not in ("code", "updatedDate")} == {k: v for k, v in original.items() if k not in ("code", "updatedDate")}
        assert stored(db_rows, api, "v")["code_hashed"] == app.state.codes.lookup_hash(api.account_id, "NEWCODEXYZ123")
        generated = api.post("/v2/values/v/changeCode?showCode=true", json={"generateCode": {"length": 15}}).json()
        assert len(generated["code"]) == 15
        assert api.post("/v2/values/v/changeCode", json={"code": None}).json()["code"] is None
        row = stored(db_rows, api, "v")
        assert (row["code_hashed"], row["code_encrypted"], row["code_last_four"]) == (None, None, None)

    def test_generic_code_is_returned_in_full(self, api, usd):
        api.post("/v2/values", json={"id": "g", "currency": "USD", "isGenericCode": True, "code": "EASYMONEY99", "balance": 1000, "genericCodeOptions": {"perContact": {"balance": 100, "usesRemaining": None}}})
        assert api.post("/v2/values/g/changeCode", json={"code": "HARDMONEY11"}).json()["code"] == "HARDMONEY11"
        assert len(api.post("/v2/values/g/changeCode", json={"generateCode": {"length": 15}}).json()["code"]) == 15

    def test_to_same_code_is_fine_and_to_taken_code_is_409(self, api, usd):
        api.post("/v2/values", json={"id": "a", "currency": "USD", "code": "CODE-A"})
        api.post("/v2/values", json={"id": "b", "currency": "USD", "code": "CODE-B"})
        assert api.post("/v2/values/a/changeCode", json={"code": "CODE-A"}).status_code == 200
        response = api.post("/v2/values/a/changeCode", json={"code": "CODE-B"})
        assert (response.status_code, response.json()["messageCode"]) == (409, "ValueCodeExists")

    @pytest.mark.parametrize("body", [
        {"code": "X12345", "generateCode": {}}, {"isGenericCode": True}, {"isGenericCode": False}, {"bogus": 1},
        {"generateCode": {"bogus": 1}}, {"code": "\\rLEADINGSPACE".replace("\\r", "\r")}, {"code": "TRAILINGSPACE\t"},
    ])
    def test_invalid_bodies_are_422(self, api, usd, body):
        api.post("/v2/values", json={"id": "v", "currency": "USD"})
        assert api.post("/v2/values/v/changeCode", json=body).status_code == 422

    def test_missing_value_is_404(self, api):
        assert api.post("/v2/values/nope/changeCode", json={"code": "ABCDEF"}).status_code == 404


def test_csv_list_with_show_code_has_full_code_and_json_metadata(api, usd):
    api.post("/v2/values", json={"id": "v", "currency": "USD", "code": "CSVCODE1", "metadata": {"allyourbase": "arebelongtous"}})
    text = api.get("/v2/values?id.in=v,decoyid&showCode=true", headers={"Accept": "text/csv"}).text
    header, row = text.lstrip("\ufeff").split("\r\n")
    cells = dict(zip(header.split(","), row.split(",", 1)[0:1] + [row]))
    assert "CSVCODE1" in row and '"{""allyourbase"":""arebelongtous""}"' in row
    assert cells["id"] == "v"
