"""Late-payment interest and recovery indemnities of a customer's invoices: for reminders, the
formal notice and `relance notice preview`. The rules are in relance.core.interest; this module
reads what they need (the rate table, the customer's regime, the formal notices sent)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import Protocol
from zoneinfo import ZoneInfo

from django.db.models import Min, QuerySet

from relance.core import interest as core
from relance.core.dunning import Escalation
from relance.core.records import ItemKind
from relance.dunning.models import Reminder, ReminderItem
from relance.ledger.models import Customer, Invoice

from . import convert


class Listed(Protocol):
    """What an item needs to have: an Invoice, or a line of a reminder being rendered."""

    number: str
    due_on: date
    open_amount: Decimal
    currency: str
    is_credit: bool


def amounts_for(customer: Customer, items: Iterable[Listed], as_of: date) -> core.Penalties:
    """Principal, days late, interest and indemnity of each debit item as of `as_of`, with
    the totals (credit items are left out). Items not yet due are listed with zeros.

    Raises core.MissingRatesError when the rate table lacks a half-year the interest runs
    over, and MoneyError when the items are in several currencies."""
    debits = [item for item in items if not item.is_credit]
    noticed = formal_notice_dates(customer, [i.number for i in debits])
    invoices = [
        core.LateInvoice(i.number, i.due_on, i.open_amount, i.currency, noticed.get(i.number))
        for i in debits
    ]
    return core.penalties(
        invoices, as_of, convert.terms(customer.company, customer), convert.rate_table()
    )


def interest_rate_for(customer: Customer, as_of: date) -> Decimal:
    """The yearly rate of interest starting to run on `as_of` for this customer (percent)."""
    return core.rate_on(as_of, convert.terms(customer.company, customer), convert.rate_table())


def formal_notice_dates(customer: Customer, numbers: list[str]) -> dict[str, date]:
    """The day each invoice was first listed in a formal notice that went out, in the
    company's time zone (Code civil 1344-1: a consumer owes interest from then)."""
    if not customer.is_consumer or not numbers:
        return {}
    rows = (
        ReminderItem.objects.filter(
            reminder__customer=customer,
            reminder__escalation=Escalation.FORMAL_NOTICE.value,
            reminder__status=Reminder.Status.SENT,
            reminder__sent_at__isnull=False,
            invoice__number__in=numbers,
        )
        .values("invoice__number")
        .annotate(first=Min("reminder__sent_at"))
    )
    zone = ZoneInfo(customer.company.time_zone)
    return {row["invoice__number"]: row["first"].astimezone(zone).date() for row in rows}


def overdue_invoices(customer: Customer, as_of: date, currency: str) -> QuerySet[Invoice]:
    """The customer's open invoices in `currency` whose due date has passed, oldest first."""
    return Invoice.objects.filter(
        customer=customer,
        kind=ItemKind.INVOICE.value,
        is_credit=False,
        currency=currency,
        open_amount__gt=0,
        due_on__lt=as_of,
    ).order_by("due_on", "number")


def notice_preview(customer: Customer, as_of: date, currency: str = "") -> core.Penalties:
    """What a formal notice sent on `as_of` would claim: every overdue invoice in the
    currency (default: the company's) with its interest and indemnity."""
    currency = currency or customer.company.currency
    return amounts_for(customer, overdue_invoices(customer, as_of, currency), as_of)
