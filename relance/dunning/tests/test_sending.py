"""Sending the outbox: claiming, the re-check before sending, SMTP round trips, failures,
crashes and the history each status change writes."""

import email
import hashlib
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from email import policy

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.files.base import ContentFile

from relance.dunning import sending
from relance.dunning.channels import Delivery, PermanentFailure, TemporaryFailure
from relance.dunning.models import Dispute, Hold, Reminder, ReminderEvent, ReminderItem
from relance.ledger import services as ledger
from tests.pg import free_port
from tests.smtp import smtp_server

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
TODAY = date(2026, 11, 23)
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


# --- Factories (also used by test_worker and test_concurrency) --------------------------------


def make_company(code="SND"):
    return ledger.create_company(code, "Bâtiments Durand & Fils")


def make_customer(company, code="C1", **fields):
    return ledger.create_customer(company, code=code, name=f"Client {code}", **fields)


def make_invoice(company, customer, number, amount="100.00", due_on=TODAY - timedelta(10)):
    return ledger.record_invoice(company, customer, number=number, amount=Decimal(amount),
                                 issued_on=due_on - timedelta(30), due_on=due_on)  # fmt: skip


def make_reminder(customer, invoices, *, channel="email", recipients=None, **fields):
    """A reminder as the run writes it: pending, rendered, every listed invoice moved."""
    total = sum((invoice.open_amount for invoice in invoices), Decimal(0))
    reminder = Reminder.objects.create(
        company=customer.company, customer=customer, level=1, step_name="Relance amicale",
        channel=channel, currency="EUR", amount=total, overdue_amount=total,
        status=fields.pop("status", "pending"), planned_on=TODAY,
        recipients=recipients or [{"email": "compta@client.fr", "name": "Compta", "kind": "to"}],
        subject="Factures échues", body_text="Bonjour,\nmerci de régler.",
        body_html="<p>Bonjour,</p><p>merci de régler.</p>", **fields,
    )  # fmt: skip
    ReminderItem.objects.bulk_create(
        ReminderItem(reminder=reminder, invoice=invoice, open_amount=invoice.open_amount,
                     moved_to_level=1)
        for invoice in invoices
    )  # fmt: skip
    sending.record_event(reminder, reminder.status, "planifiée")
    return reminder


def statuses(reminder):
    return list(ReminderEvent.objects.filter(reminder=reminder).values_list("status", flat=True))


class FakeChannel:
    """Records what it was asked to send; raises `failure` instead when set."""

    def __init__(self, failure=None):
        self.sent, self.failure, self.closed = [], failure, False

    def send(self, reminder):
        if self.failure:
            raise self.failure
        self.sent.append(reminder.pk)
        return Delivery(note="fake")

    def close(self):
        self.closed = True


@pytest.fixture
def company():
    return make_company()


@pytest.fixture
def customer(company):
    return make_customer(company)


# --- A real SMTP server ------------------------------------------------------------------------


@pytest.fixture
def smtp(settings, tmp_path):
    settings.RELANCE_LOCAL_OUTBOX = False
    settings.MEDIA_ROOT = tmp_path
    with smtp_server(settings) as inbox:
        yield inbox


