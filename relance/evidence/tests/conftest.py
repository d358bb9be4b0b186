"""Evidence tests: uploads and media in a temporary folder; a customer with a reminder of
every channel sent, a call, a promise, a dispute and a payment plan."""

from datetime import date, timedelta

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from relance.dunning.models import Call, Promise, Reminder, ReminderEvent, ReminderItem
from relance.letters.tests.factories import addressed, letter_records, letterhead
from relance.web.tests.factories import World, make_invoice, make_reminder, plan_records

INVOICE_PDF = b"%PDF-1.4 facture F-0001"
MESSAGE_ID = "<177.42@relance.example>"


@pytest.fixture(autouse=True)
def upload_root(settings, tmp_path):
    settings.UPLOAD_ROOT = tmp_path / "uploads"
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.UPLOAD_ROOT


@pytest.fixture
def world(db):
    world = World()
    letterhead(world.company)
    addressed(world.customer, siren="732829320")
    world.invoice.pdf.save("F-0001.pdf", ContentFile(INVOICE_PDF))
    world.email = sent(
        world.customer, "email", "Facture F-0001 impayée", f"Message-ID {MESSAGE_ID}"
    )
    world.email.attachments = [{"name": "F-0001.pdf", "sha256": sha256(INVOICE_PDF)}]
    world.email.save(update_fields=["attachments"])
    ReminderItem.objects.create(
        reminder=world.email, invoice=world.invoice, open_amount=world.invoice.open_amount
    )
    world.sms = sent(
        world.customer,
        "sms",
        "",
        "SMS au +33612345678 : 1 segment ; Twilio SM0123456789",
        recipients=[{"phone": "+33612345678", "name": "Jeanne", "kind": "to"}],
        body_text="Acme : 1 200 EUR restent dus. https://pay.example/x",
    )
    ReminderEvent.objects.create(
        reminder=world.sms, status="sent", note="SMS remis (Twilio SM0123456789)"
    )
    letter_records(world)
    world.letter.reminder.sent_at = timezone.now()
    world.letter.reminder.status = Reminder.Status.SENT
    world.letter.reminder.save()
    world.call = Call.objects.create(
        company=world.company,
        customer=world.customer,
        reminder=world.reminder,
        phone="0123456789",
        outcome=Call.Outcome.PROMISE,
        note="Paiement promis fin de mois",
    )
    Promise.objects.filter(pk=world.promise.pk).update(status=Promise.Status.BROKEN)
    world.dispute.status, world.dispute.resolution = "resolved", "Avoir refusé"
    world.dispute.resolved_at = timezone.now()
    world.dispute.save()
    plan_records(world)
    # Another customer of the same company, with its own records: none may leak.
    other = world.foreign_customer
    make_invoice(other, number="F-AUTRE", due_on=date.today() - timedelta(days=40))
    sent(other, "email", "Objet du client Martin", "Message-ID <autre@relance.example>")
    return world


def sent(customer, channel, subject, note, **fields):
    reminder = make_reminder(
        customer, Reminder.Status.SENT, channel=channel, subject=subject, **fields
    )
    Reminder.objects.filter(pk=reminder.pk).update(sent_at=timezone.now())
    reminder.refresh_from_db()
    ReminderEvent.objects.create(reminder=reminder, status="sent", note=note)
    return reminder


def sha256(content: bytes) -> str:
    import hashlib

    return hashlib.sha256(content).hexdigest()
