"""Which storage keys a client may use (platform.md §5, key validation); special keys are exempt."""

from __future__ import annotations

import re

from lightrail.http.errors import ApiError
from lightrail.storage.special_keys import SPECIAL_KEYS

_ALLOWED = re.compile(r"[a-zA-Z0-9_-]*")


def validate_key(key: str) -> None:
    if key in SPECIAL_KEYS:
        return
    if len(key) < 4:
        raise ApiError(422, "A key must be at least 4 characters.")
    if len(key) > 128:
        raise ApiError(422, "A key cannot be more than 128 characters.")
    if not ("a" <= key[0].lower() <= "z"):
        raise ApiError(422, "A key must start with a letter (a-z).")
    if not _ALLOWED.fullmatch(key):
        raise ApiError(422, "A key can only contain letters (a-z), numbers (0-9), underscore (_) and dash (-).")
