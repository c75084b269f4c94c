"""Encryption at rest for secrets we must read back (shared secrets, Stripe credentials, webhook and MFA secrets).

AES-256-GCM with one key per purpose, derived with HKDF-SHA256 from the deployment's code secret, so a
leaked database alone reveals nothing. The associated data ties each ciphertext to the row it belongs to:
a ciphertext copied onto another account's row fails to decrypt instead of leaking across tenants.
"""

from __future__ import annotations

import base64
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

_VERSION = "v1"
_NONCE_BYTES = 12


class UndecryptableSecret(Exception):
    pass


class SecretBox:
    def __init__(self, key_material: str, purpose: str) -> None:
        key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=purpose.encode()).derive(key_material.encode())
        self._aead = AESGCM(key)

    def seal(self, plaintext: str, binding: str) -> str:
        nonce = os.urandom(_NONCE_BYTES)
        sealed = self._aead.encrypt(nonce, plaintext.encode(), binding.encode())
        return f"{_VERSION}.{base64.urlsafe_b64encode(nonce + sealed).decode()}"

    def open(self, token: str, binding: str) -> str:
        version, _, payload = token.partition(".")
        if version != _VERSION:
            raise UndecryptableSecret(f"unknown ciphertext version {version!r}")
        raw = base64.urlsafe_b64decode(payload)
        try:
            return self._aead.decrypt(raw[:_NONCE_BYTES], raw[_NONCE_BYTES:], binding.encode()).decode()
        except InvalidTag:
            raise UndecryptableSecret("ciphertext does not match its key or row") from None
