"""Random tokens handed out by email or cookie, and the digests they are stored as."""

from __future__ import annotations

import base64
import hashlib
import secrets


def new_token() -> str:
    return secrets.token_hex(16)


def token_hash(token: str) -> str:
    """Email-link and trusted-device tokens are kept only as this digest, so a database leak grants nothing."""
    return hashlib.sha256(token.encode()).hexdigest()


def api_key_token_hash(token: str) -> str:
    """base64 SHA-1 of the whole token, as the original stored it to check re-signed keys."""
    return base64.b64encode(hashlib.sha1(token.encode("ascii")).digest()).decode()
