"""Payment-date prediction, the reference delay of an item: its customer's median delay, shrunk
toward its pool's (the payer profile's, or the whole company's) as far as the customer's own
history is short. The gradient-boosting model (relance.forecast.learning) learns only the
correction to it; the fallback (relance.core.forecast_fallback), used when a company's history
is too short for a model, predicts it as it is.

Why shrink: the median of a customer's one or two settlements is mostly noise, its pool's
median is off for this customer; the credibility (empirical Bayes) estimate weighs them by how
many settlements the customer has against how much customers differ from each other, which
the history itself tells (Bühlmann's credibility constant, the insurers' answer to the same
question: how far to trust one policyholder's claims over its class's).
"""

from __future__ import annotations

import statistics
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from .forecast import Item, Knowledge

OVERALL = 500  # a customer's long-run statistics read its last OVERALL settlements at most
MIN_CUSTOMER_HISTORY = 3  # below this, the range comes from the pool's delays
MIN_POOL = 10  # a profile pool smaller than this gives way to the whole company's delays
# The credibility constant when the history cannot tell (fewer than two customers with a
# settlement): the pool's median is worth three of the customer's own settlements.
DEFAULT_CREDIBILITY = 3.0
# ... and its ceiling, when customers look no different from each other: even then a
# customer's own median takes over once it has many settlements.
MAX_CREDIBILITY = 50.0


@dataclass(frozen=True, slots=True)
class Reference:
    """The expected delay (days after the due date) of an item still open at a moment, from
    the delays still possible then. `weight` is the customer's own share in it (0 to 1),
    `pool` its pool's median delay, `delays` (sorted) what its range is read from, `method`
    whose delays they are (customer, profile or company)."""

    delay: float
    weight: float
    pool: float | None
    delays: tuple[int, ...]
    method: str


def reference(item: Item, at: date, knowledge: Knowledge, known_before: date) -> Reference | None:
    """The customer's median delay over its n last settlements still possible, weighing
    n / (n + k), and its pool's median the rest; k is the pool's credibility constant.

    Only delays still possible count: an item 40 days late at `at` is expected from the
    delays over 40 days. None when none is, in the customer's history or its pool (the item
    is later than every payment known, or nothing is known).

    Example: a customer's delays 4 and 6, its profile's 20, k = 3: the median 5 weighs
    2 / (2 + 3), the profile's 20 weighs 3 / 5: 14 days after the due date."""
    elapsed = (at - item.due_on).days
    own = _possible(knowledge.delays(item.customer_id, known_before, OVERALL), elapsed)
    method, pool = _pool(item, knowledge, known_before, elapsed)
    prior = _median(pool) if pool else None
    if not own:
        return None if prior is None else Reference(prior, 0.0, prior, pool, method)
    if prior is None:
        return Reference(_median(own), 1.0, None, own, "customer")
    k = credibility(knowledge, item.profile if method == "profile" else None, known_before)
    weight = len(own) / (len(own) + k)
    delay = weight * _median(own) + (1 - weight) * prior
    if len(own) >= MIN_CUSTOMER_HISTORY:
        return Reference(delay, weight, prior, own, "customer")
    return Reference(delay, weight, prior, pool, method)


def _possible(delays: list[int], elapsed: int) -> tuple[int, ...]:
    """The delays over `elapsed`, sorted (sorting first: no loop in Python over a pool)."""
    ordered = sorted(delays)
    return tuple(ordered[bisect_right(ordered, elapsed) :])


def _median(ordered: Sequence[int]) -> float:
    middle = len(ordered) // 2
    return (
        float(ordered[middle]) if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2
    )


def _pool(
    item: Item, knowledge: Knowledge, before: date, elapsed: int
) -> tuple[str, tuple[int, ...]]:
    """The payer profile's delays still possible (a pool of MIN_POOL settlements at least),
    else the whole company's; the last OVERALL settlements of either (bounded work per row)."""
    size, delays = knowledge.pool_delays(item.profile, before, OVERALL)
    if size >= MIN_POOL:
        possible = _possible(delays, elapsed)
        if possible:
            return "profile", possible
    return "company", _possible(knowledge.pool_delays(None, before, OVERALL)[1], elapsed)


def credibility(knowledge: Knowledge, profile: str | None, before: date) -> float:
    """The credibility constant of a pool (a payer profile, None: the company), estimated
    from the settlements known on the first day of `before`'s month (so, never from what
    came after `before`; once per pool and month, not once per item)."""
    cutoff = before.replace(day=1)
    key = (profile, cutoff)
    if key not in knowledge.memo:
        customers = (
            knowledge.settlements.keys() if profile is None else knowledge.members.get(profile, [])
        )
        delays = [knowledge.delays(customer, cutoff, OVERALL) for customer in customers]
        knowledge.memo[key] = credibility_constant(delays)
    return knowledge.memo[key]


def credibility_constant(delays: Sequence[Sequence[int]]) -> float:
    """Bühlmann-Straub's k = within-customer variance / between-customer variance of the
    delays (one list per customer), between DEFAULT_CREDIBILITY's case and MAX_CREDIBILITY.

    Example: two customers paying 0 and 2, 30 and 32 days late: a variance of 2 within,
    449 between, k = 0.0045 (one settlement already says nearly all); two paying 0 and 30,
    2 and 32: a variance of 450 within, none between, k = MAX_CREDIBILITY."""
    groups = [group for group in delays if group]
    n = sum(len(group) for group in groups)
    if len(groups) < 2 or n <= len(groups):
        return DEFAULT_CREDIBILITY
    means = [statistics.fmean(group) for group in groups]
    within = sum(
        sum((x - mean) ** 2 for x in group) for group, mean in zip(groups, means, strict=True)
    ) / (n - len(groups))
    grand = sum(len(group) * mean for group, mean in zip(groups, means, strict=True)) / n
    spread = sum(
        len(group) * (mean - grand) ** 2 for group, mean in zip(groups, means, strict=True)
    )
    between = (spread - (len(groups) - 1) * within) / (n - sum(len(g) ** 2 for g in groups) / n)
    if between <= 0:
        return MAX_CREDIBILITY
    return min(MAX_CREDIBILITY, within / between)
