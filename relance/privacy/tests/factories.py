"""Customers with a whole history (invoice paid, reminders sent, a call, a note, a letter, a
portal link, a bank line), every record dated `on` so that the retention can be tested."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

from django.conf import settings

from relance.banking.models import BankLine, CustomerIBAN, Statement
from relance.dunning.models import Call, Dispute, Hold, Reminder, ReminderEvent
from relance.ledger import services
from relance.letters.models import Letter
from relance.notes.models import Note
from relance.portal import links
from relance.portal.models import AccessToken, DebtorAction, Upload
from relance.web.tests.factories import make_customer, make_invoice, make_reminder

PARIS = ZoneInfo("Europe/Paris")
IBAN = "FR7630006000011234567890189"


def at(day: date) -> datetime:
    return datetime.combine(day, time(10), tzinfo=PARIS)


def history(company, on: date, *, is_consumer: bool, name: str, email: str, user=None):
    """A customer whose last activity is `on`: one invoice of 120,00 paid that day."""
    customer = make_customer(
        company,
        code=f"C-{name.split()[-1].upper()}",
        name=name,
        is_consumer=is_consumer,
        address="3 rue des Lilas",
        postal_code="69003",
        city="Lyon",
    )
    contact = services.save_contact(
        customer.contacts.model(customer=customer),
        name=name if is_consumer else "Paul Martin",
        email=email,
        phone="01 23 45 67 89",
        mobile="06 12 34 56 78",
        address="3 rue des Lilas",
    )
    invoice = make_invoice(
        customer, "120.00", due_on=on - timedelta(days=30), number=f"F-{customer.pk:05d}"
    )
    payment = services.record_payment(
        company, customer=customer, amount=Decimal("120.00"), received_on=on, currency="EUR"
    )
    services.allocate(invoice, Decimal("120.00"), on, payment=payment)
    reminder = sent_email(customer, on, name, email)
    dunning_records(customer, contact, reminder, invoice, on, user)
    letter(customer, on, name)
    portal(customer, on)
    bank(customer, payment, on, name)
    return customer


def sent_email(customer, on: date, name: str, email: str) -> Reminder:
    reminder = make_reminder(
        customer,
        Reminder.Status.SENT,
        subject=f"Relance {name}",
        body_text=f"Bonjour {name}, la facture reste due.",
        body_html=f"<p>Bonjour {name}</p>",
        recipients=[{"email": email, "name": name, "kind": "to"}],
        sent_at=at(on - timedelta(days=10)),
    )
    ReminderEvent.objects.create(
        reminder=reminder, status="sent", note="Message-ID <172.99@relance.example.com>"
    )
    ReminderEvent.objects.create(
        reminder=reminder, status="failed", note=f"550 5.1.1 <{email}>: user unknown"
    )
    Reminder.objects.filter(pk=reminder.pk).update(created_at=at(on - timedelta(days=10)))
    ReminderEvent.objects.filter(reminder=reminder).update(at=at(on - timedelta(days=10)))
    return reminder


def dunning_records(customer, contact, reminder, invoice, on: date, user) -> None:
    Call.objects.create(
        company=customer.company, customer=customer, reminder=reminder, contact=contact,
        phone="+33612345678", outcome="promise", note="Mme au téléphone", user=user,
    )  # fmt: skip
    Note.objects.create(
        company=customer.company, customer=customer, author=user, text="Rappeler Paul le soir"
    )
    Dispute.objects.create(
        company=customer.company, customer=customer, invoice=invoice, reason="price",
        status="resolved",
        description="Prix contesté par Paul", resolution="rejected",
        resolution_note="Vu avec Paul", resolved_at=at(on),
    )  # fmt: skip
    Hold.objects.create(company=customer.company, customer=customer, reason="Paul en congés")
    for model in (Call, Note, Hold):
        field = "at" if model is Call else "created_at"
        model.objects.filter(customer=customer).update(**{field: at(on - timedelta(days=5))})
    Dispute.objects.filter(customer=customer).update(opened_at=at(on - timedelta(days=20)))


def letter(customer, on: date, name: str) -> Letter:
    reminder = make_reminder(
        customer, Reminder.Status.SENT, channel="letter", sent_at=at(on - timedelta(days=8))
    )
    Reminder.objects.filter(pk=reminder.pk).update(created_at=at(on - timedelta(days=8)))
    folder = Path(settings.UPLOAD_ROOT) / customer.company.code / "letters" / str(reminder.pk)
    folder.mkdir(parents=True)
    (folder / "lettre.pdf").write_bytes(f"%PDF-1.4 {name}".encode())
    (folder / "ar.pdf").write_bytes(b"%PDF-1.4 AR")
    relative = folder.relative_to(settings.UPLOAD_ROOT)
    return Letter.objects.create(
        reminder=reminder,
        pdf_path=str(relative / "lettre.pdf"),
        pdf_sha256="a" * 64,
        printed_at=at(on - timedelta(days=8)),
        status="delivered",
        tracking_number="1A00000000001",
        receipt_path=str(relative / "ar.pdf"),
        receipt_sha256="b" * 64,
    )


def portal(customer, on: date) -> None:
    links.issue_for_customer(customer)
    AccessToken.objects.filter(customer=customer).update(
        created_at=at(on - timedelta(days=30)), last_used_at=at(on - timedelta(days=3))
    )
    action = DebtorAction.objects.create(
        company=customer.company, customer=customer, kind="claim",
        summary="Paiement annoncé par Paul", note="J'ai payé hier, Paul",
    )  # fmt: skip
    DebtorAction.objects.filter(pk=action.pk).update(created_at=at(on - timedelta(days=3)))
    path = Path(settings.UPLOAD_ROOT) / customer.company.code / "portal" / f"{customer.pk}.pdf"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"%PDF-1.4 preuve")
    Upload.objects.create(
        company=customer.company, action=action, name="preuve-paul.pdf",
        path=str(path.relative_to(settings.UPLOAD_ROOT)), content_type="application/pdf",
        size=15, sha256="c" * 64,
    )  # fmt: skip


def bank(customer, payment, on: date, name: str) -> None:
    statement = Statement.objects.create(
        company=customer.company, account=IBAN, currency="EUR", format="camt.053",
        fingerprint=f"s{customer.pk}",
    )  # fmt: skip
    BankLine.objects.create(
        company=customer.company, statement=statement, account=IBAN, booked_on=on,
        amount=Decimal("120.00"), currency="EUR", counterparty_name=name,
        counterparty_iban=payer_iban(customer), remittance=f"VIR {name.upper()}",
        payment=payment, status="matched", fingerprint=f"l{customer.pk}",
    )  # fmt: skip
    CustomerIBAN.objects.create(
        company=customer.company, customer=customer, iban=payer_iban(customer)
    )


def payer_iban(customer) -> str:
    """One (made-up) account per payer: a company knows each IBAN once."""
    return f"FR76{customer.pk:023d}"
