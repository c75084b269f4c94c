"""Currencies (spec core.md §5.1, §7.2, checklist §16.1)."""

from __future__ import annotations

import pytest

FUNBUX = {"code": "FUNBUX", "name": "Fun bux", "symbol": "⭐", "decimalPlaces": 0}


def create(api, **overrides):
    return api.post("/v2/currencies", json={**FUNBUX, **overrides})


def test_fresh_account_has_no_currencies(api):
    response = api.get("/v2/currencies")
    assert response.status_code == 200
    assert response.json() == []


def test_create_echoes_input_with_dates_and_creator(api):
    response = create(api)
    assert response.status_code == 201
    body = response.json()
    assert {k: body[k] for k in FUNBUX} == FUNBUX
    assert body["createdBy"] == api.account_id
    assert body["createdDate"].endswith(".000Z") and body["updatedDate"] == body["createdDate"]
    assert api.get("/v2/currencies/FUNBUX").json() == body
    assert api.get("/v2/currencies").json() == [body]


def test_list_as_csv(api):
    create(api)
    response = api.get("/v2/currencies", headers={"Accept": "text/csv"})
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/csv"
    lines = response.text.split("\r\n")
    assert lines[0] == "\ufeffcode,name,symbol,decimalPlaces,createdDate,updatedDate,createdBy"
    assert lines[1].startswith("FUNBUX,Fun bux,⭐,0,")
    assert lines[1].endswith(f",{api.account_id}")


@pytest.mark.parametrize("code", ["Euro", "🐱", " abc", "abc ", "US1", ""])
def test_invalid_codes_are_422(api, code):
    assert create(api, code=code).status_code == 422


@pytest.mark.parametrize("missing", ["code", "name", "symbol", "decimalPlaces"])
def test_each_field_is_required(api, missing):
    body = {k: v for k, v in FUNBUX.items() if k != missing}
    response = api.post("/v2/currencies", json=body)
    assert response.status_code == 422
    assert f'requestBody requires property "{missing}"' in response.json()["message"]


def test_decimal_places_between_0_and_4(api):
    assert create(api, decimalPlaces=5).status_code == 422
    assert create(api, decimalPlaces=-1).status_code == 422
    assert create(api, decimalPlaces="2").status_code == 422


def test_duplicate_code_is_409(api):
    create(api)
    response = create(api)
    assert response.status_code == 409
    assert response.json()["messageCode"] == "CurrencyExists"


def test_unknown_currency_is_404(api):
    response = api.get("/v2/currencies/iamnotavalidcurrency")
    assert response.status_code == 404
    assert response.json()["messageCode"] == "CurrencyNotFound"


def test_update_changes_name_and_updated_date(api):
    created = create(api).json()
    response = api.patch("/v2/currencies/FUNBUX", json={"name": "Funner buxes"})
    assert response.status_code == 200
    assert response.json()["name"] == "Funner buxes"
    assert response.json()["symbol"] == "⭐"
    assert api.get("/v2/currencies/FUNBUX").json()["name"] == "Funner buxes"
    assert response.json()["createdDate"] == created["createdDate"]


def test_update_with_other_code_in_body_is_422(api):
    create(api)
    response = api.patch("/v2/currencies/FUNBUX", json={"code": "OTHER"})
    assert response.status_code == 422
    assert response.json()["message"] == "The path code 'FUNBUX' does not match the body code 'OTHER'."


def test_delete_unused_currency(api):
    create(api)
    response = api.delete("/v2/currencies/FUNBUX")
    assert response.status_code == 200
    assert response.json() == {"success": True}
    assert api.get("/v2/currencies/FUNBUX").status_code == 404


@pytest.mark.parametrize("method", ["GET", "PATCH", "DELETE"])
def test_non_ascii_code_in_path_is_404(api, method):
    response = api.request(method, "/v2/currencies/%F0%9F%92%A9", json={"pretax": True} if method == "PATCH" else None)
    assert response.status_code == 404
    assert response.json()["messageCode"] == "CurrencyNotFound"


def test_padded_code_in_path_is_404(api):
    create(api, code="NEW")
    assert api.get("/v2/currencies/%20NEW").status_code == 404
    assert api.get("/v2/currencies/NEW%20").status_code == 404


def test_other_account_cannot_see_currency(api, client):
    from tests.conftest import ApiClient, make_token

    create(api)
    other = ApiClient(client, make_token("alternate-test-user-TEST"), "alternate-test-user-TEST")
    assert other.get("/v2/currencies/FUNBUX").status_code == 404


def test_create_update_delete_write_events_with_api_bodies(api, app, run_async):
    import sqlalchemy as sa

    from lightrail.events.tables import events

    created = create(api).json()
    updated = api.patch("/v2/currencies/FUNBUX", json={"name": "Fun bux 2"}).json()
    api.delete("/v2/currencies/FUNBUX")

    async def read():
        async with app.state.db.read() as conn:
            rows = await conn.execute(
                sa.select(events).where(events.c.account_id == api.account_id).order_by(events.c.created_at)
            )
            return [dict(r._mapping) for r in rows]

    rows = run_async(read)
    assert [r["type"] for r in rows] == [
        "lightrail.currency.created", "lightrail.currency.updated", "lightrail.currency.deleted"
    ]
    assert rows[0]["data"] == {"newCurrency": created}
    assert rows[1]["data"] == {"oldCurrency": created, "newCurrency": updated}
    assert rows[2]["data"] == {"oldCurrency": updated}
    assert rows[0]["time"] == created["createdDate"]
