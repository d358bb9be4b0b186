"""Letters to print: a company with its letterhead details, a customer with a postal address,
overdue invoices listed in a pending letter or formal-notice reminder."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from relance.dunning.models import Reminder, ReminderItem
from relance.ledger.models import Company, Customer
from relance.web.tests.factories import make_invoice, make_reminder

IBAN = "FR7630006000011234567890189"


def letterhead(company: Company) -> Company:
    Company.objects.filter(pk=company.pk).update(
        address="12 avenue des Tilleuls",
        postal_code="69003",
        city="Lyon",
        siren="552100554",
        vat_number="FR40552100554",
        iban=IBAN,
        bic="AGRIFRPP",
    )
    company.refresh_from_db()
    return company


def addressed(customer, **fields):
    fields.setdefault("address", "8 rue des Artisans")
    fields.setdefault("postal_code", "69007")
    fields.setdefault("city", "Lyon")
    for name, value in fields.items():
        setattr(customer, name, value)
    customer.save()
    return customer


def make_letter(
    customer,
    *,
    notice: bool = False,
    registered: bool = False,
    amounts=("1440.00", "860.50"),
    days_late=(45, 20),
    status=Reminder.Status.PENDING,
    today: date | None = None,
) -> Reminder:
    """A letter (or formal notice) reminder listing one overdue invoice per amount."""
    today = today or date.today()
    customer = Customer.objects.get(pk=customer.pk)  # with its company as it is now
    invoices = [
        make_invoice(customer, amount, due_on=today - timedelta(days=late))
        for amount, late in zip(amounts, days_late, strict=True)
    ]
    total = sum((invoice.open_amount for invoice in invoices), start=invoices[0].open_amount * 0)
    reminder = make_reminder(
        customer,
        status,
        level=5 if notice else 3,
        step_name="Mise en demeure" if notice else "Relance ferme",
        channel="registered_letter" if registered or notice else "letter",
        escalation="formal_notice" if notice else "",
        amount=total,
        overdue_amount=total,
        planned_on=today,
        subject="",
        body_text="",
        recipients=[],
    )
    for invoice in invoices:
        ReminderItem.objects.create(
            reminder=reminder, invoice=invoice, open_amount=invoice.open_amount, moved_to_level=1
        )
    reminder.invoices = invoices
    return reminder


def letter_records(world):
    """A registered letter on the world's customer, printed and posted, with its kept PDF
    and acknowledgement of receipt on disk; built once per World."""
    if hasattr(world, "letter"):
        return world
    from django.conf import settings
    from django.utils import timezone

    from relance.letters.models import Letter

    reminder = make_letter(world.customer, registered=True, amounts=("300.00",), days_late=(20,))
    folder = Path(settings.UPLOAD_ROOT) / world.company.code / "letters" / str(reminder.pk)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "lettre.pdf").write_bytes(b"%PDF-1.7 kept")
    (folder / "ar.pdf").write_bytes(b"%PDF-1.7 signed")
    relative = f"{world.company.code}/letters/{reminder.pk}"
    world.letter = Letter.objects.create(
        reminder=reminder,
        pdf_path=f"{relative}/lettre.pdf",
        pdf_sha256="0" * 64,
        printed_at=timezone.now(),
        status=Letter.Status.SENT,
        posted_at=timezone.now(),
        tracking_number="1A0001",
        receipt_path=f"{relative}/ar.pdf",
        receipt_sha256="1" * 64,
    )
    return world
