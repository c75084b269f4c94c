"""Security: forged tokens, replayed codes and links, frozen accounts, and one account's user acting on another."""

from __future__ import annotations

import time

import jwt
import pytest
from typer.testing import CliRunner

from lightrail.cli import app as cli
from tests.api.accounts.conftest import PASSWORD
from tests.conftest import JWT_SECRET


def test_forged_tokens_are_refused(register, web_client):
    user, _ = register()
    claims = jwt.decode(user.token, options={"verify_signature": False})
    forged = [
        jwt.encode(claims, "not-the-secret", algorithm="HS256"),
        jwt.encode(claims, None, algorithm="none"),
        jwt.encode({**claims, "exp": int(time.time()) - 1}, JWT_SECRET, algorithm="HS256"),
    ]
    for token in forged:
        assert web_client.get("/v2/account", headers={"Authorization": f"Bearer {token}"}).status_code == 401


def test_user_of_one_account_cannot_act_on_another(register):
    alice, _ = register()
    bob, _ = register()
    bobs_account = bob.get("/v2/account").json()["id"]
    bobs_user = bob.get("/v2/user").json()["id"]
    assert alice.post("/v2/account/switch", {"accountId": bobs_account, "mode": "test"}).status_code == 403
    assert alice.get(f"/v2/account/users/{bobs_user}").json()["messageCode"] == "UserNotFound"
    assert alice.delete(f"/v2/account/users/{bobs_user}").status_code == 404
    key = bob.post("/v2/account/apiKeys", {"name": "bob"}).json()
    assert alice.delete(f"/v2/account/apiKeys/{key['tokenId']}").status_code == 404
    assert alice.get("/v2/account").json()["id"] != bobs_account


@pytest.fixture
def cli_env(database_url, monkeypatch):
    monkeypatch.setenv("LIGHTRAIL_DATABASE_URL", database_url)
    monkeypatch.setenv("LIGHTRAIL_JWT_SECRET", JWT_SECRET)
    return CliRunner()


def test_revoking_an_account_stops_keys_and_sessions_until_unfrozen(register, browser, web_client, cli_env):
    owner, address = register()
    account_id = owner.get("/v2/account").json()["id"]
    test_key = owner.post("/v2/account/apiKeys", {"name": "test"}).json()
    owner.post("/v2/account/switch", {"mode": "live"})
    live_key = owner.post("/v2/account/apiKeys", {"name": "live"}).json()

    result = cli_env.invoke(cli, ["accounts", "revoke", account_id])
    assert result.exit_code == 0, result.output
    assert f"account {account_id}: frozen; web sessions revoked; 2 API key(s) revoked" in result.output
    time.sleep(1.1)  # the command ran in another process: the API's cache forgets within a second
    for key in (test_key, live_key):
        assert web_client.get("/v2/contacts", headers={"Authorization": f"Bearer {key['token']}"}).status_code == 401
    assert owner.get("/v2/currencies").status_code == 401
    login = browser.post("/v2/user/login", {"email": address, "password": PASSWORD})
    assert login.json()["messageCode"] == "AccountFrozen"
    assert browser.get("/v2/account").status_code in (401, 403)

    again = cli_env.invoke(cli, ["accounts", "revoke", account_id])
    assert "already frozen" in again.output and "0 API key(s) revoked" in again.output
    shown = cli_env.invoke(cli, ["accounts", "show", account_id]).output
    assert "FROZEN" in shown and address in shown and "API keys (0)" in shown

    assert "unfrozen" in cli_env.invoke(cli, ["accounts", "unfreeze", account_id]).output
    assert "was not frozen" in cli_env.invoke(cli, ["accounts", "unfreeze", account_id]).output
    time.sleep(1.1)  # sessions from the second of the revocation are still refused
    relogin = browser.post("/v2/user/login", {"email": address, "password": PASSWORD})
    assert "messageCode" not in relogin.json()
    assert browser.get("/v2/account").status_code == 200
    assert web_client.get("/v2/contacts", headers={"Authorization": f"Bearer {test_key['token']}"}).status_code == 401


def test_operator_keys_can_be_created_listed_and_revoked(register, web_client, cli_env):
    owner, _ = register()
    account_id = owner.get("/v2/account").json()["id"]
    created = cli_env.invoke(cli, ["keys", "create", "--account", account_id, "--test", "--name", "ops"])
    assert created.exit_code == 0, created.output
    token_id = created.output.split()[1]
    token = created.output.strip().splitlines()[-1]
    assert web_client.get("/v2/contacts", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    assert token_id in cli_env.invoke(cli, ["keys", "list", account_id]).output
    assert [k["name"] for k in owner.get("/v2/account/apiKeys").json()] == ["ops"]
    assert cli_env.invoke(cli, ["keys", "revoke", token_id]).output.strip() == f"{token_id}: revoked"
    assert cli_env.invoke(cli, ["keys", "revoke", token_id]).output.strip() == f"{token_id}: already revoked"
    time.sleep(1.1)  # another process revoked it: the API's cache forgets within a second
    assert web_client.get("/v2/contacts", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    assert "REVOKED" in cli_env.invoke(cli, ["keys", "list", account_id]).output
    assert cli_env.invoke(cli, ["accounts", "show", "user-nosuchaccount"]).exit_code == 1
