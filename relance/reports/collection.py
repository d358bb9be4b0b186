"""Set-based readers for the collection KPIs (relance.core.kpis): the unpaid rate's cohorts,
the money collected after each step, and the dunning work that cost of collection counts.

Each reader answers for several points at once (the 12 months of the evolution): one query
per figure with one conditional sum, or one CASE bucket, per point, never one per point.
Amounts are in the dashboard's currency; `customers` (a queryset) limits them to a
portfolio, as in relance.reports.queries.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db import connection
from django.db.models import Case, Count, Exists, OuterRef, Q, QuerySet, Sum, Value, When

from relance.core.kpis import (
    ZERO,
    Collected,
    CollectionActivity,
    StepSent,
    UnpaidCohort,
    months_before,
    recovered_by_step,
    unpaid_cohort,
)
from relance.core.records import ItemKind
from relance.dunning.models import Call, Reminder, ReminderItem
from relance.dunning.thanks import THANKS_LEVEL, THANKS_STEP
from relance.ledger.models import Allocation, Company, Customer, Invoice

from .queries import Piece, _as_date, _date, _day_index, _money, _scope_sql, pieces_as_of

SENT = Reminder.Status.SENT
# A thank-you follows a payment: it is no step that collected anything.
THANKS = Q(level=THANKS_LEVEL, step_name=THANKS_STEP)


def unpaid_cohorts(
    company: Company,
    points: Sequence[date],
    currency: str,
    customers: QuerySet | None = None,
    pieces: Sequence[Piece] | None = None,
) -> dict[date, UnpaidCohort]:
    """The unpaid rate's cohort as of each point: its invoices' amount, what of it was still
    open on that day (amount less the allocations dated by then) and what was written off by
    then (allocated from an adjustment: a loss on bad debt, bank fees the payer deducted).

    What was open comes from the pieces of money the agings read (relance.reports.queries,
    read again when not given); the amounts and the write-offs from two grouped reads."""
    if pieces is None:
        pieces = pieces_as_of(company, points, customers)
    cohorts = [unpaid_cohort(point) for point in points]
    first, last = min(c[0] for c in cohorts), max(c[1] for c in cohorts)
    due = (
        _scoped(Invoice.objects.filter(company=company), customers, "customer")
        .filter(_cohort("", currency, first, last))
        .values_list("due_on")
        .annotate(total=Sum("amount"))
        .order_by()
    )
    lost = _written_off(company, points, currency, customers, (first, last))
    debits = [p for p in pieces if p.proper and p.currency == currency and first <= p.due_on]
    result = {}
    for k, (point, (start, end)) in enumerate(zip(points, cohorts, strict=True)):
        invoiced = sum((_money(t) for day, t in due if start <= day <= end), ZERO)
        still_open = sum(
            (p.debit for p in debits if start <= p.due_on <= end and p.first <= k < p.last), ZERO
        )
        written = sum((t for day, since, t in lost if start <= day <= end and since <= k), ZERO)
        result[point] = UnpaidCohort(invoiced, still_open, written)
    return result


# Write-offs: allocations from adjustments (few), read from the adjustments' side (SQLite
# follows the written order of a CROSS JOIN; PostgreSQL plans as it likes).
WRITTEN_OFF = """
SELECT i.due_on, {since} AS since, SUM(a.amount)
FROM {invoice} c CROSS JOIN {allocation} a CROSS JOIN {invoice} i
WHERE c.company_id = %s AND c.kind = %s AND c.is_credit AND a.credit_item_id = c.id
      AND i.id = a.invoice_id AND i.kind = %s AND NOT i.is_credit AND i.currency = %s
      AND i.due_on >= %s AND i.due_on <= %s AND a.allocated_on <= %s {scope_i}
