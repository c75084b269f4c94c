"""Value codes: keeping them at rest, showing them, and generating them (spec core.md §13).

A unique code is a secret that works like a bearer token, so it is stored three ways: a keyed lookup
hash to find it, an authenticated encryption to show it back with `showCode=true`, and its last
four characters for display. The plaintext is never written anywhere else.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from lightrail.http.errors import ApiError

ELLIPSIS = "\u2026"
DEFAULT_LENGTH = 16
MIN_LENGTH = 6
MIN_CHARSET_SIZE = 5
DEFAULT_CHARSET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
_NONCE_BYTES = 12


def last_four(code: str) -> str:
    """The display form of a code: `…` and its last four code points (the whole code if shorter)."""
    return ELLIPSIS + code[-4:]


class CodeCipher:
    """Lookup hashing and reversible encryption of codes, keyed from the code secret."""

    last_four = staticmethod(last_four)

    def __init__(self, secret: str) -> None:
        # Separate keys for the two uses, so a leak of one says nothing about the other.
        self._hash_key = hmac.new(secret.encode(), b"lightrail code lookup", hashlib.sha256).digest()
        self._aead = AESGCM(hmac.new(secret.encode(), b"lightrail code encryption", hashlib.sha256).digest())

    def lookup_hash(self, account_id: str, code: str) -> str:
        """Deterministic per account: the same code in test and live (or two accounts) hashes apart."""
        message = account_id.encode() + b"\x00" + code.encode()
        return hmac.new(self._hash_key, message, hashlib.sha256).hexdigest()

    def encrypt(self, code: str) -> str:
        nonce = os.urandom(_NONCE_BYTES)
        sealed = self._aead.encrypt(nonce, code.encode(), None)
        return base64.urlsafe_b64encode(nonce + sealed).decode()

    def decrypt(self, token: str) -> str:
        raw = base64.urlsafe_b64decode(token.encode())
        try:
            return self._aead.decrypt(raw[:_NONCE_BYTES], raw[_NONCE_BYTES:], None).decode()
        except InvalidTag:
            raise ValueError("code ciphertext does not match the code secret") from None

    def columns(self, account_id: str, code: str | None) -> dict[str, str | None]:
        """The three stored columns of a code (all None without one)."""
        if code is None:
            return {"code_hashed": None, "code_encrypted": None, "code_last_four": None}
        return {
            "code_hashed": self.lookup_hash(account_id, code),
            "code_encrypted": self.encrypt(code),
            "code_last_four": code[-4:],
        }


def check_code_text(code: str) -> None:
    """Codes may not start or end with whitespace or `+` (the original's check included `+`)."""
    if code != code.strip() or code.startswith("+") or code.endswith("+"):
        raise ApiError(422, "Code may not have leading or trailing whitespace.")


@dataclass(frozen=True)
class CodeRecipe:
    """A validated `generateCode` request."""

    length: int
    charset: tuple[str, ...]
    prefix: str
    suffix: str


def _invalid(message: str) -> ApiError:
    return ApiError(422, message, "InvalidGenerateCodeParameters")


def code_recipe(length: int | None, charset: str | None, prefix: str | None, suffix: str | None) -> CodeRecipe:
    """Validates generation parameters; a missing or zero length means the default, as in the original."""
    length = length or DEFAULT_LENGTH
    if length < MIN_LENGTH:
        raise _invalid(f"Requested code length {length} doesn't meet minimum requirement of {MIN_LENGTH}.")
    chars = tuple(charset) if charset else tuple(DEFAULT_CHARSET)
    if charset:
        if len(set(chars)) != len(chars):
            raise _invalid(f"Requested charset {charset} contains duplicates.")
        if len(chars) < MIN_CHARSET_SIZE:
            raise _invalid(f"Requested charset {charset} doesn't meet minimum charset size requirement of {MIN_CHARSET_SIZE}.")
        if any(c.isspace() for c in chars):
            raise _invalid(f"Requested charset {charset} cannot contain whitespace.")
    prefix, suffix = prefix or "", suffix or ""
    if prefix[:1].isspace():
        raise _invalid(f"Requested prefix {prefix} cannot begin with whitespace.")
    if suffix[-1:].isspace():
        raise _invalid(f"Requested suffix {suffix} cannot end with whitespace.")
    return CodeRecipe(length, chars, prefix, suffix)


def random_characters(recipe: CodeRecipe) -> str:
    """`length` characters drawn uniformly from the charset, from one read of the system's randomness per
    code rather than one per character (issuing 10,000 codes spent a tenth of its time in those reads)."""
    charset, length = recipe.charset, recipe.length
    size = len(charset)
    if size > 256:
        return "".join(secrets.choice(charset) for _ in range(length))
    # A byte at or above the largest multiple of the charset's size would favour its first characters:
    # such bytes are skipped, and more are read in the rare case too many were.
    usable = 256 - 256 % size
    chosen: list[str] = []
    while len(chosen) < length:
        chosen.extend(charset[byte % size] for byte in os.urandom(2 * length) if byte < usable)
    return "".join(chosen[:length])


def generate_code(recipe: CodeRecipe) -> str:
    # `random_characters` is looked up per call so tests can make collisions happen on purpose.
    return recipe.prefix + random_characters(recipe) + recipe.suffix