def test_a_reminder_goes_through_smtp_with_its_invoice_pdf(smtp, company):
    collector = get_user_model().objects.create_user(
        "marie", email="marie@durand.fr", first_name="Marie", last_name="Curie"
    )
    customer = make_customer(company, collector=collector)
    with_pdf = make_invoice(company, customer, "F2026/001", "1200.00")
    with_pdf.pdf.save("f2026-001.pdf", ContentFile(PDF))
    without_pdf = make_invoice(company, customer, "F2026/002", "300.00")
    reminder = make_reminder(customer, [with_pdf, without_pdf], recipients=[
        {"email": "compta@client.fr", "name": "Service comptabilité, Dupont", "kind": "to"},
        {"email": "daf@client.fr", "name": "Hélène Dupont", "kind": "cc"},
    ])  # fmt: skip

    counts = sending.send_pending("w1", NOW)

    assert (counts.sent, counts.claimed) == (1, 1)
    (envelope,) = smtp.envelopes
    assert sorted(envelope.rcpt_tos) == ["compta@client.fr", "daf@client.fr"]
    message = email.message_from_bytes(envelope.original_content, policy=policy.default)
    assert message["Subject"] == "Factures échues"
    (sender,) = message["From"].addresses
    assert (sender.display_name, sender.addr_spec) == (company.name, "relance@relance.example")
    assert message["Reply-To"].addresses[0].addr_spec == "marie@durand.fr"
    assert message["To"].addresses[0].display_name == "Service comptabilité, Dupont"
    assert [a.addr_spec for a in message["Cc"].addresses] == ["daf@client.fr"]
    assert message.get_body(("plain",)).get_content().startswith("Bonjour,")
    assert "<p>Bonjour,</p>" in message.get_body(("html",)).get_content()
    (attachment,) = message.iter_attachments()
    assert attachment.get_filename() == "F2026-001.pdf"
    assert attachment.get_content() == PDF
    reminder.refresh_from_db()
    assert reminder.status == "sent" and reminder.sent_at == NOW
    assert reminder.attachments == [
        {"name": "F2026-001.pdf", "sha256": hashlib.sha256(PDF).hexdigest()}
    ]
    assert statuses(reminder) == ["pending", "sending", "sent"]
    assert message["Message-ID"] in reminder.events.last().note


def test_one_connection_serves_the_whole_pass_refusals_included(smtp, customer, monkeypatch):
    """DESIGN.md: one connection reused. Counted by the server, over more than one claimed
    batch, with a permanent and a temporary refusal in the middle: the refused reminders
    alone fail or wait, the connection carries on."""
    monkeypatch.setattr(sending, "BATCH", 3)
    addresses = ["a@client.fr", "refuse@client.fr", "b@client.fr", "later@client.fr"]
    addresses += [f"{name}@client.fr" for name in "cdefg"]
    reminders = [
        make_reminder(
            customer,
            [make_invoice(customer.company, customer, f"F{n}")],
            recipients=[{"email": address, "name": "", "kind": "to"}],
        )
        for n, address in enumerate(addresses)
    ]

    counts = sending.send_pending("w1", NOW)

    assert (counts.claimed, counts.sent, counts.failed, counts.retried) == (9, 7, 1, 1)
    assert smtp.connections == 1
    assert len(smtp.envelopes) == 7
    assert not counts.stopped_by_outage
    refused, later = (
        Reminder.objects.get(pk=reminders[1].pk),
        Reminder.objects.get(pk=reminders[3].pk),
    )
    assert refused.status == "failed" and "550" in refused.error
    assert later.status == "pending" and later.next_attempt_at == NOW + timedelta(minutes=1)
    assert "450" in later.error


def test_each_pass_opens_its_own_connection_and_closes_it(smtp, customer):
    make_reminder(customer, [make_invoice(customer.company, customer, "F1")])
    assert sending.send_pending("w1", NOW).sent == 1
    make_reminder(customer, [make_invoice(customer.company, customer, "F2")])
    assert sending.send_pending("w1", NOW).sent == 1
    assert smtp.connections == 2 and len(smtp.envelopes) == 2


def test_a_refused_address_fails_for_good_with_the_reason(smtp, customer):
    reminder = make_reminder(
        customer,
        [make_invoice(customer.company, customer, "F1")],
        recipients=[{"email": "refuse@client.fr", "name": "", "kind": "to"}],
    )
    assert sending.send_pending("w1", NOW).failed == 1
    reminder.refresh_from_db()
    assert reminder.status == "failed" and "550" in reminder.error
    assert "refuse@client.fr" in reminder.error
    assert statuses(reminder) == ["pending", "sending", "failed"]
    assert smtp.envelopes == []


