"""The /v2/webhooks routes (platform.md §6.2–§6.3, §9.3 rest/webhooks.test.ts)."""

from __future__ import annotations

import re

import sqlalchemy as sa

from lightrail.webhooks.tables import webhooks
from tests.conftest import make_token

URL = "https://www.example.com/hooks"


def create(api, webhook_id="hook-1", **fields):
    return api.post("/v2/webhooks", json={"id": webhook_id, "url": URL, "events": ["*"], **fields})


def masked(secret: str) -> str:
    return "\u2026" + secret[-4:]


def test_create_returns_201_with_the_input_and_one_full_secret(api, account_id):
    body = {"id": "hook-1", "url": URL, "events": ["*"], "active": True}
    response = api.post("/v2/webhooks", json=body)
    assert response.status_code == 201
    created = response.json()
    assert {k: created[k] for k in body} == body
    assert list(created) == ["id", "url", "events", "active", "secrets", "createdDate", "updatedDate", "createdBy"]
    assert created["createdBy"] == account_id
    assert created["createdDate"] == created["updatedDate"]
    [secret] = created["secrets"]
    assert re.fullmatch(r"[A-Z0-9]{16}", secret["secret"])
    assert set(secret) == {"id", "secret", "createdDate"}


def test_inactive_webhook_with_listed_events_reads_back_masked(api):
    body = {"id": "hook-2", "url": URL, "events": ["lightrail.value.created", "lightrail.value.deleted"], "active": False}
    created = api.post("/v2/webhooks", json=body).json()
    got = api.get("/v2/webhooks/hook-2")
    assert got.status_code == 200
    assert {k: got.json()[k] for k in body} == body
    assert got.json()["secrets"] == [{**created["secrets"][0], "secret": masked(created["secrets"][0]["secret"])}]


def test_active_defaults_to_true(api):
    assert create(api).json()["active"] is True


def test_duplicate_id_is_409(api):
    create(api)
    response = create(api)
    assert response.status_code == 409
    assert response.json()["message"] == "Webhook with id: hook-1 already exists."


def test_unknown_webhook_is_404_webhook_not_found(api):
    response = api.get("/v2/webhooks/nope")
    assert response.status_code == 404
    assert response.json() == {"message": "Webhook with id 'nope' not found.", "statusCode": 404, "messageCode": "WebhookNotFound"}
    assert api.patch("/v2/webhooks/nope", json={"active": False}).status_code == 404
    assert api.delete("/v2/webhooks/nope").status_code == 404
    assert api.post("/v2/webhooks/nope/secrets").status_code == 404


def test_patch_merges_and_moves_updated_date(api):
    created = create(api).json()
    response = api.patch("/v2/webhooks/hook-1", json={"events": ["updated:events"]})
    assert response.status_code == 200
    assert response.json()["events"] == ["updated:events"]
    assert response.json()["url"] == URL
    assert response.json()["createdDate"] == created["createdDate"]
    assert response.json()["updatedDate"] >= created["updatedDate"]
    assert api.get("/v2/webhooks/hook-1").json()["events"] == ["updated:events"]
    assert api.patch("/v2/webhooks/hook-1", json={"active": False}).json()["active"] is False


def test_delete_is_204_with_an_empty_body_then_404(api):
    create(api)
    response = api.delete("/v2/webhooks/hook-1")
    assert response.status_code == 204
    assert response.content == b""
    assert api.get("/v2/webhooks/hook-1").status_code == 404


def test_urls_must_be_uris_and_https(api):
    garbage = create(api, url="garbage")
    assert garbage.status_code == 422
    assert garbage.json()["message"] == 'The POST body has 1 validation error(s): requestBody.url does not conform to the "uri" format.'
    for url in ("http://www.example.com/", "HTTPS://www.example.com/", "ftp://www.example.com/", "https:nohost"):
        response = create(api, url=url)
        assert response.status_code == 422, url
        assert response.json()["messageCode"] == "InsecureWebhookUrl"
        assert response.json()["message"] == "The url must be secure."
    create(api)
    assert api.patch("/v2/webhooks/hook-1", json={"url": "http://www.example.com/"}).status_code == 422
    assert api.patch("/v2/webhooks/hook-1?allowHttp=true", json={"url": "http://www.example.com/"}).status_code == 422
    assert api.get("/v2/webhooks/hook-1").json()["url"] == URL


def test_schema_rules_are_422(api):
    bad_bodies = [
        {"id": "x", "url": URL, "events": []},
        {"id": "x", "url": URL, "events": ["a"] * 21},
        {"id": "x", "url": URL, "events": [""]},
        {"id": "x", "url": URL, "events": ["a" * 101]},
        {"id": "", "url": URL, "events": ["*"]},
        {"id": "x" * 65, "url": URL, "events": ["*"]},
        {"id": "caf\u00e9", "url": URL, "events": ["*"]},
        {"id": "x", "url": URL, "events": ["*"], "active": "yes"},
        {"id": "x", "url": URL, "events": ["*"], "secrets": []},
        {"url": URL, "events": ["*"]},
    ]
    for body in bad_bodies:
        assert api.post("/v2/webhooks", json=body).status_code == 422, body
    assert api.post("/v2/webhooks", json={"id": "x" * 64, "url": URL, "events": ["a"] * 20}).status_code == 201
    create(api)
    for patch in ({"id": "other"}, {"events": []}, {"url": None}, {"active": None}, {"createdBy": "me"}):
        assert api.patch("/v2/webhooks/hook-1", json=patch).status_code == 422, patch
    missing = api.post("/v2/webhooks", json={"id": "y", "url": URL})
    assert missing.json()["message"] == 'The POST body has 1 validation error(s): requestBody requires property "events".'


