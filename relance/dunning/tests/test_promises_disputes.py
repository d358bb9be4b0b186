"""Promises to pay are decided by the daily run from payments (kept, broken after the grace,
partial amounts); disputes leave only their invoices (or the part contested) alone until
resolved, their owner is
told by e-mail, and each resolution sends the invoice back to the engine."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.exceptions import ValidationError

from relance.dunning import actions, services
from relance.dunning.agenda import agenda
from relance.dunning.models import Dispute, Promise, Reminder, Scenario, Step
from relance.dunning.promises import settle_promises
from relance.dunning.sending import recheck
from relance.ledger import services as ledger
from relance.ledger.models import Customer

pytestmark = pytest.mark.django_db
TODAY = date(2026, 11, 23)  # a Monday; the invoices fell due yesterday
PROMISED_ON = TODAY + timedelta(days=5)  # Saturday 28th: paused through Tuesday 1st (grace 3)
FIRST_DAY_AFTER_GRACE = date(2026, 12, 2)


@pytest.fixture
def company():
    """A reminder the day after the due date, a second one a week later, a third after two."""
    company = ledger.create_company("PROM", "Promesses SAS")
    scenario = Scenario.objects.create(company=company, name="Standard", is_default=True)
    for level, offset in ((1, 1), (2, 8), (3, 15)):
        Step.objects.create(scenario=scenario, level=level, name=f"Relance {level}",
                            offset_days=offset, channel="email")  # fmt: skip
    return company


@pytest.fixture
def customer(company):
    return Customer.objects.create(company=company, code="C1", name="Dupont Bâtiment")


def invoice(customer, number, amount="1200.00"):
    due_on = TODAY - timedelta(days=1)
    return ledger.record_invoice(customer.company, customer, number=number, amount=Decimal(amount),
                                 issued_on=due_on - timedelta(30), due_on=due_on)  # fmt: skip


@pytest.fixture
def f1(customer):
    return invoice(customer, "F1")


@pytest.fixture
def f2(customer):
    return invoice(customer, "F2", "300.00")


def run(company, day) -> dict[str, str]:
    """Invoice number -> exclusion reason of the run on `day`, or "level N" when reminded."""
    result = services.run_dunning(company, day).as_json()
    reasons = {row["invoice"]: row["reason"] for row in result["excluded"] if row["invoice"]}
    for reminder in result["reminders"]:
        reasons.update({n: f"level {reminder['level']}" for n in reminder["invoices"]})
    return reasons


def pay(customer, amount, received_on):
    ledger.record_payment(customer.company, customer=customer, amount=Decimal(amount),
                          received_on=received_on, currency="EUR")  # fmt: skip


def promise(customer, invoices, amount="1200.00", **fields):
    amount = Decimal(amount) if amount else None
    return actions.record_promise(customer, None, PROMISED_ON, amount, invoices,
                                  channel="email", made_on=TODAY, **fields)  # fmt: skip


# --- Promises -----------------------------------------------------------------------------------


def test_a_promise_pauses_its_items_until_its_date_plus_grace(company, customer, f1, f2):
    assert run(company, TODAY) == {"F1": "level 1", "F2": "level 1"}
    promise(customer, [f1])
    assert run(company, date(2026, 12, 1)) == {"F1": "promised", "F2": "level 2"}
    assert Promise.objects.get().status == "open"


def test_a_promise_paid_by_its_date_is_kept_and_pauses_no_more(company, customer, f1):
    run(company, TODAY)
    made = promise(customer, [f1])
    pay(customer, "1200.00", PROMISED_ON)
    run(company, date(2026, 11, 30))
    made.refresh_from_db()
    assert (made.status, made.decided_on, made.paid_amount) == (
        "kept", date(2026, 11, 30), Decimal("1200.00")
    )  # fmt: skip


def test_an_unpaid_promise_breaks_after_the_grace_and_the_scenario_resumes(company, customer, f1):
    run(company, TODAY)
    made = promise(customer, [f1])
    assert run(company, date(2026, 12, 1)) == {"F1": "promised"}
    assert run(company, FIRST_DAY_AFTER_GRACE) == {"F1": "level 2"}
    made.refresh_from_db()
    assert (made.status, made.decided_on, made.paid_amount) == (
        "broken", FIRST_DAY_AFTER_GRACE, Decimal("0")
    )  # fmt: skip


def test_a_broken_promise_is_on_the_collectors_agenda(company, customer, f1):
    made = promise(customer, [f1])
    settle_promises(company, FIRST_DAY_AFTER_GRACE)
    customers = Customer.objects.filter(company=company)
    work = agenda(company, customers, FIRST_DAY_AFTER_GRACE, "broken_promises")
    assert [e.customer for e in work.entries] == [customer]
    assert Promise.objects.get(pk=made.pk).status == "broken"


def test_a_partial_payment_does_not_keep_a_promise(company, customer, f1):
    made = promise(customer, [f1], "500.00")
    pay(customer, "300.00", TODAY + timedelta(days=2))
    assert settle_promises(company, FIRST_DAY_AFTER_GRACE) == ([], [made.pk])


def test_a_partial_promise_is_kept_once_its_amount_is_paid(company, customer, f1):
    made = promise(customer, [f1], "500.00")
    pay(customer, "200.00", TODAY + timedelta(days=1))
    assert settle_promises(company, TODAY + timedelta(days=1)) == ([], [])
    pay(customer, "300.00", TODAY + timedelta(days=3))
    assert settle_promises(company, TODAY + timedelta(days=3)) == ([made.pk], [])


def test_a_payment_within_the_grace_keeps_the_promise(company, customer, f1):
    made = promise(customer, [f1])
    pay(customer, "1200.00", date(2026, 12, 1))  # promised for the 28th, grace 3 days
    assert settle_promises(company, FIRST_DAY_AFTER_GRACE) == ([made.pk], [])


def test_a_payment_after_the_grace_is_too_late(company, customer, f1):
    made = promise(customer, [f1])
    pay(customer, "1200.00", FIRST_DAY_AFTER_GRACE)
    assert settle_promises(company, FIRST_DAY_AFTER_GRACE) == ([], [made.pk])


def test_a_payment_before_the_promise_does_not_count(company, customer, f1):
    made = promise(customer, [f1])
    pay(customer, "1200.00", TODAY - timedelta(days=1))
    assert settle_promises(company, FIRST_DAY_AFTER_GRACE) == ([], [made.pk])


def test_a_promise_whose_invoices_are_settled_is_kept(company, customer, f1):
    made = promise(customer, [f1], "1500.00")
    credit = ledger.record_invoice(company, customer, number="AV1", amount=Decimal("1200.00"),
                                   issued_on=TODAY, due_on=TODAY, is_credit=True)  # fmt: skip
    ledger.allocate(f1, Decimal("1200.00"), TODAY, credit_item=credit)
    assert settle_promises(company, TODAY) == ([made.pk], [])


def test_without_an_amount_the_promise_is_for_what_its_items_owe(customer, f1, f2):
    assert promise(customer, [f1, f2], amount=None).amount == Decimal("1500.00")


def test_without_items_nor_amount_the_promise_is_for_the_whole_account(customer, f1, f2):
    assert promise(customer, [], amount=None).amount == Decimal("1500.00")


def test_a_promise_records_its_channel_and_refuses_an_unknown_one(customer, f1):
    assert promise(customer, [f1]).get_channel_display() == "E-mail"
    with pytest.raises(ValidationError):
        actions.record_promise(customer, None, PROMISED_ON, Decimal("1"), [f1], channel="fax")


def test_a_decided_promise_is_not_decided_again(company, customer, f1):
    made = promise(customer, [f1])
    settle_promises(company, FIRST_DAY_AFTER_GRACE)
    pay(customer, "1200.00", FIRST_DAY_AFTER_GRACE)
    assert settle_promises(company, FIRST_DAY_AFTER_GRACE + timedelta(days=1)) == ([], [])
    assert Promise.objects.get(pk=made.pk).decided_on == FIRST_DAY_AFTER_GRACE


def test_a_dry_run_decides_nothing(company, customer, f1):
    promise(customer, [f1])
    services.run_dunning(company, FIRST_DAY_AFTER_GRACE, dry_run=True)
    assert Promise.objects.get().status == "open"


# --- Disputes -----------------------------------------------------------------------------------


@pytest.fixture
def sales_rep(company):
    return get_user_model().objects.create_user("commercial", email="commercial@promesses.fr")


def test_the_dispute_reasons_are_the_agreed_list():
    assert [str(label) for _value, label in Dispute.Reason.choices] == [
        "Prix", "Quantité", "Qualité", "Non reçu", "Déjà payé", "Autre"
    ]  # fmt: skip


def test_an_unknown_reason_is_refused(f1):
    with pytest.raises(ValidationError):
        actions.open_dispute(f1, None, "mood")


def test_the_disputed_invoice_is_not_reminded_and_the_others_are(company, f1, f2):
    actions.open_dispute(f2, None, "quantity")
    assert run(company, TODAY) == {"F1": "level 1", "F2": "disputed"}


def test_a_partly_disputed_invoice_is_reminded_for_the_rest(company, f1, f2):
    dispute = actions.open_dispute(f1, None, "price", amount=Decimal("200.00"))
    assert dispute.amount == Decimal("200.00")
    assert run(company, TODAY) == {"F1": "level 1", "F2": "level 1"}
    reminder = Reminder.objects.get()
    assert reminder.amount == Decimal("1300.00")  # 1,200 - 200 contested + 300
    asked = dict(reminder.items.values_list("invoice__number", "open_amount"))
    assert asked == {"F1": Decimal("1000.00"), "F2": Decimal("300.00")}
    # Before sending nothing moved: the re-check keeps the amounts.
    assert recheck(reminder, TODAY) == ""
    assert Reminder.objects.get().amount == Decimal("1300.00")


def test_partial_disputes_covering_the_invoice_leave_it_alone(company, f1, f2):
    actions.open_dispute(f1, None, "price", amount=Decimal("700.00"))
    actions.open_dispute(f1, None, "quality", amount=Decimal("500.00"))
    assert run(company, TODAY) == {"F1": "disputed", "F2": "level 1"}


def test_a_dispute_opened_after_planning_lowers_or_drops_before_sending(company, f1, f2):
    run(company, TODAY)
    reminder = Reminder.objects.get()
    actions.open_dispute(f1, None, "price", amount=Decimal("200.00"))
    assert recheck(reminder, TODAY) == ""
    reminder = Reminder.objects.get()
    assert reminder.amount == Decimal("1300.00")
    assert reminder.items.get(invoice=f1).open_amount == Decimal("1000.00")
    actions.open_dispute(f2, None, "quantity")  # the whole of F2
    assert recheck(reminder, TODAY) == ""
    assert list(reminder.items.values_list("invoice__number", flat=True)) == ["F1"]
    assert Reminder.objects.get().amount == Decimal("1000.00")


@pytest.mark.parametrize("amount", ["0", "-5", "1200.01"])
def test_a_disputed_amount_is_positive_and_at_most_what_is_owed(f1, amount):
    with pytest.raises(ValidationError):
        actions.open_dispute(f1, None, "price", amount=Decimal(amount))


def test_the_owner_is_told_by_email(f1, sales_rep, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        actions.open_dispute(f1, None, "quality", "Livraison abîmée", owner=sales_rep,
                             amount=Decimal("200.00"))  # fmt: skip
    [message] = mail.outbox
    assert message.to == ["commercial@promesses.fr"]
    assert "F1" in message.subject and "Dupont Bâtiment" in message.subject
    assert "Qualité" in message.body and "200.00 EUR" in message.body
    assert "Livraison abîmée" in message.body


def test_whoever_opens_a_dispute_for_themselves_gets_no_email(
    f1, sales_rep, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        dispute = actions.open_dispute(f1, sales_rep, "price")
    assert dispute.owner == sales_rep and mail.outbox == []


def test_a_rejected_dispute_is_reminded_again_at_its_next_step(company, f1, f2):
    run(company, TODAY)
    dispute = actions.open_dispute(f1, None, "already_paid")
    assert run(company, date(2026, 11, 30)) == {"F1": "disputed", "F2": "level 2"}
    actions.resolve_dispute(dispute, None, "rejected", "Aucun règlement trouvé")
    dispute.refresh_from_db()
    assert (dispute.status, dispute.resolution, dispute.resolution_note) == (
        "resolved", "rejected", "Aucun règlement trouvé"
    )  # fmt: skip
    assert dispute.resolved_at is not None
    # F1 moves to its next step; F2, already at level 2, is listed in the same reminder.
    assert run(company, date(2026, 12, 1)) == {"F1": "level 2", "F2": "level 2"}


def test_after_a_credit_note_only_what_is_left_is_reminded(company, customer, f1, f2):
    dispute = actions.open_dispute(f1, None, "price", amount=Decimal("200.00"))
    credit = ledger.record_invoice(company, customer, number="AV1", amount=Decimal("200.00"),
                                   issued_on=TODAY, due_on=TODAY, is_credit=True)  # fmt: skip
    ledger.allocate(f1, Decimal("200.00"), TODAY, credit_item=credit)
    actions.resolve_dispute(dispute, None, "credit_note")
    result = services.run_dunning(company, TODAY).as_json()
    [reminder] = result["reminders"]
    assert (reminder["invoices"], Decimal(reminder["amount"])) == (["F1", "F2"], Decimal("1300"))


def test_a_corrected_invoice_replaces_the_disputed_one(company, customer, f1, f2):
    dispute = actions.open_dispute(f1, None, "quantity")
    credit = ledger.record_invoice(company, customer, number="AV1", amount=Decimal("1200.00"),
                                   issued_on=TODAY, due_on=TODAY, is_credit=True)  # fmt: skip
    ledger.allocate(f1, Decimal("1200.00"), TODAY, credit_item=credit)
    invoice(customer, "F1-bis", "1000.00")
    actions.resolve_dispute(dispute, None, "corrected_invoice", "Quantité corrigée")
    assert run(company, TODAY) == {"F1-bis": "level 1", "F2": "level 1"}


def test_an_invoice_with_another_open_dispute_stays_disputed(company, f1):
    first = actions.open_dispute(f1, None, "price")
    actions.open_dispute(f1, None, "quality")
    actions.resolve_dispute(first, None, "rejected")
    assert run(company, TODAY) == {"F1": "disputed"}


def test_resolving_one_of_two_partial_disputes_asks_for_more(company, f1):
    first = actions.open_dispute(f1, None, "price", amount=Decimal("100.00"))
    actions.open_dispute(f1, None, "quality", amount=Decimal("50.00"))
    actions.resolve_dispute(first, None, "rejected")
    assert run(company, TODAY) == {"F1": "level 1"}
    assert Reminder.objects.get().amount == Decimal("1150.00")


def test_a_resolution_comes_from_the_list(f1):
    dispute = actions.open_dispute(f1, None, "price")
    with pytest.raises(ValidationError):
        actions.resolve_dispute(dispute, None, "forgotten")
    assert Dispute.objects.get().status == "open"


def test_resolving_twice_keeps_the_first_resolution(f1):
    dispute = actions.open_dispute(f1, None, "price")
    actions.resolve_dispute(dispute, None, "rejected")
    actions.resolve_dispute(dispute, None, "credit_note")
    assert Dispute.objects.get().resolution == "rejected"
