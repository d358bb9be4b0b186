"""Payment-date prediction, the examples: the features of an item at a moment, from what was
known before it (relance.core.forecast.Knowledge), and the rows a model learns from.

Each row counts the days from the moment of the prediction to the settlement; the model learns
how far that is from the reference date (the due date plus the reference delay of
relance.core.forecast_reference), so the features that describe the customer's habits say
how far they are from the reference (`*_shift`), and its payment runs are counted from the
reference date. Training rows are taken at the issue date and again at fixed points after the
due date while the item was still open (`SNAPSHOT_DAYS`), so that the model also learns how
long an overdue item still takes.

Example: an invoice issued on 1 March, due 31 March, settled on 20 April gives three rows: at
1 March (50 days), at 31 March (20 days) and at 15 April (5 days); its settlement is not
known before 20 April, so it is in no customer's history until then.
"""

from __future__ import annotations

import calendar
import math
import statistics
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from .forecast import History, Item, Knowledge, Settlement
from .forecast_reference import OVERALL, Reference, reference

# Rows are taken at the issue date and at these days after the due date while still open.
SNAPSHOT_DAYS = (0, 15, 45, 90, 180)
RECENT = 20  # the customer statistics read the last RECENT settlements (and OVERALL)
MIN_RUNS = 3  # settlements needed before the trend and payment runs are read
REMINDER_WINDOW_DAYS = 90  # "reminders needed lately": the customer's, over this window
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
    "days_to_run_weekday",  # from the reference date to the customer's usual payment weekday
    "run_weekday_share",  # how regular that weekday is (payment runs)
    "days_to_run_monthday",  # from the reference date to the customer's usual day of month
    "run_monthday_share",
    "days_since_last_payment",
    "open_disputes",  # the customer's disputes open at the moment
    "is_disputed",  # this item is disputed at the moment
    "reminders",  # reminders already sent for this item
    "reminder_level",  # the highest level among them
    "customer_reminders",  # reminders sent to the customer over REMINDER_WINDOW_DAYS
    "reference_delay",  # relance.core.forecast_reference: what the model corrects
    "reference_weight",  # the customer's own share in it (0: none of its settlements)
    "recent_shift",  # median of the RECENT last delays still possible - reference_delay
    "pool_shift",  # the pool's median delay - reference_delay (how unusual the customer is)
    "trend_shift",  # the RECENT delays' trend line at the reference date - reference_delay
)
CATEGORICAL = ("profile",)
MISSING = math.nan


def features(item: Item, at: date, knowledge: Knowledge, known_before: date) -> list[float]:
    """The FEATURES of `item` at the moment `at`, from the settlements, reminders and
    disputes dated before `known_before` (which the caller keeps at most one day after `at`)."""
    past = knowledge.past(item.customer_id, known_before)
    recent = past[-RECENT:]
    found = reference(item, at, knowledge, known_before)
    on = item.due_on if found is None else item.due_on + timedelta(days=round(found.delay))
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
        *_payment_runs(on, recent),
        float((known_before - past[-1].paid_on).days) if past else MISSING,
        float(disputes),
        float(is_disputed),
        float(reminders),
        float(level),
        float(knowledge.customer_reminders(item.customer_id, since, known_before)),
        *_reference(found, recent, item.due_on, (at - item.due_on).days),
    ]


def _reference(
    found: Reference | None, recent: Sequence[Settlement], due_on: date, elapsed: int
) -> list[float]:
    """The reference delay, the customer's share in it, and how far from it are: the median
    of the customer's RECENT last delays still possible (a customer paying later lately:
    positive), its pool's median, and the trend line of its RECENT delays on the reference
    date (a customer drifting later: positive)."""
    if found is None:
        return [MISSING] * 5
    delays = [s.delay for s in recent if s.delay > elapsed]
    line = _line(recent)
    on = due_on.toordinal() + found.delay
    return [
        found.delay,
        found.weight,
        statistics.median(delays) - found.delay if delays else MISSING,
        MISSING if found.pool is None else found.pool - found.delay,
        MISSING if line is None else line[0] + line[1] * (on - line[2]) - found.delay,
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
    line = _line(recent)
    return MISSING if line is None else line[1] * 30


def _line(recent: Sequence[Settlement]) -> tuple[float, float, float] | None:
    """The least-squares line of the delays against the settlement days (ordinals): its mean
    delay, its slope in days per day and its mean day; None below MIN_RUNS settlements or
    when they all fell on one day."""
    if len(recent) < MIN_RUNS:
        return None
    xs = [float(s.paid_on.toordinal()) for s in recent]
    ys = [float(s.delay) for s in recent]
    mean_x, mean_y = statistics.fmean(xs), statistics.fmean(ys)
    spread = sum((x - mean_x) ** 2 for x in xs)
    if spread == 0:
        return None
    slope = sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True)) / spread
    return mean_y, slope, mean_x


def _payment_runs(on: date, recent: Sequence[Settlement]) -> list[float]:
    """Customers who pay in runs (every Friday, on the 10th of the month) pay on the next run
    after the date they would pay: the days from the reference date `on` to the usual weekday
    and day of month of their payments, with the share of payments that fell on them."""
    if len(recent) < MIN_RUNS:
        return [MISSING] * 4
    weekday, weekday_share = _mode([s.paid_on.weekday() for s in recent])
    monthday, monthday_share = _mode([s.paid_on.day for s in recent])
    return [
        float((weekday - on.weekday()) % 7),
        weekday_share,
        float(days_to_monthday(on, monthday)),
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


def training_rows(
    known: History, as_of: date, knowledge: Knowledge | None = None, limit: int | None = None
) -> list[Row]:
    """The examples of a history known on `as_of` (see `known_on`): every settled item (the
    `limit` last issued, when given) at each of its snapshots, its features read strictly
    before the snapshot."""
    knowledge = knowledge or Knowledge(known)
    settled = [item for item in known.items if item.paid_on is not None]
    if limit is not None and len(settled) > limit:
        settled = sorted(settled, key=lambda i: (i.issued_on, i.id))[-limit:]
    rows = []
    for item in settled:
        assert item.paid_on is not None
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