def test_a_server_down_sends_back_to_pending_with_backoff(settings, customer):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", free_port(), 2
    settings.RELANCE_LOCAL_OUTBOX = False
    first = make_reminder(customer, [make_invoice(customer.company, customer, "F1")])
    second = make_reminder(customer, [make_invoice(customer.company, customer, "F2")])

    counts = sending.send_pending("w1", NOW)

    # The server is down: the first failure stops the batch, the second reminder is untouched.
    assert (counts.retried, counts.stopped_by_outage) == (1, True)
    first.refresh_from_db()
    assert first.status == "pending" and first.next_attempt_at == NOW + timedelta(minutes=1)
    assert first.attempts == 1 and "injoignable" in first.error
    assert statuses(first) == ["pending", "sending", "pending"]
    assert Reminder.objects.get(pk=second.pk).attempts == 0


# --- Failures and backoff ----------------------------------------------------------------------


def test_temporary_failures_back_off_then_fail_after_five_tries(customer):
    reminder = make_reminder(customer, [make_invoice(customer.company, customer, "F1")])
    channel = FakeChannel(TemporaryFailure("SMTP 451 : réessayez"))
    now, waits = NOW, []
    for _ in range(4):
        assert sending.send_pending("w1", now, channel=channel).retried == 1
        reminder.refresh_from_db()
        waits.append(reminder.next_attempt_at - now)
        assert sending.send_pending("w1", reminder.next_attempt_at - timedelta(seconds=1),
                                    channel=channel).claimed == 0  # fmt: skip
        now = reminder.next_attempt_at
    assert waits == [timedelta(minutes=m) for m in (1, 5, 30, 120)]
    assert sending.send_pending("w1", now, channel=channel).failed == 1
    reminder.refresh_from_db()
    assert (reminder.status, reminder.attempts, reminder.error) == (
        "failed", 5, "SMTP 451 : réessayez"
    )  # fmt: skip
    assert statuses(reminder)[-1] == "failed" and statuses(reminder).count("sending") == 5


def test_a_permanent_failure_is_not_retried(customer):
    reminder = make_reminder(customer, [make_invoice(customer.company, customer, "F1")])
    counts = sending.send_pending(
        "w1", NOW, channel=FakeChannel(PermanentFailure("boîte inconnue"))
    )
    reminder.refresh_from_db()
    assert counts.failed == 1 and reminder.status == "failed" and reminder.error == "boîte inconnue"
    assert sending.send_pending("w1", NOW + timedelta(days=1), channel=FakeChannel()).claimed == 0


def test_a_reminder_without_email_recipient_fails_with_the_reason(customer):
    nobody = [{"email": "", "name": "Compta", "kind": "to"}]
    reminder = make_reminder(customer, [make_invoice(customer.company, customer, "F1")],
                             recipients=nobody)  # fmt: skip
    sending.send_pending("w1", NOW)
    reminder.refresh_from_db()
    assert reminder.status == "failed" and reminder.error == "aucun destinataire e-mail"


# --- No SMTP server: the local outbox ----------------------------------------------------------


@pytest.mark.parametrize(
    "setting",
    [
        {"RELANCE_LOCAL_OUTBOX": True, "EMAIL_HOST": "smtp.example.fr"},
        {"RELANCE_LOCAL_OUTBOX": False, "EMAIL_HOST": ""},
    ],
)
def test_without_smtp_the_reminder_stays_in_the_local_outbox(settings, customer, setting):
    for name, value in setting.items():
        setattr(settings, name, value)
    reminder = make_reminder(customer, [make_invoice(customer.company, customer, "F1")])
    assert sending.send_pending("w1", NOW).sent == 1
    reminder.refresh_from_db()
    assert reminder.status == "sent" and reminder.body_text.startswith("Bonjour")
    assert reminder.events.last().note == "boîte d'envoi locale"
    assert mail.outbox == []


# --- Claiming ----------------------------------------------------------------------------------


