"""Anonymising the customers settled for longer than the retention period.

What goes, for each such customer (relance.core.privacy says which): its contacts' names,
e-mails, phones and addresses; a consumer's own name, code, identifiers and address (a
business's name and SIREN are a legal entity's, not a person's, and stay); the texts and
recipients of its reminders (addresses and numbers scrubbed from their history's notes, the
Message-IDs kept); the kept letter PDFs and acknowledgements of receipt (files deleted once
the transaction commits; their SHA-256 kept, as the proof that they existed); calls' numbers
and notes, internal notes, dispute and hold texts, payment plan notes; the debtor's page: links
revoked, messages and attached files removed; the payer's IBANs, and the payer's name, IBAN and
remittance text on its bank lines; the customer in the webhook events already sent.

What stays: invoices, credit notes, payments and allocations (numbers, dates, amounts), the
reminders' dates, channels, levels, amounts and statuses and their history, scores, so the
figures of the past do not move. An `Anonymisation` row records each customer done.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.db.models import CharField, Q, Value
from django.db.models.functions import Cast, Concat
from django.utils import timezone

from relance.api.models import WebhookEvent
from relance.banking.models import BankAlert, BankLine, CustomerIBAN
from relance.core.privacy import RETENTION_YEARS, Verdict, decide, scrub
from relance.dunning.models import Call, Dispute, FollowUp, Hold, Reminder, ReminderEvent
from relance.ledger.models import Contact, Customer
from relance.letters.models import Letter
from relance.notes.models import Note
from relance.plans.models import PaymentPlan
from relance.portal.models import AccessToken, DebtorAction, PlanRequest, Upload

from . import queries
from .models import Anonymisation

REMOVED = "[anonymisé]"
CONTACT_NAME = "Contact anonymisé"
CONSUMER_NAME = "Client anonymisé "  # + the customer's id
CONSUMER_CODE = "ANON-"  # + the customer's id
CHUNK = 500  # ids per IN (...): far below SQLite's limit of bound parameters


@dataclass(frozen=True)
class Settled:
    """A customer the run anonymises (or would, in a dry run)."""

    customer_id: int
    code: str
    is_consumer: bool
    last_activity_on: date | None


@dataclass
class Outcome:
    anonymised: list[Settled] = field(default_factory=list)
    kept: Counter = field(default_factory=Counter)  # Verdict -> customers kept for it
    counts: Counter = field(default_factory=Counter)  # kind of record -> rows anonymised


def settled_customers(company, today: date, years: int) -> tuple[list[Settled], Counter]:
    """The customers whose personal data may go, and why the others stay."""
    latest = queries.last_activity(company)
    settled, kept = [], Counter()
    for customer in queries.candidates(company):
        account = queries.account_of(customer, latest)
        verdict = decide(account, today, years)
        if verdict is Verdict.ANONYMISE:
            settled.append(
                Settled(customer.pk, customer.code, customer.is_consumer, account.last_activity_on)
            )
        else:
            kept[verdict] += 1
    return settled, kept


def anonymise_settled(
    company, today: date, years: int = RETENTION_YEARS, *, dry_run: bool = False
) -> Outcome:
    """Anonymise every customer of `company` settled for more than `years` years on `today`,
    in one transaction: all of them or none."""
    settled, kept = settled_customers(company, today, years)
    outcome = Outcome(anonymised=settled, kept=kept)
    if dry_run or not settled:
        return outcome
    with transaction.atomic():
        for start in range(0, len(settled), CHUNK):
            chunk = settled[start : start + CHUNK]
            outcome.counts.update(_anonymise(company, chunk))
        Anonymisation.objects.bulk_create(
            Anonymisation(
                company=company,
                customer_id=row.customer_id,
                last_activity_on=row.last_activity_on,
                retention_years=years,
                was_consumer=row.is_consumer,
            )
            for row in settled
        )
    return outcome


def _anonymise(company, chunk: list[Settled]) -> Counter:
    ids = [row.customer_id for row in chunk]
    consumers = [row for row in chunk if row.is_consumer]
    counts = Counter()
    counts["contacts"] = Contact.objects.filter(customer_id__in=ids).update(
        name=CONTACT_NAME, email="", phone="", mobile="", address="", postal_code="", city=""
    )
    counts.update(_consumers(company, consumers))
    counts.update(_reminders(ids))
    counts.update(_dunning_texts(ids))
    counts.update(_portal(ids))
    counts.update(_banking(ids))
    return counts


def _consumers(company, consumers: list[Settled]) -> Counter:
    """A consumer is a person: its name, code and address go; its webhook events follow."""
    if not consumers:
        return Counter()
    ids = [row.customer_id for row in consumers]
    updated = Customer.objects.filter(pk__in=ids).update(
        code=Concat(Value(CONSUMER_CODE), Cast("pk", CharField())),
        name=Concat(Value(CONSUMER_NAME), Cast("pk", CharField())),
        siren="",
        siret="",
        vat_number="",
        address="",
        postal_code="",
        city="",
    )
    return Counter(customers=updated, webhook_events=_webhook_events(company, consumers))


def _webhook_events(company, consumers: list[Settled]) -> int:
    """The customer ({"code", "name"}) of the events already sent, renamed as it now is."""
    renamed = {row.code: row.customer_id for row in consumers}
    events = list(
        WebhookEvent.objects.filter(company=company, payload__customer__code__in=list(renamed))
    )
    for event in events:
        pk = renamed[event.payload["customer"]["code"]]
        event.payload["customer"] = {"code": f"{CONSUMER_CODE}{pk}", "name": f"{CONSUMER_NAME}{pk}"}
    WebhookEvent.objects.bulk_update(events, ["payload"])
    return len(events)


def _reminders(ids: list[int]) -> Counter:
    """Texts and recipients go; dates, channels, amounts and statuses stay. The history's
    notes lose their addresses and numbers only (Message-IDs and provider ids stay)."""
    reminders = Reminder.objects.filter(customer_id__in=ids)
    counts = Counter(
        reminders=reminders.update(
            recipients=[], subject=REMOVED, body_text=REMOVED, body_html="", error=""
        )
    )
    events = list(
        ReminderEvent.objects.filter(reminder__customer_id__in=ids).filter(
            Q(note__contains="@") | Q(note__regex=r"[0-9]{6}|[0-9]{2}[ .-][0-9]{2}")
        )
    )
    for event in events:
        event.note = scrub(event.note)
    ReminderEvent.objects.bulk_update(events, ["note"])
    counts["reminder_events"] = len(events)
    letters = Letter.objects.filter(reminder__customer_id__in=ids)
    _delete_after_commit(
        path for pair in letters.values_list("pdf_path", "receipt_path") for path in pair
    )
    counts["letters"] = letters.update(pdf_path="", receipt_path="")
    return counts


def _dunning_texts(ids: list[int]) -> Counter:
    """Free texts people typed about the customer."""
    mine = {"customer_id__in": ids}
    return Counter(
        calls=Call.objects.filter(**mine).update(phone="", note=""),
        follow_ups=FollowUp.objects.filter(**mine).update(note="", done_note=""),
        notes=Note.objects.filter(**mine).update(text=REMOVED),
        disputes=Dispute.objects.filter(**mine).update(description="", resolution_note=""),
        holds=Hold.objects.filter(**mine).update(reason=REMOVED),
        payment_plans=PaymentPlan.objects.filter(**mine).update(notes="", end_note=""),
    )


def _portal(ids: list[int]) -> Counter:
    """The debtor's page: its links revoked, what the debtor wrote and attached removed."""
    uploads = Upload.objects.filter(action__customer_id__in=ids)
    _delete_after_commit(uploads.values_list("path", flat=True))
    return Counter(
        portal_links=AccessToken.objects.filter(
            customer_id__in=ids, revoked_at__isnull=True
        ).update(revoked_at=timezone.now()),
        portal_actions=DebtorAction.objects.filter(customer_id__in=ids).update(
            summary=REMOVED, note=""
        ),
        portal_uploads=uploads.update(name=REMOVED, path=""),
        plan_requests=PlanRequest.objects.filter(customer_id__in=ids).update(decision_note=""),
    )


def _banking(ids: list[int]) -> Counter:
    """The payer's bank details on the lines that paid the customer; the line's amount, date
    and fingerprint stay (a statement imported again still adds nothing)."""
    paid = Q(payment__customer_id__in=ids) | Q(matches__customer_id__in=ids)
    lines = BankLine.objects.filter(paid).values("pk")  # a subquery: no list of ids
    return Counter(
        bank_lines=BankLine.objects.filter(pk__in=lines).update(
            counterparty_name="", counterparty_iban="", remittance=""
        ),
        bank_alerts=BankAlert.objects.filter(customer_id__in=ids).update(message=REMOVED),
        ibans=CustomerIBAN.objects.filter(customer_id__in=ids).delete()[0],
    )


def _delete_after_commit(paths) -> None:
    """Kept files go once the anonymisation is committed (a rollback leaves them)."""
    files = [Path(settings.UPLOAD_ROOT) / path for path in paths if path]
    transaction.on_commit(lambda: [file.unlink(missing_ok=True) for file in files])
