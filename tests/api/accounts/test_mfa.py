"""TOTP MFA: enabling with two codes, MFA login, no replays, backup codes, trusted devices (platform.md §4.6–§4.7)."""

from __future__ import annotations

import time

import pyotp

from tests.api.accounts.conftest import PASSWORD


def code(secret: str, offset: float = 0) -> str:
    return pyotp.TOTP(secret).at(time.time() + offset)


def away_from_step_boundary(margin: float = 2.0) -> None:
    """A code made for 30 s ago is two steps old if the server checks it after the next step begins."""
    left = 30 - time.time() % 30
    if left < margin:
        time.sleep(left + 0.1)


def enable_totp(user) -> str:  # noqa: ANN001
    secret = user.post("/v2/user/mfa", {"device": "totp"}).json()["secret"]
    away_from_step_boundary()
    assert user.post("/v2/user/mfa/complete", {"code": code(secret, -30)}).json()["complete"] is False
    assert user.post("/v2/user/mfa/complete", {"code": code(secret)}).json() == {"complete": True, "message": "Success."}
    return secret


def test_enabling_totp_needs_two_different_valid_codes(register):
    user, address = register()
    assert user.get("/v2/user/mfa").json()["message"] == "MFA is disabled."
    assert user.post("/v2/user/mfa", {}).status_code == 422
    assert user.post("/v2/user/mfa/complete", {"code": "123456"}).json()["message"] == "Not in the process of enabling MFA."
    started = user.post("/v2/user/mfa", {"device": "totp"}).json()
    secret = started["secret"]
    assert len(secret) == 32 and f"secret={secret}" in started["uri"] and started["uri"].startswith("otpauth://totp/Lightrail:")
    away_from_step_boundary()
    first = code(secret, -30)
    assert user.post("/v2/user/mfa/complete", {"code": first}).json() == \
        {"complete": False, "message": "Code accepted.  Please enter the next code."}
    assert user.get("/v2/user/mfa").status_code == 404
    repeated = user.post("/v2/user/mfa/complete", {"code": first})
    assert repeated.status_code == 409 and "already entered this code" in repeated.json()["message"]
    assert user.post("/v2/user/mfa/complete", {"code": code(secret, 95)}).status_code == 409
    assert user.post("/v2/user/mfa/complete", {"code": code(secret)}).json()["complete"] is True
    assert user.get("/v2/user/mfa").json() == {"device": "totp"}
    assert user.get("/v2/user").json()["mfa"] == "totp"


def test_sms_mfa_is_refused_clearly(register):
    user, _ = register()
    response = user.post("/v2/user/mfa", {"device": "+15008675309"})
    assert response.status_code == 422 and "SMS" in response.json()["message"]


def test_mfa_login_needs_a_fresh_code_that_cannot_be_replayed(register, browser):
    user, address = register()
    secret = enable_totp(user)
    pending = browser.post("/v2/user/login", {"email": address, "password": PASSWORD})
    assert pending.json()["messageCode"] == "MfaAuthRequired"
    assert pending.json()["user"]["additionalAuthenticationRequired"] is True
    assert browser.get("/v2/user/ping").status_code == 200
    assert browser.get("/v2/user").json()["additionalAuthenticationRequired"] is True
    assert browser.get("/v2/account/users").status_code == 403
    assert browser.post("/v2/user/changePassword", {"oldPassword": PASSWORD, "newPassword": "other secret 1"}).status_code == 403
    assert browser.post("/v2/user/login/mfa", {"code": code(secret, 300)}).status_code == 401
    next_code = code(secret, 30)
    done = browser.post("/v2/user/login/mfa", {"code": next_code})
    assert done.status_code == 200 and "messageCode" not in done.json() and done.json()["user"]["mfa"] == "totp"
    assert browser.get("/v2/account/users").status_code == 200

    second = browser.fresh()
    second.post("/v2/user/login", {"email": address, "password": PASSWORD})
    assert second.post("/v2/user/login/mfa", {"code": next_code}).status_code == 401
    assert second.get("/v2/account/users").status_code == 403


def test_backup_codes_each_work_once(register, browser):
    user, address = register()
    assert user.get("/v2/user/mfa/backupCodes").json()["message"] == "MFA is not enabled."
    enable_totp(user)
    codes = user.get("/v2/user/mfa/backupCodes").json()
    assert len(set(codes)) == 10 and all(len(c) == 6 for c in codes)
    assert sorted(user.get("/v2/user/mfa/backupCodes").json()) == sorted(codes)
    browser.post("/v2/user/login", {"email": address, "password": PASSWORD})
    assert browser.post("/v2/user/login/mfa", {"code": codes[0].lower()}).status_code == 200
    again = browser.fresh()
    again.post("/v2/user/login", {"email": address, "password": PASSWORD})
    assert again.post("/v2/user/login/mfa", {"code": codes[0]}).status_code == 401
    assert len(user.get("/v2/user/mfa/backupCodes").json()) == 9


def test_trusted_device_skips_mfa_for_fourteen_days(register, browser):
    user, address = register()
    enable_totp(user)
    codes = user.get("/v2/user/mfa/backupCodes").json()
    browser.post("/v2/user/login", {"email": address, "password": PASSWORD})
    trusted = browser.post("/v2/user/login/mfa", {"code": codes[1], "trustThisDevice": True})
    ttd = [c for c in trusted.headers.get_list("set-cookie") if c.startswith("gb_ttd=")]
    assert ttd and "Max-Age=1209600" in ttd[0] and "HttpOnly" in ttd[0]
    device = browser.cookies["gb_ttd"]

    bogus = browser.fresh()
    bogus.cookies["gb_ttd"] = "0" * 32
    assert bogus.post("/v2/user/login", {"email": address, "password": PASSWORD}).json()["messageCode"] == "MfaAuthRequired"
    for _ in range(2):
        known = browser.fresh()
        known.cookies["gb_ttd"] = device
        assert "messageCode" not in known.post("/v2/user/login", {"email": address, "password": PASSWORD}).json()

    assert user.delete("/v2/user/mfa").json() == {}
    assert user.get("/v2/user/mfa").status_code == 404
    enable_totp(user)
    known = browser.fresh()
    known.cookies["gb_ttd"] = device
    assert known.post("/v2/user/login", {"email": address, "password": PASSWORD}).json()["messageCode"] == "MfaAuthRequired"
