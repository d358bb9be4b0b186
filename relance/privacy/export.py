"""Everything Relance holds about one customer, as JSON (GDPR articles 15 and 20: the person's
right of access and to portability).

Every concrete field of every record is written (a field added to a model appears without
anyone touching this file), except the secrets: the hash of a portal link, the idempotency key
of a payment session. A link to a colleague is their user name; a link to another record, its
id.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db.models import FileField, ForeignKey, Q
from django.utils import timezone

from relance.api.models import WebhookEvent
from relance.banking.models import BankAlert, BankLine, CustomerIBAN, Match
from relance.dunning.models import (
    Call,
    Dispute,
    FollowUp,
    Hold,
    Promise,
    Reminder,
    ReminderEvent,
    ReminderItem,
)
from relance.evidence.models import EvidenceExport
from relance.ledger.models import Allocation, Contact, Invoice, Payment
from relance.letters.models import Letter
from relance.notes.models import Mention, Note
from relance.plans.models import Instalment, PaymentPlan
from relance.portal.models import (
    AccessToken,
    CheckoutSession,
    DebtorAction,
    PaymentClaim,
    PlanRequest,
    Upload,
)
from relance.scoring.models import ProfileDecision, RiskAlert, Score

from .models import Anonymisation

SECRETS = {"token_hash", "idempotency_key"}
FORMAT = 1  # the layout of the document; raised when a section changes meaning


def export_customers(company, customers, query: dict) -> dict:
    """The document for `customers` (one, or those sharing an e-mail address)."""
    users = dict(get_user_model().objects.values_list("pk", "username"))
    return {
        "format": FORMAT,
        "generated_at": timezone.now().isoformat(),
        "company": {"code": company.code, "name": company.name},
        "query": query,
        "customers": [_customer(customer, users) for customer in customers],
    }


def _customer(customer, users: dict[int, str]) -> dict:
    mine = {"customer": customer}
    invoices = Invoice.objects.filter(**mine)
    payments = Payment.objects.filter(**mine)
    reminders = Reminder.objects.filter(**mine)
    return {
        "customer": row(customer, users),
        "anonymisation": rows(Anonymisation, users, **mine),
        "contacts": rows(Contact, users, **mine),
        "invoices": rows(Invoice, users, **mine),
        "payments": rows(Payment, users, **mine),
        "allocations": rows_of(
            Allocation.objects.filter(Q(invoice__in=invoices) | Q(payment__in=payments)), users
        ),
        "reminders": rows(Reminder, users, **mine),
        "reminder_items": rows(ReminderItem, users, reminder__in=reminders),
        "reminder_history": rows(ReminderEvent, users, reminder__in=reminders),
        "letters": rows(Letter, users, reminder__in=reminders),
        "calls": rows(Call, users, **mine),
        "follow_ups": rows(FollowUp, users, **mine),
        "notes": rows(Note, users, **mine),
        "mentions": rows(Mention, users, note__customer=customer),
        "promises": rows(Promise, users, **mine),
        "disputes": rows(Dispute, users, **mine),
        "holds": rows(Hold, users, **mine),
        "payment_plans": rows(PaymentPlan, users, **mine),
        "instalments": rows(Instalment, users, plan__customer=customer),
        "self_service": _self_service(customer, users),
        "bank": _bank(customer, users),
        "scores": rows(Score, users, **mine),
        "risk_alerts": rows(RiskAlert, users, **mine),
        "profile_decisions": rows(ProfileDecision, users, **mine),
        "evidence_exports": rows(EvidenceExport, users, **mine),
        "webhook_events": rows(
            WebhookEvent,
            users,
            company=customer.company,
            payload__customer__code=customer.code,
        ),
    }


def _self_service(customer, users) -> dict:
    mine = {"customer": customer}
    return {
        "links": rows(AccessToken, users, **mine),
        "actions": rows(DebtorAction, users, **mine),
        "uploads": rows(Upload, users, action__customer=customer),
        "payment_claims": rows(PaymentClaim, users, **mine),
        "plan_requests": rows(PlanRequest, users, **mine),
        "payments_online": rows(CheckoutSession, users, **mine),
    }


def _bank(customer, users) -> dict:
    lines = BankLine.objects.filter(
        Q(payment__customer=customer) | Q(matches__customer=customer)
    ).distinct()
    return {
        "ibans": rows(CustomerIBAN, users, customer=customer),
        "lines": rows_of(lines, users),
        "matches": rows(Match, users, customer=customer),
        "alerts": rows(BankAlert, users, customer=customer),
    }


def rows(model, users: dict[int, str], **filters) -> list[dict]:
    return rows_of(model.objects.filter(**filters), users)


def rows_of(queryset, users: dict[int, str]) -> list[dict]:
    return [row(record, users) for record in queryset.order_by("pk")]


def row(record, users: dict[int, str]) -> dict:
    """Every concrete field of `record` as JSON values; many-to-many links as lists of ids."""
    out = {}
    user_model = get_user_model()
    for field in record._meta.concrete_fields:
        if field.name in SECRETS:
            continue
        value = getattr(record, field.attname)
        if isinstance(field, ForeignKey) and field.related_model is user_model:
            out[field.name] = users.get(value)
        elif isinstance(field, ForeignKey):
            out[field.attname] = value
        elif isinstance(field, FileField):
            out[field.name] = value.name if value else ""
        else:
            out[field.name] = jsonable(value)
    for field in record._meta.many_to_many:
        out[field.name] = sorted(getattr(record, field.name).values_list("pk", flat=True))
    return out


def jsonable(value):
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value
