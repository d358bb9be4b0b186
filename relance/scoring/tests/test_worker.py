"""The worker scores each company right after its daily dunning run."""

from datetime import date, datetime
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from relance.dunning import services as dunning
from relance.dunning.management.commands import worker
from relance.scoring import services as scoring
from relance.scoring.models import Score
from relance.web.tests.factories import make_company, make_customer

pytestmark = pytest.mark.django_db
MORNING = timezone.make_aware(datetime(2026, 11, 23, 7, 0))


@pytest.fixture
def companies(settings, monkeypatch):
    settings.RELANCE_LOCAL_OUTBOX = True
    monkeypatch.setattr(worker, "local_now", lambda: MORNING)
    return make_company("acme", "Acme SAS"), make_company("beta", "Beta SARL")


def run_once(run_at: str = "06:00") -> None:
    call_command("worker", "--once", "--run-at", run_at, "--sending-hours", "0-1",
                 stdout=StringIO(), stderr=StringIO())  # fmt: skip


def test_each_company_is_scored_after_its_dunning_run(companies, monkeypatch):
    calls = []
    monkeypatch.setattr(dunning, "run_dunning", lambda c, day: calls.append(("run", c.code, day)))
    monkeypatch.setattr(
        scoring, "compute_scores", lambda c, day: calls.append(("score", c.code, day))
    )
    run_once("07:30")
    assert calls == []  # not the hour yet
    run_once()
    day = date(2026, 11, 23)
    assert calls == [("run", "acme", day), ("score", "acme", day),
                     ("run", "beta", day), ("score", "beta", day)]  # fmt: skip


def test_the_scores_are_stored_by_the_daily_round(companies, monkeypatch):
    monkeypatch.setattr(dunning, "run_dunning", lambda company, day: None)
    customer = make_customer(companies[0], "C1", "Client")
    run_once()
    assert Score.objects.get(customer=customer).computed_on == date(2026, 11, 23)


def test_a_failed_scoring_is_logged_and_the_next_company_still_runs(companies, monkeypatch, caplog):
    runs = []
    monkeypatch.setattr(dunning, "run_dunning", lambda company, day: runs.append(company.code))

    def broken(company, day):
        raise RuntimeError("base indisponible")

    monkeypatch.setattr(scoring, "compute_scores", broken)
    run_once()
    assert runs == ["acme", "beta"]
    assert "scoring of acme failed" in caplog.text and "scoring of beta failed" in caplog.text
