"""Payment-date prediction: what a company knew about its customers' payments on a given day,
the features of an open item on that day, and the simple predictor used when the history is
too short for the gradient-boosting model (relance.forecast.learning).

No leakage, by construction: `known_on(history, day)` is the only way to look at a history as
of a day. Items issued after it are gone, settlements after it are erased (the item was open
then), reminders sent and disputes opened after it are gone, and a dispute resolved after it
was still open. The features of an item at a moment `at` then read, from that knowledge, only
what happened strictly before `known_before` (at most the day after `at`).

The target is the number of days from the moment of the prediction to the settlement (the
item's last allocation, as for every "days to pay" in docs/kpis.md). Training rows are taken
at the issue date and again at fixed points after the due date while the item was still open
(`SNAPSHOT_DAYS`), so that the model also learns how long an overdue item still takes.

Example: an invoice issued on 1 March, due 31 March, settled on 20 April gives three rows: at
1 March (50 days), at 31 March (20 days) and at 15 April (5 days); its settlement is not
known before 20 April, so it is in no customer's history until then.
"""

from __future__ import annotations

import calendar
import math
import statistics
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal

# Rows are taken at the issue date and at these days after the due date while still open.
SNAPSHOT_DAYS = (0, 15, 45, 90, 180)
RECENT = 20  # the customer statistics read the last RECENT settlements
OVERALL = 500  # ... and the long-run median the last OVERALL (bounded work per example)
MIN_CUSTOMER_HISTORY = 3  # below this, the fallback uses the payer profile's delays
MIN_POOL = 10  # a profile pool smaller than this gives way to the whole company's delays
REMINDER_WINDOW_DAYS = 90  # "reminders needed lately": the customer's, over this window
LOW_QUANTILE, HIGH_QUANTILE = 0.1, 0.9  # the range given with every prediction

# Fixed order: the profile feature is its index here (unknown profile: missing).
PROFILES = (
    "good",
    "negligent",
    "bad",
    "insolvent",
    "administrative",
    "dispute_prone",
    "automatic",
)
FEATURES = (
    "days_to_due",  # due date - moment of prediction (negative once overdue)
    "terms",  # due date - issue date
    "log_amount",
    "amount_ratio",  # amount / the customer's median amount settled
    "in_august",  # the payment would fall in August (due date + the customer's median
    "at_year_end",  # delay): holidays and year-end closing slow payments down
    "due_weekday",
    "profile",  # index in PROFILES (categorical)
    "paid_count",  # settlements known (all of them, not only the recent ones)
    "median_delay",  # delays: settlement - due date, of the RECENT last settlements
    "mean_delay",
    "recent_delay",  # mean of the last 3
    "last_delay",
    "delay_spread",  # standard deviation
    "delay_trend",  # least-squares slope of the delays, days per 30 days
    "late_share",  # share settled after the due date
    "median_days_to_pay",  # settlement - issue date
    "overall_days_to_pay",  # median over the last OVERALL settlements known
    "days_to_run_weekday",  # from the due date to the customer's usual weekday of payment
    "run_weekday_share",  # how regular that weekday is (payment runs)
    "days_to_run_monthday",  # from the due date to the customer's usual day of the month
    "run_monthday_share",
    "days_since_last_payment",
    "open_disputes",  # the customer's disputes open at the moment
    "is_disputed",  # this item is disputed at the moment
    "reminders",  # reminders already sent for this item
    "reminder_level",  # the highest level among them
    "customer_reminders",  # reminders sent to the customer over REMINDER_WINDOW_DAYS
)
CATEGORICAL = ("profile",)
MISSING = math.nan


@dataclass(frozen=True)
class Item:
    """A debit item of the history: an invoice with when it was fully settled (None: open)."""

    id: int
    customer_id: int
    issued_on: date
    due_on: date
    amount: Decimal
    profile: str = ""
    paid_on: date | None = None

    @property
    def delay(self) -> int | None:
        """Days between the due date and the settlement (negative: paid early)."""
        return None if self.paid_on is None else (self.paid_on - self.due_on).days

    @property
    def days_to_pay(self) -> int | None:
        return None if self.paid_on is None else (self.paid_on - self.issued_on).days


