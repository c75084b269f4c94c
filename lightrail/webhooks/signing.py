"""Signatures a receiver checks to know a delivery came from us (platform.md §6.5).

Two schemes are sent on every delivery, each with one signature per webhook secret (in secret order),
so a receiver can rotate secrets without missing a delivery:

- `Lightrail-Signature`: the original's. Lower-case hex HMAC-SHA256 of the exact body bytes, keyed with
  the secret's UTF-8 bytes, comma-joined.
- Standard Webhooks (https://www.standardwebhooks.com): `webhook-id` (the event id, the same on every
  attempt), `webhook-timestamp` (Unix seconds of this attempt) and `webhook-signature`: space-separated
  `v1,<base64 HMAC-SHA256 of "{webhook-id}.{webhook-timestamp}.{body}">`. The key is the secret's raw
  UTF-8 bytes, as given by GET /v2/webhooks/{id}/secrets/{secretId}; our secrets carry no `whsec_`
  prefix and are not base64, so a Standard Webhooks library must be given those bytes as its key.
"""

from __future__ import annotations

import base64
import hashlib
import hmac


def lightrail_signature(body: bytes, secrets: list[str]) -> str:
    return ",".join(hmac.new(secret.encode(), body, hashlib.sha256).hexdigest() for secret in secrets)


def standard_webhook_signature(message_id: str, timestamp: int, body: bytes, secrets: list[str]) -> str:
    signed = f"{message_id}.{timestamp}.".encode() + body
    return " ".join(
        "v1," + base64.b64encode(hmac.new(secret.encode(), signed, hashlib.sha256).digest()).decode()
        for secret in secrets
    )


def delivery_headers(event_id: str, timestamp: int, body: bytes, secrets: list[str]) -> dict[str, str]:
    return {
        "Content-Type": "application/json",
        "Lightrail-Signature": lightrail_signature(body, secrets),
        "webhook-id": event_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": standard_webhook_signature(event_id, timestamp, body, secrets),
    }
