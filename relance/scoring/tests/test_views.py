"""The scoring page, its Excel export, the score block of the customer file, deciding a
suggestion, and risk alerts on the agenda."""

from datetime import date
from decimal import Decimal
from io import BytesIO

import pytest
from django.utils import translation

from relance.scoring.models import ProfileDecision, RiskAlert, Score
from relance.team.models import Role
from relance.web.tests.factories import World

from .factories import risk_records

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(db):
    world = risk_records(World())
    # A safer customer of the other collector's portfolio, with an open alert of its own.
    Score.objects.create(company=world.company, customer=world.foreign_customer, score=88,
                         computed_on=date.today(), suggested_profile="good", rule="on_time",
                         factors=[{"factor": "late_share", "value": "0.100", "points": "2.0"}],
                         judged=10)  # fmt: skip
    world.foreign_alert = RiskAlert.objects.create(
        company=world.company, customer=world.foreign_customer, kind="blocked",
        raised_on=date.today(), amount=Decimal("0"), currency="EUR",
    )  # fmt: skip
    return world


def page(client, user, url) -> str:
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_the_scoring_page_lists_the_riskiest_first_with_their_factors(client, world):
    html = page(client, world.user(Role.MANAGER), "/c/acme/scoring/")
    assert html.index('data-customer="C001"') < html.index('data-customer="C002"')
    assert 'data-score="35"' in html and 'data-score="88"' in html
    assert "Jours de retard (moyenne pondérée par les montants) −22,5" in html
    assert "Mauvais payeur" in html  # the pending suggestion
    assert "Recalculer maintenant" in html


def test_collectors_see_their_portfolio_and_cannot_recompute(client, world):
    html = page(client, world.user(Role.COLLECTOR), "/c/acme/scoring/")
    assert 'data-customer="C001"' in html and 'data-customer="C002"' not in html
    assert "Recalculer maintenant" not in html


@pytest.mark.parametrize(
    ("query", "shown"),
    [
        ("band=high", {"C001"}),
        ("band=low", {"C002"}),
        ("band=medium", set()),
        ("band=none", set()),
        ("pending=on", {"C001"}),  # C002 is already a good payer
        ("q=martin", {"C002"}),
        ("payer_profile=bad", set()),
    ],
)
def test_filters(client, world, query, shown):
    html = page(client, world.user(Role.ADMIN), f"/c/acme/scoring/?{query}")
    assert {code for code in ("C001", "C002") if f'data-customer="{code}"' in html} == shown


def test_excel_export_has_a_row_per_customer_with_its_factors(client, world):
    from openpyxl import load_workbook

    client.force_login(world.user(Role.MANAGER))
    response = client.get("/c/acme/scoring/?format=xlsx")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = list(load_workbook(BytesIO(response.content)).active.iter_rows(values_only=True))
    header = next(row for row in rows if row and row[0] == "Code client")
    lines = {row[0]: row for row in rows if row and row[0] in ("C001", "C002")}
    assert lines["C001"][header.index("Score")] == 35
    assert lines["C001"][header.index("Profil suggéré")] == "Mauvais payeur"
    days = header.index("Jours de retard (moyenne pondérée par les montants) (points)")
    assert lines["C001"][days] == 22.5
    assert lines["C002"][header.index("Risque")] == "Risque faible"


def test_the_customer_file_shows_the_score_and_lets_a_manager_decide(client, world):
    url = f"/c/acme/customers/{world.customer.pk}/"
    html = page(client, world.user(Role.MANAGER), url)
    assert "Score de risque" in html and 'data-score="35"' in html
    assert 'data-factor="days_late"' in html and "45,0 j" in html
    assert 'name="decision" value="accept"' in html
    assert 'data-alert="credit_limit"' in html and "Encours à 70 % de l&#x27;encours" in html
    response = client.post(
        url + "profile-suggestion/", {"decision": "accept", "profile": "bad", "note": "Vu"}
    )
    assert response.status_code == 302 and response["Location"] == url
    world.customer.refresh_from_db()
    assert world.customer.payer_profile == "bad"
    decision = ProfileDecision.objects.get()
    assert (decision.decided_by, decision.previous_profile, decision.note) == (
        world.user(Role.MANAGER), "good", "Vu"
    )  # fmt: skip
    assert "Suggestion acceptée" in page(client, world.user(Role.MANAGER), url)


