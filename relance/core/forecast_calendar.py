"""The cash-in calendar: what the open items are expected to bring in, and when, by day, week
or month, next to the naive forecast that everything is paid on its due date.

Each open debit item's amount is expected, in this order of precedence:
1. on the dates of its payment plan's instalments still unpaid (an active plan replaces the
   due dates of the items it covers);
2. on the date of an open promise to pay, up to the promised amount (a promise naming no item
   takes the customer's items of its currency, oldest due first);
3. on its predicted settlement date, with the prediction's range (relance.core.forecast);
4. on its due date when it has no prediction yet (issued since the last training).
Credits the customer has not used (credit notes, unallocated payments) first settle its
oldest items: they bring in no cash. A prediction with no date (the item is later than every
payment known) goes to "sans date prévisible".

The range is read on the running totals: by the end of each period, at least the amounts whose
latest date (`high_on`) has come (pessimistic), at most those whose earliest date (`low_on`)
has (optimistic). Example: 1,000 expected on 10 May, between 2 May and 30 May: the May total
holds it in both bounds, the week of 4 May only in the optimistic one.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum

from .forecast import Forecast
from .plans import add_months

ZERO = Decimal(0)


class Source(StrEnum):
    PLAN = "plan"
    PROMISE = "promise"
    PREDICTION = "prediction"
    DUE_DATE = "due_date"  # no prediction yet: its due date
    UNKNOWN = "unknown"  # predicted, but no date can be told


class Period(StrEnum):
    DAY = "day"
    WEEK = "week"
    MONTH = "month"


PERIODS_SHOWN = {Period.DAY: 31, Period.WEEK: 13, Period.MONTH: 12}


@dataclass(frozen=True)
class OpenItem:
    id: int
    customer_id: int
    currency: str
    due_on: date
    open_amount: Decimal


@dataclass(frozen=True)
class PromisedPayment:
    """An open promise; no `item_ids`: it is for the customer's items of its currency."""

    customer_id: int
    currency: str
    promised_on: date
    amount: Decimal
    item_ids: tuple[int, ...] = ()


@dataclass(frozen=True)
class PlannedInstalment:
    """What an instalment of an active plan still asks, and the plan's items it replaces."""

    customer_id: int
    currency: str
    due_on: date
    amount: Decimal
    item_ids: tuple[int, ...]


@dataclass(frozen=True)
class Expected:
    """An amount expected on `on` (between `low_on` and `high_on`); all None when undated."""

    customer_id: int
    currency: str
    amount: Decimal
    on: date | None
    low_on: date | None
    high_on: date | None
    source: Source
    item_id: int | None = None


def net_of_credits(
    items: Sequence[OpenItem], credits: Mapping[tuple[int, str], Decimal]
) -> dict[int, Decimal]:
    """What each item still brings in once the customer's unused credits (per customer and
    currency) have settled its oldest items."""
    left = {item.id: item.open_amount for item in items}
    available = dict(credits)
    for item in sorted(items, key=lambda i: (i.due_on, i.id)):
        key = (item.customer_id, item.currency)
        used = min(available.get(key, ZERO), left[item.id])
        if used > 0:
            left[item.id] -= used
            available[key] -= used
    return left


def expected_cash(
    items: Sequence[OpenItem],
    forecasts: Mapping[int, Forecast],
    promises: Iterable[PromisedPayment] = (),
    instalments: Iterable[PlannedInstalment] = (),
    credits: Mapping[tuple[int, str], Decimal] | None = None,
) -> list[Expected]:
    """Every amount the open items are expected to bring in (see the module docstring)."""
    left = net_of_credits(items, credits or {})
    expected = _planned(instalments, left)
    expected += _promised(promises, items, left)
    for item in items:
        if left[item.id] > 0:
            expected.append(_predicted(item, left[item.id], forecasts.get(item.id)))
    return expected


def _planned(instalments: Iterable[PlannedInstalment], left: dict[int, Decimal]) -> list[Expected]:
    """Instalments in date order, up to what the plan's items still owe after credits."""
    owed: dict[tuple[int, ...], Decimal] = {}
    out = []
    for instalment in sorted(instalments, key=lambda i: i.due_on):
        key = instalment.item_ids
        if key not in owed:
            owed[key] = sum((left.get(i, ZERO) for i in key), ZERO)
            for item_id in key:
                left[item_id] = ZERO
        amount = min(instalment.amount, owed[key])
        owed[key] -= amount
        if amount > 0:
            out.append(
                Expected(instalment.customer_id, instalment.currency, amount, instalment.due_on,
                         instalment.due_on, instalment.due_on, Source.PLAN)
            )  # fmt: skip
    return out


def _promised(
    promises: Iterable[PromisedPayment], items: Sequence[OpenItem], left: dict[int, Decimal]
) -> list[Expected]:
    """Each promise takes its amount from its items (oldest due first), earliest promise first."""
    by_id = {item.id: item for item in items}
    by_customer: dict[tuple[int, str], list[OpenItem]] = defaultdict(list)
    for item in sorted(items, key=lambda i: (i.due_on, i.id)):
        by_customer[(item.customer_id, item.currency)].append(item)
    out = []
    for promise in sorted(promises, key=lambda p: p.promised_on):
        wanted, taken = promise.amount, ZERO
        for item in _promise_items(promise, by_id, by_customer):
            part = min(wanted - taken, left[item.id])
            left[item.id] -= part
            taken += part
        if taken > 0:
            on = promise.promised_on
            out.append(
                Expected(promise.customer_id, promise.currency, taken, on, on, on, Source.PROMISE)
            )
    return out


