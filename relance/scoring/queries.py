"""Set-based reads for the risk scores: each figure of every customer of a company in one
aggregate query (a few in all, whatever the number of customers), turned into
relance.core.scoring.History records.

Days between two dates are counted by the database: `julianday` on SQLite, date subtraction
(a whole number of days) on PostgreSQL.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db import connection
from django.db.models import Count, Exists, F, Max, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from relance.core import scoring as core
from relance.core.records import PaymentMethod
from relance.dunning.models import Dispute, Promise, Reminder
from relance.ledger.models import Allocation, Company, Customer, Invoice, Payment
from relance.ledger.services import with_position

from .models import ProfileDecision, RiskAlert, Score

REJECTION_DAYS = 90  # a rejected suggestion is not made again for this long
# Each risk band's scores, lowest included, upper excluded: high [0, 40), medium [40, 70)...
BAND_RANGES = {
    name: (lowest, upper)
    for (lowest, name), upper in zip(core.BANDS, (101, *(b[0] for b in core.BANDS)), strict=False)
}

# Debit items settled in the window, by the date of their last allocation (the payment, as for
# every figure of the dashboard): count, late ones, amount, amount x days late, and the same
# for those settled in the recent part of the window.
SETTLED = """
SELECT customer_id, COUNT(*), SUM(CASE WHEN late > %s THEN 1 ELSE 0 END),
       SUM(amount), SUM(amount * late),
       SUM(CASE WHEN paid_on > %s THEN amount ELSE 0 END),
       SUM(CASE WHEN paid_on > %s THEN amount * late ELSE 0 END)
FROM (
    SELECT s.customer_id, s.amount, s.paid_on,
           CASE WHEN s.paid_on > s.due_on THEN {late} ELSE 0 END AS late
    FROM (
        SELECT i.customer_id, i.amount, i.due_on, MAX(a.allocated_on) AS paid_on
        FROM {invoice} i JOIN {allocation} a ON a.invoice_id = i.id
        WHERE i.company_id = %s AND NOT i.is_credit AND i.open_amount = 0
          AND i.id IN (SELECT invoice_id FROM {allocation}
                       WHERE company_id = %s AND allocated_on > %s AND allocated_on <= %s)
        GROUP BY i.id, i.customer_id, i.amount, i.due_on
    ) s
    WHERE s.paid_on > %s AND s.paid_on <= %s
) t
GROUP BY customer_id
"""

# Open debit items past due today: those past the grace, amount, amount x days past due, the
# oldest due date.
OVERDUE = """
SELECT customer_id, SUM(CASE WHEN due_on < %s THEN 1 ELSE 0 END), SUM(open_amount),
       SUM(open_amount * {past_due}), MIN(due_on)
