"""Micro-benchmark of the rule engine: compiled evaluations per second and compile time.

    .venv/bin/python bench/rules_bench.py

Target (issue 4): >= 200,000 evaluations/s of the line-item rule in one process.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from lightrail.rules import Rule, compile_rule, rule_cache  # noqa: E402

TARGET_PER_SECOND = 200_000


def _line_item(n: int, tags: list[str]) -> dict:
    return {
        "type": "product",
        "productId": f"p{n}",
        "unitPrice": 1299,
        "quantity": 2,
        "tags": tags,
        "lineTotal": {"subtotal": 2598, "taxable": 2598, "tax": 0, "discount": 0, "remainder": 2598, "payable": 0},
    }


LINE_ITEMS = [_line_item(n, ["clothing", "summer", "new"]) for n in range(10)]
CONTEXT = {
    "currentLineItem": LINE_ITEMS[0],
    "lineItems": LINE_ITEMS,
    "totals": {"subtotal": 25980, "tax": 0, "discount": 0, "payable": 25980},
    "metadata": {},
    "value": {"balanceChange": 0, "metadata": {}},
}


def _rate(fn, seconds: float = 1.0) -> tuple[float, int]:
    """Calls per second of fn(), measured over about `seconds`."""
    n = 1
    while True:
        start = time.perf_counter()
        for _ in range(n):
            fn()
        elapsed = time.perf_counter() - start
        if elapsed >= seconds:
            return n / elapsed, n
        n = n * 2 if elapsed < seconds / 10 else int(n * seconds / elapsed * 1.1) + 1


def main() -> int:
    a = compile_rule("currentLineItem.lineTotal.subtotal * 0.1")
    b = compile_rule("lineItems.some(item => item.tags.some(t => t == 'sale'))")
    assert a.evaluate(CONTEXT) == 259.8
    assert b.evaluate(CONTEXT) is False  # no item is on sale: the worst case, every tag is read

    rows = []
    rate_a, n_a = _rate(lambda: a.evaluate(CONTEXT))
    rows.append(("(a) subtotal * 0.1, evaluate", rate_a, n_a))
    rate_num, n_num = _rate(lambda: a.evaluate_to_number(CONTEXT))
    rows.append(("(a) subtotal * 0.1, evaluate_to_number", rate_num, n_num))
    rate_b, n_b = _rate(lambda: b.evaluate(CONTEXT))
    rows.append(("(b) nested some() over 10 line items", rate_b, n_b))
    rate_hit, n_hit = _rate(lambda: compile_rule("currentLineItem.lineTotal.subtotal * 0.1"))
    rows.append(("compile_rule, cache hit", rate_hit, n_hit))
    redemption = "!(lineItems.find(item => item.lineTotal.discount > 0)) || value.balanceChange < 0"
    rate_compile, n_compile = _rate(lambda: Rule(redemption))
    rows.append(("compile (uncached), a docs redemption rule", rate_compile, n_compile))
    long_rule = " || ".join(f"currentLineItem.productId == 'sku-{i}'" for i in range(200))
    rate_long, n_long = _rate(lambda: Rule(long_rule))
    rows.append((f"compile (uncached), {len(long_rule)}-char rule", rate_long, n_long))
    rule_cache.clear()

    width = max(len(name) for name, _, _ in rows)
    print(f"{'measurement'.ljust(width)}  {'per second':>12}  {'us per call':>11}  {'calls':>9}")
    for name, rate, n in rows:
        print(f"{name.ljust(width)}  {rate:12,.0f}  {1e6 / rate:11.2f}  {n:9,d}")
    ok = rate_a >= TARGET_PER_SECOND
    print(f"\ntarget (a) >= {TARGET_PER_SECOND:,}/s: {'met' if ok else 'NOT met'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
