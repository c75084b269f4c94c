"""Password hashing (argon2id) and the rules a new password must follow (platform.md §4.1)."""

from __future__ import annotations

from functools import lru_cache
from importlib import resources

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from lightrail.http.errors import ApiError

MIN_LENGTH = 8
MAX_LENGTH = 255
HISTORY_SIZE = 12

_hasher = PasswordHasher()


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    if not password_hash:
        return False
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    text = resources.files("lightrail.accounts").joinpath("common_passwords.txt").read_text()
    return frozenset(line for line in text.splitlines() if line and not line.startswith("#"))


def check_strength(password: str) -> None:
    """422 with the original's message when the password is too weak."""
    if len(password) < MIN_LENGTH:
        raise ApiError(422, f"Your password must be at least {MIN_LENGTH} characters.")
    if password.isdigit():
        raise ApiError(422, "Your password can not be all digits.")
    if password.lower() in common_passwords():
        raise ApiError(422, "Your password is known to be common and easily guessed.")


def check_not_reused(password: str, recent_hashes: list[str]) -> None:
    """409 when the password is the current one or one of the recent ones."""
    if any(verify_password(h, password) for h in recent_hashes):
        raise ApiError(409, "New password must be different from recent passwords.", "ReusedPassword")
