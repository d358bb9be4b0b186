"""Dashboard figures and KPIs of a company (or a portfolio) as of a date, in one currency.

Read-only: relance.reports.queries reads the ledger as of the date in a few aggregate
queries, relance.core.kpis computes. Definitions: docs/kpis.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import F, QuerySet, Sum
from django.db.models.functions import Coalesce

from relance.core.kpis import (
    COUNTBACK_MONTHS,
    DSO_DAYS,
    Aging,
    KpiInputs,
    Kpis,
    compute_kpis,
    dso_simple,
    empty_aging,
    months_before,
    sales_period,
    share,
)
from relance.dunning.models import Dispute, Promise
from relance.ledger.models import Company, Customer

from . import queries
from .queries import Debtor

EVOLUTION_MONTHS = 12


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
    return _kpis(
        company, as_of, aging, opening.get(currency, Decimal(0)), _sales(company, as_of, currency,
        customers), customers,
    )  # fmt: skip


def _kpis(company, as_of, aging, opening, sales, customers) -> Kpis:
    paid = queries.paid_invoices(company, as_of - timedelta(days=DSO_DAYS), as_of, customers)
    inputs = KpiInputs(as_of, aging, opening, sales, paid.get(aging.currency, []))
    return compute_kpis(inputs)


def _sales(company, as_of, currency, customers) -> dict[date, Decimal]:
    """Daily sales over the countback window, which also covers the 12 months' simple DSO."""
    start = months_before(as_of, COUNTBACK_MONTHS)
    return queries.daily_sales(company, start, as_of, customers).get(currency, {})


@dataclass(frozen=True)
class MonthPoint:
    """Outstanding, overdue and simple DSO at the end of one of the evolution's months."""

    as_of: date
    outstanding: Decimal
    overdue: Decimal
    dso_simple: Decimal | None


def evolution(
    company: Company,
    as_of: date,
    currency: str,
    customers: QuerySet[Customer] | None = None,
    months: int = EVOLUTION_MONTHS,
) -> list[MonthPoint]:
    """The figures as of `as_of` and as of the same day of each of the previous months,
    oldest first."""
    agings = monthly_agings(company, as_of, currency, customers, months)
    return evolution_points(agings, _sales(company, as_of, currency, customers))


def monthly_agings(company, as_of, currency, customers, months=EVOLUTION_MONTHS) -> dict:
    """The aging as of `as_of` and the same day of the previous months, oldest first."""
    days = [months_before(as_of, count) for count in reversed(range(months))]
    return {
        day: queries.aging_as_of(company, day, customers).get(currency, empty_aging(currency))
        for day in days
    }


def evolution_points(agings: dict[date, Aging], sales: dict[date, Decimal]) -> list[MonthPoint]:
    points = []
    for day, aging in agings.items():
        period = sales_period(sales, day - timedelta(days=DSO_DAYS), day)
        dso = dso_simple(aging.outstanding, period.sales)
        points.append(MonthPoint(day, aging.outstanding, aging.overdue, dso))
    return points


@dataclass(frozen=True)
class Dashboard:
    """What the dashboard page shows. Disputes, promises and handovers are today's (they
    keep no history of their amounts); everything else is as of `kpis.as_of`."""

    kpis: Kpis
    currencies: list[str]
    share_overdue: Decimal | None
    debtors: list[Debtor]
    disputed: Decimal
    promised: Decimal
    handed_over: Decimal
    evolution: list[MonthPoint]

    @property
    def currency(self) -> str:
        return self.kpis.currency


def dashboard(
    company: Company,
    as_of: date,
    currency: str | None = None,
    customers: QuerySet[Customer] | None = None,
) -> Dashboard:
    currency = currency or company.currency
    # The 12 months' agings give today's aging and last month's outstanding (an aging's
    # outstanding is the net outstanding: a credit left over counts negative), and one read
    # of the sales serves every DSO.
    agings = monthly_agings(company, as_of, currency, customers)
    sales = _sales(company, as_of, currency, customers)
    opening = agings[months_before(as_of, 1)].outstanding
    kpis = _kpis(company, as_of, agings[as_of], opening, sales, customers)
    scope = customers if customers is not None else Customer.objects.filter(company=company)
    handed_over = queries.outstanding_as_of(company, as_of, scope.filter(is_handed_over=True))
    return Dashboard(
        kpis=kpis,
        currencies=queries.currencies_of(company),
        share_overdue=share(kpis.aging.overdue, kpis.aging.outstanding),
        debtors=queries.top_debtors(company, as_of, currency, customers),
        disputed=disputed_amount(company, currency, scope),
        promised=promised_amount(company, currency, scope),
        handed_over=handed_over.get(currency, Decimal(0)),
        evolution=evolution_points(agings, sales),
    )


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
