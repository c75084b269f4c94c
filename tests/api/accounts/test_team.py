"""Accounts, switching, account users and invitations (platform.md §4.9, §9.1 account/accountInvitations)."""

from __future__ import annotations

from datetime import timedelta

from lightrail.accounts.tables import users
from lightrail.db import clock
from tests.api.accounts.conftest import link_token, new_email


def invite_and_join(owner, mailbox, password: str = "mate password 1", **grant):  # noqa: ANN001
    """Invites a new user, who accepts and sets a password; returns (their browser, id, email)."""
    address = new_email()
    invitation = owner.post("/v2/account/invitations", {"email": address, **(grant or {"userPrivilegeType": "FULL_ACCESS"})})
    assert invitation.status_code == 201, invitation.text
    token = link_token(mailbox.last(address), "/v2/user/register/acceptInvitation")
    mate = owner.fresh()
    accepted = mate.get(f"/v2/user/register/acceptInvitation?token={token}")
    assert accepted.status_code == 302 and accepted.headers["location"].startswith("/app/#/resetPassword?token=")
    reset = accepted.headers["location"].split("token=")[1]
    assert mate.post("/v2/user/forgotPassword/complete", {"token": reset, "password": password}).status_code == 200
    return mate, invitation.json()["userId"], address


def test_account_is_read_and_renamed(register):
    user, _ = register(name="Acme")
    account = user.get("/v2/account").json()
    assert account["name"] == "Acme" and account["maxInactiveDays"] is None and account["requireMfa"] is False
    patched = user.patch("/v2/account", {"name": "Acme Two"}).json()
    assert patched["name"] == "Acme Two" and user.get("/v2/account").json() == patched
    assert user.get("/v2/user/accounts").json() == [
        {"accountId": account["id"], "accountDisplayName": "Acme Two", "isCurrentAccount": True}
    ]
    for bad in (-10, 0, 9999):
        assert user.patch("/v2/account", {"maxInactiveDays": bad}).status_code == 422
    assert user.patch("/v2/account", {"maxInactiveDays": 180}).json()["maxInactiveDays"] == 180
    assert user.patch("/v2/account", {"maxInactiveDays": None}).json()["maxInactiveDays"] is None


def test_new_account_is_created_and_switched_to(register):
    user, _ = register()
    first = user.get("/v2/account").json()["id"]
    created = user.post("/v2/account", {"name": "Second"})
    assert created.status_code == 201
    second = created.json()["id"]
    current = {a["accountId"]: a["isCurrentAccount"] for a in user.get("/v2/user/accounts").json()}
    assert current == {first: True, second: False}
    switched = user.post("/v2/account/switch", {"accountId": second, "mode": "test"})
    assert switched.status_code == 200 and "messageCode" not in switched.json()
    assert user.get("/v2/account").json()["id"] == second
    assert len(user.get("/v2/account/users").json()) == 1
    assert user.post("/v2/account/switch", {"accountId": "user-" + "0" * 32, "mode": "test"}).status_code == 403
    assert user.post("/v2/account/switch", {"mode": "live"}).json()["user"]["mode"] == "live"


def test_invited_user_joins_and_members_are_managed(register, mailbox, browser):
    owner, _ = register()
    mate, mate_id, mate_email = invite_and_join(owner, mailbox)
    mail = mailbox.to(mate_email)[0]
    assert mail["Subject"] == "Activate Your Lightrail Account"
    login = browser.post("/v2/user/login", {"email": mate_email, "password": "mate password 1"})
    assert login.json()["user"]["mode"] == "test" and "messageCode" not in login.json()
    deleted = owner.delete(f"/v2/account/invitations/{mate_id}")
    assert deleted.status_code == 409 and deleted.json()["messageCode"] == "InvitationAccepted"
    assert len(owner.get("/v2/account/users").json()) == 2

    before = owner.get(f"/v2/account/users/{mate_id}").json()
    patched = owner.patch(f"/v2/account/users/{mate_id}", {"roles": before["roles"] + ["AssistantToTheManager"], "scopes": ["foobar"]})
    assert patched.json() == {**before, "roles": before["roles"] + ["AssistantToTheManager"], "scopes": ["foobar"]}
    owner_id = owner.get("/v2/user").json()["id"]
    assert owner.patch(f"/v2/account/users/{owner_id}", {"roles": []}).json()["message"] == "You can't update your own permissions."
    assert owner.delete(f"/v2/account/users/{owner_id}").status_code == 403

    key = browser.post("/v2/account/apiKeys", {"name": "mate key"}).json()
    assert key["userId"] == mate_id + "-TEST"
    assert owner.delete(f"/v2/account/users/{mate_id}").json() == {}
    assert owner.get(f"/v2/account/users/{mate_id}").json()["messageCode"] == "UserNotFound"
    assert [k["tokenId"] for k in owner.get("/v2/account/apiKeys").json()] == [key["tokenId"]]
    removed = browser.fresh().post("/v2/user/login", {"email": mate_email, "password": "mate password 1"})
    assert removed.json()["messageCode"] == "NoAccount"


