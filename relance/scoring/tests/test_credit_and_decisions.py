"""credit_check (what `relance credit check` and the API answer), the commands, and the
decisions on suggested payer profiles."""

import json
from datetime import timedelta
from decimal import Decimal
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.utils import timezone

from relance.scoring.models import ProfileDecision, Score
from relance.scoring.services import (
    compute_scores,
    credit_check,
    decide_suggestion,
    pending_suggestion,
)
from relance.web.tests.factories import make_user

from .factories import TODAY, portfolio

pytestmark = pytest.mark.django_db


@pytest.fixture
def book():
    return portfolio()


def run(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out, stderr=StringIO())
    return out.getvalue()


def test_credit_check_answers_with_the_figures_behind_the_decision(book):
    company, a, b = book
    compute_scores(company, TODAY)
    assert credit_check(company, a, TODAY) == {
        "customer": "A",
        "blocked": False,
        "reason": None,
        "outstanding": "2500.00",  # A3 2,000 + A4 500
        "overdue": "2000.00",
        "credit_limit": "5000.00",
        "available": "2500.00",
        "limit_use": 50.0,
        "score": 65,
        "decision": "ok",
    }


@pytest.mark.parametrize(
    ("limit", "decision", "reason", "use"),
    [
        ("2700", "review", "near_limit", 92.6),  # 2,500 / 2,700
        ("2500", "block", "over_limit", 100.0),
        ("0", "block", "over_limit", None),  # no credit granted
    ],
)
def test_credit_check_near_and_over_the_limit(book, limit, decision, reason, use):
    company, a, b = book
    a.credit_limit = Decimal(limit)
    a.save()
    answer = credit_check(company, a, TODAY)
    assert (answer["decision"], answer["reason"], answer["limit_use"]) == (decision, reason, use)
    assert answer["available"] == f"{Decimal(limit) - Decimal('2500'):.2f}"


def test_a_blocked_customer_without_limit_nor_score_is_blocked(book):
    company, a, b = book
    answer = credit_check(company, b, TODAY)
    assert (answer["decision"], answer["reason"], answer["blocked"]) == ("block", "blocked", True)
    assert answer["credit_limit"] is None and answer["available"] is None
    assert answer["limit_use"] is None and answer["score"] is None


def test_the_credit_check_command_prints_json_and_french(book):
    company, a, b = book
    answer = json.loads(
        run("credit", "check", "--company", "acme", "--customer", "A", "--format", "json",
            "--date", TODAY.isoformat())
    )  # fmt: skip
    assert list(answer) == [
        "customer", "blocked", "reason", "outstanding", "overdue", "credit_limit",
        "available", "limit_use", "score", "decision",
    ]  # fmt: skip
    text = run("credit", "check", "--company", "acme", "--customer", "B")
    assert "B — Bravo : bloqué (commandes bloquées)" in text
    assert "Encours autorisé : —" in text


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--company", "nope", "--customer", "A"], "société inconnue : nope"),
        (["--company", "acme", "--customer", "ZZ"], "client inconnu dans acme : ZZ"),
        (["--company", "acme", "--customer", "A", "--date", "30/06"], "date invalide"),
    ],
)
def test_the_credit_check_command_says_what_is_wrong(book, args, message):
    with pytest.raises(CommandError, match=message):
        run("credit", "check", *args)


def test_the_score_command_prints_its_summary(book):
    summary = json.loads(run("score", "--company", "acme", "--date", "2026-06-30", "--format",
                             "json"))  # fmt: skip
    assert summary["customers"] == 2 and summary["alerts"]["blocked"] == 1
    text = run("score", "--company", "acme", "--date", "2026-07-01")
    assert "acme — scores au 01/07/2026 : 2 clients, 1 scores changés" in text
    with pytest.raises(CommandError, match="société inconnue"):
        run("score", "--company", "nope")


# --- Suggested profiles ---------------------------------------------------------------------


@pytest.fixture
def suggested(book):
    """A is a good payer by its profile; its score suggests negligent."""
    company, a, b = book
    compute_scores(company, TODAY)
    a.refresh_from_db()
    return a


def test_accepting_changes_the_profile_and_records_who_and_when(suggested):
    manager = make_user("manager")
    assert pending_suggestion(suggested, Score.objects.get(customer=suggested)) == "negligent"
    decision = decide_suggestion(suggested, manager, "negligent", accept=True)
    suggested.refresh_from_db()
    assert suggested.payer_profile == "negligent"
    assert (decision.previous_profile, decision.suggested_profile) == ("good", "negligent")
    assert (decision.is_accepted, decision.decided_by, decision.score) == (True, manager, 65)
    assert decision.decided_at is not None
    assert pending_suggestion(suggested, Score.objects.get(customer=suggested)) == ""


def test_rejecting_keeps_the_profile_and_silences_it_for_90_days(suggested):
    decide_suggestion(suggested, make_user("m"), "negligent", accept=False, note="Client fidèle")
    suggested.refresh_from_db()
    assert suggested.payer_profile == "good"
    latest = Score.objects.get(customer=suggested)
    assert pending_suggestion(suggested, latest) == ""
    ProfileDecision.objects.update(decided_at=timezone.now() - timedelta(days=91))
    assert pending_suggestion(suggested, latest) == "negligent"


def test_a_suggestion_that_changed_since_the_page_is_refused(suggested):
    with pytest.raises(ValidationError, match="La suggestion a changé"):
        decide_suggestion(suggested, None, "bad", accept=True)
    decide_suggestion(suggested, None, "negligent", accept=True)
    with pytest.raises(ValidationError, match="Aucune suggestion"):
        decide_suggestion(suggested, None, "negligent", accept=True)
    assert ProfileDecision.objects.count() == 1