def test_read_only_members_see_the_score_but_not_the_buttons(client, world):
    html = page(client, world.user(Role.READ_ONLY), f"/c/acme/customers/{world.customer.pk}/")
    assert 'data-score="35"' in html and "Mauvais payeur" in html
    assert 'value="accept"' not in html and ">Vu<" not in html


def test_a_stale_or_unknown_decision_is_refused_with_a_message(client, world):
    client.force_login(world.user(Role.MANAGER))
    url = f"/c/acme/customers/{world.customer.pk}/profile-suggestion/"
    response = client.post(url, {"decision": "accept", "profile": "insolvent"}, follow=True)
    assert "La suggestion a changé" in response.content.decode()
    response = client.post(url, {"decision": "maybe", "profile": "bad"}, follow=True)
    assert "Décision inconnue" in response.content.decode()
    world.customer.refresh_from_db()
    assert world.customer.payer_profile == "good" and not ProfileDecision.objects.exists()


def test_risk_alerts_are_on_the_agenda_with_a_one_click_seen(client, world):
    html = page(client, world.user(Role.COLLECTOR), "/c/acme/agenda/?type=risk_alerts")
    assert 'data-kind="risk_alerts"' in html
    assert "Encours à 70 % de l&#x27;encours autorisé" in html
    assert f"/c/acme/risk-alerts/{world.alert.pk}/seen/" in html
    assert f"/risk-alerts/{world.foreign_alert.pk}/" not in html  # not in the portfolio
    response = client.post(f"/c/acme/risk-alerts/{world.alert.pk}/seen/")
    assert response.status_code == 302 and response["Location"] == "/c/acme/agenda/"
    world.alert.refresh_from_db()
    assert world.alert.seen_by == world.user(Role.COLLECTOR) and world.alert.seen_at
    html = page(client, world.user(Role.COLLECTOR), "/c/acme/agenda/?type=risk_alerts")
    assert f"/risk-alerts/{world.alert.pk}/seen/" not in html


def test_a_collector_cannot_mark_an_alert_outside_the_portfolio(client, world):
    client.force_login(world.user(Role.COLLECTOR))
    response = client.post(f"/c/acme/risk-alerts/{world.foreign_alert.pk}/seen/")
    assert response.status_code == 404
    world.foreign_alert.refresh_from_db()
    assert world.foreign_alert.seen_at is None


def test_sales_reps_see_alerts_but_open_the_customer_instead(client, world):
    world.customer.sales_rep = world.user(Role.SALES)
    world.customer.save()
    html = page(client, world.user(Role.SALES), "/c/acme/agenda/?type=risk_alerts")
    assert f"/c/acme/customers/{world.customer.pk}/" in html
    assert f"/risk-alerts/{world.alert.pk}/seen/" not in html


def test_recomputing_now_scores_the_company(client, world):
    client.force_login(world.user(Role.MANAGER))
    response = client.post("/c/acme/scoring/compute/", follow=True)
    assert "Scores calculés : 2 clients" in response.content.decode()
    assert Score.objects.filter(computed_on=date.today(), customer=world.customer).exists()


@pytest.fixture
def back_to_french():
    """A request in English leaves the thread in English: later tests expect French."""
    yield
    translation.activate("fr")


def test_the_scoring_page_in_english(client, world, back_to_french):
    client.force_login(world.user(Role.MANAGER))
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    html = client.get("/c/acme/scoring/").content.decode()
    assert "Risk scores" in html and "Bad payer" in html
    assert "Days late (amount-weighted average) −22.5" in html
    html = client.get(f"/c/acme/customers/{world.customer.pk}/").content.decode()
    assert "Risk score" in html and "Accept" in html and "Outstanding at 70 % of" in html


def test_a_customer_without_a_score_shows_a_dash(client, world):
    Score.objects.filter(customer=world.foreign_customer).delete()
    html = page(client, world.user(Role.MANAGER), "/c/acme/scoring/?band=none")
    assert 'data-customer="C002"' in html and "/100" not in html
