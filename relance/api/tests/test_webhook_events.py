"""The services write webhook events to the outbox, in the transaction of their change, only
for the company's active endpoints subscribed to the event."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import transaction

from relance.api import webhooks
from relance.api.models import WebhookDelivery, WebhookEndpoint, WebhookEvent
from relance.banking.matching import run_matching
from relance.banking.tests.test_matching_bulk import load
from relance.dunning import actions, sending
from relance.dunning.promises import settle_promises
from relance.dunning.tests.test_sending import NOW, FakeChannel, make_reminder
from relance.ledger.models import Payment
from relance.web.forms import CustomerForm
from relance.web.tests.factories import make_company, make_customer, make_invoice, make_payment

pytestmark = pytest.mark.django_db


def endpoint(company, events, **fields):
    return WebhookEndpoint.objects.create(
        company=company, url="https://erp.example.fr/hooks", events=events, secret="s", **fields
    )


def events(kind: str) -> list[WebhookEvent]:
    return list(WebhookEvent.objects.filter(event=kind).order_by("pk"))


@pytest.fixture
def customer():
    return make_customer(make_company("hook", "Hook SAS"), "C1", "Dupont Bâtiment")


def test_nothing_is_written_when_no_endpoint_listens(customer):
    endpoint(customer.company, ["dispute.opened"])
    endpoint(customer.company, ["payment.received"], is_active=False)
    make_payment(customer, "120.00")
    assert not WebhookEvent.objects.exists() and not WebhookDelivery.objects.exists()


def test_a_payment_is_told_to_each_endpoint_that_subscribed(customer):
    first = endpoint(customer.company, ["payment.received"])
    second = endpoint(customer.company, ["payment.received", "promise.made"])
    endpoint(make_company("other", "Other"), ["payment.received"])
    payment = make_payment(customer, "120.00", reference="VIR 42")
    (event,) = events("payment.received")
    assert event.company_id == customer.company.pk
    assert event.payload == {
        "payment": payment.pk,
        "customer": {"code": "C1", "name": "Dupont Bâtiment"},
        "received_on": date.today().isoformat(),
        "amount": "120.00",
        "currency": "EUR",
        "method": "transfer",
        "reference": "VIR 42",
    }
    targets = set(WebhookDelivery.objects.values_list("endpoint", flat=True))
    assert targets == {first.pk, second.pk}


def test_the_event_is_rolled_back_with_its_change(customer):
    endpoint(customer.company, ["payment.received"])
    with pytest.raises(RuntimeError), transaction.atomic():
        make_payment(customer, "120.00")
        raise RuntimeError("the transaction fails after the payment")
    assert not Payment.objects.exists() and not WebhookEvent.objects.exists()


def test_a_reminder_sent_by_the_worker_is_told(customer):
    endpoint(customer.company, ["reminder.sent"])
    reminder = make_reminder(customer, [make_invoice(customer, number="F1")])
    assert sending.send_pending("w1", NOW, channel=FakeChannel()).sent == 1
    (event,) = events("reminder.sent")
    assert event.payload["reminder"] == reminder.pk
    assert event.payload["customer"]["code"] == "C1"
    assert event.payload["channel"] == "email"


def test_promises_made_and_broken_are_told(customer):
    endpoint(customer.company, ["promise.made", "promise.broken"])
    invoice = make_invoice(customer, "800.00", number="F1")
    made_on = date.today() - timedelta(days=20)
    promise = actions.record_promise(
        customer, None, made_on + timedelta(days=5), Decimal("800.00"), [invoice], made_on=made_on
    )
    assert events("promise.made")[0].payload["invoices"] == ["F1"]
    kept, broken = settle_promises(customer.company, date.today())
    assert broken == [promise.pk]
    (event,) = events("promise.broken")
    assert event.payload["promise"] == promise.pk
    assert event.payload["paid_amount"] == "0"


def test_disputes_opened_and_resolved_are_told(customer):
    endpoint(customer.company, ["dispute.opened", "dispute.resolved"])
    invoice = make_invoice(customer, number="F7")
    dispute = actions.open_dispute(invoice, None, "quality", "Carrelage cassé")
    actions.resolve_dispute(dispute, None, "credit_note", "Avoir AV-9")
    actions.resolve_dispute(dispute, None, "rejected")  # already resolved: nothing more
    assert events("dispute.opened")[0].payload["description"] == "Carrelage cassé"
    (resolved,) = events("dispute.resolved")
    assert resolved.payload["resolution"] == "credit_note"
    assert resolved.payload["invoice"] == "F7"


def test_a_customer_blocked_by_an_escalation_is_told_once(customer):
    endpoint(customer.company, ["customer.blocked"])
    invoices = [make_invoice(customer, number="F1")]
    make_reminder(customer, invoices, escalation="block_orders")
    make_reminder(customer, invoices, escalation="block_orders")
    assert sending.send_pending("w1", NOW, channel=FakeChannel()).sent == 2
    (event,) = events("customer.blocked")
    assert event.payload["customer"] == {"code": "C1", "name": "Dupont Bâtiment"}


def test_a_customer_blocked_by_hand_is_told_once(customer):
    endpoint(customer.company, ["customer.blocked"])
    fields = {"code": "C1", "name": "Dupont Bâtiment", "payer_profile": "good",
              "language": "fr", "country": "FR"}  # fmt: skip
    form = CustomerForm({**fields, "is_blocked": "on"}, instance=customer,
                        company=customer.company)  # fmt: skip
    assert form.is_valid(), form.errors
    form.save()
    again = CustomerForm({**fields, "is_blocked": "on", "city": "Lyon"}, instance=customer,
                         company=customer.company)  # fmt: skip
    assert again.is_valid(), again.errors
    again.save()  # still blocked: nothing new to tell
    (event,) = events("customer.blocked")
    assert event.payload["reason"] == "manual"
    assert event.payload["customer"] == {"code": "C1", "name": "Dupont Bâtiment"}


def test_bank_matching_in_bulk_tells_every_payment_it_wrote():
    company = load("BULKHOOK", seed=5)
    endpoint(company, ["payment.received"])
    result = run_matching(company)
    assert result.applied
    told = {event.payload["payment"] for event in events("payment.received")}
    assert told == set(Payment.objects.filter(company=company).values_list("pk", flat=True))


def test_emit_many_writes_a_batch_in_a_few_queries(customer, django_assert_max_num_queries):
    endpoint(customer.company, ["payment.received"])
    endpoint(customer.company, ["payment.received"])
    # The endpoints, the events, the deliveries (SQLite splits 100 rows in two statements).
    with django_assert_max_num_queries(4):
        webhooks.emit_many(customer.company, "payment.received", [{"n": n} for n in range(50)])
    assert WebhookEvent.objects.count() == 50 and WebhookDelivery.objects.count() == 100
