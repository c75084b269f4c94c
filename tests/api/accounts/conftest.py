"""An app wired to a real SMTP server (aiosmtpd on a free port), browsers that keep session cookies, and
helpers that read the links out of the mails."""

from __future__ import annotations

import email
import re
import socket
import threading
import uuid
from collections.abc import Iterator
from email.message import Message
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from starlette.testclient import TestClient

from lightrail.app import create_app
from lightrail.settings import Settings
from tests.conftest import JWT_SECRET

BASE_URL = "https://lightrail.example"
SUPPORT = "support@lightrail.com"
PASSWORD = "correct horse battery"


class Mailbox:
    """Every mail the SMTP server received, by recipient."""

    def __init__(self) -> None:
        self._mails: list[Message] = []
        self._lock = threading.Lock()
        self.port = 0

    async def handle_DATA(self, server, session, envelope):  # noqa: ANN001 (aiosmtpd's handler protocol)
        with self._lock:
            self._mails.append(email.message_from_bytes(envelope.content))
        return "250 OK"

    def to(self, address: str) -> list[Message]:
        with self._lock:
            return [m for m in self._mails if m["To"].lower() == address.lower()]

    def last(self, address: str) -> Message:
        mails = self.to(address)
        assert mails, f"no mail to {address}"
        return mails[-1]


def body(mail: Message) -> str:
    return mail.get_payload(decode=True).decode()


def link_token(mail: Message, path: str) -> str:
    found = re.search(re.escape(BASE_URL) + r"\S*" + re.escape(path) + r"\?token=([0-9a-f]+)", body(mail))
    assert found, body(mail)
    return found.group(1)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def mailbox() -> Iterator[Mailbox]:
    box = Mailbox()
    controller = Controller(box, hostname="127.0.0.1", port=free_port())
    controller.start()
    box.port = controller.port
    yield box
    controller.stop()


@pytest.fixture(scope="session")
def accounts_settings(database_url: str, mailbox: Mailbox, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return Settings(
        database_url=database_url, jwt_secret=JWT_SECRET, data_dir=tmp_path_factory.mktemp("accounts"),
        run_workers=False, base_url=BASE_URL, smtp_url=f"smtp://127.0.0.1:{mailbox.port}",
        support_email=SUPPORT, email_mx_check=False, _env_file=None,
    )


@pytest.fixture(scope="session")
def accounts_app(accounts_settings: Settings):
    return create_app(accounts_settings, services=("currencies", "contacts", "accounts"))


@pytest.fixture(scope="session")
def web_client(accounts_app) -> Iterator[TestClient]:
    with TestClient(accounts_app, raise_server_exceptions=False, follow_redirects=False) as client:
        yield client


def cookies_of(response) -> dict[str, str]:  # noqa: ANN001
    found = {}
    for header in response.headers.get_list("set-cookie"):
        name, _, rest = header.partition("=")
        found[name] = rest.split(";", 1)[0]
    return found


class Browser:
    """A browser on its own IP address: remembers session cookies and sends X-Requested-With."""

    def __init__(self, client: TestClient) -> None:
        self.client = client
        self.ip = f"10.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}"
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, json: Any = None, *, xhr: bool = True, **kwargs: Any):
        headers = {"X-Forwarded-For": f"{self.ip}, 192.0.2.1", **kwargs.pop("headers", {})}
        if xhr:
            headers["X-Requested-With"] = "XMLHttpRequest"
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        self.client.cookies.clear()
        response = self.client.request(method, path, json=json, headers=headers, **kwargs)
        self.client.cookies.clear()
        for name, value in cookies_of(response).items():
            if value:
                self.cookies[name] = value
            else:
                self.cookies.pop(name, None)
        return response

    def get(self, path: str, **kwargs: Any):
        return self.request("GET", path, **kwargs)

    def post(self, path: str, json: Any = None, **kwargs: Any):
        return self.request("POST", path, json, **kwargs)

    def patch(self, path: str, json: Any = None, **kwargs: Any):
        return self.request("PATCH", path, json, **kwargs)

    def delete(self, path: str, **kwargs: Any):
        return self.request("DELETE", path, **kwargs)

    @property
    def token(self) -> str:
        return f"{self.cookies['gb_jwt_session']}.{self.cookies['gb_jwt_signature']}"

    def fresh(self) -> "Browser":
        """Another browser, no cookies, same address."""
        other = Browser(self.client)
        other.ip = self.ip
        return other


def new_email() -> str:
    return f"user-{uuid.uuid4().hex[:12]}@example.org"


@pytest.fixture
def browser(web_client: TestClient) -> Browser:
    return Browser(web_client)


@pytest.fixture
def register(web_client: TestClient, mailbox: Mailbox):
    """Registers and verifies a new user; returns (browser logged in through the link, email)."""

    def _register(address: str | None = None, password: str = PASSWORD, name: str = "Acme") -> tuple[Browser, str]:
        address = address or new_email()
        user = Browser(web_client)
        response = user.post("/v2/user/register", {"email": address, "password": password, "name": name})
        assert response.status_code == 201, response.text
        token = link_token(mailbox.last(address), "/v2/user/register/verifyEmail")
        assert user.get(f"/v2/user/register/verifyEmail?token={token}").status_code == 302
        return user, address

    return _register


@pytest.fixture
def db(accounts_app):
    return accounts_app.state.db


@pytest.fixture
def run_async(web_client: TestClient):
    """Runs a coroutine function on the accounts app's loop, where its database connections live."""
    return web_client.portal.call
