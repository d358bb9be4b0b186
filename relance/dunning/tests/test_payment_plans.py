"""The daily run and payment plans: invoices in an active plan are left alone, their
instalments are reminded before and after their date, a breach sends the invoices back to
their scenario, a paid plan is completed."""

from datetime import date, timedelta
from decimal import Decimal

import pytest

from relance.dunning import services
from relance.dunning.models import Exclusion, Reminder, ReminderItem
from relance.dunning.sending import recheck
from relance.ledger import services as ledger
from relance.ledger.models import Contact, Customer
from relance.plans import services as plans
from relance.plans.models import InstalmentNotice, PaymentPlan

pytestmark = pytest.mark.django_db
AGREED = date(2026, 11, 2)  # a Monday
FIRST = date(2026, 11, 23)  # first instalment (a Monday: five days before is a Wednesday)
D = Decimal


@pytest.fixture
def company():
    company = ledger.create_company("PLN", "Plans SAS", iban="FR7630006000011234567890189")
    services.seed_default_scenarios(company)
    return company


@pytest.fixture
def customer(company):
    customer = Customer.objects.create(company=company, code="C1", name="Client C1")
    Contact.objects.create(customer=customer, name="Compta", email="c1@example.fr",
                           role=Contact.Role.BILLING)  # fmt: skip
    return customer


def invoice(customer, number, amount, due_on):
    return ledger.record_invoice(customer.company, customer, number=number, amount=D(amount),
                                 issued_on=due_on - timedelta(30), due_on=due_on)  # fmt: skip


@pytest.fixture
def plan(customer):
    """900.00 of two overdue invoices in three monthly instalments of 300.00 from FIRST."""
    f1 = invoice(customer, "F1", "600.00", date(2026, 9, 30))
    f2 = invoice(customer, "F2", "300.00", date(2026, 10, 15))
    return plans.agree_plan(customer, None, [f1, f2], AGREED, count=3, first_on=FIRST)


def pay(customer, amount, on, *numbers):
    invoices = customer.invoices.filter(number__in=numbers)
    ledger.receive_payment(customer.company, customer, invoices, amount=D(amount),
                           received_on=on, currency="EUR")  # fmt: skip


def run(company, day):
    return services.run_dunning(company, day)


def test_invoices_in_an_active_plan_are_excluded_with_their_reason(company, customer, plan):
    other = invoice(customer, "F3", "100.00", date(2026, 10, 31))
    result = run(company, date(2026, 11, 5))
    reasons = {(e.invoice.number, e.reason) for e in Exclusion.objects.select_related("invoice")}
    assert reasons == {("F1", "payment_plan"), ("F2", "payment_plan")}
    (reminder,) = result.plan.reminders  # F3 only, not listing the plan's invoices
    assert reminder.listed_item_ids == (other.pk,) and reminder.amount == D("100.00")


def test_an_instalment_is_reminded_a_few_days_before_its_date(company, customer, plan):
    assert run(company, FIRST - timedelta(days=6)).reminders == []
    result = run(company, FIRST - timedelta(days=5))
    reminder = Reminder.objects.get(pk__in=result.reminders)
    assert (reminder.step_name, reminder.level, reminder.channel) == (
        "Échéance à venir",
        1,
        "email",
    )
    assert reminder.amount == D("300.00") and reminder.scenario is None
    items = ReminderItem.objects.filter(reminder=reminder)
    assert sorted(i.invoice.number for i in items) == ["F1", "F2"]
    assert all(i.moved_to_level is None for i in items)  # the scenario's history is untouched
    assert "Échéancier" in reminder.subject and "300,00" in reminder.body_text
    assert "23/11/2026" in reminder.body_text
    notice = InstalmentNotice.objects.get()
    assert (notice.instalment.number, notice.kind, notice.reminder) == (1, "before", reminder)


def test_running_a_date_twice_or_the_next_days_adds_nothing(company, customer, plan):
    run(company, FIRST - timedelta(days=5))
    assert run(company, FIRST - timedelta(days=5)).already_done
    for days in range(-4, 3):
        assert run(company, FIRST + timedelta(days=days)).reminders == []
    assert Reminder.objects.count() == 1


def test_an_unpaid_instalment_is_reminded_once_it_is_late(company, customer, plan):
    run(company, FIRST - timedelta(days=5))
    result = run(company, FIRST + timedelta(days=3))
    reminder = Reminder.objects.get(pk__in=result.reminders)
    assert (reminder.step_name, reminder.level, reminder.amount) == (
        "Échéance impayée", 2, D("300.00"),
    )  # fmt: skip
    assert "sera rompu" in reminder.body_text and "900,00" in reminder.body_text
    assert run(company, FIRST + timedelta(days=4)).reminders == []


