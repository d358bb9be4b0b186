"""Call outcomes feed the engine: promises pause, disputes exclude, "already paid" holds and
alerts the accountant, retries keep the call pending; every outcome is appended to history."""

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError

from relance.dunning import calls, convert, services
from relance.dunning.calls import CallReport
from relance.dunning.models import (
    Call,
    Dispute,
    FollowUp,
    Hold,
    Promise,
    Reminder,
    ReminderEvent,
    Scenario,
    Step,
)
from relance.dunning.sending import claim_batch
from relance.ledger import services as ledger
from relance.ledger.models import Contact, Customer

pytestmark = pytest.mark.django_db
TODAY = date(2026, 11, 23)  # a Monday
PARIS = ZoneInfo("Europe/Paris")


@pytest.fixture
def company():
    """A call the day after the due date, then an e-mail two days after it."""
    company = ledger.create_company("CALL", "Appels SAS")
    scenario = Scenario.objects.create(company=company, name="Appel d'abord", is_default=True)
    Step.objects.create(scenario=scenario, level=1, name="Appel", offset_days=1, channel="call")
    Step.objects.create(scenario=scenario, level=2, name="Relance", offset_days=2, channel="email")
    return company


@pytest.fixture
def customer(company):
    customer = Customer.objects.create(company=company, code="C1", name="Dupont Bâtiment")
    Contact.objects.create(customer=customer, name="Jeanne Dupont", email="j@dupont.fr",
                           phone="01 23 45 67 89", mobile="06 12 34 56 78")  # fmt: skip
    return customer


def invoice(customer, number, amount="1200.00", due_on=TODAY - timedelta(days=1)):
    return ledger.record_invoice(customer.company, customer, number=number, amount=Decimal(amount),
                                 issued_on=due_on - timedelta(30), due_on=due_on)  # fmt: skip


@pytest.fixture
def call(customer):
    """The pending call reminder of today's run, listing F1 and F2."""
    invoice(customer, "F1")
    invoice(customer, "F2", "300.00")
    services.run_dunning(customer.company, TODAY)
    return Reminder.objects.get(channel="call")


def record(reminder, outcome, today=TODAY, **fields):
    return calls.record_call(reminder, None, CallReport(outcome, **fields), today)


def next_run(company, day=TODAY + timedelta(days=3)) -> dict[str, str]:
    """Invoice number -> exclusion reason of the run on `day` ("planned" when reminded)."""
    result = services.run_dunning(company, day).as_json()
    reasons = {row["invoice"]: row["reason"] for row in result["excluded"] if row["invoice"]}
    for reminder in result["reminders"]:
        reasons.update({number: "planned" for number in reminder["invoices"]})
    return reasons


def test_the_run_plans_a_pending_call_that_no_worker_claims(call):
    assert (call.status, call.level) == ("pending", 1)
    assert claim_batch("worker", datetime.now(PARIS), 20) == []


def test_without_an_outcome_the_next_step_follows(call, company):
    assert next_run(company) == {"F1": "planned", "F2": "planned"}


def test_a_promise_closes_the_call_and_pauses_its_items(call, company):
    record(call, "promise", promised_on=TODAY + timedelta(days=10), amount=Decimal("1500"),
           note="Virement annoncé")  # fmt: skip
    call.refresh_from_db()
    assert call.status == "sent" and call.sent_at is not None
    promise = Promise.objects.get()
    assert (promise.amount, promise.channel, promise.currency) == (Decimal("1500"), "call", "EUR")
    assert sorted(i.number for i in promise.invoices.all()) == ["F1", "F2"]
    assert next_run(company) == {"F1": "promised", "F2": "promised"}


def test_a_closed_call_keeps_its_call_script_as_what_was_said(call):
    record(call, "copy_requested")
    call.refresh_from_db()
    assert call.subject.startswith("Appel : Dupont Bâtiment")
    assert "Points à aborder" in call.body_text and "F1" in call.body_text


def test_a_dispute_leaves_the_chosen_items_alone_and_the_others_reminded(call, company):
    f2 = call.customer.invoices.get(number="F2")
    record(call, "dispute", invoices=[f2], dispute_reason="quality", note="Livraison abîmée")
    dispute = Dispute.objects.get()
    assert (dispute.invoice, dispute.reason, dispute.description) == (
        f2, "quality", "Livraison abîmée"
    )  # fmt: skip
    assert next_run(company) == {"F1": "planned", "F2": "disputed"}


