"""KVS behaviour (platform.md §5, §9.2): per-account items, key rules, size limit, special keys."""

from __future__ import annotations

import sqlalchemy as sa

from lightrail.storage.tables import storage_items
from tests.conftest import make_token

NO_CACHE = "no-cache, no-store, must-revalidate"


def test_health_check_needs_no_token(api):
    response = api.as_token(None).get("/v1/storage/healthCheck")
    assert response.status_code == 200
    assert response.json() == {}


def test_put_get_list_delete_round_trip(api):
    assert api.get("/v1/storage").json() == {"keys": []}
    put = api.put("/v1/storage/hello", json="world")
    assert put.status_code == 200
    assert put.json() == {"success": True}
    got = api.get("/v1/storage/hello")
    assert got.status_code == 200
    assert got.json() == "world"
    assert got.headers["content-type"] == "application/json"
    assert got.headers["cache-control"] == NO_CACHE
    listed = api.get("/v1/storage")
    assert listed.json()["keys"][0] == "hello"
    assert listed.headers["cache-control"] == NO_CACHE
    deleted = api.delete("/v1/storage/hello")
    assert deleted.status_code == 200
    assert deleted.json() == {"success": True}
    assert api.get("/v1/storage/hello").status_code == 404


def test_missing_key_is_404_with_the_originals_message(api):
    response = api.get("/v1/storage/DOES_NOT_EXIST")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/json"
    assert response.json() == {
        "message": "Resource not found.  The resource type was understood but nothing lives there.",
        "statusCode": 404,
    }


def test_delete_of_a_missing_key_succeeds(api):
    response = api.delete("/v1/storage/neverSet")
    assert response.status_code == 200
    assert response.json() == {"success": True}


def test_put_overwrites_and_keeps_any_json_value(api):
    api.put("/v1/storage/settings", json={"a": [1, 2, {"b": None}]})
    api.put("/v1/storage/settings", json={"a": 2, "nested": {"x": "y"}})
    assert api.get("/v1/storage/settings").json() == {"a": 2, "nested": {"x": "y"}}
    api.put("/v1/storage/nothing", content=b"null", headers={"Content-Type": "application/json"})
    nothing = api.get("/v1/storage/nothing")
    assert nothing.status_code == 200
    assert nothing.json() is None


def test_items_are_isolated_per_account_and_mode(api, account_id):
    api.put("/v1/storage/mine", json=1)
    live = account_id.removesuffix("-TEST")
    assert api.as_token(make_token(live)).get("/v1/storage/mine").status_code == 404
    assert api.as_token(make_token(live)).get("/v1/storage").json() == {"keys": []}
    api.as_token(make_token(live)).put("/v1/storage/mine", json=2)
    assert api.get("/v1/storage/mine").json() == 1
    assert api.as_token(make_token(live)).get("/v1/storage/mine").json() == 2


def test_list_is_sorted_and_per_account(api):
    for key in ("zeta", "alpha", "midd"):
        api.put(f"/v1/storage/{key}", json=key)
    assert api.get("/v1/storage").json() == {"keys": ["alpha", "midd", "zeta"]}


def test_key_rules_are_422_with_their_messages(api):
    cases = {
        "abc": "A key must be at least 4 characters.",
        "a" * 129: "A key cannot be more than 128 characters.",
        "1abc": "A key must start with a letter (a-z).",
        "_abc": "A key must start with a letter (a-z).",
        "ab.cd": "A key can only contain letters (a-z), numbers (0-9), underscore (_) and dash (-).",
        "ab%20cd": "A key can only contain letters (a-z), numbers (0-9), underscore (_) and dash (-).",
    }
    for key, message in cases.items():
        for method in ("GET", "PUT", "DELETE"):
            response = api.request(method, f"/v1/storage/{key}", json="x" if method == "PUT" else None)
            assert response.status_code == 422, (key, method)
            assert response.json()["message"] == message
    assert api.put("/v1/storage/" + "a" * 128, json=1).status_code == 200
    assert api.put("/v1/storage/a-b_C9", json=1).status_code == 200


