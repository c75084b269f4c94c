"""Compiled rules by text: a bounded, thread-safe LRU (the original kept 100 per process)."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable

from .rule import Rule


class RuleCache:
    def __init__(self, maxsize: int) -> None:
        if maxsize < 1:
            raise ValueError("maxsize must be at least 1")
        self.maxsize = maxsize
        self._rules: OrderedDict[str, Rule] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._rules)

    def get(self, text: str, build: Callable[[str], Rule] = Rule) -> Rule:
        """The cached rule for `text`, compiling it on a miss. Syntax errors are not cached."""
        with self._lock:
            rule = self._rules.get(text)
            if rule is not None:
                self._rules.move_to_end(text)
                return rule
        # Compile outside the lock: one slow rule must not stall every other lookup.
        rule = build(text)
        with self._lock:
            existing = self._rules.get(text)
            if existing is not None:
                # Another thread compiled it meanwhile; everyone gets the same object.
                self._rules.move_to_end(text)
                return existing
            self._rules[text] = rule
            if len(self._rules) > self.maxsize:
                self._rules.popitem(last=False)
        return rule

    def clear(self) -> None:
        with self._lock:
            self._rules.clear()
