"""Test fixtures: a real database (SQLite by default, PostgreSQL with LIGHTRAIL_TEST_DATABASE_URL), the
app in-process, and one fresh account per test so tests never see each other's data."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from lightrail.app import create_app
from lightrail.auth.badge import badge_payload, sign
from lightrail.auth.scopes import FULL_ACCESS_ROLES
from lightrail.db.migrate import upgrade
from lightrail.settings import Settings

JWT_SECRET = "secret"
SHARED = Path(__file__).resolve().parents[2] / "shared"


def make_token(account_id: str, user_id: str | None = None, roles=FULL_ACCESS_ROLES, scopes=(), **claims: Any) -> str:
    payload = badge_payload(
        account_id=account_id, user_id=user_id if user_id is not None else account_id,
        roles=list(roles), scopes=list(scopes), audience="API", issuer="EDHI", issued_at=1600000000,
        contact_id=claims.pop("contact_id", None),
    )
    payload.update(claims)
    return sign(payload, JWT_SECRET)


class ApiClient:
    """The session's TestClient with one account's token on every request."""

    def __init__(self, client: TestClient, token: str | None, account_id: str) -> None:
        self.client = client
        self.token = token
        self.account_id = account_id

    def request(self, method: str, path: str, *, headers: dict[str, str] | None = None, **kwargs: Any):
        merged = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        merged.update(headers or {})
        return self.client.request(method, path, headers=merged, **kwargs)

    def get(self, path: str, **kwargs: Any):
        return self.request("GET", path, **kwargs)

    def post(self, path: str, json: Any = None, **kwargs: Any):
        return self.request("POST", path, json=json, **kwargs)

    def patch(self, path: str, json: Any = None, **kwargs: Any):
        return self.request("PATCH", path, json=json, **kwargs)

    def put(self, path: str, json: Any = None, **kwargs: Any):
        return self.request("PUT", path, json=json, **kwargs)

    def delete(self, path: str, **kwargs: Any):
        return self.request("DELETE", path, **kwargs)

    def as_token(self, token: str | None) -> "ApiClient":
        return ApiClient(self.client, token, self.account_id)


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = os.environ.get("LIGHTRAIL_TEST_DATABASE_URL") or f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"
    upgrade(url)
    return url


@pytest.fixture(scope="session")
def settings(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return Settings(
        database_url=database_url, jwt_secret=JWT_SECRET, data_dir=tmp_path_factory.mktemp("data"),
        run_workers=False, _env_file=None,
    )


@pytest.fixture(scope="session")
def app(settings: Settings):
    return create_app(settings)


@pytest.fixture(scope="session")
def client(app) -> Iterator[TestClient]:
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client


@pytest.fixture
def account_id() -> str:
    return f"acct-{uuid.uuid4().hex[:12]}-TEST"


@pytest.fixture
def api(client: TestClient, account_id: str) -> ApiClient:
    return ApiClient(client, make_token(account_id), account_id)


@pytest.fixture
def run_async(client: TestClient):
    """Runs a coroutine function on the app's own event loop (for tests that race requests)."""
    return client.portal.call
