"""Set-based reads for the anonymisation: which customers still hold something open, and the
last day anything happened on each account (one grouped query per kind of record)."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.db.models import Exists, Max, OuterRef

from relance.core.privacy import Account
from relance.dunning.models import (
    Call,
    Dispute,
    FollowUp,
    Hold,
    Promise,
    Reminder,
)
from relance.ledger.models import Allocation, Customer, Invoice, Payment
from relance.notes.models import Note
from relance.plans.models import Instalment, PaymentPlan
from relance.portal.models import AccessToken, DebtorAction

UNFINISHED = [
    Reminder.Status.AWAITING_APPROVAL,
    Reminder.Status.PENDING,
    Reminder.Status.SENDING,
    Reminder.Status.UNCERTAIN,
]
# (model, path to the customer, date or timestamp fields): every dated trace of an account.
ACTIVITY = [
    (Invoice, "customer", ["issued_on", "due_on"]),
    (Payment, "customer", ["received_on"]),
    (Allocation, "invoice__customer", ["allocated_on"]),
    (Reminder, "customer", ["created_at", "sent_at"]),
    (Call, "customer", ["at"]),
    (FollowUp, "customer", ["created_at", "done_at"]),
    (Note, "customer", ["created_at"]),
    (Dispute, "customer", ["opened_at", "resolved_at"]),
    (Promise, "customer", ["made_on", "decided_on"]),
    (Hold, "customer", ["created_at", "lifted_at", "ends_on"]),
    (PaymentPlan, "customer", ["agreed_on", "ended_on"]),
    (Instalment, "plan__customer", ["due_on"]),
    (DebtorAction, "customer", ["created_at", "handled_at"]),
    (AccessToken, "customer", ["last_used_at"]),
]


def _exists(model, **filters) -> Exists:
    return Exists(model.objects.filter(customer=OuterRef("pk"), **filters))


def candidates(company):
    """The company's customers not yet anonymised, with what still holds their data."""
    return (
        Customer.objects.filter(company=company, anonymisation__isnull=True)
        .annotate(
            open_invoice=_exists(Invoice, open_amount__gt=0),
            open_payment=_exists(Payment, unallocated_amount__gt=0),
            open_dispute=_exists(Dispute, status=Dispute.Status.OPEN),
            open_promise=_exists(Promise, status=Promise.Status.OPEN),
            active_plan=_exists(PaymentPlan, status=PaymentPlan.Status.ACTIVE),
            pending_reminder=_exists(Reminder, status__in=UNFINISHED),
        )
        .order_by("pk")
    )


def last_activity(company) -> dict[int, date]:
    """Customer id -> the latest day anything happened on the account, in the company's time
    zone."""
    zone = ZoneInfo(company.time_zone)
    latest: dict[int, date] = {}
    for model, path, fields in ACTIVITY:
        rows = (
            model.objects.filter(**{f"{path}__company": company})
            .values(path)
            .annotate(**{f"last_{field}": Max(field) for field in fields})
        )
        for row in rows:
            customer = row.pop(path)
            for value in row.values():
                day = _day(value, zone)
                if day is not None and (customer not in latest or day > latest[customer]):
                    latest[customer] = day
    return latest


def _day(value, zone: ZoneInfo) -> date | None:
    if isinstance(value, datetime):
        return value.astimezone(zone).date()
    return value


def account_of(customer, latest: dict[int, date]) -> Account:
    return Account(
        has_open_items=customer.open_invoice or customer.open_payment,
        has_open_dispute=customer.open_dispute,
        has_open_promise=customer.open_promise,
        has_active_plan=customer.active_plan,
        has_pending_reminder=customer.pending_reminder,
        last_activity_on=latest.get(customer.pk),
    )