def test_already_paid_holds_the_items_a_week_and_asks_the_accountant(call, company):
    record(call, "already_paid", note="Payé par chèque le 20")
    holds = Hold.objects.order_by("invoice__number")
    assert [(h.invoice.number, h.reason, h.ends_on) for h in holds] == [
        ("F1", "dit avoir payé", TODAY + timedelta(days=7)),
        ("F2", "dit avoir payé", TODAY + timedelta(days=7)),
    ]
    follow_up = FollowUp.objects.get()
    assert (follow_up.kind, follow_up.due_on, follow_up.note) == (
        "check_payment", TODAY, "Payé par chèque le 20"
    )  # fmt: skip
    assert follow_up.call == Call.objects.get()
    assert next_run(company) == {"F1": "on_hold", "F2": "on_hold"}
    assert next_run(company, TODAY + timedelta(days=8)) == {"F1": "planned", "F2": "planned"}


def test_a_copy_request_closes_the_call_with_a_follow_up(call):
    record(call, "copy_requested")
    assert FollowUp.objects.get().kind == "send_copy"
    assert not Hold.objects.exists()


@pytest.mark.parametrize("outcome", ["no_answer", "voicemail"])
def test_an_unanswered_call_stays_pending_until_the_next_business_day(call, outcome):
    friday = date(2026, 11, 27)
    record(call, outcome, today=friday)
    call.refresh_from_db()
    monday = datetime.combine(date(2026, 11, 30), time.min, tzinfo=PARIS)
    assert (call.status, call.attempts, call.next_attempt_at) == ("pending", 1, monday)
    assert Call.objects.get().next_action_on == date(2026, 11, 30)


def test_the_caller_may_choose_the_next_attempt(call):
    record(call, "voicemail", next_action_on=TODAY + timedelta(days=2))
    call.refresh_from_db()
    expected = datetime.combine(TODAY + timedelta(days=2), time.min, tzinfo=PARIS)
    assert call.next_attempt_at == expected
    with pytest.raises(ValidationError):
        record(call, "voicemail", next_action_on=TODAY - timedelta(days=1))


def test_a_retried_call_is_still_never_claimed_by_a_worker(call):
    record(call, "no_answer")
    assert claim_batch("worker", datetime.now(PARIS) + timedelta(days=3), 20) == []


def test_a_wrong_number_fails_the_call_and_is_kept_against_the_contact(call):
    contact = call.customer.contacts.get()
    record(call, "wrong_number", contact=contact, phone="01 23 45 67 89")
    call.refresh_from_db()
    assert call.status == "failed"
    assert call.error == "Numéro erroné : 01 23 45 67 89 (Jeanne Dupont)"
    assert calls.wrong_numbers(call.customer) == {(contact.pk, "01 23 45 67 89")}


def test_a_wrong_number_needs_the_number(call):
    with pytest.raises(ValidationError):
        record(call, "wrong_number")


def test_every_attempt_is_appended_to_the_history(call):
    record(call, "no_answer", phone="06 12 34 56 78")
    first = list(ReminderEvent.objects.filter(reminder=call).values_list("pk", "status", "note"))
    record(call, "promise", promised_on=TODAY + timedelta(days=5), amount=Decimal("100"),
           note="Rappelle vendredi")  # fmt: skip
    events = list(ReminderEvent.objects.filter(reminder=call).values_list("pk", "status", "note"))
    assert events[: len(first)] == first  # nothing edited
    assert [status for _pk, status, _note in events] == ["pending", "pending", "sent"]
    assert events[1][2].startswith("Pas de réponse : nouvel essai le")
    assert "appelé : 06 12 34 56 78" in events[1][2]
    assert events[2][2].startswith("Promesse obtenue : 100 EUR le")
    assert events[2][2].endswith("(F1, F2)\nNotes : Rappelle vendredi")
    assert [c.outcome for c in Call.objects.order_by("pk")] == ["no_answer", "promise"]


def test_a_call_already_dealt_with_is_refused_and_changes_nothing(call):
    record(call, "copy_requested")
    with pytest.raises(ValidationError, match="déjà été traitée"):
        record(call, "promise", promised_on=TODAY, amount=Decimal("10"))
    assert not Promise.objects.exists() and Call.objects.count() == 1


@pytest.mark.parametrize(
    "fields",
    [{}, {"amount": Decimal("10")}, {"promised_on": TODAY - timedelta(1), "amount": Decimal(1)}],
)
def test_a_promise_needs_a_date_to_come_and_an_amount(call, fields):
    with pytest.raises(ValidationError):
        record(call, "promise", **fields)
    call.refresh_from_db()
    assert call.status == "pending" and not Call.objects.exists()


def test_items_of_another_customer_are_refused(call, company):
    other = Customer.objects.create(company=company, code="C2", name="Autre")
    with pytest.raises(ValidationError):
        record(call, "dispute", invoices=[invoice(other, "X1")])
    assert not Dispute.objects.exists()


