"""No input ever produces a 5xx: every route, fed malformed bodies and odd path parameters."""

from __future__ import annotations

import re

import pytest

BODIES = [None, [], "text", 12, {}, {"id": 5}, {"id": "x" * 200}, {"id": "ok", "currency": 7, "amount": "1"},
          {"id": "ok", "lineItems": "nope", "sources": [{}]}, {"code": None, "metadata": []}]
PATH_VALUES = ["x", "%F0%9F%92%A9", "%20x", "a" * 100]


def routes(app):
    """Every (method, path template) the app serves, including those of included routers."""
    pending = list(app.routes)
    while pending:
        route = pending.pop()
        included = getattr(route, "original_router", None)
        if included is not None:
            pending.extend(included.routes)
            continue
        for method in sorted((getattr(route, "methods", None) or set()) - {"HEAD", "OPTIONS"}):
            yield method, route.path


def concrete(path: str, value: str) -> str:
    return re.sub(r"\{[^}]+\}", value, path)


def test_malformed_requests_never_answer_5xx(api, app):
    api.post("/v2/currencies", json={"code": "USD", "name": "Dollar", "symbol": "$", "decimalPlaces": 2})
    failures = []
    served = list(routes(app))
    assert len(served) > 60
    for method, template in served:
        if template in ("/metrics",):
            continue
        for value in PATH_VALUES:
            path = concrete(template, value)
            bodies = BODIES if method in ("POST", "PUT", "PATCH") else [None]
            for body in bodies:
                response = api.request(method, path, json=body)
                if response.status_code >= 500:
                    failures.append(f"{method} {path} {body!r} -> {response.status_code} {response.text[:120]}")
    assert not failures, "\n".join(failures[:20])


@pytest.mark.parametrize("query", ["limit=abc", "limit=-5", "after=%%%", "createdDate.gt=nope", "id.zz=1", "balance.lt=x"])
def test_odd_query_strings_never_answer_5xx(api, query):
    for path in ("/v2/contacts", "/v2/values", "/v2/programs", "/v2/transactions"):
        assert api.get(f"{path}?{query}").status_code < 500, path
