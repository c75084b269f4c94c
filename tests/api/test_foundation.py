"""Cross-cutting HTTP behaviour: health, auth transport, errors, request ids, metrics."""

from __future__ import annotations

import time

import jwt

from tests.conftest import JWT_SECRET, make_token


def test_health_check_needs_no_token(api):
    for method in ("GET", "POST"):
        response = api.as_token(None).request(method, "/v2/healthCheck")
        assert response.status_code == 200
        assert response.json() == {}


def test_unknown_path_is_401_without_token_and_404_with(api):
    assert api.as_token(None).get("/v2/nothing").json() == {"message": "Unauthorized", "statusCode": 401}
    response = api.get("/v2/nothing")
    assert response.status_code == 404
    assert response.json()["message"] == "Resource not found.  There are no matching paths.  Check the API documentation."


def test_missing_method_on_known_path_is_404(api):
    assert api.put("/v2/contacts/iamnotavalidcontactid", json={}).status_code == 404


def test_bad_tokens_are_401(api, account_id):
    bad = [
        "garbage",
        jwt.encode({"g": {"gui": account_id}}, "wrong-secret", algorithm="HS256"),
        jwt.encode({"g": {"gui": account_id}}, None, algorithm="none"),
        jwt.encode({"g": {"gui": account_id}, "exp": int(time.time()) - 10}, JWT_SECRET, algorithm="HS256"),
        jwt.encode({"g": {"gui": account_id}, "exp": "2030-01-01"}, JWT_SECRET, algorithm="HS256"),
    ]
    for token in bad:
        response = api.as_token(token).get("/v2/currencies")
        assert response.status_code == 401, token
        assert response.json() == {"message": "Unauthorized", "statusCode": 401}


def test_authorization_header_must_be_bearer(api):
    response = api.as_token(None).get("/v2/currencies", headers={"Authorization": f"Token {api.token}"})
    assert response.status_code == 401


def test_cookies_need_x_requested_with(api):
    head, payload, signature = api.token.split(".")
    cookies = {"gb_jwt_session": f"{head}.{payload}", "gb_jwt_signature": signature}
    api.client.cookies.clear()
    without = api.client.get("/v2/currencies", cookies=cookies)
    assert without.status_code == 401
    with_header = api.client.get("/v2/currencies", cookies=cookies, headers={"X-Requested-With": "XMLHttpRequest"})
    assert with_header.status_code == 200
    assert "gb_jwt_signature=" in with_header.headers["set-cookie"]
    assert "Max-Age=1800" in with_header.headers["set-cookie"]
    api.client.cookies.clear()


def test_missing_scope_is_403(api, account_id):
    reporter = api.as_token(make_token(account_id, roles=["reporter"]))
    assert reporter.get("/v2/currencies").status_code == 200
    assert reporter.post("/v2/currencies", json={"code": "USD", "name": "x", "symbol": "$", "decimalPlaces": 2}).status_code == 403


def test_negated_scope_removes_it_and_its_children(api, account_id):
    token = make_token(account_id, scopes=["-lightrailV2:currencies"])
    assert api.as_token(token).get("/v2/currencies").status_code == 403


def test_token_without_account_is_403(api):
    token = jwt.encode({"g": {"tmi": "user"}, "roles": ["accountManager"]}, JWT_SECRET, algorithm="HS256")
    assert api.as_token(token).get("/v2/currencies").status_code == 403


def test_malformed_json_is_400(api):
    response = api.post("/v2/contacts", content=b"{not json", headers={"Content-Type": "application/json"})
    assert response.status_code == 400
    assert response.json()["message"].startswith("Unable to parse JSON body")


def test_request_id_is_echoed_or_generated(api):
    assert api.get("/v2/currencies", headers={"X-Request-Id": "abc-123"}).headers["x-request-id"] == "abc-123"
    assert len(api.get("/v2/currencies").headers["x-request-id"]) == 32


def test_metrics_count_requests_by_route_template(api):
    api.get("/v2/contacts/someone")
    text = api.as_token(None).get("/metrics").text
    assert 'lightrail_http_requests_total{method="GET",route="/v2/contacts/{contact_id}",status="404"}' in text
    assert "lightrail_http_request_duration_seconds_bucket" in text


def test_every_request_leaves_one_access_line_with_its_status(api, capsys):
    capsys.readouterr()
    api.get("/v2/contacts/someone", headers={"X-Request-Id": "access-1"})
    api.post("/v2/transactions/debit", json={}, headers={"X-Request-Id": "access-2"})
    lines = [line for line in capsys.readouterr().err.splitlines() if "event=request" in line]
    assert len(lines) == 2
    assert "method=GET path=/v2/contacts/someone status=404 " in lines[0] and "request_id=access-1 " in lines[0]
    assert "method=POST path=/v2/transactions/debit status=422 " in lines[1] and "request_id=access-2 " in lines[1]
    assert lines[1].endswith(f"account={api.account_id}")


def test_a_failure_on_a_directly_served_route_is_a_json_500_that_is_logged_and_counted(api, capsys, monkeypatch):
    from lightrail.transactions import service

    async def explode(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(service, "debit", explode)
    capsys.readouterr()
    response = api.post("/v2/transactions/debit", json={
        "id": "tx-boom", "currency": "USD", "amount": 1, "source": {"rail": "lightrail", "valueId": "v"},
    }, headers={"X-Request-Id": "boom-1"})
    assert (response.status_code, response.json()) == (500, {"message": "Internal Server Error", "statusCode": 500})
    assert response.headers["x-request-id"] == "boom-1"
    captured = capsys.readouterr()
    err = captured.err
    assert "unhandled error" in captured.out + err and "boom" in captured.out + err
    assert any("status=500" in line and "request_id=boom-1" in line for line in err.splitlines() if "event=request" in line)
    metrics = api.as_token(None).get("/metrics").text
    assert 'lightrail_http_requests_total{method="POST",route="/v2/transactions/debit",status="500"}' in metrics


def test_a_body_over_the_limit_is_refused_with_413(settings, account_id, capsys):
    from starlette.testclient import TestClient

    from lightrail.app import create_app

    app = create_app(settings.model_copy(update={"max_body_bytes": 100}))
    headers = {"Authorization": f"Bearer {make_token(account_id)}", "Content-Type": "application/json"}
    currency = b'{"code":"LIM","name":"Limit","symbol":"L","decimalPlaces":0}'
    at_limit = currency + b" " * (100 - len(currency))
    too_large = {"message": "Payload too large.  The request body may be at most 100 bytes.", "statusCode": 413,
                 "messageCode": "PayloadTooLarge"}

    def chunks(body: bytes):
        yield body[:60]
        yield body[60:]

    with TestClient(app, raise_server_exceptions=False) as client:
        assert client.post("/v2/currencies", content=at_limit, headers=headers).status_code == 201
        capsys.readouterr()
        declared = client.post("/v2/currencies", content=at_limit + b" ", headers={**headers, "X-Request-Id": "big-1"})
        assert (declared.status_code, declared.json()) == (413, too_large)
        assert declared.headers["x-request-id"] == "big-1"
        chunked = client.post("/v2/currencies", content=chunks(at_limit + b" "), headers=headers)
        assert (chunked.status_code, chunked.json()) == (413, too_large)
        chunked_ok = client.post("/v2/values", content=chunks(b'{"id":"lim-1","currency":"LIM","balance":5}'), headers=headers)
        assert chunked_ok.status_code == 201
    lines = [line for line in capsys.readouterr().err.splitlines() if "event=request" in line]
    assert "status=413" in lines[0] and "request_id=big-1" in lines[0]
