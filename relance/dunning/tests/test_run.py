"""The daily run through the database: outbox, history, idempotence, exclusions."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command

from relance.dunning import services
from relance.dunning.models import (
    DunningRun,
    Exclusion,
    Hold,
    Reminder,
    ReminderEvent,
    ReminderItem,
    Scenario,
)
from relance.ledger import services as ledger
from relance.ledger.models import Contact, Customer

pytestmark = pytest.mark.django_db
TODAY = date(2026, 11, 23)  # a Monday


@pytest.fixture
def company():
    company = ledger.create_company("RUN", "Relances SAS")
    services.seed_default_scenarios(company)
    return company


def customer(company, code, **fields):
    customer = Customer.objects.create(company=company, code=code, name=f"Client {code}", **fields)
    Contact.objects.create(customer=customer, name="Compta", email=f"{code}@example.fr",
                           role=Contact.Role.BILLING)  # fmt: skip
    return customer


def invoice(company, customer, number, amount, due_on):
    return ledger.record_invoice(company, customer, number=number, issued_on=due_on - timedelta(30),
                                 due_on=due_on, amount=Decimal(amount))  # fmt: skip


def test_seeding_gives_one_scenario_per_profile_and_a_default(company):
    assert Scenario.objects.filter(company=company).count() == 7
    assert Scenario.objects.get(company=company, is_default=True).payer_profile == "good"
    assert services.seed_default_scenarios(company) == []


def test_a_run_writes_reminders_with_their_items_and_history(company):
    late = customer(company, "C1")
    invoice(company, late, "F1", "1200.00", TODAY - timedelta(days=5))
    invoice(company, late, "F2", "300.00", TODAY + timedelta(days=20))
    result = services.run_dunning(company, TODAY)
    reminder = Reminder.objects.get()
    assert (reminder.customer, reminder.status, reminder.channel) == (late, "pending", "email")
    assert reminder.amount == Decimal("1500.00")
    assert reminder.recipients == [{"email": "C1@example.fr", "name": "Compta", "kind": "to"}]
    items = {i.invoice.number: i.moved_to_level for i in ReminderItem.objects.all()}
    assert items == {"F1": reminder.level, "F2": None}
    assert ReminderEvent.objects.get().status == "pending"
    run = DunningRun.objects.get()
    assert (run.reminders, run.run_on) == (1, TODAY)
    assert result.as_json()["reminders"][0]["invoices"] == ["F1", "F2"]


def test_the_same_date_twice_creates_nothing_new(company):
    invoice(company, customer(company, "C1"), "F1", "100.00", TODAY - timedelta(days=5))
    services.run_dunning(company, TODAY)
    again = services.run_dunning(company, TODAY)
    assert again.already_done and again.as_json()["reminders"] == []
    assert Reminder.objects.count() == 1 and DunningRun.objects.count() == 1


def test_the_next_day_does_not_repeat_the_step(company):
    invoice(company, customer(company, "C1"), "F1", "100.00", TODAY - timedelta(days=5))
    services.run_dunning(company, TODAY)
    services.run_dunning(company, TODAY + timedelta(days=1))
    assert Reminder.objects.count() == 1


def test_a_dry_run_reports_what_the_real_run_does_and_writes_nothing(company):
    invoice(company, customer(company, "C1"), "F1", "100.00", TODAY - timedelta(days=5))
    on_hold = customer(company, "C2")
    invoice(company, on_hold, "F2", "100.00", TODAY - timedelta(days=5))
    Hold.objects.create(company=company, customer=on_hold, reason="négociation")
    dry = services.run_dunning(company, TODAY, dry_run=True).as_json()
    assert not Reminder.objects.exists() and not DunningRun.objects.exists()
    real = services.run_dunning(company, TODAY).as_json()
    assert {**dry, "dry_run": False} == real
    assert Exclusion.objects.get().reason == "on_hold"


def test_a_customer_who_paid_gets_nothing(company):
    paid = customer(company, "C1")
    item = invoice(company, paid, "F1", "100.00", TODAY - timedelta(days=5))
    payment = ledger.record_payment(company, customer=paid, amount=Decimal("100"),
                                    received_on=TODAY, currency="EUR")  # fmt: skip
    ledger.allocate(item, Decimal("100"), TODAY, payment=payment)
    assert services.run_dunning(company, TODAY).as_json()["reminders"] == []


def test_run_command_prints_the_json_of_the_issue(company, capsys):
    invoice(company, customer(company, "C1"), "F1", "100.00", TODAY - timedelta(days=5))
    call_command("run", "--company", "RUN", "--date", TODAY.isoformat(), "--format", "json")
    import json

    output = json.loads(capsys.readouterr().out)
    assert set(output) >= {"date", "reminders", "excluded"}
    assert set(output["reminders"][0]) >= {"customer", "step", "channel", "invoices", "amount",
                                           "currency"}  # fmt: skip


def test_a_consumer_is_reminded_within_contact_hours(company):
    person = customer(company, "P1", is_consumer=True)
    invoice(company, person, "F1", "80.00", TODAY - timedelta(days=5))
    services.run_dunning(company, TODAY)
    local = Reminder.objects.get().not_before.astimezone(services.ZoneInfo("Europe/Paris"))
    assert local.weekday() < 5
    assert (10 <= local.hour < 13) or (14 <= local.hour < 20)


@pytest.mark.django_db(transaction=True)
def test_two_runs_started_at_once_do_the_work_once():
    import threading

    from django.db import connection

    company = ledger.create_company("TWO", "Deux SAS")
    services.seed_default_scenarios(company)
    for n in range(20):
        invoice(company, customer(company, f"C{n}"), f"F{n}", "100.00", TODAY - timedelta(days=5))
    results, barrier = [], threading.Barrier(2)

    def run():
        barrier.wait()
        try:
            results.append(services.run_dunning(company, TODAY))
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(r.already_done for r in results) == [False, True]
    assert Reminder.objects.filter(company=company).count() == 20
    assert DunningRun.objects.filter(company=company).count() == 1


def test_alsace_moselle_keeps_good_friday(company):
    # Vendredi saint 2027: 26 March. A step due that day waits for Monday 29 March there.
    good_friday = date(2027, 3, 26)
    first = Scenario.objects.get(company=company, is_default=True).steps.get(level=2)
    due_on = good_friday - timedelta(days=first.offset_days)
    invoice(company, customer(company, "C1"), "F1", "100.00", due_on)
    assert services.run_dunning(company, good_friday, dry_run=True).as_json()["reminders"]
    company.alsace_moselle = True
    company.save()
    assert not services.run_dunning(company, good_friday, dry_run=True).as_json()["reminders"]


def test_the_company_sets_the_consumer_contact_hours(company):
    company.consumer_hours = "09:00-09:30"
    company.save()
    person = customer(company, "P1", is_consumer=True)
    invoice(company, person, "F1", "80.00", TODAY - timedelta(days=5))
    services.run_dunning(company, TODAY)
    local = Reminder.objects.get().not_before.astimezone(services.ZoneInfo("Europe/Paris"))
    assert (local.hour, local.weekday() < 5) == (9, True)


def test_bad_contact_hours_are_refused_with_the_reason(company):
    from django.core.exceptions import ValidationError

    company.consumer_hours = "9h-12h"
    with pytest.raises(ValidationError, match="illisible"):
        company.full_clean()


def test_a_step_held_back_by_the_minimum_gap_is_not_due_yet(company):
    invoice(company, customer(company, "C1"), "F1", "100.00", TODAY - timedelta(days=40))
    services.run_dunning(company, TODAY)
    tomorrow = services.run_dunning(company, TODAY + timedelta(days=1))
    assert tomorrow.as_json()["reminders"] == [] and tomorrow.as_json()["excluded"] == []
    assert not Exclusion.objects.filter(run__run_on=TODAY + timedelta(days=1)).exists()
