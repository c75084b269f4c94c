"""Keys with their own scopes and handling (platform.md §5, "Special keys")."""

from __future__ import annotations

from dataclasses import dataclass

PORTAL_SCOPE = "lightrailV1:portal"
JWT_SECRET_KEY = "jwtSecret"


@dataclass(frozen=True)
class SpecialKey:
    encrypted: bool
    hidden: bool
    read_scopes: tuple[str, ...]
    write_scopes: tuple[str, ...]


SPECIAL_KEYS: dict[str, SpecialKey] = {
    JWT_SECRET_KEY: SpecialKey(
        encrypted=True, hidden=True,
        read_scopes=("lightrailV1:sharedSecret:read",), write_scopes=("lightrailV1:sharedSecret:write",),
    ),
    # The original reads this one with the write scope too.
    "reactionsSharedObject": SpecialKey(
        encrypted=True, hidden=True,
        read_scopes=("lightrailV1:reactions:write",), write_scopes=("lightrailV1:reactions:write",),
    ),
    "stripeAuth": SpecialKey(
        encrypted=True, hidden=True,
        read_scopes=("lightrailV1:stripeConnect:read",), write_scopes=("lightrailV1:stripeConnect:write",),
    ),
    # Public drop-in configuration: any token of the account may read it, shopper tokens included.
    "turnkeyPublicConfig": SpecialKey(encrypted=False, hidden=False, read_scopes=(), write_scopes=(PORTAL_SCOPE,)),
}

HIDDEN_KEYS = frozenset(name for name, special in SPECIAL_KEYS.items() if special.hidden)


def read_scopes(key: str) -> tuple[str, ...]:
    special = SPECIAL_KEYS.get(key)
    return special.read_scopes if special else (PORTAL_SCOPE,)


def write_scopes(key: str) -> tuple[str, ...]:
    special = SPECIAL_KEYS.get(key)
    return special.write_scopes if special else (PORTAL_SCOPE,)


def is_encrypted(key: str) -> bool:
    special = SPECIAL_KEYS.get(key)
    return bool(special and special.encrypted)
