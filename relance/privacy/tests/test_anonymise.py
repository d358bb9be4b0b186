"""`relance privacy anonymise`: the customers settled for longer than the retention period lose
their personal data, the accounting records and the shape of the history stay, the others are
left alone with their reason; a dry run changes nothing; a second run finds nothing to do."""

from __future__ import annotations

import io
import json
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from relance.api.models import WebhookEvent
from relance.banking.models import BankLine, CustomerIBAN
from relance.dunning.models import Call, Dispute, Hold, Reminder, ReminderEvent
from relance.evidence.services import export_customer_evidence
from relance.ledger.models import Allocation, Contact, Customer, Invoice, Payment
from relance.letters.models import Letter
from relance.notes.models import Note
from relance.portal.models import AccessToken, DebtorAction, Upload
from relance.privacy.models import Anonymisation
from relance.web.tests.factories import make_company, make_invoice, make_member

from .factories import history

TODAY = date(2026, 11, 23)
LONG_AGO = date(2019, 3, 14)  # more than 5 years before TODAY
RECENTLY = date(2023, 6, 1)


@pytest.fixture(autouse=True)
def uploads(settings, tmp_path):
    settings.UPLOAD_ROOT = tmp_path / "uploads"


@pytest.fixture
def company(db):
    return make_company("acme", "Acme SAS")


@pytest.fixture
def people(company):
    """Who is who: an old consumer and an old business settled long ago, a consumer settled
    recently, an old consumer who still owes, an old consumer with an open dispute."""
    user = make_member(company, "collector")
    made = {
        "consumer": history(company, LONG_AGO, is_consumer=True, name="Jeanne Dupont",
                            email="jeanne.dupont@exemple.fr", user=user),
        "business": history(company, LONG_AGO, is_consumer=False, name="Bâti Sud",
                            email="paul.martin@batisud.fr", user=user),
        "recent": history(company, RECENTLY, is_consumer=True, name="Luc Petit",
                          email="luc@exemple.fr", user=user),
        "owing": history(company, LONG_AGO, is_consumer=True, name="Marc Roux",
                         email="marc@exemple.fr", user=user),
        "disputing": history(company, LONG_AGO, is_consumer=True, name="Anne Blanc",
                             email="anne@exemple.fr", user=user),
    }  # fmt: skip
    make_invoice(made["owing"], "80.00", due_on=LONG_AGO, number="F-OUVERTE")
    Invoice.objects.filter(number="F-OUVERTE").update(issued_on=LONG_AGO - timedelta(days=30))
    Dispute.objects.filter(customer=made["disputing"]).update(status="open")
    WebhookEvent.objects.create(
        company=company,
        event="payment.received",
        payload={"customer": {"code": made["consumer"].code, "name": "Jeanne Dupont"}},
    )
    return made


def run(*args) -> str:
    out = io.StringIO()
    call_command("privacy", "anonymise", "--company", "acme", "--date", TODAY.isoformat(),
                 *args, stdout=out)  # fmt: skip
    return out.getvalue()


