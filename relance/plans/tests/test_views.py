"""The payment plan pages of the customer file."""

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders

from relance.plans.models import PaymentPlan
from relance.team.models import Role
from relance.web.tests.factories import World, make_invoice, plan_records

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return World()


def url(world, path=""):
    return f"/c/{world.company.code}/{path}"


def test_a_collector_agrees_a_plan_from_the_customer_file(client, world):
    client.force_login(world.user(Role.COLLECTOR))
    page = client.get(url(world, f"customers/{world.customer.pk}/dunning/"))
    assert "Accorder un échéancier" in page.content.decode()
    response = client.post(
        url(world, f"customers/{world.customer.pk}/plans/new/"),
        {"invoices": [world.invoice.pk], "agreed_on": "2026-11-02", "count": "3",
         "first_on": "2026-11-30"},
    )  # fmt: skip
    plan = PaymentPlan.objects.get()
    assert response["Location"] == url(world, f"plans/{plan.pk}/")
    assert plan.instalments.count() == 3 and plan.created_by == world.user(Role.COLLECTOR)
    page = client.get(url(world, f"customers/{world.customer.pk}/dunning/")).content.decode()
    assert "En cours" in page and "3 échéances" in page


def test_a_hand_typed_schedule_that_does_not_add_up_is_shown_as_an_error(client, world):
    client.force_login(world.user(Role.COLLECTOR))
    response = client.post(
        url(world, f"customers/{world.customer.pk}/plans/new/"),
        {"invoices": [world.invoice.pk], "agreed_on": "2026-11-02",
         "schedule": "2026-12-01 500,00\n2027-01-01 500"},
    )  # fmt: skip
    assert response.status_code == 200 and "totalisent 1000" in response.content.decode()
    assert not PaymentPlan.objects.exists()


def test_the_plan_page_shows_each_instalment_and_its_status(client, world):
    plan = plan_records(world).plan
    client.force_login(world.user(Role.READ_ONLY))
    page = client.get(url(world, f"plans/{plan.pk}/")).content.decode()
    assert page.count("à venir") + page.count("échue, à régler") == 2
    assert "Annuler l&#x27;échéancier" not in page  # read-only: no cancel button


def test_the_agreement_is_a_printable_french_document(client, world):
    plan = plan_records(world).plan
    client.force_login(world.user(Role.COLLECTOR))
    page = client.get(url(world, f"plans/{plan.pk}/agreement/")).content.decode()
    for text in ("Échéancier de paiement", "Acme SAS", "Dupont Bâtiment", "F-0001",
                 "totalité du solde restant dû", "Bon pour accord"):  # fmt: skip
        assert text in page
    # The A4 page setup lives in a static stylesheet (the Content-Security-Policy forbids
    # inline styles): the page links it, and it sets the paper.
    assert 'href="/static/web/agreement.css"' in page
    stylesheet = Path(finders.find("web/agreement.css")).read_text(encoding="utf-8")
    assert "@page { size: A4" in stylesheet


def test_a_cancelled_plan_says_so_and_reminders_resume(client, world):
    plan = plan_records(world).plan
    client.force_login(world.user(Role.MANAGER))
    client.post(url(world, f"plans/{plan.pk}/cancel/"), {"note": "renégocié"})
    plan.refresh_from_db()
    assert (plan.status, plan.end_note) == ("cancelled", "renégocié")


def test_a_collector_cannot_open_a_plan_outside_their_portfolio(client, world):
    other = make_invoice(world.foreign_customer, number="F-9")
    from relance.plans.services import agree_plan

    plan = agree_plan(world.foreign_customer, None, [other], date(2026, 11, 2), count=1,
                      first_on=date(2026, 12, 1))  # fmt: skip
    client.force_login(world.user(Role.COLLECTOR))
    assert client.get(url(world, f"plans/{plan.pk}/")).status_code == 404
    assert client.post(url(world, f"plans/{plan.pk}/cancel/")).status_code == 404
    assert plan.covered_amount == Decimal("1200.00")
