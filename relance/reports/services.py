"""Dashboard figures and KPIs of a company (or a portfolio) as of a date, in one currency.

Read-only: relance.reports.queries and relance.reports.collection read the ledger and the
dunning history as of the date in a few aggregate queries, relance.core.kpis computes.
Definitions: docs/kpis.md. `cached_dashboard` keeps the heavy part (every figure of the 12
months) in Django's cache until the company's ledger version changes (relance.reports.cache).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.db.models import F, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from relance.core.kpis import (
    COUNTBACK_MONTHS,
    DSO_DAYS,
    Aging,
    CollectionActivity,
    KpiInputs,
    Kpis,
    PaidInvoice,
    UnitCosts,
    UnpaidCohort,
    collection_cost,
    compute_kpis,
    empty_aging,
    months_before,
    share,
    unpaid_rate,
)
from relance.dunning.models import Dispute, Promise
from relance.ledger.models import Company, Customer, Invoice
from relance.plans.models import PaymentPlan

from . import cache, collection, queries
from .collection import Recovery
from .queries import Debtor

EVOLUTION_MONTHS = 12
# A new currency is rare: after a change, the known ones are shown rather than waited for.
CURRENCIES_WAIT = 0.2


def kpis_as_of(
    company: Company,
    as_of: date,
    currency: str | None = None,
    customers: QuerySet[Customer] | None = None,
) -> Kpis:
    """Every KPI of `currency` (default: the company's) as of `as_of`."""
    currency = currency or company.currency
    aging = queries.aging_as_of(company, as_of, customers).get(currency, empty_aging(currency))
    opening = queries.outstanding_as_of(company, months_before(as_of, 1), customers)
    sales = _sales(company, as_of, as_of, currency, customers)
    paid = queries.paid_invoices(company, as_of - timedelta(days=DSO_DAYS), as_of, customers)
    inputs = KpiInputs(
        as_of, aging, opening.get(currency, Decimal(0)), sales, paid.get(currency, [])
    )
    return compute_kpis(inputs)


def _sales(company, first, last, currency, customers) -> dict[date, Decimal]:
    """Daily sales from the countback window of `first` up to `last` (which also covers the
    simple DSO and the CEI of every point in between)."""
    start = months_before(first, COUNTBACK_MONTHS)
    return queries.daily_sales(company, start, last, customers).get(currency, {})


def unit_costs(company: Company) -> UnitCosts:
    return UnitCosts(
        email=company.email_unit_cost,
        sms=company.sms_unit_cost,
        letter=company.letter_unit_cost,
        registered_letter=company.registered_letter_unit_cost,
        phone_minute=company.phone_minute_cost,
        minutes_per_call=company.call_minutes,
    )


@dataclass(frozen=True)
class MonthPoint:
    """Every figure as of one of the evolution's days; the collection figures (recovered,
    cost) are those of the month ending on that day."""

    as_of: date
    kpis: Kpis
    unpaid: UnpaidCohort
    recovery: Recovery
    activity: CollectionActivity
    cost: Decimal  # of collection, in the company's currency

    @property
    def outstanding(self) -> Decimal:
        return self.kpis.aging.outstanding

    @property
    def overdue(self) -> Decimal:
        return self.kpis.aging.overdue

    @property
    def not_due(self) -> Decimal:
        return self.kpis.aging.not_due

    @property
    def dso_simple(self) -> Decimal | None:
        return self.kpis.dso_simple

    @property
    def share_overdue(self) -> Decimal | None:
        return share(self.overdue, self.outstanding)

    @property
    def unpaid_rate(self) -> Decimal | None:
        return unpaid_rate(self.unpaid)

    @property
    def cost_per_invoice(self) -> Decimal | None:
        return None if self.activity.invoices <= 0 else self.cost / self.activity.invoices


def month_ends(as_of: date, months: int = EVOLUTION_MONTHS) -> list[date]:
    """`as_of` and the same day of each of the previous months, oldest first."""
    return [months_before(as_of, count) for count in reversed(range(months))]


def evolution(
    company: Company,
    as_of: date,
    currency: str,
    customers: QuerySet[Customer] | None = None,
    months: int = EVOLUTION_MONTHS,
) -> list[MonthPoint]:
    """Every figure as of `as_of` and as of the same day of the previous months, oldest
    first: one read each of the agings, the sales, the paid invoices, the
    cohorts, the collections and the dunning work, each for all the points at once."""
    points = month_ends(as_of, months)
    pieces = queries.pieces_as_of(company, points, customers)
    agings = {
        day: aging.get(currency, empty_aging(currency))
        for day, aging in queries.agings_of(pieces, points).items()
    }
    sales = _sales(company, points[0], as_of, currency, customers)
    window = points[0] - timedelta(days=DSO_DAYS)
    paid = queries.paid_invoices(company, window, as_of, customers).get(currency, [])
    openings = _openings(company, agings, currency, customers)
    unpaid = collection.unpaid_cohorts(company, points, currency, customers, pieces)
    recovered = collection.recoveries(company, points, currency, customers)
    activity = collection.activities(company, points, currency, customers)
    costs = unit_costs(company)
    return [
        MonthPoint(
            as_of=day,
            kpis=compute_kpis(KpiInputs(day, agings[day], openings[day], sales, _paid(paid, day))),
            unpaid=unpaid[day],
            recovery=recovered[day],
            activity=activity[day],
            cost=collection_cost(activity[day], costs),
        )
        for day in points
    ]


def _openings(company, agings: dict[date, Aging], currency, customers) -> dict[date, Decimal]:
    """The CEI's opening outstanding of each point (as of one month before it): from the
    points' own agings when there (usually), else read."""
    openings = {}
    for day in agings:
        before = months_before(day, 1)
        if before in agings:
            openings[day] = agings[before].outstanding
        else:
            read = queries.outstanding_as_of(company, before, customers)
            openings[day] = read.get(currency, Decimal(0))
    return openings


def _paid(paid: list[PaidInvoice], day: date) -> list[PaidInvoice]:
    """The invoices paid in the N days up to `day`: an invoice whose last allocation is on or
    before `day` was settled by then (its open amount cannot come back without undoing)."""
    start = day - timedelta(days=DSO_DAYS)
    return [invoice for invoice in paid if start < invoice.paid_on <= day]


@dataclass(frozen=True)
class Figures:
    """The heavy part of the dashboard, which is cached: everything read "as of"."""

    evolution: list[MonthPoint]
    debtors: list[Debtor]
    handed_over: Decimal


def figures(
    company: Company, as_of: date, currency: str, customers: QuerySet[Customer] | None = None
) -> Figures:
    return Figures(
        evolution=evolution(company, as_of, currency, customers),
        debtors=queries.top_debtors(company, as_of, currency, customers),
        handed_over=handed_over_amount(company, as_of, currency, customers),
    )


def handed_over_amount(
    company: Company, as_of: date, currency: str, customers: QuerySet[Customer] | None
) -> Decimal:
    """What the customers handed over to collection owe. Few are: their ids drive the read
    (none, no read), not a pass over every open item checking each one's customer."""
    scope = customers if customers is not None else Customer.objects.filter(company=company)
    ids = list(scope.filter(is_handed_over=True).values_list("pk", flat=True))
    if not ids:
        return Decimal(0)
    handed = Customer.objects.filter(pk__in=ids)
    return queries.outstanding_as_of(company, as_of, handed).get(currency, Decimal(0))


@dataclass(frozen=True)
class Dashboard:
    """What the dashboard page shows. Disputes, promises, payment plans and handovers are
    today's (they keep no history of their amounts); everything else is as of `kpis.as_of`.
    `computed_at`: when the heavy figures were computed; `is_current`: False while they are
    the latest ones and the current ones are being computed (relance.reports.cache)."""

    kpis: Kpis
    currencies: list[str]
    debtors: list[Debtor]
    disputed: Decimal
    promised: Decimal
    in_plans: Decimal
    handed_over: Decimal
    evolution: list[MonthPoint]
    unit_costs: UnitCosts = field(repr=False)
    computed_at: datetime | None = None
    is_current: bool = True

    @property
    def currency(self) -> str:
        return self.kpis.currency

    @property
    def now(self) -> MonthPoint:
        return self.evolution[-1]

    @property
    def share_overdue(self) -> Decimal | None:
        return self.now.share_overdue


def dashboard(
    company: Company,
    as_of: date,
    currency: str | None = None,
    customers: QuerySet[Customer] | None = None,
    *,
    cache_scope: tuple | None = None,
    wait: float | None = None,
) -> Dashboard:
    """The dashboard of `customers` (None: the whole company). With a `cache_scope` (what
    `customers` stands for: the member's portfolio and the filters), the heavy figures come
    from the cache while the ledger does not change; after a change, with a `wait`, the latest
    figures are shown when the current ones take longer than that to compute."""
    currency = currency or company.currency
    if cache_scope is None:
        heavy = cache.Cached(figures(company, as_of, currency, customers), timezone.now())
        currencies = queries.currencies_of(company)
    else:
        costs = tuple(vars(unit_costs(company)).values())
        key = ("figures", as_of, currency, cache_scope, costs)
        heavy = cache.current_or_recent(
            company, key, lambda: figures(company, as_of, currency, customers), wait=wait
        )
        currencies = cached_currencies(company)
    scope = customers if customers is not None else Customer.objects.filter(company=company)
    return Dashboard(
        kpis=heavy.value.evolution[-1].kpis,
        currencies=currencies,
        debtors=heavy.value.debtors,
        disputed=disputed_amount(company, currency, scope),
        promised=promised_amount(company, currency, scope),
        in_plans=planned_amount(company, currency, scope),
        handed_over=heavy.value.handed_over,
        evolution=heavy.value.evolution,
        unit_costs=unit_costs(company),
        computed_at=heavy.computed_at,
        is_current=heavy.is_current,
    )


def cached_currencies(company: Company) -> list[str]:
    """The company's currencies (two DISTINCT scans of the ledger), until it changes."""
    return cache.current_or_recent(
        company, ("currencies",), lambda: queries.currencies_of(company), wait=CURRENCIES_WAIT
    ).value


def disputed_amount(company: Company, currency: str, customers: QuerySet[Customer]) -> Decimal:
    """Open disputes: the amount contested, or the invoice's open amount when not given."""
    total = Dispute.objects.filter(
        company=company,
        status=Dispute.Status.OPEN,
        invoice__currency=currency,
        customer__in=customers,
    ).aggregate(total=Sum(Coalesce("amount", F("invoice__open_amount"))))["total"]
    return total or Decimal(0)


def promised_amount(company: Company, currency: str, customers: QuerySet[Customer]) -> Decimal:
    """Open promises to pay (not yet kept nor broken)."""
    total = Promise.objects.filter(
        company=company, status=Promise.Status.OPEN, currency=currency, customer__in=customers
    ).aggregate(total=Sum("amount"))["total"]
    return total or Decimal(0)


def planned_amount(company: Company, currency: str, customers: QuerySet[Customer]) -> Decimal:
    """What the invoices of active payment plans still owe (their open amounts today)."""
    plans = PaymentPlan.objects.filter(
        company=company, status=PaymentPlan.Status.ACTIVE, currency=currency
    )
    total = Invoice.objects.filter(
        pk__in=plans.values("invoices"), customer__in=customers
    ).aggregate(total=Sum("open_amount"))["total"]
    return queries._money(total)