@dataclass(frozen=True)
class Reminded:
    """One item of a reminder sent (the same `reminder_id` for every item it listed)."""

    reminder_id: int
    customer_id: int
    item_id: int
    sent_on: date
    level: int


@dataclass(frozen=True)
class Disputed:
    """A dispute on an item, open from `opened_on` until `resolved_on` (None: still open)."""

    customer_id: int
    item_id: int
    opened_on: date
    resolved_on: date | None = None


@dataclass(frozen=True)
class History:
    items: tuple[Item, ...]
    reminders: tuple[Reminded, ...] = ()
    disputes: tuple[Disputed, ...] = ()


def known_on(history: History, day: date) -> History:
    """What was known at the end of `day`: items issued by then, settled only if settled by
    then; reminders sent by then; disputes opened by then, open if resolved after it."""
    return History(
        items=tuple(
            item if item.paid_on is None or item.paid_on <= day else replace(item, paid_on=None)
            for item in history.items
            if item.issued_on <= day
        ),
        reminders=tuple(r for r in history.reminders if r.sent_on <= day),
        disputes=tuple(
            d if d.resolved_on is None or d.resolved_on <= day else replace(d, resolved_on=None)
            for d in history.disputes
            if d.opened_on <= day
        ),
    )


@dataclass(frozen=True)
class Settlement:
    paid_on: date
    delay: int
    days_to_pay: int
    amount: float


@dataclass(frozen=True)
class Forecast:
    """A predicted settlement date with its range; `expected_on` None: no date can be told
    (the item is later than every known payment). `method` says who predicted it."""

    item_id: int
    expected_on: date | None
    low_on: date | None
    high_on: date | None
    method: str


class Knowledge:
    """A history indexed for the questions the features ask (settlements of a customer before
    a day, reminders of an item before a day...). Build it from `known_on(history, day)`."""

    def __init__(self, history: History) -> None:
        by_customer: dict[int, list[Settlement]] = defaultdict(list)
        by_profile: dict[str, list[Settlement]] = defaultdict(list)
        for item in history.items:
            if item.paid_on is None:
                continue
            settled = Settlement(
                item.paid_on, item.delay or 0, item.days_to_pay or 0, float(item.amount)
            )
            by_customer[item.customer_id].append(settled)
            by_profile[item.profile].append(settled)
        self.settlements = {key: _by_date(rows) for key, rows in by_customer.items()}
        self.pools = {key: _by_date(rows) for key, rows in by_profile.items()}
        self.everyone = _by_date([s for rows in by_customer.values() for s in rows])
        self._days = {key: [s.paid_on for s in rows] for key, rows in self.settlements.items()}
        self._pool_days = {key: [s.paid_on for s in rows] for key, rows in self.pools.items()}
        self._everyone_days = [s.paid_on for s in self.everyone]
        self._reminders = _reminder_index(history.reminders)
        self._customer_reminders = _customer_reminder_index(history.reminders)
        self._disputes: dict[int, list[Disputed]] = defaultdict(list)
        for dispute in history.disputes:
            self._disputes[dispute.customer_id].append(dispute)

    def past(self, customer_id: int, before: date) -> Sequence[Settlement]:
        """The customer's settlements dated strictly before `before`, oldest first."""
        rows = self.settlements.get(customer_id, [])
        return rows[: bisect_left(self._days.get(customer_id, []), before)]

    def pool(self, profile: str | None, before: date) -> Sequence[Settlement]:
        """Every settlement of the profile (None: of the company) before `before`."""
        if profile is None:
            return self.everyone[: bisect_left(self._everyone_days, before)]
        rows = self.pools.get(profile, [])
        return rows[: bisect_left(self._pool_days.get(profile, []), before)]

    def reminders(self, item_id: int, before: date) -> tuple[int, int]:
        """(count, highest level) of the reminders sent for the item before `before`."""
        rows = self._reminders.get(item_id, [])
        sent = rows[: bisect_left(rows, (before, -1))]
        return len(sent), max((level for _, level in sent), default=0)

    def customer_reminders(self, customer_id: int, since: date, before: date) -> int:
        days = self._customer_reminders.get(customer_id, [])
        return bisect_left(days, before) - bisect_left(days, since)

    def disputes(self, customer_id: int, item_id: int, at: date) -> tuple[int, bool]:
        """(the customer's disputes open at `at`, whether this item is one of them)."""
        open_now = [
            d
            for d in self._disputes.get(customer_id, [])
            if d.opened_on <= at and (d.resolved_on is None or d.resolved_on > at)
        ]
        return len(open_now), any(d.item_id == item_id for d in open_now)


