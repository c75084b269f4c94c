"""TOTP (RFC 6238: SHA-1, 30 s, 6 digits, ±1 step) and backup codes (both kept sealed with lightrail.secretbox)."""

from __future__ import annotations

import hmac
import secrets
import time
from urllib.parse import quote

import pyotp

STEP_SECONDS = 30
BACKUP_CODE_COUNT = 10
# The original's alphabet: no 0/O, 1/I, so codes read back unambiguously.
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 6


def new_totp_secret() -> str:
    """32 base32 characters: the 160 bits RFC 4226 recommends (the original used 80)."""
    return pyotp.random_base32()


def totp_uri(secret: str, email: str) -> str:
    return (
        f"otpauth://totp/Lightrail:{quote(email, safe='@')}?secret={secret}"
        f"&period={STEP_SECONDS}&digits=6&algorithm=SHA1&issuer=Lightrail"
    )


def matching_step(secret: str, code: str, at: float | None = None) -> int | None:
    """The time step (within one step either side of now) whose code this is, or None."""
    code = code.strip()
    if len(code) != 6 or not code.isdigit():
        return None
    totp = pyotp.TOTP(secret)
    now = time.time() if at is None else at
    current = int(now // STEP_SECONDS)
    for step in (current - 1, current, current + 1):
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def new_backup_codes() -> list[str]:
    codes: set[str] = set()
    while len(codes) < BACKUP_CODE_COUNT:
        codes.add("".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH)))
    return sorted(codes)