def test_secret_lifecycle(api):
    first = create(api).json()["secrets"][0]
    assert api.get(f"/v2/webhooks/hook-1/secrets/{first['id']}").json() == first

    unknown = api.get("/v2/webhooks/hook-1/secrets/unknown")
    assert unknown.status_code == 404
    assert unknown.json()["message"] == "Secret with id unknown does not exist."
    assert api.delete("/v2/webhooks/hook-1/secrets/unknown").status_code == 404

    only = api.delete(f"/v2/webhooks/hook-1/secrets/{first['id']}")
    assert only.status_code == 409
    assert only.json()["messageCode"] == "TooFewSecrets"
    assert only.json()["message"] == "A webhook must have at least 1 secret."

    second = api.post("/v2/webhooks/hook-1/secrets")
    assert second.status_code == 201
    second = second.json()
    assert len(second["secret"]) == 16
    assert second["secret"] != first["secret"]
    assert api.get("/v2/webhooks/hook-1").json()["secrets"] == [
        {**first, "secret": masked(first["secret"])}, {**second, "secret": masked(second["secret"])},
    ]
    assert api.get("/v2/webhooks/hook-1/secrets").status_code == 404

    third = api.post("/v2/webhooks/hook-1/secrets").json()
    fourth = api.post("/v2/webhooks/hook-1/secrets")
    assert fourth.status_code == 409
    assert fourth.json()["messageCode"] == "TooManySecrets"
    assert fourth.json()["message"] == "A webhook cannot have more than 3 secrets."

    removed = api.delete(f"/v2/webhooks/hook-1/secrets/{second['id']}")
    assert removed.status_code == 204
    assert removed.content == b""
    assert api.get("/v2/webhooks/hook-1").json()["secrets"] == [
        {**first, "secret": masked(first["secret"])}, {**third, "secret": masked(third["secret"])},
    ]
    assert api.get(f"/v2/webhooks/hook-1/secrets/{first['id']}").json() == first


def test_list_is_newest_first_with_masked_secrets(api):
    created = [create(api, f"hook-{i}").json() for i in range(5)]
    listed = api.get("/v2/webhooks")
    assert listed.status_code == 200
    expected = [
        {**w, "secrets": [{**s, "secret": masked(s["secret"])} for s in w["secrets"]]} for w in reversed(created)
    ]
    assert listed.json() == expected


def test_accounts_and_modes_are_isolated(api, account_id):
    other = api.as_token(make_token("acct-other-" + account_id))
    live = api.as_token(make_token(account_id.removesuffix("-TEST")))
    for client in (api, other, live):
        assert create(client, "same-id").status_code == 201
    for client in (api, other, live):
        assert len(client.get("/v2/webhooks").json()) == 1


def test_twenty_webhooks_at_most(api):
    for i in range(20):
        assert create(api, f"hook-{i}").status_code == 201
    response = create(api, "hook-20")
    assert response.status_code == 409
    assert response.json()["messageCode"] == "TooManyWebhooks"
    assert response.json()["message"] == (
        "You cannot have more than 20 webhooks. Please delete an existing webhook before creating a new one."
    )
    api.delete("/v2/webhooks/hook-0")
    assert create(api, "hook-20").status_code == 201


def test_routes_need_a_team_member_and_scopes(api, account_id):
    no_member = api.as_token(make_token(account_id, user_id=""))
    assert no_member.get("/v2/webhooks").status_code == 403
    assert create(no_member).status_code == 403
    reporter = api.as_token(make_token(account_id, roles=["reporter"]))
    create(api)
    for method, path in (
        ("GET", "/v2/webhooks"), ("POST", "/v2/webhooks"), ("GET", "/v2/webhooks/hook-1"),
        ("PATCH", "/v2/webhooks/hook-1"), ("DELETE", "/v2/webhooks/hook-1"), ("POST", "/v2/webhooks/hook-1/secrets"),
        ("GET", "/v2/webhooks/hook-1/secrets/x"), ("DELETE", "/v2/webhooks/hook-1/secrets/x"),
    ):
        assert reporter.request(method, path, json={}).status_code == 403, (method, path)
    deleter = api.as_token(make_token(account_id, roles=[], scopes=["lightrailV2:webhooks:update"]))
    assert deleter.delete("/v2/webhooks/hook-1").status_code == 204


def test_secrets_are_encrypted_at_rest(api, account_id, app, run_async):
    secret = create(api).json()["secrets"][0]["secret"]

    async def stored():
        async with app.state.db.read() as conn:
            return (await conn.execute(sa.select(webhooks.c.secrets).where(webhooks.c.account_id == account_id))).scalar_one()

    raw = run_async(stored)
    assert secret not in str(raw)
    assert len(raw) == 1
