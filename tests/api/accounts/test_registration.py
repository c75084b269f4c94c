"""Registration, email verification, login and logout (platform.md §4.5, §4.6, §9.1 registration/login)."""

from __future__ import annotations

from datetime import datetime, timezone

from tests.api.accounts.conftest import BASE_URL, PASSWORD, body, link_token, new_email


def test_registration_mails_a_link_that_verifies_and_logs_in_to_test_mode(browser, mailbox):
    address = new_email()
    response = browser.post("/v2/user/register", {"email": address, "password": PASSWORD})
    assert response.status_code == 201 and response.json() == {}
    mail = mailbox.last(address)
    assert mail["Subject"] == "Activate Your Lightrail Account"
    assert f"Copyright {datetime.now(timezone.utc).year}" in body(mail) and "{{" not in body(mail)
    token = link_token(mail, "/v2/user/register/verifyEmail")

    verified = browser.get(f"/v2/user/register/verifyEmail?token={token}")
    assert verified.status_code == 302
    assert verified.headers["location"] == "/app/#/"
    assert {"gb_jwt_session", "gb_jwt_signature"} <= set(browser.cookies)
    me = browser.get("/v2/user").json()
    assert me["email"] == address and me["mode"] == "test" and me["additionalAuthenticationRequired"] is False
    assert browser.get("/v2/user/ping").status_code == 200
    users = browser.get("/v2/account/users").json()
    assert len(users) == 1 and users[0]["roles"]


def test_verification_link_works_once(browser, mailbox):
    address = new_email()
    browser.post("/v2/user/register", {"email": address, "password": PASSWORD})
    token = link_token(mailbox.last(address), "/v2/user/register/verifyEmail")
    assert browser.get(f"/v2/user/register/verifyEmail?token={token}").status_code == 302
    again = browser.fresh().get(f"/v2/user/register/verifyEmail?token={token}")
    assert again.status_code == 404
    assert again.json()["message"] == "There was an error completing your registration.  Maybe the email verification expired."
    assert browser.get("/v2/user/register/verifyEmail").status_code == 400


def test_registration_rejects_bad_emails_and_weak_passwords(browser):
    for bad in [
        {"email": "notanemail", "password": PASSWORD},
        {"email": new_email(), "password": "1234"},
        {"email": new_email(), "password": "x" * 256},
        {"email": new_email(), "password": "edmonton"},
        {"email": new_email(), "password": "1234567654321"},
        {"email": new_email(), "password": PASSWORD, "extra": 1},
    ]:
        assert browser.post("/v2/user/register", bad).status_code == 422, bad
    assert browser.post("/v2/user/register", {"email": new_email(), "password": "edmonton"}).json()["message"] == \
        "Your password is known to be common and easily guessed."


def test_login_gives_secure_cookies_and_full_access(register, browser):
    _, address = register()
    response = browser.post("/v2/user/login", {"email": address.upper(), "password": PASSWORD})
    assert response.status_code == 200
    assert "messageCode" not in response.json()
    assert response.json()["user"]["mode"] == "test" and response.json()["user"]["email"] == address
    headers = {h.split("=", 1)[0]: h for h in response.headers.get_list("set-cookie")}
    assert "Secure" in headers["gb_jwt_session"] and "HttpOnly" not in headers["gb_jwt_session"]
    assert "Secure" in headers["gb_jwt_signature"] and "HttpOnly" in headers["gb_jwt_signature"]
    assert browser.get("/v2/account/users").status_code == 200


def test_login_refusals(register, browser):
    _, address = register()
    assert browser.post("/v2/user/login", {"email": address}).status_code == 422
    assert browser.post("/v2/user/login", {"password": PASSWORD}).status_code == 422
    assert browser.post("/v2/user/login", {"email": new_email(), "password": PASSWORD}).status_code == 401
    wrong = browser.post("/v2/user/login", {"email": address, "password": "wrong password"})
    assert wrong.status_code == 401 and wrong.json() == {"message": "Unauthorized", "statusCode": 401}


def test_unverified_login_resends_the_verification_mail_once_a_day(browser, mailbox):
    address = new_email()
    browser.post("/v2/user/register", {"email": address, "password": PASSWORD})
    first = browser.post("/v2/user/login", {"email": address, "password": PASSWORD})
    assert first.status_code == 401
    assert "A new registration email has been sent" in first.json()["message"]
    assert len(mailbox.to(address)) == 2
    second = browser.post("/v2/user/login", {"email": address, "password": PASSWORD})
    assert "You have already received a verification email." in second.json()["message"]
    assert len(mailbox.to(address)) == 2
    token = link_token(mailbox.last(address), "/v2/user/register/verifyEmail")
    assert browser.get(f"/v2/user/register/verifyEmail?token={token}").status_code == 302
    assert browser.post("/v2/user/login", {"email": address, "password": PASSWORD}).status_code == 200


def test_registering_a_known_email_sends_a_recovery_link_instead(register, browser, mailbox):
    _, address = register()
    response = browser.post("/v2/user/register", {"email": address, "password": "another password 1"})
    assert response.status_code == 201
    mail = mailbox.last(address)
    assert mail["Subject"] == "Recover Your Lightrail Account"
    token = link_token(mail, "resetPassword")
    assert f"{BASE_URL}/app/#/resetPassword?token={token}" in body(mail)
    reset = browser.post("/v2/user/forgotPassword/complete", {"token": token, "password": "brand new secret"})
    assert reset.status_code == 200 and "messageCode" not in reset.json()


def test_eleventh_registration_from_one_address_is_throttled(browser):
    for _ in range(10):
        assert browser.post("/v2/user/register", {"email": new_email(), "password": PASSWORD}).status_code == 201
    response = browser.post("/v2/user/register", {"email": new_email(), "password": PASSWORD})
    assert response.status_code == 429
    assert response.json()["message"] == "A large number of signups has been detected.  Please wait 24 hours."
    other = browser.fresh()
    other.ip = "203.0.113." + browser.ip.rsplit(".", 1)[1]
    assert other.post("/v2/user/register", {"email": new_email(), "password": PASSWORD}).status_code == 201


def test_logout_expires_both_cookies(register):
    user, _ = register()
    response = user.post("/v2/user/logout")
    assert response.status_code == 200 and response.json() == {}
    assert response.headers["location"] == "/app/#"
    cookies = response.headers.get_list("set-cookie")
    for name in ("gb_jwt_session", "gb_jwt_signature"):
        assert any(c.startswith(f"{name}=;") and "Expires=Thu, 01 Jan 1970 00:00:00 GMT" in c for c in cookies)


def test_ping_without_refresh_sets_no_cookie(register):
    user, _ = register()
    refreshed = user.get("/v2/user/ping")
    assert any(c.startswith("gb_jwt_signature=") for c in refreshed.headers.get_list("set-cookie"))
    quiet = user.get("/v2/user/ping?refresh=false")
    assert quiet.status_code == 200 and quiet.headers.get_list("set-cookie") == []
    assert user.fresh().get("/v2/user/ping").status_code == 401


def test_session_cookies_need_x_requested_with(register):
    user, _ = register()
    assert user.get("/v2/user/ping", xhr=False).status_code == 401
    assert user.get("/v2/user/ping").status_code == 200
