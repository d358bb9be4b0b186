"""The backtest of payment-date predictions and its two baselines.

On an as-of date D: the predictor learns from what was known at the end of D (`known_on`);
the test items are those issued after D and settled since, each predicted at its issue date
from the knowledge of D only. The error of a prediction is the number of days between the
predicted and the actual settlement date; the mean absolute error (MAE) is compared with:

- `due_date`: every item is paid on its due date;
- `customer_median`: every item is paid its customer's median days to pay (issue date to
  settlement, over every settlement known at D) after its issue date; a customer with no
  settlement known takes the whole company's median, and the due date when there is none.

Example: D = 31 March; an invoice issued 10 April, due 10 May, settled 25 May; its customer's
settlements known on 31 March took 30, 40 and 50 days. Due date: 15 days off; customer
median: 20 May (40 days after 10 April), 5 days off.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, timedelta

from .forecast import History, Item, Knowledge, known_on
from .forecast_features import Row, prediction_row


@dataclass(frozen=True)
class Split:
    """The history known at the end of `as_of`, and the items to predict."""

    as_of: date
    known: History
    tests: tuple[Item, ...]

    @property
    def trained_on(self) -> int:
        """Items whose settlement was known: what the predictor learns from."""
        return sum(item.paid_on is not None for item in self.known.items)


def split(history: History, as_of: date, horizon_days: int | None = None) -> Split:
    """Test items: issued after `as_of` (within `horizon_days` of it when given) and settled."""
    tests = tuple(
        item for item in history.items if item.issued_on > as_of and item.paid_on is not None
    )
    return within(Split(as_of, known_on(history, as_of), tests), horizon_days)


def within(data: Split, horizon_days: int | None) -> Split:
    """The same split, its test items limited to those issued within `horizon_days`."""
    if horizon_days is None:
        return data
    last = data.as_of + timedelta(days=horizon_days)
    return replace(data, tests=tuple(item for item in data.tests if item.issued_on <= last))


def rows_to_test(data: Split, knowledge: Knowledge) -> list[Row]:
    """Each test item at its issue date, its settlement hidden, from the knowledge of as_of."""
    return [
        prediction_row(replace(item, paid_on=None), item.issued_on, knowledge, data.as_of)
        for item in data.tests
    ]


def customer_medians(known: History) -> tuple[dict[int, float], float | None]:
    """Each customer's median days to pay over its settlements known, and the company's."""
    days: dict[int, list[int]] = defaultdict(list)
    for item in known.items:
        if item.days_to_pay is not None:
            days[item.customer_id].append(item.days_to_pay)
    every = [d for values in days.values() for d in values]
    company = statistics.median(every) if every else None
    return {key: statistics.median(values) for key, values in days.items()}, company


def customer_median_on(item: Item, medians: dict[int, float], company: float | None) -> date:
    median = medians.get(item.customer_id, company)
    if median is None:
        return item.due_on
    return item.issued_on + timedelta(days=round(median))


def error_days(predicted: date, item: Item) -> int:
    assert item.paid_on is not None
    return abs((predicted - item.paid_on).days)


def mae(errors: Iterable[int]) -> float | None:
    """Mean absolute error in days, one decimal; None without any test item."""
    values = list(errors)
    return round(statistics.fmean(values), 1) if values else None


def baselines(data: Split) -> dict[str, float | None]:
    """The MAE of the two baselines on the split's test items."""
    medians, company = customer_medians(data.known)
    return {
        "due_date": mae(error_days(item.due_on, item) for item in data.tests),
        "customer_median": mae(
            error_days(customer_median_on(item, medians, company), item) for item in data.tests
        ),
    }
