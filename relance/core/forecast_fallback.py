"""Payment-date prediction, the simple predictor used when a company's history is too short for
the gradient-boosting model (relance.forecast.learning.MIN_TRAINING_ITEMS)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import date, timedelta

from .forecast import Forecast, Item, Knowledge, Settlement
from .forecast_features import OVERALL, Row

MIN_CUSTOMER_HISTORY = 3  # below this, the fallback uses the payer profile's delays
MIN_POOL = 10  # a profile pool smaller than this gives way to the whole company's delays
LOW_QUANTILE, HIGH_QUANTILE = 0.1, 0.9  # the range given with every prediction


def fallback(row: Row, knowledge: Knowledge, known_before: date) -> Forecast:
    """The simple predictor: the median delay of the customer's settlements (its last OVERALL,
    at least MIN_CUSTOMER_HISTORY of them), else of its payer profile's (at least MIN_POOL), else of
    the whole company's, else the due date; the range from the 10th to the 90th percentile.

    Only delays still possible count: an item 40 days late at `at` is predicted from the
    delays over 40 days. When none is, no date can be told (the item is later than every
    payment known of its customer, profile or company).

    Example: delays 2, 5, 9, 30 days and an item due on 1 May still open on 4 May: the delays
    over 3 days are 5, 9 and 30, so it is expected on 10 May (+9), between 6 May and 31 May."""
    item, at = row.item, row.at
    elapsed = (at - item.due_on).days
    for method, pool in _pools(item, knowledge, known_before):
        delays = sorted(s.delay for s in pool if s.delay > elapsed)
        if delays or method == "company":
            return _from_delays(item, at, delays, method)
    on = max(item.due_on, at + timedelta(days=1))
    return Forecast(item.id, on, on, on, "due_date")


def _pools(
    item: Item, knowledge: Knowledge, before: date
) -> Iterator[tuple[str, Sequence[Settlement]]]:
    customer = knowledge.past(item.customer_id, before)
    if len(customer) >= MIN_CUSTOMER_HISTORY:
        yield "customer", customer[-OVERALL:]
    profile = knowledge.pool(item.profile, before)
    if len(profile) >= MIN_POOL:
        yield "profile", profile
    company = knowledge.pool(None, before)
    if company:
        yield "company", company


def _from_delays(item: Item, at: date, delays: list[int], method: str) -> Forecast:
    if not delays:
        return Forecast(item.id, None, None, None, method)
    on = [max(item.due_on + timedelta(days=quantile(delays, q)), at + timedelta(days=1))
          for q in (LOW_QUANTILE, 0.5, HIGH_QUANTILE)]  # fmt: skip
    return Forecast(item.id, on[1], on[0], on[2], method)


def quantile(values: Sequence[int], q: float) -> int:
    """Nearest-rank quantile of sorted values: q=0.5 of 2, 5, 9, 30 is 9 (index round(1.5))."""
    return values[min(len(values) - 1, max(0, round(q * (len(values) - 1) + 1e-9)))]
