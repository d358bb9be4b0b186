"""Receivables KPIs as of a date: aging, DSO (simple, countback, best possible), average days
delinquent, collection effectiveness index, average days to pay and days late.

Every function takes the figures of one currency (amounts in two currencies are never added)
and the `as_of` date as arguments; definitions and worked examples are in docs/kpis.md.
Undefined ratios (no sales, nothing paid) are None, never zero.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

ZERO = Decimal(0)
TENTH = Decimal("0.1")

# Aging buckets by days past due (as_of - due_on); due today is not due yet.
BUCKETS = ("not_due", "1-30", "31-60", "61-90", "91-180", "180+")
# The last day past due of every bucket but the open-ended last one.
BUCKET_LAST_DAYS = (0, 30, 60, 90, 180)
DSO_DAYS = 90  # N of the simple DSO, and the window of the payment delays
COUNTBACK_MONTHS = 24  # how far the countback DSO walks back at most


def bucket_index(days_past_due: int) -> int:
    """0 for not due (0 days or fewer past due), 1 for 1-30 days, ..., 5 for over 180 days."""
    for index, last_day in enumerate(BUCKET_LAST_DAYS):
        if days_past_due <= last_day:
            return index
    return len(BUCKET_LAST_DAYS)


def bucket_due_dates(as_of: date) -> tuple[date, ...]:
    """The earliest due date of each bucket but the last, for a database CASE: an item is in
    bucket i when due_on >= bounds[i] (first match), else in the last one.

    Example: as of 2026-03-31, not due means due_on >= 2026-03-31 and 1-30 means
    due_on >= 2026-03-01."""
    return tuple(as_of - timedelta(days=last_day) for last_day in BUCKET_LAST_DAYS)


@dataclass(frozen=True)
class Aging:
    """Open receivables of one currency per bucket (BUCKETS order), credits netted."""

    currency: str
    amounts: tuple[Decimal, ...]

    @property
    def outstanding(self) -> Decimal:
        return sum(self.amounts, ZERO)

    @property
    def not_due(self) -> Decimal:
        return self.amounts[0]

    @property
    def overdue(self) -> Decimal:
        return sum(self.amounts[1:], ZERO)

    def by_bucket(self) -> dict[str, Decimal]:
        return dict(zip(BUCKETS, self.amounts, strict=True))


def empty_aging(currency: str) -> Aging:
    return Aging(currency, (ZERO,) * len(BUCKETS))


@dataclass(frozen=True)
class AccountAging:
    """One customer in one currency: open debit items per bucket, and what it has to its
    credit (open credit notes and unallocated payments)."""

    debit: tuple[Decimal, ...]
    credit: Decimal


def net_of_credits(account: AccountAging) -> tuple[Decimal, ...]:
    """The customer's buckets once its credits settle the oldest debt first, as
    relance.core.ledger.account_position does; a credit left over is a negative not-due
    amount, so the buckets still add up to the balance.

    Example: debit not due 500, 31-60 300, 180+ 200, and a 350 credit note: the credit takes
    200 from 180+ and 150 from 31-60 -> not due 500, 31-60 150, balance 650, overdue 150."""
    remaining = account.credit
    netted = list(account.debit)
    for index in reversed(range(len(netted))):
        taken = min(remaining, max(netted[index], ZERO))
        netted[index] -= taken
        remaining -= taken
    netted[0] -= remaining
    return tuple(netted)


def portfolio_aging(
    currency: str, gross_debit: Sequence[Decimal], accounts_with_credit: Iterable[AccountAging]
) -> Aging:
    """The portfolio's aging: the open debit items of all customers per bucket, less what each
    customer's credits settle (only customers with a credit change anything, so only they are
    read one by one).

    Example: gross debit not due 1,000 and 31-60 400; one customer holds 100 of the 31-60
    debt and a 250 credit -> 100 leaves 31-60, the other 150 leaves not due: 850 / 300."""
    amounts = list(gross_debit)
    for account in accounts_with_credit:
        for index, netted in enumerate(net_of_credits(account)):
            amounts[index] -= account.debit[index] - netted
    return Aging(currency, tuple(amounts))


def months_before(day: date, months: int) -> date:
    """The same day `months` calendar months earlier, or that month's last day when it is
    shorter (31 March -> 28 or 29 February)."""
    month_index = day.year * 12 + day.month - 1 - months
    year, month = divmod(month_index, 12)
    last_day = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last_day))


@dataclass(frozen=True)
class SalesPeriod:
    """Sales (invoices less credit notes, including VAT) of the days after `start` up to and
    including `end`."""

    start: date
    end: date
    sales: Decimal

    @property
    def days(self) -> int:
        return (self.end - self.start).days


def sales_period(daily_sales: Mapping[date, Decimal], start: date, end: date) -> SalesPeriod:
    """Sum the sales of the days in (start, end]."""
    total = sum((amount for day, amount in daily_sales.items() if start < day <= end), ZERO)
    return SalesPeriod(start, end, total)


def monthly_periods(
    daily_sales: Mapping[date, Decimal], as_of: date, months: int = COUNTBACK_MONTHS
) -> list[SalesPeriod]:
    """The months ending on `as_of`, most recent first: (as_of - 1 month, as_of], then the
    month before, and so on."""
    bounds = [months_before(as_of, count) for count in range(months + 1)]
    return [sales_period(daily_sales, bounds[k + 1], bounds[k]) for k in range(months)]


def dso_simple(outstanding: Decimal, sales: Decimal, days: int = DSO_DAYS) -> Decimal | None:
    """Days sales outstanding, simple method: outstanding / sales of the last N days x N.

    Example: 45,000 outstanding, 90,000 invoiced over the last 90 days -> 45 days.
    None when nothing was sold over the period."""
    if sales <= 0:
        return None
    return outstanding * days / sales


def best_possible_dso(not_due: Decimal, sales: Decimal, days: int = DSO_DAYS) -> Decimal | None:
    """The DSO if every customer paid on its due date: not-yet-due receivables / sales of the
    last N days x N.

    Example: 30,000 not yet due, 90,000 invoiced over 90 days -> 30 days."""
    return dso_simple(not_due, sales, days)


def average_days_delinquent(dso: Decimal | None, best: Decimal | None) -> Decimal | None:
    """Average days delinquent (ADD): DSO - best possible DSO, the days lost to late payers.

    Example: DSO 45, best possible DSO 30 -> 15 days."""
    if dso is None or best is None:
        return None
    return dso - best


def dso_countback(outstanding: Decimal, periods: Sequence[SalesPeriod]) -> Decimal | None:
    """DSO by the countback method: walk back month by month (most recent first), taking each
    month's sales off the outstanding and counting its days, until the outstanding is used up;
    the last month counts for the share of its sales still needed.

    Example: 50,000 outstanding; the last month (31 days) sold 30,000, the one before (28 days)
    40,000 -> 31 + 20,000 / 40,000 x 28 = 45 days. None when the periods given do not absorb
    the outstanding (older debt than the history, or no sales)."""
    remaining, days = outstanding, ZERO
    if remaining <= 0:
        return ZERO
    for period in periods:
        if period.sales <= 0:
            days += period.days
            continue
        if remaining <= period.sales:
            return days + remaining * period.days / period.sales
        remaining -= period.sales
        days += period.days
    return None


def collection_effectiveness(
    opening: Decimal, sales: Decimal, closing: Decimal, closing_current: Decimal
) -> Decimal | None:
    """Collection effectiveness index (CEI) over a period, in percent: what was collected out
    of what could have been collected,
    (opening receivables + sales - closing receivables)
    / (opening receivables + sales - closing current receivables) x 100.

    Example: opening 100,000, sales 50,000, closing 90,000 of which 40,000 not yet due
    -> (100,000 + 50,000 - 90,000) / (100,000 + 50,000 - 40,000) x 100 = 54.5 %."""
    collectible = opening + sales - closing_current
    if collectible <= 0:
        return None
    return (opening + sales - closing) / collectible * 100


@dataclass(frozen=True)
class PaidInvoice:
    """An invoice fully settled on `paid_on` (the date of its last allocation); `amount` may
    be the total of several invoices sharing the same three dates."""

    amount: Decimal
    issued_on: date
    due_on: date
    paid_on: date


@dataclass(frozen=True)
class PaymentDelays:
    """Amount-weighted average days to pay (paid_on - issued_on) and days late
    (paid_on - due_on, 0 when paid on time) of the invoices paid in a period."""

    days_to_pay: Decimal | None
    days_late: Decimal | None


def payment_delays(paid: Iterable[PaidInvoice]) -> PaymentDelays:
    """Example: 1,000 issued 1 March, due 31 March, paid 10 April (40 days to pay, 10 late)
    and 3,000 issued 1 March, due 31 March, paid 21 March (20 days, on time)
    -> to pay (1,000 x 40 + 3,000 x 20) / 4,000 = 25 days; late 1,000 x 10 / 4,000 = 2.5."""
    total = to_pay = late = ZERO
    for invoice in paid:
        total += invoice.amount
        to_pay += invoice.amount * (invoice.paid_on - invoice.issued_on).days
        late += invoice.amount * max(0, (invoice.paid_on - invoice.due_on).days)
    if total <= 0:
        return PaymentDelays(None, None)
    return PaymentDelays(to_pay / total, late / total)


@dataclass(frozen=True)
class KpiInputs:
    """What the KPIs of one currency need as of a date, read by relance.reports."""

    as_of: date
    aging: Aging
    opening_outstanding: Decimal  # outstanding as of one month before `as_of` (CEI)
    daily_sales: Mapping[date, Decimal]  # covering at least COUNTBACK_MONTHS months
    paid: Sequence[PaidInvoice]  # invoices paid in the N days up to `as_of`
    days: int = DSO_DAYS


@dataclass(frozen=True)
class Kpis:
    """The receivables KPIs of one currency as of a date (days unrounded; see round_days)."""

    as_of: date
    aging: Aging
    sales: Decimal  # over the last N days
    dso_simple: Decimal | None
    dso_countback: Decimal | None
    best_possible_dso: Decimal | None
    add: Decimal | None
    cei: Decimal | None
    avg_days_to_pay: Decimal | None
    avg_days_late: Decimal | None

    @property
    def currency(self) -> str:
        return self.aging.currency


def compute_kpis(inputs: KpiInputs) -> Kpis:
    """All KPIs from one reading; the CEI is over the month ending on `as_of`."""
    as_of, aging = inputs.as_of, inputs.aging
    period = sales_period(inputs.daily_sales, as_of - timedelta(days=inputs.days), as_of)
    month = sales_period(inputs.daily_sales, months_before(as_of, 1), as_of)
    dso = dso_simple(aging.outstanding, period.sales, inputs.days)
    best = best_possible_dso(aging.not_due, period.sales, inputs.days)
    delays = payment_delays(inputs.paid)
    return Kpis(
        as_of=as_of,
        aging=aging,
        sales=period.sales,
        dso_simple=dso,
        dso_countback=dso_countback(aging.outstanding, monthly_periods(inputs.daily_sales, as_of)),
        best_possible_dso=best,
        add=average_days_delinquent(dso, best),
        cei=collection_effectiveness(
            inputs.opening_outstanding, month.sales, aging.outstanding, aging.not_due
        ),
        avg_days_to_pay=delays.days_to_pay,
        avg_days_late=delays.days_late,
    )


def round_days(value: Decimal | None) -> Decimal | None:
    """Days and percentages are shown with one decimal, half up."""
    return None if value is None else value.quantize(TENTH, rounding=ROUND_HALF_UP)


def share(part: Decimal, whole: Decimal) -> Decimal | None:
    """`part` as a percentage of `whole` (share overdue); None when the whole is not positive."""
    return part / whole * 100 if whole > 0 else None


# --- Unpaid rate, amounts recovered after each step, cost of collection ----------------------

UNPAID_DAYS = 90  # an invoice more than 90 days past due, or written off, is unpaid
UNPAID_COHORT_DAYS = 365  # the due dates the unpaid rate looks at: a year of them


def unpaid_cohort(as_of: date) -> tuple[date, date]:
    """The first and last due dates (inclusive) of the invoices the unpaid rate of `as_of`
    looks at: those due a year long, up to 91 days before `as_of`, so that every one of them
    is more than 90 days past due if still open.

    Example: as of 2026-03-31 -> due from 2024-12-31 to 2025-12-30."""
    last = as_of - timedelta(days=UNPAID_DAYS + 1)
    return last - timedelta(days=UNPAID_COHORT_DAYS - 1), last


@dataclass(frozen=True)
class UnpaidCohort:
    """The invoices of the unpaid rate's cohort (one currency) as of a date: their amount,
    what of it is still open and what was written off (settled by an adjustment)."""

    invoiced: Decimal
    open: Decimal
    written_off: Decimal

    @property
    def unpaid(self) -> Decimal:
        return self.open + self.written_off


def unpaid_rate(cohort: UnpaidCohort) -> Decimal | None:
    """Share of the cohort's amount still open more than 90 days after the due date or
    written off, in percent; None when the cohort is empty.

    Example: 100,000 invoiced, 3,000 still open, 1,000 written off -> 4 %."""
    return share(cohort.unpaid, cohort.invoiced)


@dataclass(frozen=True)
class StepSent:
    """A reminder of step `step` sent on `sent_on` listing item `item_id`; `order` breaks
    ties between two sent the same day (the later one wins)."""

    item_id: int
    sent_on: date
    step: str
    order: int = 0


@dataclass(frozen=True)
class Collected:
    """Money of a payment allocated to item `item_id` (lettrage dated `collected_on`)."""

    item_id: int
    collected_on: date
    amount: Decimal


def recovered_by_step(
    collected: Iterable[Collected], sent: Iterable[StepSent]
) -> dict[str | None, Decimal]:
    """What was collected after each step: an allocation dated D goes to the last step sent
    for its item strictly before D (a payment lettered the day a reminder goes out was on its
    way already); with no step sent before, to None.

    Example: item 1 got step "A" on 1 March and "B" on 10 March; 100 lettered on 10 March
    goes to "A", 50 on 11 March to "B", 20 on 1 March to None."""
    by_item: dict[int, list[StepSent]] = {}
    for step in sent:
        by_item.setdefault(step.item_id, []).append(step)
    for steps in by_item.values():
        steps.sort(key=lambda step: (step.sent_on, step.order))
    totals: dict[str | None, Decimal] = {}
    for money in collected:
        before = [s for s in by_item.get(money.item_id, ()) if s.sent_on < money.collected_on]
        key = before[-1].step if before else None
        totals[key] = totals.get(key, ZERO) + money.amount
    return totals


@dataclass(frozen=True)
class UnitCosts:
    """What the company pays for one reminder per channel, and for a minute on the phone
    (set by the company; in its currency)."""

    email: Decimal
    sms: Decimal
    letter: Decimal
    registered_letter: Decimal
    phone_minute: Decimal
    minutes_per_call: Decimal


@dataclass(frozen=True)
class CollectionActivity:
    """The dunning work of a period: reminders sent per channel, calls made (each attempt
    counts), and the distinct invoices those reminders listed."""

    sent: Mapping[str, int]
    calls: int
    invoices: int


def collection_cost(activity: CollectionActivity, costs: UnitCosts) -> Decimal:
    """Reminders sent x their channel's unit cost + calls x minutes per call x cost of a
    minute. Calls and internal tasks are not reminders that cost postage: a call's cost is
    its phone time.

    Example: 100 e-mails at 0.01, 10 letters at 1.50, 4 calls of 5 minutes at 0.50
    -> 1 + 15 + 10 = 26.00."""
    per_channel = {
        "email": costs.email,
        "sms": costs.sms,
        "letter": costs.letter,
        "registered_letter": costs.registered_letter,
    }
    postage = sum(
        (per_channel.get(channel, ZERO) * count for channel, count in activity.sent.items()), ZERO
    )
    return postage + costs.phone_minute * costs.minutes_per_call * activity.calls


def cost_per_invoice(activity: CollectionActivity, costs: UnitCosts) -> Decimal | None:
    """Cost of collection / invoices reminded; None when no invoice was reminded.

    Example: 26.00 for 13 invoices reminded -> 2.00 per invoice."""
    if activity.invoices <= 0:
        return None
    return collection_cost(activity, costs) / activity.invoices
