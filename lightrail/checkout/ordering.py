"""In which order the sources of one tax group are applied (the original's "optimizer").

Within a group: internal sources marked beforeLightrail (request order), then Lightrail Values,
then the other internal sources (request order), then Stripe sources (request order). Values are
first sorted by a fixed preference, then, among Values the preference cannot tell apart, picked
greedily: the one whose addition gives the lowest payable goes next.
"""

from __future__ import annotations

from typing import Callable, Sequence

from lightrail.checkout.calculation import InternalSource, LightrailSource, Source, StripeSource
from lightrail.checkout.candidates import Candidate


def compare_values(a: Candidate, b: Candidate) -> float:
    """Negative when `a` should be used before `b`, 0 when the preference cannot tell."""
    if a.discount != b.discount:
        return -1 if a.discount else 1  # discounts first
    if a.end_date is not None and b.end_date is not None:
        difference = (a.end_date - b.end_date).total_seconds()  # sooner expiry first
        if difference != 0:
            return difference
    elif (a.end_date is None) != (b.end_date is None):
        return -1 if a.end_date is not None else 1  # expiring before non-expiring
    if (a.redemption_rule is None) != (b.redemption_rule is None):
        return 1 if a.redemption_rule is not None else -1  # unrestricted before restricted
    if a.redemption_rule is None and b.redemption_rule is None and a.balance_rule is None and b.balance_rule is None:
        return (a.balance or 0) - (b.balance or 0)  # plain balances: empty the smallest first
    return 0


def sort_values(values: Sequence[LightrailSource]) -> list[LightrailSource]:
    """Insertion sort with `compare_values`: stable, and for up to 10 Values the exact sequence of
    comparisons the original's JavaScript engine made (the preference is not a total order, so
    the algorithm matters when rules and plain balances are mixed)."""
    ordered = list(values)
    for i in range(1, len(ordered)):
        element = ordered[i]
        j = i - 1
        while j >= 0 and compare_values(ordered[j].candidate, element.candidate) > 0:
            ordered[j + 1] = ordered[j]
            j -= 1
        ordered[j + 1] = element
    return ordered


def bucket_values(values: Sequence[LightrailSource]) -> list[list[LightrailSource]]:
    """Sorted Values cut into runs that the preference cannot tell apart from their predecessor."""
    buckets: list[list[LightrailSource]] = []
    for source in sort_values(values):
        if buckets and compare_values(buckets[-1][-1].candidate, source.candidate) == 0:
            buckets[-1].append(source)
        else:
            buckets.append([source])
    return buckets


PayableOf = Callable[[Sequence[Source], Sequence[Source]], int]


def order_group(
    group: Sequence[Source],
    *,
    pretax: bool,
    ordered_pretax: list[Source],
    ordered_posttax: list[Source],
    payable_of: PayableOf,
) -> None:
    """Append the sources of one group, in application order, to `ordered_pretax` or `ordered_posttax`.

    `payable_of(pretax_sources, posttax_sources)` computes a plan's payable; candidates are tried
    after everything already ordered (for the post-tax group: after the whole pre-tax group).
    """
    target = ordered_pretax if pretax else ordered_posttax
    internal = [s for s in group if isinstance(s, InternalSource)]
    target.extend(s for s in internal if s.before_lightrail)
    for bucket in bucket_values([s for s in group if isinstance(s, LightrailSource)]):
        remaining = list(bucket)
        while remaining:
            if len(remaining) == 1:
                target.append(remaining.pop())
                break
            best_index, best_payable = 0, None
            for index, candidate in enumerate(remaining):
                if pretax:
                    payable = payable_of([*ordered_pretax, candidate], ordered_posttax)
                else:
                    payable = payable_of(ordered_pretax, [*ordered_posttax, candidate])
                if best_payable is None or payable < best_payable:  # ties: earliest candidate
                    best_index, best_payable = index, payable
            target.append(remaining.pop(best_index))
    target.extend(s for s in internal if not s.before_lightrail)
    target.extend(s for s in group if isinstance(s, StripeSource))