def test_a_task_is_done_or_postponed_never_given_a_call_outcome(company, customer):
    reminder = Reminder.objects.create(
        company=company, customer=customer, level=1, step_name="Chorus Pro", channel="task",
        currency="EUR", amount=Decimal(1), overdue_amount=Decimal(1), status="pending",
        planned_on=TODAY,
    )  # fmt: skip
    with pytest.raises(ValidationError):
        record(reminder, "promise", promised_on=TODAY, amount=Decimal(1))
    record(reminder, "postponed", next_action_on=TODAY + timedelta(days=1))
    reminder.refresh_from_db()
    assert reminder.status == "pending"
    record(reminder, "done", note="Factures déposées")
    reminder.refresh_from_db()
    assert reminder.status == "sent"


def test_a_follow_up_is_done_once(call):
    record(call, "already_paid")
    follow_up = calls.complete_follow_up(FollowUp.objects.get(), None, "Chèque reçu le 24")
    assert follow_up.done_at is not None and follow_up.done_note == "Chèque reçu le 24"
    with pytest.raises(ValidationError):
        calls.complete_follow_up(follow_up, None)


def test_a_new_call_step_joins_the_customers_open_call(customer):
    """F1 falls due Monday, F2 on Wednesday: one call to make, listing both, with an event
    saying what came in; no second call task for the same customer."""
    Step.objects.filter(level=2).update(offset_days=30)  # the e-mail comes much later
    invoice(customer, "F1")
    services.run_dunning(customer.company, TODAY)
    invoice(customer, "F2", "300.00", due_on=TODAY + timedelta(days=1))
    second = services.run_dunning(customer.company, TODAY + timedelta(days=2))
    assert second.reminders == []  # nothing new: the open call took F2
    call = Reminder.objects.get(channel="call")
    assert call.status == "pending" and call.amount == Decimal("1500.00")
    moved = dict(call.items.values_list("invoice__number", "moved_to_level"))
    assert moved == {"F1": 1, "F2": 1}
    assert call.events.filter(note__contains="ajoutée : F2").exists()
    services.run_dunning(customer.company, TODAY + timedelta(days=3))
    assert Reminder.objects.filter(channel="call").count() == 1  # F2 had its call step


def test_a_call_already_made_is_not_joined(call):
    Step.objects.filter(level=2).update(offset_days=30)
    record(call, "no_answer")  # still pending, to try again
    record(call, "voicemail")
    assert Reminder.objects.get(pk=call.pk).status == "pending"
    invoice(call.customer, "F3", "50.00", due_on=TODAY + timedelta(days=1))
    services.run_dunning(call.customer.company, TODAY + timedelta(days=2))
    assert Reminder.objects.filter(channel="call").count() == 1  # joined: still one call
    record(Reminder.objects.get(pk=call.pk), "promise", promised_on=TODAY + timedelta(days=9),
           amount=Decimal("1550.00"))  # fmt: skip
    assert Reminder.objects.get(pk=call.pk).status == "sent"
    invoice(call.customer, "F4", "80.00", due_on=TODAY + timedelta(days=3))
    services.run_dunning(call.customer.company, TODAY + timedelta(days=4))
    assert Reminder.objects.filter(channel="call").count() == 2  # the made call stays closed


def test_a_higher_step_joining_raises_the_open_calls_step_and_a_lower_one_keeps_it(call):
    """What the run hands to the joining (relance.dunning.joining): two planned calls for the
    customer in one run, F3 at a higher step, then F4 at a lower one."""
    from relance.core import dunning as core
    from relance.dunning.joining import join_open_work

    f3 = invoice(call.customer, "F3", "40.00")
    f4 = invoice(call.customer, "F4", "60.00")
    items = {i.id: i for i in convert.open_items(call.company)}

    def planned(item, level, name, amount):
        return core.PlannedReminder(
            customer_id=call.customer_id, currency="EUR", channel=core.Channel.CALL,
            scenario_id=call.scenario_id, level=level, step_name=name,
            moves=(core.Move(item.pk, call.scenario_id, level),), listed_item_ids=(item.pk,),
            amount=Decimal(amount), overdue_amount=Decimal(amount), needs_approval=False,
            mentions_penalties=True, escalation=core.Escalation.COLLECTION,
        )  # fmt: skip

    plans = [planned(f3, 4, "Appel avant contentieux", "1540.00"),
             planned(f4, 2, "Appel de rappel", "1600.00")]  # fmt: skip
    assert join_open_work(call.company, plans, items, TODAY) == {0, 1}
    call.refresh_from_db()
    assert (call.level, call.step_name, call.escalation) == (4, "Appel avant contentieux",
                                                             "collection")  # fmt: skip
    assert call.mentions_penalties and call.amount == Decimal("1600.00")  # the latest amounts
    moved = dict(call.items.values_list("invoice__number", "moved_to_level"))
    assert moved == {"F1": 1, "F2": 1, "F3": 4, "F4": 2}