def test_a_consumer_settled_long_ago_keeps_no_personal_data(
    people, django_capture_on_commit_callbacks
):
    consumer = people["consumer"]
    files = letter_and_upload_files(consumer)
    with django_capture_on_commit_callbacks(execute=True) as deletions:
        run()
    assert len(deletions) == 2  # the letters' files, the debtor's files: once committed
    consumer.refresh_from_db()
    assert (consumer.code, consumer.name) == (
        f"ANON-{consumer.pk}",
        f"Client anonymisé {consumer.pk}",
    )
    assert (consumer.address, consumer.postal_code, consumer.city) == ("", "", "")
    contact = Contact.objects.get(customer=consumer)
    assert (contact.name, contact.email, contact.phone, contact.mobile, contact.address) == (
        "Contact anonymisé", "", "", "", ""
    )  # fmt: skip
    reminder = Reminder.objects.filter(customer=consumer, channel="email").get()
    assert (reminder.recipients, reminder.subject, reminder.body_text, reminder.body_html) == (
        [], "[anonymisé]", "[anonymisé]", ""
    )  # fmt: skip
    notes = list(ReminderEvent.objects.filter(reminder=reminder).values_list("note", flat=True))
    assert "Message-ID <172.99@relance.example.com>" in notes  # the evidence still finds it
    assert "550 5.1.1 <[adresse anonymisée]>: user unknown" in notes
    assert not any("dupont" in note.lower() for note in notes)
    call = Call.objects.get(customer=consumer)
    assert (call.phone, call.note) == ("", "")
    assert Note.objects.get(customer=consumer).text == "[anonymisé]"
    dispute = Dispute.objects.get(customer=consumer)
    assert (dispute.description, dispute.resolution_note) == ("", "")
    assert Hold.objects.get(customer=consumer).reason == "[anonymisé]"
    letter = Letter.objects.get(reminder__customer=consumer)
    assert (letter.pdf_path, letter.receipt_path) == ("", "")
    assert (letter.pdf_sha256, letter.receipt_sha256) == ("a" * 64, "b" * 64)  # proof kept
    assert not any(path.exists() for path in files)
    assert AccessToken.objects.get(customer=consumer).revoked_at is not None
    action = DebtorAction.objects.get(customer=consumer)
    assert (action.summary, action.note) == ("[anonymisé]", "")
    assert Upload.objects.get(action=action).path == ""
    line = BankLine.objects.get(payment__customer=consumer)
    assert (line.counterparty_name, line.counterparty_iban, line.remittance) == ("", "", "")
    assert not CustomerIBAN.objects.filter(customer=consumer).exists()
    event = WebhookEvent.objects.get()
    assert event.payload["customer"] == {"code": consumer.code, "name": consumer.name}


def test_the_accounting_records_and_the_history_stay(people):
    consumer = people["consumer"]
    before = accounting(consumer)
    statuses = list(ReminderEvent.objects.filter(reminder__customer=consumer).values_list(
        "status", "at"))  # fmt: skip
    run()
    assert accounting(consumer) == before
    after = list(ReminderEvent.objects.filter(reminder__customer=consumer).values_list(
        "status", "at"))  # fmt: skip
    assert after == statuses
    reminder = Reminder.objects.filter(customer=consumer, channel="email").get()
    assert (reminder.status, reminder.amount, reminder.channel) == ("sent", Decimal("1200.00"),
                                                                    "email")  # fmt: skip


def test_the_evidence_export_still_works_and_keeps_the_message_id(people):
    consumer = people["consumer"]
    run()
    content = export_customer_evidence(Customer.objects.get(pk=consumer.pk), TODAY, None)
    assert content[:2] == b"PK"
    assert b"Jeanne" not in content and b"jeanne" not in content


def test_a_business_keeps_its_name_its_contacts_lose_theirs(people):
    business = people["business"]
    run()
    business.refresh_from_db()
    assert (business.code, business.name) == ("C-SUD", "Bâti Sud")  # a legal entity
    contact = Contact.objects.get(customer=business)
    assert (contact.name, contact.email, contact.mobile) == ("Contact anonymisé", "", "")
    assert Reminder.objects.filter(customer=business, channel="email").get().recipients == []


def test_the_others_are_kept_with_their_reason(people):
    out = run("--format", "json")
    report = json.loads(out)
    done = {row["customer_id"] for row in report["anonymised"]}
    assert done == {people["consumer"].pk, people["business"].pk}
    assert report["kept"] == {"disputed": 1, "open_items": 1, "retained": 1}
    assert report["records"]["contacts"] == 2
    for name in ("recent", "owing", "disputing"):
        customer = Customer.objects.get(pk=people[name].pk)
        assert customer.name == people[name].name
        assert Contact.objects.get(customer=customer).email != ""
    consumer = people["consumer"]
    assert {"customer_id": consumer.pk, "code": f"ANON-{consumer.pk}", "is_consumer": True,
            "last_activity_on": LONG_AGO.isoformat()} in report["anonymised"]  # fmt: skip