def _by_date(rows: list[Settlement]) -> list[Settlement]:
    return sorted(rows, key=lambda s: s.paid_on)


def _reminder_index(reminders: Iterable[Reminded]) -> dict[int, list[tuple[date, int]]]:
    index: dict[int, list[tuple[date, int]]] = defaultdict(list)
    for reminder in reminders:
        index[reminder.item_id].append((reminder.sent_on, reminder.level))
    return {key: sorted(rows) for key, rows in index.items()}


def _customer_reminder_index(reminders: Iterable[Reminded]) -> dict[int, list[date]]:
    """Each reminder once per customer, however many items it listed."""
    seen: dict[int, dict[int, date]] = defaultdict(dict)
    for reminder in reminders:
        seen[reminder.customer_id][reminder.reminder_id] = reminder.sent_on
    return {key: sorted(days.values()) for key, days in seen.items()}


# --- features ---------------------------------------------------------------------------


def features(item: Item, at: date, knowledge: Knowledge, known_before: date) -> list[float]:
    """The FEATURES of `item` at the moment `at`, from the settlements, reminders and
    disputes dated before `known_before` (which the caller keeps at most one day after `at`)."""
    past = knowledge.past(item.customer_id, known_before)
    recent = past[-RECENT:]
    disputes, is_disputed = knowledge.disputes(item.customer_id, item.id, at)
    reminders, level = knowledge.reminders(item.id, known_before)
    since = at - timedelta(days=REMINDER_WINDOW_DAYS)
    return [
        float((item.due_on - at).days),
        float((item.due_on - item.issued_on).days),
        math.log(max(float(item.amount), 0.01)),
        _ratio(float(item.amount), [s.amount for s in recent]),
        *_season(item.due_on, recent),
        float(item.due_on.weekday()),
        float(PROFILES.index(item.profile)) if item.profile in PROFILES else MISSING,
        float(len(past)),
        *_delay_statistics(recent),
        statistics.median(s.days_to_pay for s in past[-OVERALL:]) if past else MISSING,
        *_payment_runs(item.due_on, recent),
        float((known_before - past[-1].paid_on).days) if past else MISSING,
        float(disputes),
        float(is_disputed),
        float(reminders),
        float(level),
        float(knowledge.customer_reminders(item.customer_id, since, known_before)),
    ]


def _ratio(amount: float, amounts: list[float]) -> float:
    typical = statistics.median(amounts) if amounts else 0.0
    return amount / typical if typical > 0 else MISSING


def _season(due_on: date, recent: Sequence[Settlement]) -> list[float]:
    """Whether the payment would fall in August or from 20 to 31 December: the calendar
    month itself is not a feature, since a year of history sees each month once, at one stage
    of the history (the model would read the month as a date)."""
    delay = statistics.median(s.delay for s in recent) if recent else 0
    day = due_on + timedelta(days=round(delay))
    return [float(day.month == 8), float(day.month == 12 and day.day >= 20)]


def _delay_statistics(recent: Sequence[Settlement]) -> list[float]:
    """median, mean, mean of the last 3, last, spread, trend, late share, median days to pay."""
    if not recent:
        return [MISSING] * 8
    delays = [float(s.delay) for s in recent]
    return [
        statistics.median(delays),
        statistics.fmean(delays),
        statistics.fmean(delays[-3:]),
        delays[-1],
        statistics.pstdev(delays),
        _trend(recent),
        sum(d > 0 for d in delays) / len(delays),
        statistics.median(float(s.days_to_pay) for s in recent),
    ]