def test_a_paid_instalment_is_not_reminded_and_a_partial_payment_lowers_the_amount(
    company, customer, plan
):
    pay(customer, "300.00", FIRST, "F1")
    assert run(company, FIRST + timedelta(days=3)).reminders == []
    pay(customer, "100.00", FIRST + timedelta(days=20), "F1")
    result = run(company, FIRST + timedelta(days=26))  # the second one, 5 days ahead
    assert Reminder.objects.get(pk__in=result.reminders).amount == D("200.00")


def test_the_sender_recheck_updates_or_cancels_an_instalment_reminder(company, customer, plan):
    result = run(company, FIRST - timedelta(days=5))
    reminder = Reminder.objects.get(pk__in=result.reminders)
    pay(customer, "100.00", FIRST - timedelta(days=4), "F1")
    assert recheck(reminder, FIRST - timedelta(days=4)) == ""
    reminder.refresh_from_db()
    assert reminder.amount == D("200.00") and "200,00" in reminder.body_text
    pay(customer, "200.00", FIRST - timedelta(days=3), "F1")
    assert "réglées" in recheck(reminder, FIRST - timedelta(days=3))


def test_a_breach_breaks_the_plan_alerts_the_collector_and_resumes_the_scenario(
    company, customer, plan
):
    assert run(company, FIRST + timedelta(days=15)).plan.excluded  # still in the plan
    result = run(company, FIRST + timedelta(days=16))
    plan.refresh_from_db()
    assert plan.status == PaymentPlan.Status.BROKEN and plan.ended_on == FIRST + timedelta(16)
    alert = Reminder.objects.get(step_name="Échéancier rompu")
    assert (alert.channel, alert.status, alert.amount) == ("call", "pending", D("900.00"))
    # The invoices are reminded again, at the next step of their scenario (one, not a burst).
    (reminder,) = result.plan.reminders
    assert sorted(ReminderItem.objects.filter(reminder_id=result.reminders[0])
                  .values_list("invoice__number", flat=True)) == ["F1", "F2"]  # fmt: skip
    assert reminder.level == 2 and {m.level for m in reminder.moves} == {2}
    assert not Exclusion.objects.filter(run__run_on=FIRST + timedelta(16)).exists()
    # A second run (another date) breaks nothing more and alerts nobody again.
    run(company, FIRST + timedelta(days=17))
    assert Reminder.objects.filter(step_name="Échéancier rompu").count() == 1


def test_a_reminder_of_a_broken_plan_is_cancelled_before_sending(company, customer, plan):
    result = run(company, FIRST + timedelta(days=3))
    reminder = Reminder.objects.get(pk__in=result.reminders)
    run(company, FIRST + timedelta(days=16))
    assert "échéancier terminé" in recheck(reminder, FIRST + timedelta(days=16))


def test_a_paid_plan_is_completed(company, customer, plan):
    pay(customer, "900.00", FIRST, "F1", "F2")
    run(company, FIRST + timedelta(days=1))
    plan.refresh_from_db()
    assert plan.status == PaymentPlan.Status.COMPLETED


def test_a_dry_run_reports_the_breach_and_keeps_nothing(company, customer, plan):
    result = services.run_dunning(company, FIRST + timedelta(days=16), dry_run=True)
    assert len(result.plan.reminders) == 1 and result.plan.excluded == ()
    plan.refresh_from_db()
    assert plan.status == PaymentPlan.Status.ACTIVE and not Reminder.objects.exists()


def test_a_cancelled_plan_sends_its_invoices_back_to_their_scenario(company, customer, plan):
    plans.cancel_plan(plan, None, AGREED + timedelta(days=1))
    result = run(company, date(2026, 11, 5))
    assert len(result.plan.reminders) == 1 and not result.plan.excluded


def test_no_second_email_the_day_an_instalment_is_reminded(company, customer, plan):
    """F3, outside the plan, reaches a step the day the first instalment is announced: one
    e-mail that day (the instalment), F3's step the next run."""
    day = FIRST - timedelta(days=5)
    invoice(customer, "F3", "100.00", day - timedelta(days=20))  # its first step has come
    result = run(company, day)
    (reminder,) = Reminder.objects.filter(pk__in=result.reminders)
    assert reminder.step_name == "Échéance à venir"
    reasons = {(e.invoice.number, e.reason) for e in Exclusion.objects.filter(run__run_on=day)}
    assert ("F3", "instalment_today") in reasons
    following = Reminder.objects.filter(pk__in=run(company, day + timedelta(days=1)).reminders)
    assert [(r.scenario_id is not None, r.items.get().invoice.number) for r in following] == [
        (True, "F3")
    ]
