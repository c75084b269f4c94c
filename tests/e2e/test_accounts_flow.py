"""The account service end to end: a real `lightrail serve` (two API processes) mailing through a real SMTP
server. Register, verify by the mailed link, log in, create an API key, use it, revoke it (refused by every
process within about a second), enable TOTP, and log in with the second factor (platform.md §4.5–§4.10)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pyotp
import pytest
from aiosmtpd.controller import Controller

from tests.api.accounts.conftest import Mailbox, body
from tests.conftest import JWT_SECRET
from tests.e2e.conftest import free_port

PASSWORD = "correct horse battery"
SUPPORT = "support@lightrail.com"
MAIL_TIMEOUT = 10.0
REVOCATION_SECONDS = 1.0  # the access guard's cache lifetime per process (lightrail/accounts/guard.py)


@pytest.fixture(scope="module")
def smtp_sink() -> Iterator[Mailbox]:
    box = Mailbox()
    controller = Controller(box, hostname="127.0.0.1", port=free_port())
    controller.start()
    box.port = controller.port
    try:
        yield box
    finally:
        controller.stop()


@pytest.fixture(scope="module")
def mail_server(database_url: str, smtp_sink: Mailbox, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`lightrail serve --workers 2` with an SMTP URL; its mails link back to itself."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    workdir = tmp_path_factory.mktemp("serve-accounts")
    env = {
        **os.environ,
        "LIGHTRAIL_DATABASE_URL": database_url,
        "LIGHTRAIL_JWT_SECRET": JWT_SECRET,
        "LIGHTRAIL_SMTP_URL": f"smtp://127.0.0.1:{smtp_sink.port}",
        "LIGHTRAIL_EMAIL_MX_CHECK": "false",
        "LIGHTRAIL_BASE_URL": base,
        "LIGHTRAIL_SUPPORT_EMAIL": SUPPORT,
        "LIGHTRAIL_RUN_WORKERS": "false",
    }
    log_path = workdir / "serve.log"
    log = open(log_path, "w")
    process = subprocess.Popen(
        [sys.executable, "-m", "lightrail", "serve", "--port", str(port), "--workers", "2"],
        cwd=workdir, env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            if process.poll() is not None:
                raise RuntimeError("server exited: " + Path(log_path).read_text())
            try:
                if httpx.get(f"{base}/v2/user/healthCheck", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("server did not start: " + Path(log_path).read_text())
            time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)
        log.close()


class WebBrowser:
    """A browser over real HTTP: keeps the session cookies itself (they are Secure, and the test server speaks
    plain http), sends X-Requested-With, and comes from its own address as a proxy would report it."""

    def __init__(self, base: str, ip: str | None = None) -> None:
        self.http = httpx.Client(base_url=base, timeout=10, follow_redirects=False)
        self.ip = ip or f"10.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}"
        self.cookies: dict[str, str] = {}

    def request(self, method: str, url: str, json: Any = None) -> httpx.Response:
        headers = {"X-Forwarded-For": f"{self.ip}, 192.0.2.1", "X-Requested-With": "XMLHttpRequest"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        self.http.cookies.clear()
        response = self.http.request(method, url, json=json, headers=headers)
        self.http.cookies.clear()
        for header in response.headers.get_list("set-cookie"):
            name, _, rest = header.partition("=")
            value = rest.split(";", 1)[0]
            if value:
                self.cookies[name] = value
            else:
                self.cookies.pop(name, None)
        return response

    def get(self, url: str) -> httpx.Response:
        return self.request("GET", url)

    def post(self, url: str, json: Any = None) -> httpx.Response:
        return self.request("POST", url, json)

    def delete(self, url: str) -> httpx.Response:
        return self.request("DELETE", url)

    def fresh(self) -> "WebBrowser":
        return WebBrowser(str(self.http.base_url), self.ip)

    def close(self) -> None:
        self.http.close()


def wait_for_mail(box: Mailbox, address: str, count: int = 1, timeout: float = MAIL_TIMEOUT):
    deadline = time.monotonic() + timeout
    while True:
        mails = box.to(address)
        if len(mails) >= count:
            return mails[count - 1]
        if time.monotonic() > deadline:
            raise AssertionError(f"no mail #{count} to {address} within {timeout} s (got {len(mails)})")
        time.sleep(0.05)


def totp(secret: str, offset: float = 0) -> str:
    return pyotp.TOTP(secret).at(time.time() + offset)


def bearer_status(base: str, token: str, path: str) -> int:
    return httpx.get(f"{base}{path}", headers={"Authorization": f"Bearer {token}"}, timeout=5).status_code


def test_register_verify_key_revocation_and_totp_login(mail_server: str, smtp_sink: Mailbox):
    base = mail_server
    address = f"e2e-{uuid.uuid4().hex[:12]}@example.org"
    browser = WebBrowser(base)
    try:
        # Register; the verification mail links back to this server.
        registered = browser.post("/v2/user/register", {"email": address, "password": PASSWORD, "name": "E2E Shop"})
        assert registered.status_code == 201, registered.text
        mail = wait_for_mail(smtp_sink, address)
        assert mail["Subject"] == "Activate Your Lightrail Account"
        link = re.search(re.escape(base) + r"/v2/user/register/verifyEmail\?token=[0-9a-f]+", body(mail))
        assert link, body(mail)
        verified = browser.get(link.group(0).removeprefix(base))
        assert verified.status_code == 302 and verified.headers["location"] == "/app/#/"
        assert {"gb_jwt_session", "gb_jwt_signature"} <= set(browser.cookies)
        me = browser.get("/v2/user")
        assert me.status_code == 200 and me.json()["email"] == address and me.json()["mode"] == "test"

        # Log in with the password on a browser of its own.
        user = browser.fresh()
        login = user.post("/v2/user/login", {"email": address, "password": PASSWORD})
        assert login.status_code == 200 and "messageCode" not in login.json(), login.text
        set_cookies = {h.split("=", 1)[0]: h for h in login.headers.get_list("set-cookie")}
        assert "Secure" in set_cookies["gb_jwt_session"] and "HttpOnly" in set_cookies["gb_jwt_signature"]
        account = user.get("/v2/account").json()
        assert account["name"] == "E2E Shop"

        # An API key works on the other services...
        created = user.post("/v2/account/apiKeys", {"name": "e2e till"})
        assert created.status_code == 201, created.text
        key = created.json()
        assert key["accountId"] == account["id"] + "-TEST"
        headers = {"Authorization": f"Bearer {key['token']}"}
        currency = httpx.post(f"{base}/v2/currencies", headers=headers, timeout=5,
                              json={"code": "USD", "name": "US Dollar", "symbol": "$", "decimalPlaces": 2})
        assert currency.status_code == 201, currency.text
        # Several calls, so both API processes have looked the key up (and cached it as good).
        for _ in range(6):
            for path in ("/v2/currencies", "/v2/contacts"):
                assert bearer_status(base, key["token"], path) == 200, path

        # ...until it is deleted: then every process refuses it within about a second (the process that
        # deleted it at once, the other once its cached answer is older than a second).
        assert user.delete(f"/v2/account/apiKeys/{key['tokenId']}").json() == {}
        deleted_at = time.monotonic()
        while time.monotonic() < deleted_at + REVOCATION_SECONDS + 0.2:
            for path in ("/v2/currencies", "/v2/contacts"):
                assert bearer_status(base, key["token"], path) in (200, 401), path
            time.sleep(0.05)
        for _ in range(8):
            for path in ("/v2/currencies", "/v2/contacts"):
                assert bearer_status(base, key["token"], path) == 401, path
        assert user.get(f"/v2/account/apiKeys/{key['tokenId']}").status_code == 404

        # Enable TOTP with two consecutive codes.
        started = user.post("/v2/user/mfa", {"device": "totp"})
        assert started.status_code == 200, started.text
        secret = started.json()["secret"]
        assert f"secret={secret}" in started.json()["uri"]
        assert user.post("/v2/user/mfa/complete", {"code": totp(secret, -30)}).json()["complete"] is False
        assert user.post("/v2/user/mfa/complete", {"code": totp(secret)}).json() == {"complete": True, "message": "Success."}
        assert user.get("/v2/user/mfa").json() == {"device": "totp"}

        # Log out; logging in again now needs the second factor.
        logged_out = user.post("/v2/user/logout")
        assert logged_out.status_code == 200 and logged_out.headers["location"] == "/app/#"
        assert "gb_jwt_session" not in user.cookies and "gb_jwt_signature" not in user.cookies
        assert user.get("/v2/user/ping").status_code == 401
        pending_login = user.post("/v2/user/login", {"email": address, "password": PASSWORD})
        assert pending_login.status_code == 200
        assert pending_login.json()["messageCode"] == "MfaAuthRequired"
        assert pending_login.json()["user"]["additionalAuthenticationRequired"] is True
        assert user.get("/v2/account").status_code == 403
        assert user.post("/v2/user/login/mfa", {"code": totp(secret, 300)}).status_code == 401
        code = totp(secret, 30)  # a step after the ones used to enable it
        done = user.post("/v2/user/login/mfa", {"code": code})
        assert done.status_code == 200 and "messageCode" not in done.json(), done.text
        assert done.json()["user"]["mfa"] == "totp"
        assert user.get("/v2/account").json()["id"] == account["id"]

        # The same code is refused when replayed, whichever process answers.
        for _ in range(2):
            replay = user.fresh()
            assert replay.post("/v2/user/login", {"email": address, "password": PASSWORD}).json()["messageCode"] == "MfaAuthRequired"
            assert replay.post("/v2/user/login/mfa", {"code": code}).status_code == 401
            assert replay.get("/v2/account").status_code == 403
            replay.close()
        user.close()
    finally:
        browser.close()
