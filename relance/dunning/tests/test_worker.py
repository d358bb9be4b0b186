"""`relance worker` and `relance send`: rounds, sending hours, the daily run, clean stop."""

import json
import os
import signal
import threading
from datetime import datetime, timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from relance.dunning import services
from relance.dunning.management.commands import worker
from relance.dunning.models import Reminder
from relance.dunning.tests.test_sending import make_company, make_customer, make_invoice
from relance.dunning.tests.test_sending import make_reminder as _make_reminder

pytestmark = pytest.mark.django_db


@pytest.fixture
def customer(settings):
    settings.RELANCE_LOCAL_OUTBOX = True  # nothing leaves the machine
    return make_customer(make_company())


def make_reminder(customer, number, **fields):
    return _make_reminder(customer, [make_invoice(customer.company, customer, number)], **fields)


def run(*args):
    out = StringIO()
    call_command(*args, stdout=out, stderr=StringIO())
    return out.getvalue()


def test_send_prints_its_counts_as_json(customer):
    make_reminder(customer, "F1")
    make_reminder(customer, "F2")
    counts = json.loads(run("send", "--format", "json", "--limit", "1"))
    assert (counts["claimed"], counts["sent"]) == (1, 1)
    assert "1 sent" in run("send")
    assert Reminder.objects.filter(status="sent").count() == 2


def test_a_round_within_the_sending_hours_sends(customer):
    reminder = make_reminder(customer, "F1")
    assert "stopped" in run("worker", "--once", "--sending-hours", "0-24", "--run-at", "23:59")
    assert Reminder.objects.get(pk=reminder.pk).status == "sent"


def test_outside_the_sending_hours_nothing_is_sent(customer, monkeypatch):
    reminder = make_reminder(customer, "F1")
    late_evening = timezone.make_aware(datetime(2026, 11, 23, 21, 30))
    monkeypatch.setattr(worker, "local_now", lambda: late_evening)
    run("worker", "--once", "--sending-hours", "8-19", "--run-at", "23:59")
    assert Reminder.objects.get(pk=reminder.pk).status == "pending"


def test_the_daily_run_happens_once_the_hour_has_come(customer, monkeypatch):
    calls = []
    monkeypatch.setattr(
        services, "run_dunning", lambda company, today: calls.append((company, today))
    )
    morning = timezone.make_aware(datetime(2026, 11, 23, 7, 0))
    monkeypatch.setattr(worker, "local_now", lambda: morning)
    run("worker", "--once", "--run-at", "07:30")
    assert calls == []
    run("worker", "--once", "--run-at", "06:00")
    assert calls == [(customer.company, morning.date())]


def test_the_forecast_is_retrained_after_the_run_when_its_last_training_is_old(
    customer, monkeypatch, settings
):
    from relance.forecast import services as forecast
    from relance.forecast.models import ForecastModel

    trained = []
    monkeypatch.setattr(services, "run_dunning", lambda company, today: None)
    monkeypatch.setattr(forecast, "train", lambda company, today: trained.append(today))
    morning = timezone.make_aware(datetime(2026, 11, 23, 7, 0))
    monkeypatch.setattr(worker, "local_now", lambda: morning)
    settings.RELANCE_FORECAST_RETRAIN_DAYS = 7
    run("worker", "--once", "--run-at", "06:00")
    assert trained == [morning.date()]  # never trained: trained now
    ForecastModel.objects.create(company=customer.company, version=1, method="fallback",
                                 trained_on=morning.date() - timedelta(days=6), n_train=0,
                                 n_rows=0)  # fmt: skip
    run("worker", "--once", "--run-at", "06:00")
    assert len(trained) == 1  # six days old: not yet
    settings.RELANCE_FORECAST_RETRAIN_DAYS = 6
    run("worker", "--once", "--run-at", "06:00")
    assert len(trained) == 2
    settings.RELANCE_FORECAST_RETRAIN_DAYS = 0  # switched off
    run("worker", "--once", "--run-at", "06:00")
    assert len(trained) == 2