GROUP BY 1, 2
"""


def _written_off(company, points, currency, customers, due) -> list[tuple[date, int, Decimal]]:
    """(due date, index of the first point it counts for, amount) of the write-offs."""
    scope_i, _scope_p, scope_params = _scope_sql(customers)
    sql = WRITTEN_OFF.format(
        since=_day_index("a.allocated_on", len(points)),
        invoice=Invoice._meta.db_table,
        allocation=Allocation._meta.db_table,
        scope_i=scope_i,
    )
    params = [
        *(_date(point) for point in points),
        company.pk, ItemKind.ADJUSTMENT.value, ItemKind.INVOICE.value, currency,
        _date(due[0]), _date(due[1]), _date(points[-1]), *scope_params,
    ]  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [(_as_date(day), since, _money(total)) for day, since, total in cursor.fetchall()]


def _cohort(prefix: str, currency: str, first: date, last: date) -> Q:
    """Invoices proper (not openings or adjustments) of the currency due in [first, last]."""
    return Q(**{
        f"{prefix}kind": ItemKind.INVOICE.value, f"{prefix}is_credit": False,
        f"{prefix}currency": currency, f"{prefix}due_on__gte": first, f"{prefix}due_on__lte": last,
    })  # fmt: skip


def _due_in(bounds: tuple[date, date], prefix: str) -> Q:
    return Q(**{f"{prefix}due_on__gte": bounds[0], f"{prefix}due_on__lte": bounds[1]})


@dataclass(frozen=True)
class StepRecovery:
    """Money collected in a period after one step (or, with no level, before any)."""

    scenario: str
    level: int | None
    step_name: str
    amount: Decimal


@dataclass(frozen=True)
class Recovery:
    """What was collected in a period (payments lettered), and what of it after each step."""

    collected: Decimal
    steps: tuple[StepRecovery, ...]  # most collected first; "before any step" last

    @property
    def after_reminders(self) -> Decimal:
        return sum((s.amount for s in self.steps if s.level is not None), Decimal(0))


def recoveries(
    company: Company, points: Sequence[date], currency: str, customers: QuerySet | None = None
) -> dict[date, Recovery]:
    """Per point, the payments lettered in its month (after the previous point, up to it)
    and their split by the last step sent before them (relance.core.kpis.recovered_by_step).
    Only the items that received a step are read one by one."""
    start = _period_start(points)
    paid = _scoped(
        Allocation.objects.filter(
            company=company,
            payment__isnull=False,
            invoice__currency=currency,
            allocated_on__gt=start,
            allocated_on__lte=points[-1],
        ),
        customers,
        "invoice__customer",
    ).annotate(bucket=_day_bucket("allocated_on", points))
    totals = dict(
        paid.values("bucket").annotate(total=Sum("amount")).values_list("bucket", "total")
    )
    reminded = paid.filter(
        Exists(_sent_items().filter(invoice_id=OuterRef("invoice_id")))
    ).values_list("bucket", "invoice_id", "allocated_on", "amount")
    collected: dict[int, list[Collected]] = defaultdict(list)
    for bucket, invoice_id, allocated_on, amount in reminded:
        collected[bucket].append(Collected(invoice_id, allocated_on, _money(amount)))
    sends, names = _sends(company, {c.item_id for rows in collected.values() for c in rows})
    return {
        point: _recovery(_money(totals.get(k)), recovered_by_step(collected[k], sends), names)
        for k, point in enumerate(points)
    }


def _sent_items() -> QuerySet[ReminderItem]:
    return ReminderItem.objects.filter(reminder__status=SENT).exclude(
        reminder__level=THANKS_LEVEL, reminder__step_name=THANKS_STEP
    )


def _sends(company: Company, item_ids: set[int]) -> tuple[list[StepSent], dict[str, tuple]]:
    """Every step sent listing those items, dated in the company's time zone, and the
    (scenario, level, step) each step key stands for."""
    zone = ZoneInfo(company.time_zone)
    rows = _sent_items().filter(invoice_id__in=item_ids, reminder__company=company).values_list(
        "invoice_id", "reminder__sent_at", "reminder_id", "reminder__scenario__name",
        "reminder__level", "reminder__step_name",
    )  # fmt: skip
    sends, names = [], {}
    for invoice_id, sent_at, reminder_id, scenario, level, step_name in rows:
        if sent_at is None:  # sent by hand before the sending time was kept
            continue
        key = f"{scenario or ''}\x1f{level}\x1f{step_name}"
        names[key] = (scenario or "", level, step_name)
        sends.append(StepSent(invoice_id, sent_at.astimezone(zone).date(), key, reminder_id))
    return sends, names


def _recovery(collected: Decimal, by_step: dict, names: dict[str, tuple]) -> Recovery:
    steps = [StepRecovery(*names[key], amount) for key, amount in by_step.items() if key]
    steps.sort(key=lambda s: (-s.amount, s.scenario, s.level or 0, s.step_name))
    after = sum((s.amount for s in steps), Decimal(0))
    if collected - after > 0:
        steps.append(StepRecovery("", None, "", collected - after))
    return Recovery(collected, tuple(steps))


def activities(
    company: Company, points: Sequence[date], currency: str, customers: QuerySet | None = None
) -> dict[date, CollectionActivity]:
    """Per point, the reminders sent in its month by channel, the calls made for call steps
    (each attempt) and the distinct invoices those reminders listed; a timestamp belongs to
    the day it was in the company's time zone."""
    bounds = _midnights(company, points)
    sent = _scoped(
        Reminder.objects.filter(
            company=company, status=SENT, currency=currency,
            sent_at__gte=bounds[0], sent_at__lt=bounds[-1],
        ),
        customers,
        "customer",
    ).annotate(bucket=_time_bucket("sent_at", bounds))  # fmt: skip
    by_channel: dict[int, dict[str, int]] = defaultdict(dict)
    for bucket, channel, count in (
        sent.values("bucket", "channel")
        .annotate(n=Count("id"))
        .values_list("bucket", "channel", "n")
    ):
        by_channel[bucket][channel] = count
    invoices = dict(
        ReminderItem.objects.filter(reminder__in=sent.values("pk"))
        .annotate(bucket=_time_bucket("reminder__sent_at", bounds))
        .values("bucket")
        .annotate(n=Count("invoice_id", distinct=True))
        .values_list("bucket", "n")
    )
    calls = _calls(company, bounds, currency, customers)
    return {
        point: CollectionActivity(by_channel[k], calls.get(k, 0), invoices.get(k, 0))
        for k, point in enumerate(points)
    }


