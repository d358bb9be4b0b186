"""Reminders cancelled as soon as a payment settles what they ask for."""

from datetime import date
from decimal import Decimal

import pytest

from relance.banking.tests.factories import reminder_for
from relance.dunning.settled import PAID_NOTE, cancel_settled_reminders
from relance.ledger import services as ledger

pytestmark = pytest.mark.django_db
TODAY = date(2026, 11, 23)


@pytest.fixture
def customer():
    company = ledger.create_company("SET", "Acme SAS")
    return ledger.create_customer(company, code="C1", name="Client 1")


def invoice(customer, number, amount="100.00"):
    return ledger.record_invoice(customer.company, customer, number=number, amount=Decimal(amount),
                                 issued_on=date(2026, 9, 1), due_on=date(2026, 10, 1))  # fmt: skip


def pay(customer, invoices, amount="100.00"):
    ledger.receive_payment(customer.company, customer, invoices, amount=Decimal(amount),
                           received_on=TODAY, currency="EUR")  # fmt: skip


def test_a_pending_reminder_whose_items_are_all_paid_is_cancelled_with_its_reason(customer):
    bill = invoice(customer, "F1")
    pending = reminder_for(customer, [bill])
    waiting = reminder_for(customer, [bill], status="awaiting_approval")
    pay(customer, [bill])

    assert cancel_settled_reminders([bill.pk]) == [pending.pk, waiting.pk]

    for reminder in (pending, waiting):
        reminder.refresh_from_db()
        assert reminder.status == "cancelled"
        assert reminder.events.last().note == PAID_NOTE == "annulée : payée (relevé bancaire)"


def test_a_reminder_still_asking_for_another_unpaid_item_is_left_to_the_recheck(customer):
    paid, unpaid = invoice(customer, "F1"), invoice(customer, "F2")
    reminder = reminder_for(customer, [paid, unpaid])
    pay(customer, [paid])

    assert cancel_settled_reminders([paid.pk]) == []
    reminder.refresh_from_db()
    assert reminder.status == "pending"


def test_a_partly_paid_item_cancels_nothing(customer):
    bill = invoice(customer, "F1")
    reminder_for(customer, [bill])
    pay(customer, [bill], "40.00")

    assert cancel_settled_reminders([bill.pk]) == []


def test_sent_and_sending_reminders_are_history_and_stay_as_they_are(customer):
    bill = invoice(customer, "F1")
    sent = reminder_for(customer, [bill], status="sent")
    sending = reminder_for(customer, [bill], status="sending")
    pay(customer, [bill])

    assert cancel_settled_reminders([bill.pk]) == []
    assert {r.status for r in (sent, sending)} == {"sent", "sending"}