def _trend(recent: Sequence[Settlement]) -> float:
    """Least-squares slope of the delays against the settlement dates, in days per 30 days."""
    if len(recent) < MIN_CUSTOMER_HISTORY:
        return MISSING
    xs = [s.paid_on.toordinal() / 30.0 for s in recent]
    ys = [float(s.delay) for s in recent]
    mean_x, mean_y = statistics.fmean(xs), statistics.fmean(ys)
    spread = sum((x - mean_x) ** 2 for x in xs)
    if spread == 0:
        return MISSING
    return sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True)) / spread


def _payment_runs(due_on: date, recent: Sequence[Settlement]) -> list[float]:
    """Customers who pay in runs (every Friday, on the 10th of the month) pay on the next run
    after the due date: the days from the due date to the usual weekday and day of month of
    their payments, with the share of payments that fell on them."""
    if len(recent) < MIN_CUSTOMER_HISTORY:
        return [MISSING] * 4
    weekday, weekday_share = _mode([s.paid_on.weekday() for s in recent])
    monthday, monthday_share = _mode([s.paid_on.day for s in recent])
    return [
        float((weekday - due_on.weekday()) % 7),
        weekday_share,
        float(days_to_monthday(due_on, monthday)),
        monthday_share,
    ]


def _mode(values: list[int]) -> tuple[int, float]:
    """The most frequent value (the smallest among ties) and its share."""
    counts: dict[int, int] = defaultdict(int)
    for value in values:
        counts[value] += 1
    best = max(sorted(counts), key=lambda value: counts[value])
    return best, counts[best] / len(values)


def days_to_monthday(after: date, day: int) -> int:
    """Days from `after` to the next date on day `day` of a month (a month's last day when it
    is shorter): from 25 January to the 10th, 16 days; from 1 February to the 31st, 27 days
    (28 February)."""
    for months in (0, 1):
        year, month = divmod(after.year * 12 + after.month - 1 + months, 12)
        candidate = date(year, month + 1, min(day, calendar.monthrange(year, month + 1)[1]))
        if candidate >= after:
            return (candidate - after).days
    raise AssertionError("unreachable: next month's date is always after")


# --- training and prediction rows ------------------------------------------------------


@dataclass(frozen=True)
class Row:
    """One example: `item` at the moment `at`, its features, and (training) the days from
    `at` to its settlement."""

    item: Item
    at: date
    features: list[float]
    days: int | None = None


def snapshots(item: Item, until: date) -> list[date]:
    """The moments an item is a training example: its issue date, then each of SNAPSHOT_DAYS
    after its due date while it was still open, none after `until`."""
    assert item.paid_on is not None
    moments = [item.issued_on] if item.issued_on <= min(until, item.paid_on) else []
    for days in SNAPSHOT_DAYS:
        moment = item.due_on + timedelta(days=days)
        if item.issued_on < moment < item.paid_on and moment <= until:
            moments.append(moment)
    return moments


def training_rows(known: History, as_of: date, knowledge: Knowledge | None = None) -> list[Row]:
    """The examples of a history known on `as_of` (see `known_on`): every settled item at each
    of its snapshots, its features read strictly before the snapshot."""
    knowledge = knowledge or Knowledge(known)
    rows = []
    for item in known.items:
        if item.paid_on is None:
            continue
        for moment in snapshots(item, as_of):
            rows.append(
                Row(item, moment, features(item, moment, knowledge, moment),
                    (item.paid_on - moment).days)
            )  # fmt: skip
    return rows


def prediction_row(item: Item, at: date, knowledge: Knowledge, known_on_day: date) -> Row:
    """The example of an item to predict at `at`, knowing what was known at the end of
    `known_on_day` (the prediction day; in a backtest, the as-of date)."""
    return Row(item, at, features(item, at, knowledge, known_on_day + timedelta(days=1)))


def expected_date(at: date, days: float) -> date:
    """The date `days` after `at`, never before the day after it (the item is still open)."""
    return at + timedelta(days=max(1, round(days)))


# --- the fallback ----------------------------------------------------------------------


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
