"""The daily run's write baseline (bench/steps.bare_write): it writes again exactly the rows a
run wrote (its reminders, their items and events, its exclusions), into scratch tables it
leaves behind it dropped, on the database of the suite's pass."""

from datetime import timedelta

import pytest
from django.db import connection

from bench import steps
from relance.dunning import actions, services
from relance.dunning.models import Exclusion, Reminder, ReminderEvent, ReminderItem
from relance.dunning.tests.test_run import TODAY, company, customer, invoice  # noqa: F401

pytestmark = pytest.mark.django_db


def test_the_write_baseline_writes_the_rows_the_run_wrote(company):  # noqa: F811
    for n in range(3):
        person = customer(company, f"C{n}")
        first = invoice(company, person, f"F{n}", "900.00", TODAY - timedelta(days=20))
        invoice(company, person, f"G{n}", "100.00", TODAY + timedelta(days=20))
    actions.put_on_hold(person, None, "Accord", invoice=first)
    services.run_dunning(company, TODAY)
    written = sum(model.objects.count()
                  for model in (Reminder, ReminderItem, ReminderEvent, Exclusion))  # fmt: skip
    assert Reminder.objects.count() == 2 and Exclusion.objects.count() == 1

    steps._read_written(company.code, TODAY)
    assert steps.bare_write(company.code, TODAY) == written
    assert {table for table in connection.introspection.table_names()
            if table.startswith("bench_")} == set()  # fmt: skip
    steps._read_written(company.code, TODAY + timedelta(days=1))  # no run that day
    assert steps.bare_write(company.code, TODAY) == 0
