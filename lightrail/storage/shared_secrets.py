"""The merchant shared-secret lookup every service's badge verifier uses for shopper tokens (platform.md §2.6).

Secrets are cached briefly so a burst of shopper requests costs one read; a change made through this
process is seen at once (`forget`), one made through another process within TTL_SECONDS.
"""

from __future__ import annotations

import time

from lightrail.db.engine import Database
from lightrail.storage import service
from lightrail.secretbox import SecretBox

TTL_SECONDS = 5.0


class SharedSecrets:
    def __init__(self, db: Database, box: SecretBox, ttl: float = TTL_SECONDS) -> None:
        self._db = db
        self._box = box
        self._ttl = ttl
        self._cache: dict[str, tuple[float, str | None]] = {}

    async def lookup(self, account_id: str) -> str | None:
        cached = self._cache.get(account_id)
        if cached is not None and cached[0] > time.monotonic():
            return cached[1]
        secret = await service.shared_secret(self._db, self._box, account_id)
        if len(self._cache) > 10000:
            self._cache.clear()
        self._cache[account_id] = (time.monotonic() + self._ttl, secret)
        return secret

    def forget(self, account_id: str) -> None:
        self._cache.pop(account_id, None)