def test_a_claimed_reminder_cannot_be_claimed_again(customer):
    reminder = make_reminder(customer, [make_invoice(customer.company, customer, "F1")])
    claimed = sending.claim_next("w1", NOW)
    assert claimed == reminder and sending.claim_next("w2", NOW) is None
    # Claimed, not yet tried: the attempt is counted when the channel is asked.
    assert (claimed.status, claimed.claimed_by, claimed.claimed_at, claimed.attempts) == (
        "sending", "w1", NOW, 0
    )  # fmt: skip
    assert statuses(reminder) == ["pending", "sending"]


def test_a_worker_claims_a_batch_in_id_order_and_others_get_the_rest(customer):
    company = customer.company
    made = [make_reminder(customer, [make_invoice(company, customer, f"F{n}")]) for n in range(5)]
    first = sending.claim_batch("w1", NOW, 3)
    second = sending.claim_batch("w2", NOW, 3)
    assert [r.pk for r in first] == [r.pk for r in made[:3]]
    assert [r.pk for r in second] == [r.pk for r in made[3:]]
    assert sending.claim_batch("w3", NOW, 3) == []


def test_only_due_email_reminders_are_claimed(customer):
    company = customer.company
    later = make_reminder(customer, [make_invoice(company, customer, "F1")],
                          not_before=NOW + timedelta(hours=1))  # fmt: skip
    retrying = make_reminder(customer, [make_invoice(company, customer, "F2")],
                             next_attempt_at=NOW + timedelta(minutes=5))  # fmt: skip
    letter = make_reminder(customer, [make_invoice(company, customer, "F3")], channel="letter")
    waiting = make_reminder(customer, [make_invoice(company, customer, "F4")],
                            status="awaiting_approval")  # fmt: skip
    assert sending.claim_next("w1", NOW) is None
    assert sending.claim_next("w1", NOW + timedelta(hours=1)).pk in {later.pk, retrying.pk}
    assert Reminder.objects.get(pk=letter.pk).status == "pending"
    assert Reminder.objects.get(pk=waiting.pk).status == "awaiting_approval"


# --- The re-check right before sending ---------------------------------------------------------


def test_a_reminder_whose_items_were_paid_is_cancelled(customer):
    company = customer.company
    invoice = make_invoice(company, customer, "F1", "250.00")
    reminder = make_reminder(customer, [invoice])
    ledger.receive_payment(company, customer, [invoice], amount=Decimal("250.00"),
                           received_on=TODAY, currency="EUR")  # fmt: skip
    channel = FakeChannel()
    assert sending.send_pending("w1", NOW, channel=channel).cancelled == 1
    reminder.refresh_from_db()
    assert reminder.status == "cancelled" and channel.sent == []
    assert statuses(reminder) == ["pending", "sending", "cancelled"]
    assert "F1 réglée" in reminder.events.last().note


def test_a_disputed_item_is_dropped_and_the_others_sent(customer):
    company = customer.company
    disputed = make_invoice(company, customer, "F1", "400.00")
    kept = make_invoice(company, customer, "F2", "100.00")
    reminder = make_reminder(customer, [disputed, kept])
    Dispute.objects.create(company=company, customer=customer, invoice=disputed, reason="price")
    channel = FakeChannel()
    assert sending.send_pending("w1", NOW, channel=channel).sent == 1
    reminder.refresh_from_db()
    assert channel.sent == [reminder.pk] and reminder.amount == Decimal("100.00")
    assert [item.invoice.number for item in reminder.items.all()] == ["F2"]
    assert "F1 en litige" in reminder.events.get(status="sending", note__startswith="montant").note


def test_a_partial_payment_lowers_the_amount_asked(customer):
    company = customer.company
    invoice = make_invoice(company, customer, "F1", "1000.00")
    reminder = make_reminder(customer, [invoice])
    ledger.receive_payment(company, customer, [invoice], amount=Decimal("400.00"),
                           received_on=TODAY, currency="EUR")  # fmt: skip
    sending.send_pending("w1", NOW, channel=FakeChannel())
    reminder.refresh_from_db()
    assert reminder.status == "sent" and reminder.amount == Decimal("600.00")
    assert reminder.items.get().open_amount == Decimal("600.00")
    notes = list(reminder.events.values_list("note", flat=True))
    assert any("1000.00 → 600.00 EUR" in note for note in notes)


