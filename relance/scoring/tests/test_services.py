"""Scores computed from the database on a small portfolio, compared with the same scores
computed by hand; the history written on change only; alerts raised once per crossing."""

from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from relance.dunning.models import Dispute, Promise
from relance.scoring import queries
from relance.scoring.models import RiskAlert, Score, ScoringRun
from relance.scoring.services import compute_scores

from .factories import TODAY, invoice, portfolio

pytestmark = pytest.mark.django_db

D = Decimal


@pytest.fixture
def book():
    return portfolio()


def points(score: Score) -> dict[str, str]:
    return {f["factor"]: f["points"] for f in score.factors}


def values(score: Score) -> dict[str, str | None]:
    return {f["factor"]: f["value"] for f in score.factors}


def test_the_history_read_from_the_database_is_the_one_counted_by_hand(book):
    company, a, b = book
    found = {account.customer_id: account for account in queries.accounts(company, TODAY)}
    assert set(found) == {a.pk, b.pk}  # the other company's customer is not read
    h = found[a.pk].history
    # A1 1,000 paid 20 days late; A2 3,000 paid 3 days late (recent); A0 before the window
    assert (h.settled.amount, h.settled.weighted_days) == (4000, 1000 * 20 + 3000 * 3)
    assert (h.settled_recent.amount, h.settled_recent.weighted_days) == (3000, 9000)
    assert (h.settled_count, h.settled_late_count) == (2, 1)
    # A3 2,000 open 20 days past due; A4 not due
    assert (h.overdue.amount, h.overdue.weighted_days) == (2000, 40000)
    assert (h.overdue_late_count, h.oldest_overdue_days) == (1, 20)
    assert (h.disputes, h.broken_promises, h.reminders) == (1, 1, 2)
    assert (h.payments, h.direct_debits, h.days_since_payment) == (2, 0, 57)
    assert (h.outstanding, h.credit_limit) == (D("2500.00"), D("5000.00"))
    assert found[b.pk].is_blocked and found[b.pk].history.judged == 0


def test_scores_match_the_hand_computation(book):
    company, a, b = book
    summary = compute_scores(company, TODAY)
    score = Score.objects.get(customer=a)
    # days late (20,000 + 9,000 + 40,000) / 6,000 = 11.5 -> 40 x 11.5/90 = 5.11 -> 5.1
    # trend 49,000/5,000 = 9.8 lately against 20 before: improving, 0
    # late 2 of 3 -> 20 x 2/3 = 13.3; disputes 1 of 3 -> all 10; 1 broken promise -> 5
    # reminders 2 of 3 -> 5 x 0.667/2 = 1.7; credit use 50 % -> 0
    assert points(score) == {
        "days_late": "5.1",
        "trend": "0",
        "late_share": "13.3",
        "disputes": "10.0",
        "broken_promises": "5.0",
        "reminders": "1.7",
        "credit_use": "0",
    }
    assert values(score)["days_late"] == "11.5"
    assert values(score)["trend"] == "-10.2"
    assert values(score)["credit_use"] == "0.500"
    assert score.score == 65  # 100 - 35.1 = 64.9
    assert (score.suggested_profile, score.rule) == ("negligent", "late")  # 11.5 > 10 days
    assert (score.limit_level, score.is_blocked, score.judged) == (50, False, 3)
    bravo = Score.objects.get(customer=b)
    assert (bravo.score, bravo.suggested_profile, bravo.rule) == (100, "", "too_little_history")
    assert summary.as_dict() == {
        "company": "acme",
        "date": "2026-06-30",
        "customers": 2,
        "written": 2,
        "alerts": {"score_drop": 0, "credit_limit": 1, "blocked": 1},
    }
    alerts = {(r.customer_id, r.kind, r.level) for r in RiskAlert.objects.all()}
    assert alerts == {(a.pk, "credit_limit", 50), (b.pk, "blocked", 0)}
    assert RiskAlert.objects.get(customer=a).amount == D("2500.00")


def test_computing_the_same_day_again_changes_nothing(book):
    company, a, b = book
    compute_scores(company, TODAY)
    again = compute_scores(company, TODAY)
    assert again.written == 2  # the day's rows are replaced
    assert sum(again.alerts.values()) == 0
    assert Score.objects.count() == 2 and RiskAlert.objects.count() == 2
    assert ScoringRun.objects.get(company=company, run_on=TODAY).customers == 2


def test_a_row_is_written_only_when_the_score_changed(book):
    company, a, b = book
    compute_scores(company, TODAY)
    following = compute_scores(company, TODAY + timedelta(days=1))
    # A's open invoice is a day later (11.8 days on average); nothing changed for B
    assert following.written == 1
    assert Score.objects.filter(customer=b).count() == 1
    assert Score.objects.filter(customer=a).count() == 2
    assert sum(following.alerts.values()) == 0  # the 50 % level is not raised every day


def test_a_sharp_drop_and_a_higher_limit_level_raise_alerts(book):
    company, a, b = book
    compute_scores(company, TODAY)  # 65
    a.credit_limit = D("2500")
    a.save()
    Promise.objects.create(company=company, customer=a, promised_on=date(2026, 6, 20),
                           amount=D("500"), status=Promise.Status.BROKEN)  # fmt: skip
    invoice(a, "A5", "1000", date(2026, 3, 1))  # forgotten: 124 days past due
    day = TODAY + timedelta(days=3)
    summary = compute_scores(company, day)
    score = Score.objects.get(customer=a, computed_on=day)
    # days late (29,000 + 2,000 x 23 + 1,000 x 124) / 7,000 = 28.4 -> 12.6; trend 29.8
    # lately against 20 -> 3.3; 3 late of 4 -> 15; disputes 10; 2 broken promises -> 10;
    # reminders 2 of 4 -> 1.3; 3,500 on a 2,500 limit -> 5: 57.2 off -> 43
    assert score.score == 43
    assert summary.alerts == {"score_drop": 1, "credit_limit": 1, "blocked": 0}
    drop = RiskAlert.objects.get(kind="score_drop")
    assert (drop.previous_score, drop.score) == (65, 43)
    assert RiskAlert.objects.get(kind="credit_limit", level=90).raised_on == day
    # a week later, still low: the drop is not raised again within 30 days
    assert compute_scores(company, day + timedelta(days=7)).alerts["score_drop"] == 0


def test_a_customer_blocked_again_raises_the_alert_again(book):
    company, a, b = book
    compute_scores(company, TODAY)
    b.is_blocked = False
    b.save()
    compute_scores(company, TODAY + timedelta(days=1))
    b.is_blocked = True
    b.save()
    summary = compute_scores(company, TODAY + timedelta(days=2))
    assert summary.alerts["blocked"] == 1
    assert RiskAlert.objects.filter(customer=b, kind="blocked").count() == 2


def test_invoices_an_import_flagged_disputed_count_once(book):
    company, a, b = book
    invoice(b, "B1", "100", date(2026, 6, 1), is_disputed=True)  # flagged by an import
    recorded = invoice(b, "B2", "100", date(2026, 6, 1), is_disputed=True)
    dispute = Dispute.objects.create(company=company, customer=b, invoice=recorded, reason="price")
    opened = datetime(2026, 6, 15, 9, tzinfo=ZoneInfo("Europe/Paris"))
    Dispute.objects.filter(pk=dispute.pk).update(opened_at=opened)
    invoice(b, "B0", "100", date(2025, 1, 1), is_disputed=True, open_amount=D("0"))  # old
    found = {account.customer_id: account.history for account in queries.accounts(company, TODAY)}
    assert (found[b.pk].disputes, found[a.pk].disputes) == (2, 1)
