"""The ledger -> relance.core.forecast records, read set-based: one query for the invoices
with their settlement dates, one for the reminders sent, one for the disputes.

An invoice is settled on the date of its last allocation once nothing is left open (the
"as of" rule of relance.reports.queries). Reminders and disputes carry timestamps: they are
dated in the company's time zone. The payer profile is today's: the ledger keeps no history
of it (docs/kpis.md says so).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.db.models import Max

from relance.core.forecast import Disputed, History, Item, Reminded
from relance.core.records import ItemKind
from relance.dunning.models import Dispute, Reminder, ReminderItem
from relance.ledger.models import Company, Invoice

ITEM_FIELDS = ("pk", "customer_id", "issued_on", "due_on", "amount", "customer__payer_profile")


def history(company: Company, since: date) -> History:
    """The company's invoices issued since `since`, settled or not, with the reminders sent
    for them and the company's disputes."""
    rows = (
        Invoice.objects.filter(
            company=company, kind=ItemKind.INVOICE.value, is_credit=False, issued_on__gte=since
        )
        .annotate(paid_on=Max("allocations__allocated_on"))
        .values_list(*ITEM_FIELDS, "open_amount", "paid_on")
        .order_by()
    )
    items = tuple(
        Item(pk, customer, issued, due, amount, profile, paid_on if open_amount == 0 else None)
        for pk, customer, issued, due, amount, profile, open_amount, paid_on in rows
    )
    zone = ZoneInfo(company.time_zone)
    return History(items, _reminders(company, since, zone), _disputes(company, zone))


def open_items(company: Company) -> list[Item]:
    """Every open debit item of the company, whatever its age or kind: what to predict."""
    rows = (
        Invoice.objects.filter(company=company, is_credit=False, open_amount__gt=0)
        .values_list(*ITEM_FIELDS)
        .order_by("pk")
    )
    return [Item(*row) for row in rows]


def _reminders(company: Company, since: date, zone: ZoneInfo) -> tuple[Reminded, ...]:
    rows = ReminderItem.objects.filter(
        reminder__company=company,
        reminder__status=Reminder.Status.SENT,
        reminder__sent_at__isnull=False,
        invoice__issued_on__gte=since,
    ).values_list(
        "reminder_id", "reminder__customer_id", "invoice_id", "reminder__sent_at", "reminder__level"
    )
    return tuple(
        Reminded(reminder, customer, invoice, _day(sent_at, zone), level)
        for reminder, customer, invoice, sent_at, level in rows.order_by()
    )


def _disputes(company: Company, zone: ZoneInfo) -> tuple[Disputed, ...]:
    rows: Iterable = Dispute.objects.filter(company=company).values_list(
        "customer_id", "invoice_id", "opened_at", "resolved_at"
    )
    return tuple(
        Disputed(customer, invoice, _day(opened, zone), _day(resolved, zone) if resolved else None)
        for customer, invoice, opened, resolved in rows.order_by()
    )


def _day(moment: datetime, zone: ZoneInfo) -> date:
    return moment.astimezone(zone).date()