def fake_renderer(monkeypatch):
    def render_reminder(reminder):
        reminder.subject = f"Solde dû : {reminder.amount} EUR"

    monkeypatch.setattr(sending, "render_reminder", render_reminder)


def test_changed_amounts_are_rendered_again(customer, monkeypatch):
    fake_renderer(monkeypatch)
    company = customer.company
    paid, due = make_invoice(company, customer, "F1"), make_invoice(company, customer, "F2")
    reminder = make_reminder(customer, [paid, due])
    ledger.receive_payment(company, customer, [paid], amount=Decimal("100.00"),
                           received_on=TODAY, currency="EUR")  # fmt: skip
    sending.send_pending("w1", NOW, channel=FakeChannel())
    reminder.refresh_from_db()
    assert reminder.subject == "Solde dû : 100.00 EUR"
    assert "texte recalculé" in reminder.events.get(note__startswith="montant").note


def test_a_text_a_person_approved_is_kept_when_amounts_change(customer, monkeypatch):
    fake_renderer(monkeypatch)
    company = customer.company
    paid, due = make_invoice(company, customer, "F1"), make_invoice(company, customer, "F2")
    reminder = make_reminder(customer, [paid, due])
    approver = get_user_model().objects.create_user("paul")
    sending.record_event(reminder, "pending", "validée", user=approver)
    ledger.receive_payment(company, customer, [paid], amount=Decimal("100.00"),
                           received_on=TODAY, currency="EUR")  # fmt: skip
    sending.send_pending("w1", NOW, channel=FakeChannel())
    reminder.refresh_from_db()
    assert reminder.subject == "Factures échues" and reminder.amount == Decimal("100.00")
    assert "montants modifiés" in reminder.events.get(note__startswith="montant").note


def test_an_unallocated_payment_covering_everything_cancels(customer):
    company = customer.company
    reminder = make_reminder(customer, [make_invoice(company, customer, "F1", "300.00")])
    ledger.record_payment(company, customer=customer, amount=Decimal("300.00"),
                          received_on=TODAY, currency="EUR")  # fmt: skip
    sending.send_pending("w1", NOW, channel=FakeChannel())
    reminder.refresh_from_db()
    assert reminder.status == "cancelled" and "solde net" in reminder.events.last().note


@pytest.mark.parametrize(
    ("ends_on", "lifted", "expected"),
    [(None, False, "cancelled"), (TODAY, False, "cancelled"),
     (TODAY - timedelta(1), False, "sent"), (None, True, "sent")],
)  # fmt: skip
def test_a_customer_hold_cancels_while_it_lasts(customer, ends_on, lifted, expected):
    reminder = make_reminder(customer, [make_invoice(customer.company, customer, "F1")])
    Hold.objects.create(company=customer.company, customer=customer, reason="Négociation",
                        ends_on=ends_on, lifted_at=NOW if lifted else None)  # fmt: skip
    sending.send_pending("w1", NOW, channel=FakeChannel())
    assert Reminder.objects.get(pk=reminder.pk).status == expected


def test_a_held_invoice_is_dropped(customer):
    company = customer.company
    held, kept = make_invoice(company, customer, "F1"), make_invoice(company, customer, "F2")
    reminder = make_reminder(customer, [held, kept])
    Hold.objects.create(company=company, customer=customer, invoice=held, reason="Avoir à venir")
    sending.send_pending("w1", NOW, channel=FakeChannel())
    reminder.refresh_from_db()
    assert reminder.status == "sent" and reminder.amount == Decimal("100.00")


# --- Crashes -----------------------------------------------------------------------------------


