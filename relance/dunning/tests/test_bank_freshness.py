"""Bank data older than the company allows pauses automatic sending (issue 4): the run's
reminders wait for approval, the sender moves pending ones to approval, and the freshness is
shown before a run (command output, JSON, run record)."""

import json
from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from relance.banking.services import import_statement_file
from relance.core.bank.records import BankLine, BankStatement, StatementFile
from relance.dunning import actions, sending
from relance.dunning.models import DunningRun, Reminder
from relance.dunning.services import run_dunning, seed_default_scenarios
from relance.dunning.tests.test_run import TODAY, customer, invoice
from relance.dunning.tests.test_sending import FakeChannel
from relance.ledger.services import create_company

pytestmark = pytest.mark.django_db


def bank_data_of(owner, booked_on):
    """One statement whose only line was booked on `booked_on`."""
    line = BankLine(line=2, booked_on=booked_on, amount=Decimal("10.00"), currency="EUR",
                    remittance="VIR DIVERS", bank_reference=f"REF{booked_on:%Y%m%d}")  # fmt: skip
    statement = BankStatement(
        account="FR7630006000011234567890189", currency="EUR", lines=(line,),
        opening_on=booked_on, closing_on=booked_on,
        opening_balance=Decimal("0"), closing_balance=Decimal("10.00"),
    )  # fmt: skip
    parsed = StatementFile("camt.053.001.02", (statement,))
    import_statement_file(owner, b"x", file_name="releve.xml", reader=lambda data, name: parsed)


@pytest.fixture
def company():
    company = create_company("RUN", "Relances SAS")
    seed_default_scenarios(company)
    return company


@pytest.fixture
def late(company):
    late = customer(company, "C1")
    invoice(company, late, "F1", "500.00", TODAY - timedelta(days=5))
    return late


@pytest.mark.parametrize(
    ("max_age", "bank_age", "expected"),
    [
        (None, None, "pending"),  # no setting: never paused
        (3, 1, "pending"),
        (3, 3, "pending"),
        (3, 4, "awaiting_approval"),
        (3, None, "awaiting_approval"),  # asked for, but no bank data at all
    ],
)
def test_stale_bank_data_makes_the_runs_reminders_wait_for_approval(
    company,
    late,
    max_age,
    bank_age,
    expected,
):
    company.pause_sending_when_bank_older_than_days = max_age
    company.save()
    if bank_age is not None:
        bank_data_of(company, TODAY - timedelta(days=bank_age))
    result = run_dunning(company, TODAY)
    assert Reminder.objects.get().status == expected
    assert result.as_json()["sending_paused"] is (expected == "awaiting_approval")
    run = DunningRun.objects.get()
    assert run.summary["sending_paused"] is (expected == "awaiting_approval")
    assert run.summary["bank_age_days"] == bank_age


def test_the_run_reports_the_freshest_bank_date(company, late, capsys):
    bank_data_of(company, TODAY - timedelta(days=2))
    call_command("run", "--date", TODAY.isoformat(), "--company", "RUN", "--format", "json")
    assert json.loads(capsys.readouterr().out)["bank_data_on"] == "2026-11-21"


def test_the_run_command_says_when_sending_is_paused(company, late, capsys):
    company.pause_sending_when_bank_older_than_days = 2
    company.save()
    bank_data_of(company, TODAY - timedelta(days=6))
    call_command("run", "--date", TODAY.isoformat(), "--company", "RUN")
    out = capsys.readouterr().out
    assert "dernier relevé bancaire du 17/11/2026 (6 j)" in out
    assert "envoi automatique suspendu" in out


def test_without_bank_data_the_run_command_says_so(company, late, capsys):
    call_command("run", "--date", TODAY.isoformat(), "--company", "RUN")
    assert "aucun relevé bancaire importé" in capsys.readouterr().out


def test_the_sender_moves_pending_reminders_to_approval_while_bank_data_is_stale(
    company,
    late,
):
    run_dunning(company, TODAY)  # no setting yet: pending
    company.pause_sending_when_bank_older_than_days = 1
    company.save()
    channel = FakeChannel()
    counts = sending.send_pending("w1", channel=channel)
    reminder = Reminder.objects.get()
    assert (counts.paused, channel.sent, reminder.status) == (1, [], "awaiting_approval")
    assert reminder.subject  # rendered, for the approver to read
    assert "relevés bancaires trop anciens" in reminder.events.last().note

    approver = get_user_model().objects.create_user("approver")
    actions.approve_reminder(reminder, approver)
    counts = sending.send_pending("w1", channel=channel)  # a person decided: it goes
    assert (counts.sent, channel.sent) == (1, [reminder.pk])
