"""Subscription matching (platform.md §6.4) and delivery signatures (§6.5 test vectors)."""

from __future__ import annotations

import base64
import hashlib
import hmac

import pytest

from lightrail.webhooks.retry import RetryPolicy
from lightrail.webhooks.signing import delivery_headers, lightrail_signature, standard_webhook_signature
from lightrail.webhooks.subscriptions import matches_event

PAYLOAD = b'{"test":"test"}'


@pytest.mark.parametrize(("subscriptions", "event_type", "expected"), [
    (["*"], "a", True),
    (["a"], "a", True),
    (["a"], "b", False),
    (["a"], "a.b", False),
    (["a.*"], "a", True),
    (["a.*"], "b", False),
    (["a.*"], "a.b", True),
    (["a.b"], "a", False),
    (["a.b"], "b", False),
    (["a.b"], "a.b", True),
    (["a.b"], "b.a", False),
    (["a.b"], "a.b.c", False),
    (["a.b.*"], "a.b", True),
    (["a", "b"], "a", True),
    (["a", "b"], "b", True),
    (["a", "b"], "c", False),
    # Every subscription counts: the original stopped at the first wildcard.
    (["x.*", "y"], "y", True),
    (["x.*", "lightrail.value.*"], "lightrail.value.updated", True),
    # A wildcard covers whole segments only.
    (["a.*"], "ab", False),
])
def test_matches_event(subscriptions, event_type, expected):
    assert matches_event(subscriptions, event_type) is expected


def test_lightrail_signature_vectors():
    assert lightrail_signature(PAYLOAD, ["secret123"]) == "d7bcdc650a61dfb2c28e27ccce2454a56877680f4f06f1270a764f8bacfcc161"
    assert lightrail_signature(PAYLOAD, ["sec1", "sec2"]) == (
        "88814fb985a5a25dd9ada9e7eee01618b6de5e04a7c8021dcdc7183fe98ed55d,"
        "e14e7e9f827bf7ec8882b041fbe8154781a0047b770ea89b6082d3d2412ba749"
    )


def test_standard_webhooks_signature_signs_id_timestamp_and_body_with_the_raw_secret():
    signature = standard_webhook_signature("evt_1", 1614265330, PAYLOAD, ["sec1", "sec2"])
    expected = [
        "v1," + base64.b64encode(hmac.new(s, b'evt_1.1614265330.{"test":"test"}', hashlib.sha256).digest()).decode()
        for s in (b"sec1", b"sec2")
    ]
    assert signature == " ".join(expected)
    headers = delivery_headers("evt_1", 1614265330, PAYLOAD, ["secret123"])
    assert headers["webhook-id"] == "evt_1"
    assert headers["webhook-timestamp"] == "1614265330"
    assert headers["Lightrail-Signature"] == "d7bcdc650a61dfb2c28e27ccce2454a56877680f4f06f1270a764f8bacfcc161"


@pytest.mark.parametrize("failures", range(1, 20))
def test_backoff_ceiling_doubles_from_30_seconds_to_12_hours(failures):
    always_max = RetryPolicy(jitter=lambda: 1.0)
    assert always_max.delay(failures).total_seconds() == min(43200, 2 ** failures * 15)
    assert RetryPolicy(jitter=lambda: 0.0).delay(failures).total_seconds() == 0