def test_invitations_are_listed_resent_and_cancelled(register, mailbox):
    owner, _ = register()
    address = new_email()
    invitation = owner.post("/v2/account/invitations", {"email": address, "userPrivilegeType": "LIMITED_ACCESS"}).json()
    assert invitation["email"] == address and invitation["accountId"] == owner.get("/v2/account").json()["id"]
    assert owner.get("/v2/account/invitations").json() == [invitation]
    assert owner.get(f"/v2/account/invitations/{invitation['userId']}").json() == invitation
    first = link_token(mailbox.last(address), "acceptInvitation")
    assert owner.post("/v2/account/invitations", {"email": address}).status_code == 201
    assert len(mailbox.to(address)) == 2
    assert owner.delete(f"/v2/account/invitations/{invitation['userId']}").json() == {}
    assert owner.get(f"/v2/account/invitations/{invitation['userId']}").json()["messageCode"] == "InvitatonNotFound"
    assert owner.fresh().get(f"/v2/user/register/acceptInvitation?token={first}").status_code == 404
    assert owner.post("/v2/account/invitations", {"email": address}).json()["message"] == \
        "Must specify userPrivilegeType or one of roles, scopes."
    assert owner.post("/v2/account/invitations", {"email": address, "userPrivilegeType": "OWNER", "roles": ["a"]}).status_code == 422
    assert owner.post("/v2/account/invitations", {"email": "nobody", "roles": ["a"]}).status_code == 422


def test_thirteenth_invitation_in_a_day_is_throttled(register, mailbox):
    owner, _ = register()
    for _ in range(12):
        assert owner.post("/v2/account/invitations", {"email": new_email(), "roles": ["reporter"]}).status_code == 201
    response = owner.post("/v2/account/invitations", {"email": new_email(), "roles": ["reporter"]})
    assert response.status_code == 429 and "maximum number of invitations" in response.json()["message"]


def test_registered_user_accepting_an_invitation_is_logged_in_to_it(register, mailbox):
    owner, _ = register()
    other, other_email = register()
    owner.post("/v2/account/invitations", {"email": other_email, "userPrivilegeType": "FULL_ACCESS"})
    token = link_token(mailbox.last(other_email), "acceptInvitation")
    accepted = other.get(f"/v2/user/register/acceptInvitation?token={token}")
    assert accepted.status_code == 302 and accepted.headers["location"] == "/app/#/"
    assert other.get("/v2/account").json()["id"] == owner.get("/v2/account").json()["id"]
    assert len(other.get("/v2/user/accounts").json()) == 2


def test_account_policies_give_orphan_sessions(register, mailbox, browser, run_async, db):
    owner, _ = register()
    mate, mate_id, mate_email = invite_and_join(owner, mailbox)
    account_id = owner.get("/v2/account").json()["id"]

    owner.patch("/v2/account", {"maxInactiveDays": 180})
    owner.patch(f"/v2/account/users/{mate_id}", {"lockedByInactivity": True})
    assert owner.get(f"/v2/account/users/{mate_id}").json()["lockedByInactivity"] is True
    locked = browser.post("/v2/user/login", {"email": mate_email, "password": "mate password 1"})
    assert locked.json()["messageCode"] == "AccountMaxInactiveDays"
    assert browser.get("/v2/account").status_code == 403
    owner.patch(f"/v2/account/users/{mate_id}", {"lockedByInactivity": False})
    assert "messageCode" not in browser.post("/v2/user/login", {"email": mate_email, "password": "mate password 1"}).json()

    owner.patch("/v2/account", {"maxPasswordAge": 90})

    async def age_password():
        async with db.transaction() as conn:
            await conn.execute(users.update().where(users.c.email_key == mate_email)
                               .values(password_created_date=clock.now() - timedelta(days=365)))

    run_async(age_password)
    old = browser.post("/v2/user/login", {"email": mate_email, "password": "mate password 1"})
    assert old.json()["messageCode"] == "AccountMaxPasswordAge"
    assert browser.get("/v2/account").status_code == 403
    assert browser.post("/v2/user/changePassword", {"oldPassword": "mate password 1", "newPassword": "mate password 2"}).status_code == 200
    assert "messageCode" not in browser.post("/v2/user/login", {"email": mate_email, "password": "mate password 2"}).json()

    owner.patch("/v2/account", {"requireMfa": True})
    switched = owner.post("/v2/account/switch", {"accountId": account_id, "mode": "test"})
    assert switched.json()["messageCode"] == "AccountMfaRequired" and switched.json()["user"]["mfa"] is None
    assert owner.get("/v2/account").status_code == 403
