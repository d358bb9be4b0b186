"""Payment-date prediction, the simple predictor used when a company's history is too short for
the gradient-boosting model (relance.forecast.learning.MIN_TRAINING_ITEMS): the reference
delay (relance.core.forecast_reference) after the due date."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

from .forecast import Forecast, Knowledge
from .forecast_features import Row
from .forecast_reference import reference

LOW_QUANTILE, HIGH_QUANTILE = 0.1, 0.9  # the range given with every prediction


def fallback(row: Row, knowledge: Knowledge, known_before: date) -> Forecast:
    """The simple predictor: the reference delay after the due date, the range from the 10th
    to the 90th percentile of the customer's delays still possible (of its pool's when it has
    fewer than MIN_CUSTOMER_HISTORY); the due date when nothing at all is known, no date when
    the item is later than every payment known.

    Example: delays 2, 5, 9, 30 and an item due on 1 May still open on 4 May, the company's
    delays the same: the delays over 3 days are 5, 9 and 30, so it is expected on 10 May (+9),
    between 6 May and 31 May."""
    item, at = row.item, row.at
    found = reference(item, at, knowledge, known_before)
    if found is None:
        if knowledge.pool(None, known_before):
            return Forecast(item.id, None, None, None, "company")
        due = max(item.due_on, at + timedelta(days=1))
        return Forecast(item.id, due, due, due, "due_date")
    low, high = (quantile(found.delays, q) for q in (LOW_QUANTILE, HIGH_QUANTILE))
    # The range holds the reference even when it comes from the pool's delays and the
    # reference leans toward the customer's own.
    on = [max(item.due_on + timedelta(days=round(days)), at + timedelta(days=1))
          for days in (min(low, found.delay), found.delay, max(high, found.delay))]  # fmt: skip
    return Forecast(item.id, on[1], on[0], on[2], found.method)


def quantile(values: Sequence[int], q: float) -> int:
    """Nearest-rank quantile of sorted values: q=0.5 of 2, 5, 9, 30 is 9 (index round(1.5))."""
    return values[min(len(values) - 1, max(0, round(q * (len(values) - 1) + 1e-9)))]
