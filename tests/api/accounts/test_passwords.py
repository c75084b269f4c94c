"""Lockout, forgotten and changed passwords, and changed email addresses (platform.md §4.6, §4.8)."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from lightrail.accounts.tables import users
from lightrail.db import clock
from tests.api.accounts.conftest import PASSWORD, body, link_token, new_email


def test_eleventh_failure_locks_for_an_hour_and_mails_the_user(register, browser, mailbox, run_async, db):
    _, address = register()
    for _ in range(10):
        assert browser.post("/v2/user/login", {"email": address, "password": "not it at all"}).status_code == 401
    assert not [m for m in mailbox.to(address) if "Locked" in m["Subject"]]
    assert browser.post("/v2/user/login", {"email": address, "password": "not it at all"}).status_code == 401
    locked = [m for m in mailbox.to(address) if "Locked" in m["Subject"]]
    assert len(locked) == 1 and "60 minutes" in body(locked[0])
    assert browser.post("/v2/user/login", {"email": address, "password": PASSWORD}).status_code == 401

    async def unlock_in_the_past():
        async with db.transaction() as conn:
            await conn.execute(users.update().where(users.c.email_key == address)
                               .values(locked_until=clock.now() - timedelta(minutes=5)))

    run_async(unlock_in_the_past)
    assert browser.post("/v2/user/login", {"email": address, "password": PASSWORD}).status_code == 200


def test_forgotten_password_is_reset_through_a_single_use_link(register, browser, mailbox):
    _, address = register()
    assert browser.post("/v2/user/forgotPassword", {"email": new_email()}).json() == {}
    assert browser.post("/v2/user/forgotPassword", {"email": address}).status_code == 200
    mail = mailbox.last(address)
    assert mail["Subject"] == "Reset Your Lightrail Password"
    token = link_token(mail, "resetPassword")
    for weak in ("tj5ptT#", "x" * 256, "12345678901", "baseball"):
        assert browser.post("/v2/user/forgotPassword/complete", {"token": token, "password": weak}).status_code == 422
    done = browser.post("/v2/user/forgotPassword/complete", {"token": token, "password": "a new good secret"})
    assert done.status_code == 200 and {"gb_jwt_session", "gb_jwt_signature"} <= set(browser.cookies)
    assert browser.get("/v2/account").status_code == 200
    assert browser.post("/v2/user/login", {"email": address, "password": PASSWORD}).status_code == 401
    assert browser.post("/v2/user/login", {"email": address, "password": "a new good secret"}).status_code == 200
    reused = browser.post("/v2/user/forgotPassword/complete", {"token": token, "password": "yet another secret"})
    assert reused.status_code == 409
    assert reused.json()["message"] == "There was an error resetting the password.  Maybe the email link timed out."
    for bad in ("", "notanemail"):
        assert browser.post("/v2/user/forgotPassword", {"email": bad}).status_code == 422


def test_reset_links_expire(register, browser, mailbox, run_async, db):
    from lightrail.accounts.tables import email_tokens
    from lightrail.accounts.tokens import token_hash

    _, address = register()
    browser.post("/v2/user/forgotPassword", {"email": address})
    token = link_token(mailbox.last(address), "resetPassword")

    async def age():
        async with db.transaction() as conn:
            await conn.execute(email_tokens.update().where(email_tokens.c.token_hash == token_hash(token))
                               .values(expires_date=clock.now() - timedelta(seconds=1)))

    run_async(age)
    assert browser.post("/v2/user/forgotPassword/complete", {"token": token, "password": "a new good secret"}).status_code == 409


def test_twenty_first_reset_request_from_one_address_is_throttled(browser):
    for _ in range(20):
        assert browser.post("/v2/user/forgotPassword", {"email": new_email()}).status_code == 200
    response = browser.post("/v2/user/forgotPassword", {"email": new_email()})
    assert response.status_code == 429 and "reset password" in response.json()["message"]


def test_change_password_needs_the_current_one_and_checks_length(register, browser):
    user, address = register()
    wrong = user.post("/v2/user/changePassword", {"oldPassword": "wrong", "newPassword": "fine new secret"})
    assert wrong.status_code == 409 and wrong.json()["messageCode"] == "IncorrectPassword"
    for new, status in (("", 422), ("x1y2z3w", 422), ("1234567654321", 422), ("midnight", 422), ("x" * 256, 422)):
        assert user.post("/v2/user/changePassword", {"oldPassword": PASSWORD, "newPassword": new}).status_code == status, new
    same = user.post("/v2/user/changePassword", {"oldPassword": PASSWORD, "newPassword": PASSWORD})
    assert same.status_code == 409 and same.json()["messageCode"] == "ReusedPassword"
    assert user.post("/v2/user/changePassword", {"oldPassword": PASSWORD, "newPassword": "y" * 255}).json() == {}
    assert "gb_jwt_signature" in user.cookies
    assert browser.post("/v2/user/login", {"email": address, "password": PASSWORD}).status_code == 401
    assert browser.post("/v2/user/login", {"email": address, "password": "y" * 255}).status_code == 200


def test_the_last_twelve_passwords_cannot_be_reused(register):
    user, _ = register()
    current = PASSWORD
    for i in range(1, 14):
        new = f"rotation secret {i}"
        assert user.post("/v2/user/changePassword", {"oldPassword": current, "newPassword": new}).status_code == 200
        current = new
        back = user.post("/v2/user/changePassword", {"oldPassword": current, "newPassword": PASSWORD})
        if i <= 12:
            assert back.json().get("messageCode") == "ReusedPassword", i
        else:
            assert back.status_code == 200


def test_email_change_is_confirmed_from_the_new_address(register, browser, mailbox):
    user, address = register()
    assert user.fresh().post("/v2/user/changeEmail", {"email": new_email()}).status_code == 401
    assert user.post("/v2/user/changeEmail", {}).status_code == 422
    assert user.post("/v2/user/changeEmail", {"email": "invalid"}).status_code == 422
    new = new_email()
    response = user.post("/v2/user/changeEmail", {"email": new})
    assert response.json() == {"message": "If this email address is not already in use an email will be sent to confirm the new address."}
    assert browser.post("/v2/user/login", {"email": address, "password": PASSWORD}).status_code == 200
    mail = mailbox.last(new)
    assert mail["Subject"] == "Change Your Lightrail Email Address"
    token = link_token(mail, "/v2/user/changeEmail/complete")
    done = browser.fresh().get(f"/v2/user/changeEmail/complete?token={token}")
    assert done.status_code == 302 and done.headers["location"] == "/app/#/changeEmailComplete"
    assert mailbox.last(address)["Subject"] == "Your Lightrail Email Address Has Changed"
    assert browser.post("/v2/user/login", {"email": address, "password": PASSWORD}).status_code == 401
    assert browser.post("/v2/user/login", {"email": new, "password": PASSWORD}).status_code == 200
    assert browser.get("/v2/user").json()["email"] == new


def test_email_change_to_a_taken_address_sends_nothing(register, mailbox):
    user, _ = register()
    _, other = register()
    before = len(mailbox.to(other))
    assert user.post("/v2/user/changeEmail", {"email": other}).status_code == 200
    assert len(mailbox.to(other)) == before


def test_ninth_email_change_in_a_day_is_throttled(register):
    user, _ = register()
    for _ in range(8):
        assert user.post("/v2/user/changeEmail", {"email": new_email()}).status_code == 200
    response = user.post("/v2/user/changeEmail", {"email": new_email()})
    assert response.status_code == 429 and "change email address" in response.json()["message"]


def test_customer_support_mail_goes_to_the_configured_address(register, mailbox):
    user, address = register()
    response = user.post("/v2/user/contactCustomerSupport",
                         {"customerSupportEmail": "support@lightrail.com", "subject": "Help me", "message": "It broke."})
    assert response.status_code == 200
    mail = mailbox.last("support@lightrail.com")
    assert mail["Subject"] == "A Lightrail user requested customer support: Help me"
    assert "It broke." in body(mail) and address in body(mail)
    wrong = user.post("/v2/user/contactCustomerSupport",
                      {"customerSupportEmail": "someone@gmail.com", "subject": "Help", "message": "x"})
    assert wrong.status_code == 422 and wrong.json()["messageCode"] == "InvalidCustomerSupportEmail"


def test_users_table_keeps_the_email_case(register, run_async, db):
    _, address = register(address=new_email().replace("user-", "MiXeD-"))

    async def stored():
        async with db.read() as conn:
            return await conn.scalar(sa.select(users.c.email).where(users.c.email_key == address.lower()))

    assert run_async(stored) == address