def test_value_limit_is_10240_characters_of_compact_json(api):
    exactly = "x" * 10238  # the two quotes make 10240
    assert api.put("/v1/storage/bigOne", json=exactly).status_code == 200
    assert api.get("/v1/storage/bigOne").json() == exactly
    too_big = api.put("/v1/storage/bigOne", json=exactly + "x")
    assert too_big.status_code == 413
    assert too_big.json()["message"] == "Payload too large.  The max value size is 10 KiB."
    assert api.get("/v1/storage/bigOne").json() == exactly


def test_value_size_counts_compact_json_not_the_request_bytes(api):
    spaced = '{"a":   "' + "y" * 10230 + '"}'  # compact: {"a":"…"} is 10238 characters
    response = api.put("/v1/storage/spaced", content=spaced, headers={"Content-Type": "application/json"})
    assert response.status_code == 200


def test_put_needs_a_json_body(api):
    assert api.put("/v1/storage/empty", content=b"").status_code == 422
    broken = api.put("/v1/storage/empty", content=b"{nope", headers={"Content-Type": "application/json"})
    assert broken.status_code == 400


def test_routes_need_the_portal_scope_and_an_account(api, account_id):
    no_portal = api.as_token(make_token(account_id, roles=["pointOfSale"]))
    assert no_portal.get("/v1/storage").status_code == 403
    assert no_portal.get("/v1/storage/hello").status_code == 403
    assert no_portal.put("/v1/storage/hello", json=1).status_code == 403
    assert no_portal.delete("/v1/storage/hello").status_code == 403
    assert api.as_token(None).get("/v1/storage").status_code == 401
    no_account = api.as_token(make_token("", user_id="someone"))
    assert no_account.get("/v1/storage").status_code == 403


def test_secret_keys_are_encrypted_at_rest_hidden_and_scoped(api, account_id, app, run_async):
    stripe = {"access_token": "sk_test_abc", "stripe_user_id": "acct_1"}
    assert api.put("/v1/storage/jwtSecret", json="merchant-secret-1").status_code == 200
    assert api.put("/v1/storage/stripeAuth", json=stripe).status_code == 200
    api.put("/v1/storage/visible", json=1)

    assert api.get("/v1/storage").json() == {"keys": ["visible"]}
    assert api.get("/v1/storage/jwtSecret").json() == "merchant-secret-1"
    assert api.get("/v1/storage/stripeAuth").json() == stripe

    async def stored():
        async with app.state.db.read() as conn:
            rows = await conn.execute(sa.select(storage_items).where(storage_items.c.account_id == account_id))
            return {row.key: (row.value, row.encrypted) for row in rows}

    rows = run_async(stored)
    assert rows["visible"] == (1, False)
    for key in ("jwtSecret", "stripeAuth"):
        value, encrypted = rows[key]
        assert encrypted is True
        assert "merchant-secret-1" not in value and "sk_test_abc" not in value

    portal_only = api.as_token(make_token(account_id, roles=["webPortal"]))
    assert portal_only.get("/v1/storage/jwtSecret").status_code == 403
    assert portal_only.put("/v1/storage/jwtSecret", json="x").status_code == 403
    assert portal_only.get("/v1/storage/stripeAuth").status_code == 403
    assert portal_only.delete("/v1/storage/stripeAuth").status_code == 403
    reader = api.as_token(make_token(account_id, roles=[], scopes=["lightrailV1:sharedSecret:read"]))
    assert reader.get("/v1/storage/jwtSecret").json() == "merchant-secret-1"
    assert reader.put("/v1/storage/jwtSecret", json="x").status_code == 403


def test_jwt_secret_must_be_a_non_empty_string(api):
    for bad in ({"secret": "x"}, "", 12):
        response = api.put("/v1/storage/jwtSecret", json=bad)
        assert response.status_code == 422
    assert api.get("/v1/storage/jwtSecret").status_code == 404


def test_public_config_is_listed_and_needs_the_portal_scope_to_write(api, account_id):
    assert api.put("/v1/storage/turnkeyPublicConfig", json={"stripePublicKey": "pk_test"}).status_code == 200
    assert api.get("/v1/storage").json() == {"keys": ["turnkeyPublicConfig"]}
    point_of_sale = api.as_token(make_token(account_id, roles=["pointOfSale"]))
    assert point_of_sale.get("/v1/storage/turnkeyPublicConfig").json() == {"stripePublicKey": "pk_test"}
    assert point_of_sale.put("/v1/storage/turnkeyPublicConfig", json={}).status_code == 403
