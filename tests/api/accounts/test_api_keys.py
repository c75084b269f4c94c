"""API keys: the exact token construction, create/list/read/delete, and revocation everywhere at once."""

from __future__ import annotations

import base64
import json
from datetime import datetime, timezone

import sqlalchemy as sa

from lightrail.accounts.apikeys import api_key_token
from lightrail.accounts.tables import api_keys
from lightrail.accounts.tokens import api_key_token_hash
from tests.conftest import make_token


def _payload(token: str) -> dict:
    part = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))


def test_api_key_token_matches_the_golden_vector():
    created = datetime(2020, 6, 25, 17, 10, 17, 76000, tzinfo=timezone.utc)
    token = api_key_token("secret", "64f3611d-e4ee-49df-9", "2a1310f5-6ff0-437b-a",
                          "tok-943c5f2dfe92412a8e14aad111d0f5ee", ["a"], ["b"], created)
    assert token.endswith(".KPwyR8xlitBx4FgSEjtyUTtoHappBd7MDq9KizNCYro")
    assert '"iat":1593105017.076}' in base64.urlsafe_b64decode(token.split(".")[1] + "==").decode()


def test_whole_second_iat_is_written_without_a_fraction():
    token = api_key_token("secret", "a", "u", "tok-1", [], [], datetime(2020, 6, 25, 17, 10, 17, tzinfo=timezone.utc))
    assert base64.urlsafe_b64decode(token.split(".")[1] + "==").decode() == \
        '{"g":{"gui":"a","tmi":"u"},"aud":"API","iss":"EDHI","scopes":[],"jti":"tok-1","iat":1593105017}'


def test_created_key_is_shown_once_and_works(register, web_client, run_async, db):
    user, _ = register()
    assert user.get("/v2/account/apiKeys").json() == []
    created = user.post("/v2/account/apiKeys", {"name": "till 1"})
    assert created.status_code == 201
    key = created.json()
    me = user.get("/v2/user").json()
    assert key["accountId"].endswith("-TEST") and key["userId"] == me["id"] + "-TEST"
    assert key["name"] == "till 1" and key["tokenId"].startswith("tok-") and len(key["tokenId"]) == 36
    assert _payload(key["token"])["g"] == {"gui": key["accountId"], "tmi": key["userId"]}

    async def stored_hash():
        async with db.read() as conn:
            return await conn.scalar(sa.select(api_keys.c.token_hash).where(api_keys.c.token_id == key["tokenId"]))

    assert run_async(stored_hash) == api_key_token_hash(key["token"])
    bearer = {"Authorization": f"Bearer {key['token']}"}
    assert web_client.get("/v2/user/ping", headers=bearer).status_code == 200
    assert web_client.get("/v2/user", headers=bearer).json()["mode"] == "test"
    fetched = user.get(f"/v2/account/apiKeys/{key['tokenId']}").json()
    assert fetched == {k: v for k, v in key.items() if k != "token"}
    assert user.get("/v2/account/apiKeys").json() == [fetched]


def test_deleted_key_is_refused_at_once_on_every_service_and_transport(register, web_client):
    user, _ = register()
    key = user.post("/v2/account/apiKeys", {"name": "pos"}).json()
    bearer = {"Authorization": f"Bearer {key['token']}"}
    head, payload, signature = key["token"].split(".")
    cookie = {"Cookie": f"gb_jwt_session={head}.{payload}; gb_jwt_signature={signature}", "X-Requested-With": "XMLHttpRequest"}
    for path in ("/v2/currencies", "/v2/contacts", "/v2/account/apiKeys"):
        assert web_client.get(path, headers=bearer).status_code == 200, path
    assert web_client.get("/v2/currencies", headers=cookie).status_code == 200

    assert user.delete(f"/v2/account/apiKeys/{key['tokenId']}").json() == {}
    for path in ("/v2/currencies", "/v2/contacts", "/v2/account/apiKeys", "/v2/user/ping"):
        assert web_client.get(path, headers=bearer).status_code == 401, path
        assert web_client.get(path, headers=cookie).status_code == 401, path
    assert user.get(f"/v2/account/apiKeys/{key['tokenId']}").status_code == 404
    assert user.get("/v2/account/apiKeys").json() == []
    assert user.delete(f"/v2/account/apiKeys/{key['tokenId']}").json()["messageCode"] == "ApiKeyNotFound"


def test_live_and_test_keys_are_separate_lists(register):
    user, _ = register()
    test_key = user.post("/v2/account/apiKeys", {"name": "test"}).json()
    account_id = user.get("/v2/account").json()["id"]
    assert user.post("/v2/account/switch", {"mode": "live"}).json()["user"]["mode"] == "live"
    live_key = user.post("/v2/account/apiKeys", {"name": "live"}).json()
    assert live_key["accountId"] == account_id and _payload(live_key["token"])["g"]["gui"] == account_id
    assert [k["tokenId"] for k in user.get("/v2/account/apiKeys").json()] == [live_key["tokenId"]]
    assert user.delete(f"/v2/account/apiKeys/{test_key['tokenId']}").status_code == 404
    user.post("/v2/account/switch", {"mode": "test"})
    assert [k["tokenId"] for k in user.get("/v2/account/apiKeys").json()] == [test_key["tokenId"]]
    assert user.delete(f"/v2/account/apiKeys/{live_key['tokenId']}").status_code == 404
    assert user.delete(f"/v2/account/apiKeys/{test_key['tokenId']}").status_code == 200


def test_key_needs_the_api_key_scopes(register, web_client):
    user, _ = register()
    account_id = user.get("/v2/account").json()["id"]
    reporter = make_token(account_id + "-TEST", roles=["reporter"])
    assert web_client.post("/v2/account/apiKeys", json={}, headers={"Authorization": f"Bearer {reporter}"}).status_code == 403