def _calls(company, bounds, currency, customers) -> dict[int, int]:
    calls = _scoped(
        Call.objects.filter(
            company=company, reminder__channel="call", reminder__currency=currency,
            at__gte=bounds[0], at__lt=bounds[-1],
        ),
        customers,
        "customer",
    )  # fmt: skip
    rows = (
        calls.annotate(bucket=_time_bucket("at", bounds))
        .values("bucket")
        .annotate(n=Count("id"))
        .values_list("bucket", "n")
    )
    return dict(rows)


def _period_start(points: Sequence[date]) -> date:
    """The first point's month starts a month before it (relance.core.kpis.months_before)."""
    return months_before(points[0], 1)


def _day_bucket(field: str, points: Sequence[date]) -> Case:
    """The index of the first point on or after the date: its month."""
    return Case(*(When(**{f"{field}__lte": p}, then=Value(k)) for k, p in enumerate(points)))


def _midnights(company: Company, points: Sequence[date]) -> list[datetime]:
    """Aware bounds of the months: the start of the first one, then the end of each point's
    day (midnight after it), in the company's time zone."""
    zone = ZoneInfo(company.time_zone)
    days = [_period_start(points), *points]
    return [datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone) for day in days]


def _time_bucket(field: str, bounds: Sequence[datetime]) -> Case:
    return Case(*(When(**{f"{field}__lt": end}, then=Value(k)) for k, end in enumerate(bounds[1:])))


def _scoped(queryset: QuerySet, customers: QuerySet[Customer] | None, path: str) -> QuerySet:
    return queryset if customers is None else queryset.filter(**{f"{path}__in": customers})
