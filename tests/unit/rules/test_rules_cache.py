"""The compiled-rule cache: same object back, bounded, least-recently-used, thread-safe."""

from __future__ import annotations

import threading

import pytest

from lightrail.rules import RULE_CACHE_SIZE, Rule, RuleSyntaxError, compile_rule, rule_cache
from lightrail.rules.cache import RuleCache


def test_compile_rule_returns_the_same_compiled_rule():
    text = "currentLineItem.lineTotal.subtotal * 0.1 + 0"
    assert compile_rule(text) is compile_rule(text)
    assert compile_rule(text).evaluate({"currentLineItem": {"lineTotal": {"subtotal": 10}}}) == 1


def test_process_cache_is_bounded():
    assert rule_cache.maxsize == RULE_CACHE_SIZE
    for i in range(RULE_CACHE_SIZE + 50):
        compile_rule(f"x + {i}")
    assert len(rule_cache) == RULE_CACHE_SIZE


def test_least_recently_used_rule_is_evicted_first():
    cache = RuleCache(3)
    a, b, c = cache.get("1"), cache.get("2"), cache.get("3")
    assert cache.get("1") is a  # now "2" is the least recently used
    cache.get("4")
    assert len(cache) == 3
    assert cache.get("1") is a
    assert cache.get("3") is c
    assert cache.get("2") is not b  # evicted, compiled again


def test_syntax_errors_are_raised_every_time_and_not_cached():
    cache = RuleCache(10)
    for _ in range(2):
        with pytest.raises(RuleSyntaxError):
            cache.get("1 +")
    assert len(cache) == 0


def test_cache_size_must_be_positive():
    with pytest.raises(ValueError):
        RuleCache(0)


def test_concurrent_misses_on_one_text_all_get_the_same_rule():
    compiled = []
    all_compiling = threading.Barrier(8, timeout=10)

    def slow_compile(text: str) -> Rule:
        all_compiling.wait()  # every thread has missed before any stores its rule
        rule = Rule(text)
        compiled.append(rule)
        return rule

    cache = RuleCache(10)
    results = []
    barrier = threading.Barrier(8)

    def worker():
        barrier.wait()
        results.append(cache.get("a + 1", slow_compile))

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(compiled) == 8  # the race happened
    assert len(results) == 8 and all(rule is results[0] for rule in results)


def test_cache_stays_consistent_under_concurrent_use():
    cache = RuleCache(16)
    errors = []

    def worker(seed: int):
        try:
            for i in range(400):
                n = (seed * 7 + i) % 40
                rule = cache.get(f"x * {n}")
                assert rule.evaluate({"x": 2}) == 2 * n
                assert len(cache) <= 16
        except Exception as error:  # noqa: BLE001 - reported to the main thread
            errors.append(error)

    threads = [threading.Thread(target=worker, args=(seed,)) for seed in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(cache) == 16