def test_a_claim_left_by_a_crash_becomes_uncertain_and_is_not_sent(customer):
    reminder = make_reminder(customer, [make_invoice(customer.company, customer, "F1")],
                             status="sending", claimed_by="w0", attempts=1,
                             claimed_at=NOW - timedelta(minutes=20),
                             attempt_started_at=NOW - timedelta(minutes=20))  # fmt: skip
    channel = FakeChannel()
    counts = sending.send_pending("w1", NOW, channel=channel)
    reminder.refresh_from_db()
    assert (counts.uncertain, counts.claimed, channel.sent) == (1, 0, [])
    assert reminder.status == "uncertain" and statuses(reminder) == ["sending", "uncertain"]
    assert sending.send_pending("w1", NOW + timedelta(days=1), channel=channel).claimed == 0


def test_a_claim_interrupted_before_any_attempt_goes_back_to_pending_and_is_sent(customer):
    reminder = make_reminder(customer, [make_invoice(customer.company, customer, "F1")],
                             status="sending", claimed_by="w0",
                             claimed_at=NOW - timedelta(minutes=20))  # fmt: skip
    channel = FakeChannel()
    counts = sending.send_pending("w1", NOW, channel=channel)
    reminder.refresh_from_db()
    assert (counts.uncertain, counts.sent, channel.sent) == (0, 1, [reminder.pk])
    assert statuses(reminder) == ["sending", "pending", "sending", "sent"]
    assert "avant tout envoi" in reminder.events.all()[1].note


def test_a_worker_asked_to_stop_gives_back_the_rest_of_its_batch(customer):
    company = customer.company
    for n in range(3):
        make_reminder(customer, [make_invoice(company, customer, f"F{n}")])
    channel, asked = FakeChannel(), iter([False, False, True])
    counts = sending.send_pending("w1", NOW, channel=channel, should_stop=lambda: next(asked))
    assert (counts.claimed, counts.sent, len(channel.sent)) == (3, 1, 1)
    left = Reminder.objects.exclude(status="sent")
    assert sorted(left.values_list("status", "claimed_by")) == [("pending", ""), ("pending", "")]


def test_a_recent_claim_of_another_worker_is_left_alone(customer):
    reminder = make_reminder(customer, [make_invoice(customer.company, customer, "F1")],
                             status="sending", claimed_by="w0", claimed_at=NOW,
                             attempt_started_at=NOW)  # fmt: skip
    assert sending.mark_uncertain(NOW + timedelta(minutes=1)) == 0
    assert sending.mark_uncertain(NOW + timedelta(minutes=1), worker_id="w0") == 1
    assert Reminder.objects.get(pk=reminder.pk).status == "uncertain"


def test_a_result_arriving_after_uncertain_keeps_it_uncertain_and_is_recorded(customer):
    make_reminder(customer, [make_invoice(customer.company, customer, "F1")])
    reminder = sending.claim_next("w1", NOW)

    class SlowChannel(FakeChannel):
        def send(self, reminder):  # the claim goes stale while the server answers
            sending.mark_uncertain(NOW + timedelta(hours=1))
            return super().send(reminder)

    sending.send_one(reminder, SlowChannel(), "w1", NOW)
    reminder.refresh_from_db()
    assert reminder.status == "uncertain"
    assert statuses(reminder) == ["pending", "sending", "uncertain", "uncertain"]
    assert "résultat arrivé après" in reminder.events.last().note


def test_a_claim_given_back_meanwhile_is_not_sent_by_its_old_worker(customer):
    make_reminder(customer, [make_invoice(customer.company, customer, "F1")])
    reminder = sending.claim_next("w1", NOW)
    sending.mark_uncertain(NOW + timedelta(hours=1))  # never tried: back to pending
    channel = FakeChannel()
    assert sending.send_one(reminder, channel, "w1", NOW + timedelta(hours=1)) == ""
    assert channel.sent == [] and Reminder.objects.get(pk=reminder.pk).status == "pending"


def test_backoff_grows_then_stays_at_two_hours():
    assert [sending.backoff(n).seconds // 60 for n in (1, 2, 3, 4, 5, 9)] == [
        1,
        5,
        30,
        120,
        120,
        120,
    ]
