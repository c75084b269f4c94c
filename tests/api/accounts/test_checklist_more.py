"""More §9.1 cases: an invitee who registers on their own, two users claiming one new email address, MFA
logins into an account that requires MFA, and the customer-support throttle (platform.md §4.3, §4.8, §4.9)."""

from __future__ import annotations

import asyncio

import httpx

from tests.api.accounts.conftest import PASSWORD, SUPPORT, body, link_token, new_email
from tests.api.accounts.test_mfa import code, enable_totp

ACCEPT = "/v2/user/register/acceptInvitation"
MFA_REQUIRED = "The Account requires that MFA is enabled to continue."


def test_invited_email_that_registers_itself_can_still_accept_the_invitation(register, mailbox, browser):
    owner, _ = register(name="Inviter")
    owner_account = owner.get("/v2/account").json()["id"]
    address = new_email()
    assert owner.post("/v2/account/invitations", {"email": address, "userPrivilegeType": "FULL_ACCESS"}).status_code == 201
    invitation = link_token(mailbox.last(address), ACCEPT)

    # The invitee ignores the invitation and registers: a verification mail, not a recovery mail.
    user, _ = register(address=address, name="Own")
    assert [m["Subject"] for m in mailbox.to(address)] == ["Activate Your Lightrail Account"] * 2
    own_account = user.get("/v2/account").json()
    assert own_account["name"] == "Own" and own_account["id"] != owner_account
    login = browser.post("/v2/user/login", {"email": address, "password": PASSWORD})
    assert login.status_code == 200 and "messageCode" not in login.json() and login.json()["user"]["mode"] == "test"
    assert [a["accountId"] for a in browser.get("/v2/user/accounts").json()] == [own_account["id"]]
    assert [i["email"] for i in owner.get("/v2/account/invitations").json()] == [address]

    # The old invitation still works: the user has a password now, so it logs them in to the inviting account.
    accepted = browser.fresh().get(f"{ACCEPT}?token={invitation}")
    assert accepted.status_code == 302 and accepted.headers["location"] == "/app/#/"
    accounts = browser.get("/v2/user/accounts").json()
    assert len(accounts) == 2 and {a["accountId"] for a in accounts} == {own_account["id"], owner_account}
    assert owner.get("/v2/account/invitations").json() == []
    assert len(owner.get("/v2/account/users").json()) == 2
    again = browser.fresh().post("/v2/user/login", {"email": address, "password": PASSWORD})
    assert "messageCode" not in again.json()


def test_second_user_confirming_the_same_new_email_gets_409(register, mailbox, browser):
    first, first_email = register()
    second, second_email = register()
    wanted = new_email()
    assert first.post("/v2/user/changeEmail", {"email": wanted}).status_code == 200
    first_token = link_token(mailbox.last(wanted), "/v2/user/changeEmail/complete")
    # Nobody owns the address yet, so the second request is mailed too.
    assert second.post("/v2/user/changeEmail", {"email": wanted}).status_code == 200
    assert len(mailbox.to(wanted)) == 2
    second_token = link_token(mailbox.last(wanted), "/v2/user/changeEmail/complete")
    assert first_token != second_token

    done = browser.fresh().get(f"/v2/user/changeEmail/complete?token={first_token}")
    assert done.status_code == 302 and done.headers["location"] == "/app/#/changeEmailComplete"
    refused = browser.fresh().get(f"/v2/user/changeEmail/complete?token={second_token}")
    assert refused.status_code == 409
    assert refused.json()["message"] == "The email address is already in use in the Lightrail system."
    assert not [c for c in refused.headers.get_list("set-cookie") if c.startswith("gb_jwt_session=") and "=;" not in c]

    assert browser.fresh().post("/v2/user/login", {"email": wanted, "password": PASSWORD}).json()["user"]["email"] == wanted
    assert browser.fresh().post("/v2/user/login", {"email": first_email, "password": PASSWORD}).status_code == 401
    assert browser.fresh().post("/v2/user/login", {"email": second_email, "password": PASSWORD}).status_code == 200
    assert second.get("/v2/user").json()["email"] == second_email
    # Only the winner's old address was told of a change.
    assert mailbox.last(first_email)["Subject"] == "Your Lightrail Email Address Has Changed"
    assert mailbox.last(second_email)["Subject"] != "Your Lightrail Email Address Has Changed"


def test_racing_confirmations_of_one_new_email_give_one_302_and_one_409(register, mailbox, accounts_app, run_async):
    """Both confirmations pass the "address taken?" check at once; the unique email key decides (on PostgreSQL
    the loser's UPDATE fails, which must still be the 409 and not a 500)."""

    async def race(tokens: list[str]) -> list[httpx.Response]:
        transport = httpx.ASGITransport(app=accounts_app)
        async with httpx.AsyncClient(transport=transport, base_url="http://lightrail.test") as client:
            return await asyncio.gather(*(client.get(f"/v2/user/changeEmail/complete?token={t}") for t in tokens))

    for _ in range(3):
        first, _ = register()
        second, _ = register()
        wanted = new_email()
        tokens = []
        for user in (first, second):
            assert user.post("/v2/user/changeEmail", {"email": wanted}).status_code == 200
            tokens.append(link_token(mailbox.last(wanted), "/v2/user/changeEmail/complete"))
        responses = run_async(race, tokens)
        assert sorted(r.status_code for r in responses) == [302, 409], [r.text for r in responses]
        assert [r.json()["message"] for r in responses if r.status_code == 409] == \
            ["The email address is already in use in the Lightrail system."]
        emails = {first.get("/v2/user").json()["email"], second.get("/v2/user").json()["email"]}
        assert wanted in emails and len(emails) == 2


