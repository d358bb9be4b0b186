"""The summary of an evidence export (a PDF in French): the parties with their identifiers, the
claim (principal, interest to date, indemnities: relance.legal.services.amounts_for), the
chronology of everything done to collect, and the manifest of the ZIP's files."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.utils import timezone

from relance.core import interest
from relance.core.dunning import Channel
from relance.dunning.channels.email import LOCAL_NOTE
from relance.dunning.models import Call, Dispute, Promise, Reminder
from relance.ledger.models import Customer, Invoice, Payment
from relance.legal.services import amounts_for
from relance.letters.models import Letter
from relance.notes.models import Note
from relance.plans.models import PaymentPlan
from relance.web.templatetags.relance_format import money

from .files import Anomaly, File, letter_of, message_id_of, recipient_label

SMS_PROVIDER = re.compile(r" ; (\S+ \S+)$")  # the provider's name and message id
SMS_RECEIPT = ("SMS remis", "SMS non remis")


@dataclass
class Entry:
    """One line of the chronology."""

    at: datetime
    kind: str
    detail: str
    status: str
    proof: list[str] = field(default_factory=list)


def claims(customer: Customer, as_of: date) -> list[dict]:
    """The claim in each currency: every open invoice with principal, days late, interest to
    date and indemnity, the open credits deducted, the total claimed. A missing half-year of
    rates refuses the export: a claim never states a wrong figure."""
    items = list(
        Invoice.objects.filter(customer=customer, open_amount__gt=0).order_by("due_on", "number")
    )
    payments = Payment.objects.filter(customer=customer, unallocated_amount__gt=0)
    currencies = sorted({i.currency for i in items} | {p.currency for p in payments})
    return [_claim(customer, items, payments, currency, as_of) for currency in currencies]


def _claim(customer, items, payments, currency: str, as_of: date) -> dict:
    debits = [i for i in items if i.currency == currency and not i.is_credit]
    try:
        claim = amounts_for(customer, debits, as_of)
    except interest.MissingRatesError as error:
        raise ValidationError(
            f"Export impossible : taux légaux manquants ({error}). "
            "Un administrateur doit compléter la table des taux."
        ) from None
    credits = sum(
        (i.open_amount for i in items if i.currency == currency and i.is_credit), Decimal(0)
    )
    credits += sum((p.unallocated_amount for p in payments if p.currency == currency), Decimal(0))
    issued = {i.number: i.issued_on for i in debits}
    return {
        "currency": currency,
        "rows": [
            {
                "number": row.number,
                "issued_on": issued[row.number],
                "due_on": row.due_on,
                "principal": money(row.principal, currency),
                "days_late": row.days_late,
                "interest": money(row.interest, currency),
                "indemnity": money(row.indemnity, "EUR"),
            }
            for row in claim.items
        ],
        "principal": money(claim.total_principal, currency),
        "interest": money(claim.total_interest, currency),
        "indemnity": money(claim.total_indemnity, "EUR"),
        "credits": money(-credits, currency) if credits else "",
        "total": money(claim.total - credits, currency),
        "unconfirmed": ", ".join(str(half) for half in claim.unconfirmed),
    }


def chronology(customer: Customer, reminders: list[Reminder]) -> list[Entry]:
    """Everything done to collect, oldest first: reminders as sent, calls, promises,
    disputes, payment plans, internal notes."""
    entries = [_reminder_entry(reminder) for reminder in reminders]
    entries += [_call_entry(call) for call in _calls(customer)]
    entries += [_promise_entry(p) for p in customer.promises.prefetch_related("invoices")]
    entries += [_dispute_entry(d) for d in customer.disputes.select_related("invoice")]
    entries += [_plan_entry(p) for p in customer.payment_plans.prefetch_related("instalments")]
    entries += [_note_entry(n) for n in _notes(customer)]
    zone = ZoneInfo(customer.company.time_zone)
    for entry in entries:
        entry.at = timezone.localtime(entry.at, zone)
    return sorted(entries, key=lambda entry: entry.at)


def _calls(customer: Customer):
    return Call.objects.filter(customer=customer).select_related("contact", "user")


def _reminder_entry(reminder: Reminder) -> Entry:
    to = ", ".join(recipient_label(r) for r in reminder.recipients)
    detail = f"{reminder.step_name} — à : {to or '—'}"
    if reminder.subject:
        detail += f" — objet : {reminder.subject}"
    kind = f"Relance ({reminder.get_channel_display()})"
    return Entry(reminder.sent_at, kind, detail, _delivery(reminder), proof(reminder))


def _delivery(reminder: Reminder) -> str:
    status = str(reminder.get_status_display())
    letter = letter_of(reminder)
    if letter is not None and letter.status != Letter.Status.SENT:
        status += f" ; {letter.get_status_display()}"
        if letter.delivered_on:
            status += f" le {letter.delivered_on:%d/%m/%Y}"
    return status


def proof(reminder: Reminder) -> list[str]:
    """What proves the reminder went out and reached the debtor."""
    notes = [event.note for event in reminder.events.all()]
    lines = []
    if any(LOCAL_NOTE in note for note in notes):
        lines.append("Boîte d'envoi locale : message non transmis à un prestataire")
    message_id = message_id_of(reminder)
    if message_id:
        lines.append(f"Message-ID {message_id}")
    if reminder.channel == Channel.SMS.value:
        lines += [f"Identifiant {found[1]}" for n in notes if (found := SMS_PROVIDER.search(n))]
        lines += [note for note in notes if note.startswith(SMS_RECEIPT)]
    letter = letter_of(reminder)
    if letter is not None:
        lines += _letter_proof(letter)
    lines += [f"Pièce jointe {a['name']} (SHA-256 {a['sha256']})" for a in reminder.attachments]
    return lines


def _letter_proof(letter: Letter) -> list[str]:
    lines = [f"PDF du courrier conservé à l'impression (SHA-256 {letter.pdf_sha256})"]
    if letter.tracking_number:
        lines.append(f"Recommandé n° {letter.tracking_number}")
    if letter.receipt_sha256:
        lines.append(f"Accusé de réception conservé (SHA-256 {letter.receipt_sha256})")
    return lines


def _call_entry(call: Call) -> Entry:
    who = call.contact.name if call.contact else ""
    detail = f"Appel {('à ' + who) if who else ''} {call.phone}".strip()
    if call.user:
        detail += f" par {call.user.get_full_name() or call.user.get_username()}"
    proof = [call.note] if call.note else []
    if call.next_action_on:
        proof.append(f"Prochaine action le {call.next_action_on:%d/%m/%Y}")
    return Entry(call.at, "Appel", detail, str(call.get_outcome_display()), proof)


def _promise_entry(promise: Promise) -> Entry:
    numbers = ", ".join(i.number for i in promise.invoices.all())
    detail = f"Promesse de régler {money(promise.amount, promise.currency)}"
    detail += f" le {promise.promised_on:%d/%m/%Y}"
    if numbers:
        detail += f" (factures {numbers})"
    if promise.channel:
        detail += f", reçue par : {promise.get_channel_display()}"
    return Entry(promise.created_at, "Promesse", detail, str(promise.get_status_display()))


def _dispute_entry(dispute: Dispute) -> Entry:
    amount = money(dispute.amount, dispute.invoice.currency) if dispute.amount else "totalité"
    detail = f"Facture {dispute.invoice.number} ({amount}) : {dispute.get_reason_display()}"
    if dispute.description:
        detail += f" — {dispute.description}"
    status = str(dispute.get_status_display())
    if dispute.resolved_at:
        status += f" le {dispute.resolved_at:%d/%m/%Y}"
    proof = []
    if dispute.resolution:
        text = f"Résolution : {dispute.get_resolution_display()}"
        if dispute.resolution_note:
            text += f" — {dispute.resolution_note}"
        proof.append(text)
    return Entry(dispute.opened_at, "Litige", detail, status, proof)


def _plan_entry(plan: PaymentPlan) -> Entry:
    instalments = list(plan.instalments.all())
    detail = (
        f"Échéancier convenu le {plan.agreed_on:%d/%m/%Y} : "
        f"{money(plan.covered_amount, plan.currency)} en {len(instalments)} échéance(s)"
    )
    proof = [
        f"{i.number}. {i.due_on:%d/%m/%Y} : {money(i.amount, plan.currency)}" for i in instalments
    ]
    status = str(plan.get_status_display())
    if plan.ended_on:
        status += f" le {plan.ended_on:%d/%m/%Y}" + (f" ({plan.end_note})" if plan.end_note else "")
    return Entry(plan.created_at, "Échéancier", detail, status, proof)


def _notes(customer: Customer):
    return (
        Note.objects.filter(customer=customer)
        .select_related("author", "company", "invoice", "dispute__invoice", "plan")
        .prefetch_related("mentions__user")
    )


def _note_entry(note: Note) -> Entry:
    """An internal note as written (notes are never edited), with whom it mentioned."""
    author = note.author.get_full_name() or note.author.get_username()
    detail = f"{author} : {note.text}"
    proof = [f"Concerne : {note.about}"] if note.about else []
    proof += [
        f"Mentionne @{m.user.get_username()}"
        + (f", prévenu par e-mail le {_local(m.emailed_at, note):%d/%m/%Y}" if m.emailed_at else "")
        for m in note.mentions.all()
    ]
    return Entry(note.created_at, "Note interne", detail, "", proof)


def _local(moment: datetime, note: Note) -> datetime:
    return timezone.localtime(moment, ZoneInfo(note.company.time_zone))


def manifest(files: list[File], anomalies: list[Anomaly]) -> dict:
    return {
        "files": [{"name": f.name, "sha256": f.sha256, "size": len(f.content)} for f in files],
        "anomalies": anomalies,
    }
