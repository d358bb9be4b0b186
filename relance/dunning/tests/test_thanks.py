"""The thank-you message: written once when a reminded customer has settled everything."""

from datetime import timedelta
from decimal import Decimal

import pytest

from relance.dunning import sending
from relance.dunning.models import Reminder, Scenario
from relance.dunning.tests.test_sending import (
    NOW,
    TODAY,
    FakeChannel,
    make_company,
    make_customer,
    make_invoice,
    make_reminder,
)
from relance.dunning.thanks import THANKS_STEP, thank_if_settled
from relance.ledger import services as ledger

pytestmark = pytest.mark.django_db
RECIPIENTS = [
    {"email": "compta@client.fr", "name": "Compta", "kind": "to"},
    {"email": "daf@client.fr", "name": "Hélène Dupont", "kind": "cc"},
]


@pytest.fixture
def company():
    return make_company("THX")


@pytest.fixture
def customer(company):
    return make_customer(company)


def scenario(company, send_thanks=True):
    name = "Bon payeur" if send_thanks else "Sans remerciement"
    return Scenario.objects.get_or_create(company=company, name=name,
                                          defaults={"send_thanks": send_thanks})[0]  # fmt: skip


def reminded(customer, invoices, **fields):
    """A reminder already sent for these invoices."""
    if "scenario" not in fields:
        fields["scenario"] = scenario(customer.company)
    return make_reminder(customer, invoices, status="sent", sent_at=NOW, recipients=RECIPIENTS,
                         **fields)  # fmt: skip


def pay(customer, invoices, amount):
    return ledger.receive_payment(customer.company, customer, invoices, amount=Decimal(amount),
                                  received_on=TODAY, currency="EUR")  # fmt: skip


def thanks(customer):
    return list(Reminder.objects.filter(customer=customer, step_name=THANKS_STEP))


def test_paying_the_last_open_invoice_of_a_reminded_customer_writes_one_thank_you(customer):
    company = customer.company
    first, last = make_invoice(company, customer, "F1"), make_invoice(company, customer, "F2")
    reminder = reminded(customer, [first, last])
    pay(customer, [first], "100.00")
    assert thanks(customer) == []  # F2 still open

    pay(customer, [last], "100.00")

    (written,) = thanks(customer)
    assert (written.channel, written.level, written.status) == ("email", 0, "pending")
    assert written.amount == written.overdue_amount == Decimal(0)
    assert written.currency == "EUR" and written.planned_on == TODAY
    assert written.scenario_id == reminder.scenario_id
    assert written.recipients == RECIPIENTS
    assert written.subject == f"{company.name} — Merci pour votre règlement"
    assert "Nous avons bien reçu votre règlement" in written.body_text
    assert "<html" in written.body_html.lower() and "bien reçu" in written.body_html
    assert list(written.events.values_list("status", "note")) == [("pending", "remerciement")]


def test_one_payment_settling_several_invoices_writes_one_thank_you(customer):
    company = customer.company
    invoices = [make_invoice(company, customer, f"F{n}") for n in range(3)]
    reminded(customer, invoices)
    pay(customer, invoices, "300.00")
    assert len(thanks(customer)) == 1


def test_a_partial_payment_writes_nothing(customer):
    invoice = make_invoice(customer.company, customer, "F1", "1000.00")
    reminded(customer, [invoice])
    pay(customer, [invoice], "400.00")
    assert thanks(customer) == []


def test_a_customer_never_reminded_gets_no_thank_you(customer):
    company = customer.company
    invoice = make_invoice(company, customer, "F1")
    make_reminder(customer, [invoice], scenario=scenario(company))  # pending: never sent
    other = make_customer(company, "C2")
    pay(other, [make_invoice(company, other, "F2")], "100.00")
    pay(customer, [invoice], "100.00")
    assert Reminder.objects.filter(step_name=THANKS_STEP).count() == 0


def test_a_scenario_without_thanks_gets_none(customer):
    invoice = make_invoice(customer.company, customer, "F1")
    reminded(customer, [invoice], scenario=scenario(customer.company, send_thanks=False))
    pay(customer, [invoice], "100.00")
    assert thanks(customer) == []


def test_a_second_payment_writes_no_second_thank_you(customer):
    company = customer.company
    invoice = make_invoice(company, customer, "F1")
    reminded(customer, [invoice])
    pay(customer, [invoice], "100.00")
    later = make_invoice(company, customer, "F2", due_on=TODAY + timedelta(30))
    pay(customer, [later], "100.00")
    assert thank_if_settled(customer, "EUR", TODAY) is None
    assert len(thanks(customer)) == 1


def test_a_new_reminder_after_the_thank_you_earns_a_new_one(customer):
    company = customer.company
    invoice = make_invoice(company, customer, "F1")
    reminded(customer, [invoice])
    pay(customer, [invoice], "100.00")
    later = make_invoice(company, customer, "F2")
    reminded(customer, [later])
    pay(customer, [later], "100.00")
    assert len(thanks(customer)) == 2


def test_an_unsettled_balance_in_the_currency_writes_nothing(customer):
    company = customer.company
    paid, open_ = make_invoice(company, customer, "F1"), make_invoice(company, customer, "F2")
    reminded(customer, [paid, open_])
    pay(customer, [paid], "100.00")
    assert thank_if_settled(customer, "EUR", TODAY) is None
    assert thanks(customer) == []


def test_the_thank_you_is_in_the_language_of_the_last_reminder(customer):
    invoice = make_invoice(customer.company, customer, "F1")
    reminded(customer, [invoice], language="en")
    pay(customer, [invoice], "100.00")
    (written,) = thanks(customer)
    assert written.language == "en" and "Thank you for your payment" in written.subject


def test_the_thank_you_is_sent_by_the_outbox(customer):
    invoice = make_invoice(customer.company, customer, "F1")
    reminded(customer, [invoice])
    pay(customer, [invoice], "100.00")
    channel = FakeChannel()
    sending.send_pending("w1", NOW, channel=channel)
    (written,) = thanks(customer)
    assert written.status == "sent" and channel.sent == [written.pk]
