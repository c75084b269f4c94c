"""An unexpected exception: generic 500 body with the request id, and a Sentry event without secrets."""

from __future__ import annotations

import gzip
import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
import sentry_sdk
from starlette.testclient import TestClient

from lightrail.app import create_app
from tests.conftest import make_token


class SentrySink(BaseHTTPRequestHandler):
    received: list[bytes] = []

    def do_POST(self):  # noqa: N802
        body = self.rfile.read(int(self.headers["Content-Length"]))
        if self.headers.get("Content-Encoding") == "gzip":
            body = gzip.decompress(body)
        SentrySink.received.append(body)
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args):
        pass


@pytest.fixture
def sentry_server():
    server = HTTPServer(("127.0.0.1", 0), SentrySink)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    SentrySink.received = []
    yield f"http://publickey@127.0.0.1:{server.server_port}/1"
    server.shutdown()


def test_forced_500_reaches_sentry_with_request_id_and_no_token(settings, sentry_server, account_id):
    app = create_app(settings.model_copy(update={"sentry_dsn": sentry_server}))

    async def explode():
        raise RuntimeError("boom")

    app.add_api_route("/v2/explode", explode, methods=["GET"])
    token = make_token(account_id)
    try:
        with TestClient(app, raise_server_exceptions=False) as client:
            response = client.get("/v2/explode", headers={"Authorization": f"Bearer {token}", "X-Request-Id": "req-42"})
        assert response.status_code == 500
        assert response.json() == {"message": "Internal Server Error", "statusCode": 500}
        assert response.headers["x-request-id"] == "req-42"
        sentry_sdk.flush(timeout=5)
    finally:
        sentry_sdk.get_client().close()
    assert SentrySink.received, "no event reached the Sentry endpoint"
    envelope = b"\n".join(SentrySink.received).decode()
    assert "boom" in envelope
    assert "req-42" in envelope
    assert token not in envelope
    events = [json.loads(line) for line in envelope.splitlines() if line.startswith("{") and '"exception"' in line]
    assert events[0]["tags"]["request_id"] == "req-42"
