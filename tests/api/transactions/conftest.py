"""Helpers of the transaction tests: values made through the API (the `usd` fixture is tests/api/conftest.py's)."""

from __future__ import annotations

import itertools

import pytest

_ids = itertools.count()


@pytest.fixture
def make_value(api, usd):
    """Creates a Value (USD unless told) and returns its JSON."""

    def make(**fields):
        body = {"id": f"v-{next(_ids)}", "currency": usd, **fields}
        response = api.post("/v2/values", json=body)
        assert response.status_code == 201, response.text
        return response.json()

    return make


@pytest.fixture
def balance_of(api):
    def read(value_id: str):
        value = api.get(f"/v2/values/{value_id}").json()
        return value["balance"], value["usesRemaining"]

    return read