def test_at_start_a_worker_turns_its_tried_claims_uncertain_and_gives_back_untried(
    customer, monkeypatch
):
    # Outside the sending hours and before the daily run: the round sends nothing, whatever
    # the hour the suite runs at (the untried claim would otherwise go out at once).
    late_evening = timezone.make_aware(datetime(2026, 11, 23, 21, 30))
    monkeypatch.setattr(worker, "local_now", lambda: late_evening)
    now = timezone.now()
    mine = make_reminder(customer, "F1", status="sending", claimed_by="w1",
                         claimed_at=now, attempt_started_at=now)  # fmt: skip
    untried = make_reminder(customer, "F3", status="sending", claimed_by="w1", claimed_at=now)
    others = make_reminder(customer, "F2", status="sending", claimed_by="w2",
                           claimed_at=now, attempt_started_at=now)  # fmt: skip
    run("worker", "--once", "--id", "w1", "--sending-hours", "8-19", "--run-at", "23:59")
    assert Reminder.objects.get(pk=mine.pk).status == "uncertain"
    assert Reminder.objects.get(pk=untried.pk).status == "pending"  # back in the outbox
    assert Reminder.objects.get(pk=others.pk).status == "sending"


def test_sigterm_stops_the_worker_cleanly(customer, monkeypatch):
    monkeypatch.setattr(worker, "TICK_SECONDS", 3600)  # it would sleep an hour
    previous = signal.getsignal(signal.SIGTERM)
    timer = threading.Timer(0.3, os.kill, (os.getpid(), signal.SIGTERM))
    timer.start()
    started = timezone.now()
    assert "stopped" in run("worker", "--sending-hours", "0-24", "--run-at", "23:59")
    assert timezone.now() - started < timedelta(seconds=10)
    assert signal.getsignal(signal.SIGTERM) is previous


def test_a_round_that_fails_is_logged_and_the_worker_goes_on(customer, monkeypatch, caplog):
    def broken(*args, **kwargs):
        raise RuntimeError("base indisponible")

    monkeypatch.setattr(worker, "send_pending", broken)
    run("worker", "--once", "--sending-hours", "0-24", "--run-at", "23:59")
    assert "round failed" in caplog.text


@pytest.mark.parametrize("hours", ["8", "19-8", "a-b", "0-25"])
def test_bad_sending_hours_are_refused(hours):
    with pytest.raises(CommandError, match="sending-hours"):
        worker.parse_hours(hours)


def test_sending_hours_and_run_time_parse():
    assert worker.parse_hours("8-19") == (8, 19)
    assert worker.parse_time("06:30").hour == 6
    with pytest.raises(CommandError, match="run-at"):
        worker.parse_time("6h30")


@pytest.mark.skipif(
    os.environ.get("DATABASE_URL", "").startswith("sqlite") or not os.environ.get("DATABASE_URL"),
    reason="cuts a PostgreSQL session: runs in the PostgreSQL pass of make test",
)
@pytest.mark.django_db(transaction=True)  # the worker's connection is cut, not a test's
def test_after_its_database_connection_was_cut_the_next_round_reconnects(
    customer, caplog, monkeypatch
):
    """As after a server restart between two rounds: the round fails (logged), the next one
    closes the dead connection, opens a new one and sends."""
    import psycopg
    from django.db import connection

    from tests import processes

    reminder = make_reminder(customer, "F1")
    cut = []

    def cut_once(now, *, worker_id):  # the worker's start, then the server goes away
        if not cut:
            connection.ensure_connection()
            with psycopg.connect(processes.database_url(), autocommit=True) as other:
                pid = connection.connection.info.backend_pid
                other.execute("SELECT pg_terminate_backend(%s)", [pid])
            cut.append(pid)
        return 0

    monkeypatch.setattr(worker, "mark_uncertain", cut_once)
    run("worker", "--once", "--sending-hours", "0-24", "--run-at", "23:59")
    assert cut and "round failed" in caplog.text
    run("worker", "--once", "--sending-hours", "0-24", "--run-at", "23:59")
    assert Reminder.objects.get(pk=reminder.pk).status == "sent"
    assert connection.connection.info.backend_pid != cut[0]