def _promise_items(
    promise: PromisedPayment,
    by_id: Mapping[int, OpenItem],
    by_customer: Mapping[tuple[int, str], list[OpenItem]],
) -> list[OpenItem]:
    """The items a promise names (of its currency), else its customer's; oldest due first."""
    if not promise.item_ids:
        return by_customer.get((promise.customer_id, promise.currency), [])
    named = [by_id[pk] for pk in promise.item_ids if pk in by_id]
    return sorted(
        (item for item in named if item.currency == promise.currency),
        key=lambda i: (i.due_on, i.id),
    )


def _predicted(item: OpenItem, amount: Decimal, forecast: Forecast | None) -> Expected:
    if forecast is None:
        on = item.due_on
        return Expected(item.customer_id, item.currency, amount, on, on, on, Source.DUE_DATE,
                        item.id)  # fmt: skip
    source = Source.PREDICTION if forecast.expected_on is not None else Source.UNKNOWN
    return Expected(item.customer_id, item.currency, amount, forecast.expected_on,
                    forecast.low_on, forecast.high_on, source, item.id)  # fmt: skip


def naive_cash(
    items: Sequence[OpenItem], credits: Mapping[tuple[int, str], Decimal] | None = None
) -> list[Expected]:
    """Every open item paid on its due date (after the customer's credits)."""
    left = net_of_credits(items, credits or {})
    return [
        Expected(
            i.customer_id,
            i.currency,
            left[i.id],
            i.due_on,
            i.due_on,
            i.due_on,
            Source.DUE_DATE,
            i.id,
        )  # fmt: skip
        for i in items
        if left[i.id] > 0
    ]


# --- the calendar ---------------------------------------------------------------------


class RowKind(StrEnum):
    LATE = "late"  # expected before today: late already
    PERIOD = "period"
    LATER = "later"  # after the last period shown
    UNDATED = "undated"


@dataclass(frozen=True)
class CalendarRow:
    """One line of the calendar: the amounts of the period and the running totals at its
    end (None on the undated line). `low`/`high` bound the running total (module docstring)."""

    kind: RowKind
    start: date | None
    end: date | None
    expected: Decimal
    naive: Decimal
    cumulative: Decimal | None
    low: Decimal | None
    high: Decimal | None
    cumulative_naive: Decimal | None


def period_bounds(today: date, period: Period, count: int) -> list[tuple[date, date]]:
    """`count` consecutive periods from the one holding `today` (weeks from Monday, months
    from the 1st); the first one starts today."""
    bounds = []
    start = today
    for _ in range(count):
        end = _period_end(start, period)
        bounds.append((start, end))
        start = end + timedelta(days=1)
    return bounds


def _period_end(start: date, period: Period) -> date:
    if period is Period.DAY:
        return start
    if period is Period.WEEK:
        return start + timedelta(days=6 - start.weekday())
    return add_months(date(start.year, start.month, 1), 1) - timedelta(days=1)


def cash_calendar(
    expected: Sequence[Expected],
    naive: Sequence[Expected],
    today: date,
    period: Period,
    count: int | None = None,
) -> list[CalendarRow]:
    """The late line, one line per period, the line after them and the undated line."""
    bounds = period_bounds(today, period, count or PERIODS_SHOWN[period])
    yesterday, last = today - timedelta(days=1), bounds[-1][1]
    rows = [_row(RowKind.LATE, None, yesterday, expected, naive)]
    rows += [_row(RowKind.PERIOD, start, end, expected, naive) for start, end in bounds]
    rows.append(_row(RowKind.LATER, last + timedelta(days=1), None, expected, naive))
    undated = sum((e.amount for e in expected if e.on is None), ZERO)
    rows.append(CalendarRow(RowKind.UNDATED, None, None, undated, ZERO, None, None, None, None))
    return rows


def _row(
    kind: RowKind,
    start: date | None,
    end: date | None,
    expected: Sequence[Expected],
    naive: Sequence[Expected],
) -> CalendarRow:
    """Amounts dated from `start` (or ever, for the late line) to `end` (or ever after)."""
    first = start or date.min
    until = end or date.max
    return CalendarRow(
        kind,
        start,
        end,
        _sum(expected, lambda e: e.on, first, until),
        _sum(naive, lambda e: e.on, first, until),
        _sum(expected, lambda e: e.on, date.min, until),
        _sum(expected, lambda e: e.high_on, date.min, until),
        _sum(expected, lambda e: e.low_on, date.min, until),
        _sum(naive, lambda e: e.on, date.min, until),
    )


def _sum(
    amounts: Iterable[Expected], day_of: Callable[[Expected], date | None], first: date, last: date
) -> Decimal:
    total = ZERO
    for entry in amounts:
        day = day_of(entry)
        if day is not None and first <= day <= last:
            total += entry.amount
    return total


def totals_by_source(expected: Iterable[Expected]) -> dict[Source, Decimal]:
    totals: dict[Source, Decimal] = defaultdict(lambda: ZERO)
    for entry in expected:
        totals[entry.source] += entry.amount
    return {source: totals[source] for source in Source if source in totals}