FROM {invoice}
WHERE company_id = %s AND NOT is_credit AND open_amount > 0 AND due_on < %s
GROUP BY customer_id
"""


def days_between(later: str, earlier: str) -> str:
    """SQL for the whole days from `earlier` to `later` (dates), on SQLite and PostgreSQL."""
    if connection.vendor == "sqlite":
        return f"CAST(julianday({later}) - julianday({earlier}) AS INTEGER)"
    return f"(CAST({later} AS DATE) - CAST({earlier} AS DATE))"


@dataclass
class Account:
    """A customer as the scoring reads it: its flags and what its history says."""

    customer_id: int
    is_blocked: bool
    outstanding: Decimal
    history: core.History = field(default_factory=core.History)


def accounts(company: Company, today: date) -> list[Account]:
    """Every customer of the company with its history over the WINDOW_DAYS up to `today`."""
    start = today - timedelta(days=core.WINDOW_DAYS)
    fields: dict[int, dict] = defaultdict(dict)
    for reader in (_settled, _overdue, _events, _payments):
        for customer_id, values in reader(company, start, today):
            fields[customer_id].update(values)
    found = []
    for row in _customers(company, today):
        pk, profile, limit, siren, is_blocked, balance = row
        history = core.History(
            outstanding=balance,
            credit_limit=limit,
            payer_profile=profile,
            is_public_body=core.is_public_body(siren),
            **fields.get(pk, {}),
        )
        found.append(Account(pk, is_blocked, balance, history))
    return found


def _customers(company: Company, today: date):
    customers = with_position(Customer.objects.filter(company=company), today, company.currency)
    return customers.order_by("pk").values_list(
        "pk", "payer_profile", "credit_limit", "siren", "is_blocked", "balance"
    )


def _settled(company: Company, start: date, today: date):
    recent = _date(today - timedelta(days=core.RECENT_DAYS))
    day, first = _date(today), _date(start)
    params = [core.LATE_GRACE_DAYS, recent, recent, company.pk, company.pk, first, day, first, day]
    for pk, count, late, amount, weighted, recent_amount, recent_weighted in _fetch(
        SETTLED.format(late=days_between("s.paid_on", "s.due_on"), **_tables()), params
    ):
        yield (
            pk,
            {
                "settled": core.Delays(_decimal(amount), _decimal(weighted)),
                "settled_recent": core.Delays(_decimal(recent_amount), _decimal(recent_weighted)),
                "settled_count": count,
                "settled_late_count": late,
            },
        )


def _overdue(company: Company, start: date, today: date):
    graced = _date(today - timedelta(days=core.LATE_GRACE_DAYS))
    day = _date(today)
    sql = OVERDUE.format(past_due=days_between("%s", "due_on"), **_tables())
    for pk, late, amount, weighted, oldest in _fetch(sql, [graced, day, company.pk, day]):
        oldest_on = oldest if isinstance(oldest, date) else date.fromisoformat(str(oldest))
        yield (
            pk,
            {
                "overdue": core.Delays(_decimal(amount), _decimal(weighted)),
                "overdue_late_count": late,
                "oldest_overdue_days": (today - oldest_on).days,
            },
        )


def _events(company: Company, start: date, today: date):
    """Disputes opened, promises broken and reminders sent about overdue amounts, in the
    window (a dispute by the company's calendar day it was opened), and the invoices an
    import flagged as disputed."""
    zone = ZoneInfo(company.time_zone)
    opened = Q(
        opened_at__gte=datetime.combine(start + timedelta(days=1), time.min, tzinfo=zone),
        opened_at__lt=datetime.combine(today + timedelta(days=1), time.min, tzinfo=zone),
    )
    queries = {
        "disputes": Dispute.objects.filter(opened, company=company),
        "broken_promises": Promise.objects.filter(
            company=company,
            status=Promise.Status.BROKEN,
            promised_on__gt=start,
            promised_on__lte=today,
        ),
        "reminders": Reminder.objects.filter(
            company=company,
            status=Reminder.Status.SENT,
            overdue_amount__gt=0,
            planned_on__gt=start,
            planned_on__lte=today,
        ),
    }
    totals: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    queries["flagged"] = _flagged_disputes(company, start)
    for name, rows in queries.items():
        counts = rows.values("customer_id").annotate(n=Count("pk")).order_by()
        for customer_id, count in counts.values_list("customer_id", "n"):
            totals[customer_id]["disputes" if name == "flagged" else name] += count
    for customer_id, counts in totals.items():
        yield customer_id, dict(counts)


def _flagged_disputes(company: Company, start: date):
    """Invoices flagged "en litige" by an import (open, or issued in the window) that no
    Dispute record covers: a dispute the source system knew of."""
    recorded = Dispute.objects.filter(invoice=OuterRef("pk"))
    return (
        Invoice.objects.filter(company=company, is_disputed=True, is_credit=False)
        .filter(Q(open_amount__gt=0) | Q(issued_on__gt=start))
        .exclude(Exists(recorded))
    )


def _payments(company: Company, start: date, today: date):
    in_window = Q(received_on__gt=start)
    rows = (
        Payment.objects.filter(company=company, customer__isnull=False, received_on__lte=today)
        .values("customer_id")
        .annotate(
            last=Max("received_on"),
            count=Count("pk", filter=in_window),
            direct=Count("pk", filter=in_window & Q(method=PaymentMethod.DIRECT_DEBIT.value)),
        )
        .order_by()
        .values_list("customer_id", "last", "count", "direct")
    )
    for pk, last, count, direct in rows:
        yield (
            pk,
            {
                "days_since_payment": (today - last).days,
                "payments": count,
                "direct_debits": direct,
            },
        )


# --- Stored scores and alerts ---------------------------------------------------------------


# Each customer's latest row dated before a day: its score in force then.
LATEST = """
SELECT s.customer_id, s.score, s.factors, s.suggested_profile, s.rule, s.limit_level,
       s.is_blocked, s.judged
FROM {score} s
JOIN (SELECT customer_id, MAX(computed_on) AS latest FROM {score}
      WHERE company_id = %s AND computed_on < %s GROUP BY customer_id) t
  ON s.customer_id = t.customer_id AND s.computed_on = t.latest
"""


@dataclass(frozen=True)
class Stored:
    """What a stored score row holds (the fields a new row is compared with)."""

    customer_id: int
    score: int
    factors: list
    suggested_profile: str
    rule: str
    limit_level: int
    is_blocked: bool
    judged: int


def latest_scores(company: Company, before: date) -> dict[int, Stored]:
    """Each customer's score in force the day before `before` (its latest row dated before
    it), in one statement."""
    sql = LATEST.format(score=Score._meta.db_table)
    found = {}
    for pk, score, factors, profile, rule, level, blocked, judged in _fetch(
        sql, [company.pk, _date(before)]
    ):
        factors = json.loads(factors) if isinstance(factors, str) else factors
        found[pk] = Stored(pk, score, factors, profile, rule, level, bool(blocked), judged)
    return found


def best_scores(company: Company, start: date, end: date) -> dict[int, int]:
    """The highest score of each customer among the rows dated in [start, end)."""
    rows = (
        Score.objects.filter(company=company, computed_on__gte=start, computed_on__lt=end)
        .values("customer_id")
        .annotate(best=Max("score"))
        .order_by()
        .values_list("customer_id", "best")
    )
    return dict(rows)


def recent_drops(company: Company, since: date) -> set[int]:
    """Customers with a score-drop alert raised on or after `since`."""
    rows = RiskAlert.objects.filter(
        company=company, kind=core.AlertKind.SCORE_DROP.value, raised_on__gte=since
    ).values_list("customer_id", flat=True)
    return set(rows)


# --- The scoring page ------------------------------------------------------------------------


def scored_customers(customers: QuerySet[Customer], filters: dict) -> QuerySet[Customer]:
    """`customers` with their score in force (`score_id`, `score_value`), its suggestion
    (`suggested`) and whether that suggestion was rejected lately (`rejected`), filtered and
    ordered the riskiest first (customers without a score last)."""
    latest = Score.objects.filter(customer=OuterRef("pk")).order_by("-computed_on")
    since = timezone.now() - timedelta(days=REJECTION_DAYS)
    rejected = ProfileDecision.objects.filter(
        customer=OuterRef("pk"),
        suggested_profile=OuterRef("suggested"),
        is_accepted=False,
        decided_at__gte=since,
    )
    rows = customers.annotate(
        score_id=Subquery(latest.values("pk")[:1]),
        score_value=Subquery(latest.values("score")[:1]),
        suggested=Subquery(latest.values("suggested_profile")[:1]),
    ).annotate(rejected=Exists(rejected))
    rows = _filtered(rows, filters)
    return rows.select_related("collector").order_by(
        F("score_value").asc(nulls_last=True), "name", "pk"
    )


def _filtered(rows: QuerySet[Customer], filters: dict) -> QuerySet[Customer]:
    if text := filters.get("q"):
        rows = rows.filter(Q(code__icontains=text) | Q(name__icontains=text))
    if profile := filters.get("payer_profile"):
        rows = rows.filter(payer_profile=profile)
    band = filters.get("band")
    if band == "none":
        rows = rows.filter(score_value__isnull=True)
    elif band in BAND_RANGES:
        lowest, upper = BAND_RANGES[band]
        rows = rows.filter(score_value__gte=lowest, score_value__lt=upper)
    if filters.get("pending"):
        rows = rows.exclude(suggested="").exclude(suggested=F("payer_profile"))
        rows = rows.filter(rejected=False)
    return rows


def _tables() -> dict[str, str]:
    return {"invoice": Invoice._meta.db_table, "allocation": Allocation._meta.db_table}


def _fetch(sql: str, params: list) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _date(day: date):
    return connection.ops.adapt_datefield_value(day)


def _decimal(value) -> Decimal:
    """SQLite sums decimals as floats: back to Decimal through their shortest text."""
    if value is None:
        return Decimal(0)
    return value if isinstance(value, Decimal) else Decimal(str(value))