def test_a_shorter_retention_takes_the_recent_one_too(people):
    report = json.loads(run("--retention-years", "2", "--format", "json"))
    done = {row["customer_id"] for row in report["anonymised"]}
    assert people["recent"].pk in done


def test_a_dry_run_reports_and_changes_nothing(people):
    out = run("--dry-run")
    assert "2 clients à anonymiser" in out
    assert "C-DUPONT (particulier), dernière activité : 14/03/2019" in out
    assert "conservés (litige en cours) : 1" in out
    assert "Simulation : rien n'a été modifié." in out
    assert Customer.objects.get(pk=people["consumer"].pk).name == "Jeanne Dupont"
    assert not Anonymisation.objects.exists()


def test_the_text_report_never_prints_a_former_consumer_code(people):
    out = run()
    assert "2 clients anonymisés" in out
    assert "DUPONT" not in out and f"ANON-{people['consumer'].pk} (particulier)" in out


def test_a_second_run_finds_nothing_left_to_do(people):
    run()
    assert Anonymisation.objects.count() == 2
    record = Anonymisation.objects.get(customer=people["consumer"])
    assert (record.last_activity_on, record.retention_years, record.was_consumer) == (
        LONG_AGO, 5, True
    )  # fmt: skip
    report = json.loads(run("--format", "json"))
    assert report["anonymised"] == []


def test_a_new_activity_restarts_the_retention(people):
    """An old customer who ordered again last year keeps its data five more years."""
    old = people["business"]
    make_invoice(old, "10.00", due_on=date(2025, 12, 1), number="F-NOUVELLE")
    invoice = Invoice.objects.get(number="F-NOUVELLE")
    from relance.ledger import services

    payment = services.record_payment(old.company, customer=old, amount=Decimal("10.00"),
                                      received_on=date(2025, 12, 1), currency="EUR")  # fmt: skip
    services.allocate(invoice, Decimal("10.00"), date(2025, 12, 1), payment=payment)
    report = json.loads(run("--format", "json"))
    assert old.pk not in {row["customer_id"] for row in report["anonymised"]}


def test_bad_input_says_where_and_why(company):
    with pytest.raises(CommandError, match="société inconnue : nowhere"):
        call_command("privacy", "anonymise", "--company", "nowhere")
    with pytest.raises(CommandError, match="--retention-years -1 : une durée ne peut pas"):
        call_command("privacy", "anonymise", "--company", "acme", "--retention-years", "-1")


def accounting(customer) -> list:
    return [
        list(Invoice.objects.filter(customer=customer).values_list(
            "number", "issued_on", "due_on", "amount", "open_amount").order_by("pk")),
        list(Payment.objects.filter(customer=customer).values_list(
            "received_on", "amount", "unallocated_amount").order_by("pk")),
        list(Allocation.objects.filter(invoice__customer=customer).values_list(
            "amount", "allocated_on").order_by("pk")),
    ]  # fmt: skip


def letter_and_upload_files(customer) -> list[Path]:
    root = Path(settings.UPLOAD_ROOT)
    letter = Letter.objects.get(reminder__customer=customer)
    upload = Upload.objects.get(action__customer=customer)
    files = [root / letter.pdf_path, root / letter.receipt_path, root / upload.path]
    assert all(path.exists() for path in files)
    return files


def test_a_failure_halfway_leaves_everything_as_it_was(
    people, monkeypatch, django_capture_on_commit_callbacks
):
    from relance.privacy import services

    consumer = people["consumer"]
    files = letter_and_upload_files(consumer)

    def broken(ids):
        raise RuntimeError("disque plein")

    monkeypatch.setattr(services, "_banking", broken)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError):
        run()
    assert Contact.objects.get(customer=consumer).email == "jeanne.dupont@exemple.fr"
    assert Customer.objects.get(pk=consumer.pk).name == "Jeanne Dupont"
    assert not Anonymisation.objects.exists()
    assert all(path.exists() for path in files)
