"""Webhooks never post into our own network (SSRF), checked when saved and again when delivering."""

from __future__ import annotations

import asyncio

import httpcore
import pytest

from lightrail.webhooks.urls import PublicOnlyBackend, is_public_address

PRIVATE_URLS = [
    "https://127.0.0.1/hook",
    "https://127.1.2.3:8443/hook",
    "https://localhost/hook",
    "https://10.0.0.8/hook",
    "https://172.16.5.4/hook",
    "https://192.168.1.1/hook",
    "https://169.254.169.254/latest/meta-data/",
    "https://100.100.100.200/",
    "https://0.0.0.0/",
    "https://[::1]/hook",
    "https://[fe80::1]/hook",
    "https://[fd00:ec2::254]/",
    "https://[::ffff:127.0.0.1]/hook",
    "https://224.0.0.1/",
]


@pytest.mark.parametrize("url", PRIVATE_URLS)
def test_private_destinations_are_refused_on_create(api, url):
    response = api.post("/v2/webhooks", json={"id": "hook", "url": url, "events": ["*"]})
    assert response.status_code == 422
    assert response.json()["messageCode"] == "InsecureWebhookUrl"


def test_private_destinations_are_refused_on_update(api):
    assert api.post("/v2/webhooks", json={"id": "hook", "url": "https://8.8.8.8/hook", "events": ["*"]}).status_code == 201
    response = api.patch("/v2/webhooks/hook", json={"url": "https://169.254.169.254/"})
    assert response.status_code == 422
    assert response.json()["messageCode"] == "InsecureWebhookUrl"
    assert api.get("/v2/webhooks/hook").json()["url"] == "https://8.8.8.8/hook"


def test_public_addresses_and_names_not_resolvable_yet_are_accepted(api):
    for i, url in enumerate(["https://8.8.8.8/hook", "https://hooks.invalid/hook"]):
        assert api.post("/v2/webhooks", json={"id": f"hook{i}", "url": url, "events": ["*"]}).status_code == 201


def test_allow_insecure_permits_http_and_private_but_no_other_scheme(api, settings, monkeypatch):
    monkeypatch.setattr(settings, "webhook_allow_insecure", True)
    assert api.post("/v2/webhooks", json={"id": "a", "url": "http://127.0.0.1:9/x", "events": ["*"]}).status_code == 201
    for url in ("ftp://127.0.0.1/x", "file:///etc/passwd", "gopher://127.0.0.1/"):
        response = api.post("/v2/webhooks", json={"id": "b", "url": url, "events": ["*"]})
        assert response.status_code == 422, url
        assert response.json()["messageCode"] == "InsecureWebhookUrl"


def test_address_classification():
    for address in ("8.8.8.8", "1.1.1.1", "2606:4700:4700::1111"):
        assert is_public_address(address), address
    for address in ("127.0.0.1", "10.1.1.1", "169.254.169.254", "::1", "fe80::1%eth0", "::ffff:10.0.0.1", "100.64.0.1"):
        assert not is_public_address(address), address


def test_delivery_connections_refuse_private_addresses():
    async def connect() -> None:
        await PublicOnlyBackend().connect_tcp("localhost", 80, timeout=2)

    with pytest.raises(httpcore.ConnectError, match="refused"):
        asyncio.run(connect())
