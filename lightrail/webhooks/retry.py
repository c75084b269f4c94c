"""When a failed delivery is tried again (platform.md §6.5, "Backoff").

Exponential backoff with full jitter: after the n-th failure the next attempt comes a uniformly random
time within min(cap, base * 2^n) seconds, so the first retry is within 30 s and none is more than 12 h
away; a delivery still failing 3 days after it was first due is given up.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta


@dataclass(frozen=True)
class RetryPolicy:
    base_seconds: float = 15.0
    cap_seconds: float = 43200.0
    give_up_after: timedelta = timedelta(days=3)
    jitter: Callable[[], float] = field(default=random.random)

    def delay(self, failures: int) -> timedelta:
        ceiling = min(self.cap_seconds, self.base_seconds * 2 ** min(failures, 40))
        return timedelta(seconds=self.jitter() * ceiling)
