"""The cash-in calendar of a company (or a portfolio) in one currency: a few set-based reads
(open items, unused credits, the latest predictions, open promises, active plans), then
relance.core.forecast_calendar decides what is expected when.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import QuerySet, Sum

from relance.core import plans as core_plans
from relance.core.forecast import Forecast
from relance.core.forecast_calendar import (
    CalendarRow,
    Expected,
    OpenItem,
    Period,
    PlannedInstalment,
    PromisedPayment,
    Source,
    cash_calendar,
    expected_cash,
    naive_cash,
    totals_by_source,
)
from relance.core.money import round_money
from relance.dunning.models import Promise
from relance.ledger.models import Company, Customer, Invoice, Payment
from relance.plans import convert as plan_convert
from relance.plans.models import PaymentPlan

from .models import ForecastModel, Prediction


@dataclass(frozen=True)
class CashIn:
    """What the calendar page shows and exports."""

    today: date
    currency: str
    period: Period
    rows: list[CalendarRow]
    expected: list[Expected]
    totals: dict[Source, Decimal]
    model: ForecastModel | None


def cash_in(
    company: Company,
    today: date,
    currency: str,
    period: Period,
    customers: QuerySet[Customer] | None = None,
) -> CashIn:
    """The calendar of `currency` from `today`; `customers` limits it to a portfolio."""
    model = ForecastModel.objects.filter(company=company).defer("payload").first()
    items = open_items(company, currency, customers)
    credits = unused_credits(company, currency, customers)
    expected = expected_cash(
        items,
        predictions(model, currency, customers),
        promises(company, currency, customers),
        instalments(company, currency, customers),
        credits,
    )
    rows = cash_calendar(expected, naive_cash(items, credits), today, period)
    return CashIn(today, currency, period, rows, expected, totals_by_source(expected), model)


def _scoped(queryset: QuerySet, customers: QuerySet[Customer] | None) -> QuerySet:
    return queryset if customers is None else queryset.filter(customer__in=customers)


def open_items(company: Company, currency: str, customers=None) -> list[OpenItem]:
    rows = _scoped(
        Invoice.objects.filter(
            company=company, is_credit=False, open_amount__gt=0, currency=currency
        ),
        customers,
    ).values_list("pk", "customer_id", "currency", "due_on", "open_amount")
    # SQLite hands decimals back through floats: back to cents, as the reports do.
    return [
        OpenItem(pk, customer_id, currency, due_on, round_money(Decimal(str(amount))))
        for pk, customer_id, currency, due_on, amount in rows.order_by("due_on", "pk")
    ]


def unused_credits(
    company: Company, currency: str, customers=None
) -> dict[tuple[int, str], Decimal]:
    """Open credit items and unallocated payments, per customer."""
    credits: dict[tuple[int, str], Decimal] = defaultdict(Decimal)
    notes = (
        _scoped(
            Invoice.objects.filter(
                company=company, is_credit=True, open_amount__gt=0, currency=currency
            ),
            customers,
        )
        .values("customer_id")
        .annotate(total=Sum("open_amount"))
        .values_list("customer_id", "total")
    )
    paid = _scoped(
        Payment.objects.filter(
            company=company, unallocated_amount__gt=0, currency=currency, customer__isnull=False
        ),
        customers,
    ).values("customer_id").annotate(total=Sum("unallocated_amount")).values_list(
        "customer_id", "total"
    )  # fmt: skip
    for customer_id, total in [*notes.order_by(), *paid.order_by()]:
        credits[(customer_id, currency)] += round_money(Decimal(str(total)))
    return dict(credits)


def predictions(model: ForecastModel | None, currency: str, customers=None) -> dict[int, Forecast]:
    """The latest version's predictions of the open items of `currency`."""
    if model is None:
        return {}
    rows = Prediction.objects.filter(
        model=model, invoice__open_amount__gt=0, invoice__currency=currency
    )
    if customers is not None:
        rows = rows.filter(invoice__customer__in=customers)
    return {
        pk: Forecast(pk, expected_on, low_on, high_on, method)
        for pk, expected_on, low_on, high_on, method in rows.values_list(
            "invoice_id", "expected_on", "low_on", "high_on", "method"
        )
    }


def promises(company: Company, currency: str, customers=None) -> list[PromisedPayment]:
    rows = list(
        _scoped(
            Promise.objects.filter(company=company, status=Promise.Status.OPEN, currency=currency),
            customers,
        ).values_list("pk", "customer_id", "promised_on", "amount")
    )
    named: dict[int, list[int]] = defaultdict(list)
    through = Promise.invoices.through.objects.filter(promise_id__in=[row[0] for row in rows])
    for promise_id, invoice_id in through.values_list("promise_id", "invoice_id"):
        named[promise_id].append(invoice_id)
    return [
        PromisedPayment(customer_id, currency, promised_on, amount, tuple(named[pk]))
        for pk, customer_id, promised_on, amount in rows
    ]


def instalments(company: Company, currency: str, customers=None) -> list[PlannedInstalment]:
    """What each instalment of the active plans still asks (relance.core.plans.remaining)."""
    rows = _scoped(
        PaymentPlan.objects.filter(
            company=company, status=PaymentPlan.Status.ACTIVE, currency=currency
        ),
        customers,
    ).values_list("pk", "customer_id", "currency", "covered_amount")
    planned = []
    for state in plan_convert.states(rows):
        paid = core_plans.paid_amount(state.covered, state.open_amount)
        for instalment, left in zip(
            state.instalments, core_plans.remaining(state.instalments, paid), strict=True
        ):
            if left > 0:
                planned.append(
                    PlannedInstalment(
                        state.customer_id, state.currency, instalment.due_on, left, state.item_ids
                    )  # fmt: skip
                )
    return planned