def test_account_requiring_mfa_admits_totp_users_after_the_second_factor(register, mailbox, browser):
    owner, owner_email = register()
    account_id = owner.get("/v2/account").json()["id"]
    assert owner.get("/v2/account").json()["requireMfa"] is False
    assert owner.patch("/v2/account", {"requireMfa": True}).json()["requireMfa"] is True
    assert owner.get("/v2/account").json()["requireMfa"] is True

    # Without MFA: an orphan session, refused on the account, that can still enable TOTP and switch back in.
    orphan = browser.post("/v2/user/login", {"email": owner_email, "password": PASSWORD})
    assert orphan.status_code == 200 and orphan.json()["messageCode"] == "AccountMfaRequired"
    assert orphan.json()["message"] == MFA_REQUIRED and orphan.json()["user"]["mfa"] is None
    assert {"gb_jwt_session", "gb_jwt_signature"} <= set(browser.cookies)
    assert browser.get("/v2/account").status_code == 403
    secret = enable_totp(browser)
    switched = browser.post("/v2/account/switch", {"accountId": account_id, "mode": "test"})
    assert switched.status_code == 200 and "messageCode" not in switched.json() and switched.json()["user"]["mfa"] == "totp"
    assert browser.get("/v2/account").json()["id"] == account_id

    # With TOTP: MFA-pending first, then the code gives full access.
    user = browser.fresh()
    pending = user.post("/v2/user/login", {"email": owner_email, "password": PASSWORD})
    assert pending.json()["messageCode"] == "MfaAuthRequired" and pending.json()["user"]["additionalAuthenticationRequired"] is True
    assert user.get("/v2/account").status_code == 403
    done = user.post("/v2/user/login/mfa", {"code": code(secret, 30)})
    assert done.status_code == 200 and "messageCode" not in done.json()
    assert done.json()["user"]["mfa"] == "totp" and done.json()["user"]["mode"] == "test"
    assert user.get("/v2/account").json()["id"] == account_id
    assert user.get("/v2/account/users").status_code == 200

    # A newly invited user sets a password and lands in an orphan session.
    invited = new_email()
    owner.post("/v2/account/invitations", {"email": invited, "userPrivilegeType": "FULL_ACCESS"})
    accepted = owner.fresh().get(f"{ACCEPT}?token={link_token(mailbox.last(invited), ACCEPT)}")
    reset = accepted.headers["location"].split("token=")[1]
    newcomer = owner.fresh()
    first = newcomer.post("/v2/user/forgotPassword/complete", {"token": reset, "password": "newcomer secret 1"})
    assert first.status_code == 200 and first.json()["messageCode"] == "AccountMfaRequired"
    assert newcomer.get("/v2/account").status_code == 403
    login = newcomer.fresh().post("/v2/user/login", {"email": invited, "password": "newcomer secret 1"})
    assert login.json()["messageCode"] == "AccountMfaRequired"

    # So does a registered user newly invited.
    member, member_email = register()
    owner.post("/v2/account/invitations", {"email": member_email, "userPrivilegeType": "FULL_ACCESS"})
    joined = member.get(f"{ACCEPT}?token={link_token(mailbox.last(member_email), ACCEPT)}")
    assert joined.status_code == 302
    assert member.get("/v2/account").status_code == 403
    relogin = member.fresh().post("/v2/user/login", {"email": member_email, "password": PASSWORD})
    assert relogin.json()["messageCode"] == "AccountMfaRequired"
    assert member.get("/v2/account").status_code == 403

    # requireMfa false and MFA deleted: switching gives full access.
    assert user.patch("/v2/account", {"requireMfa": False}).json()["requireMfa"] is False
    assert user.delete("/v2/user/mfa").json() == {}
    free = user.post("/v2/account/switch", {"accountId": account_id, "mode": "test"})
    assert free.status_code == 200 and "messageCode" not in free.json() and free.json()["user"]["mfa"] is None
    assert user.get("/v2/account").status_code == 200
    assert "messageCode" not in member.post("/v2/account/switch", {"accountId": account_id, "mode": "test"}).json()
    assert member.get("/v2/account").json()["id"] == account_id


def test_twenty_first_customer_support_request_is_throttled(register, mailbox):
    user, address = register()
    request = {"customerSupportEmail": SUPPORT, "subject": "Throttle me", "message": f"from {address}"}

    def ours() -> list:
        return [m for m in mailbox.to(SUPPORT) if address in body(m)]

    gmail = user.post("/v2/user/contactCustomerSupport", {**request, "customerSupportEmail": "someone@gmail.com"})
    assert gmail.status_code == 422 and gmail.json()["messageCode"] == "InvalidCustomerSupportEmail"
    assert ours() == [] and mailbox.to("someone@gmail.com") == []
    for i in range(20):
        assert user.post("/v2/user/contactCustomerSupport", request).status_code == 200, i
    throttled = user.post("/v2/user/contactCustomerSupport", request)
    assert throttled.status_code == 429 and "customer support" in throttled.json()["message"]
    assert throttled.json()["message"] == \
        "A large number of requests to customer support has been detected.  Please wait 24 hours."
    assert len(ours()) == 20
    # The limit is per client address: another address is still served.
    elsewhere = user.fresh()
    elsewhere.cookies = dict(user.cookies)
    elsewhere.ip = "198.51.100." + user.ip.rsplit(".", 1)[1]
    assert elsewhere.post("/v2/user/contactCustomerSupport", request).status_code == 200
