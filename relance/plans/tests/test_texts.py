"""The company's own instalment reminder texts: edited with a live preview, checked before
they are kept, sent instead of the default ones, per language."""

from datetime import date, timedelta
from decimal import Decimal

import pytest

from relance.dunning import services as dunning
from relance.dunning.models import Reminder
from relance.ledger import services as ledger
from relance.ledger.models import Contact, Customer
from relance.plans import services
from relance.plans.models import InstalmentTemplate
from relance.plans.render import instalment_text
from relance.plans.texts import TEXTS, NoticeKind
from relance.team.models import Role
from relance.web.tests.factories import World

pytestmark = pytest.mark.django_db
BEFORE, OVERDUE = NoticeKind.BEFORE, NoticeKind.OVERDUE
FIRST = date(2026, 11, 20)  # a Friday
OWN_SUBJECT = "Rappel : votre échéance n° {{ instalments.0.number }} du {{ instalments.0.due_on }}"
OWN_BODY = "Bonjour,\n\nÀ régler : {{ instalments_total }} ({{ plan_date }}).\n\n{{ company.name }}"


@pytest.fixture
def world():
    return World()


def url(world, path=""):
    return f"/c/{world.company.code}/plan-texts/{path}"


def test_the_editor_opens_on_the_default_text_and_keeps_the_companys_own(client, world):
    client.force_login(world.user(Role.MANAGER))
    page = client.get(url(world, "overdue/?language=en")).content.decode()
    assert "Payment plan: unpaid instalment" in page and "texte par défaut" in page
    response = client.post(
        url(world, "before/"), {"language": "fr", "subject": OWN_SUBJECT, "body": OWN_BODY}
    )
    assert response["Location"] == url(world)
    stored = InstalmentTemplate.objects.get()
    assert (stored.kind, stored.language, stored.updated_by) == (
        "before", "fr", world.user(Role.MANAGER),
    )  # fmt: skip
    listing = client.get(url(world)).content.decode()
    assert listing.count("texte de la société</a>") == 1
    assert listing.count("texte par défaut</a>") == 3
    assert "votre échéance n°" in client.get(url(world, "before/?language=fr")).content.decode()


def test_a_text_that_cannot_render_is_refused_and_the_one_in_use_stays(client, world):
    client.force_login(world.user(Role.ADMIN))
    response = client.post(
        url(world, "before/"),
        {"language": "fr", "subject": "Échéance", "body": "{% load static %}{% static 'x' %}"},
    )
    assert response.status_code == 200 and not InstalmentTemplate.objects.exists()
    assert "Modèle invalide : balise non autorisée : {% load %}" in response.content.decode()


def test_the_preview_renders_the_example_instalment(client, world):
    client.force_login(world.user(Role.READ_ONLY))
    response = client.post(
        url(world, "overdue/preview/"),
        {
            "language": "fr",
            "subject": "{{ company.name }} — impayé",
            "body": TEXTS[("fr", OVERDUE)][1],
        },
    )
    page = response.content.decode()
    assert "Acme SAS — impayé" in page and "n° 2" in page and "1\xa0500,00\xa0€" in page
    assert "Claire Durand" in page  # the example customer's contact
    bad = client.post(
        url(world, "before/preview/"), {"language": "fr", "subject": "x", "body": "{% if %}"}
    )
    assert "Modèle invalide" in bad.content.decode()


def test_unknown_kinds_are_not_found(client, world):
    client.force_login(world.user(Role.MANAGER))
    assert client.get(url(world, "later/")).status_code == 404


def test_reset_goes_back_to_the_default_text(client, world):
    services.save_instalment_template(world.company, BEFORE, "fr", OWN_SUBJECT, OWN_BODY)
    client.force_login(world.user(Role.MANAGER))
    client.post(url(world, "before/reset/"), {"language": "fr"})
    assert not InstalmentTemplate.objects.exists()
    assert instalment_text(world.company, "fr", BEFORE) == TEXTS[("fr", BEFORE)]


@pytest.fixture
def company():
    company = ledger.create_company("PLN", "Plans SAS", iban="FR7630006000011234567890189")
    dunning.seed_default_scenarios(company)
    return company


def plan_for(company, code, language):
    customer = Customer.objects.create(company=company, code=code, name=code, language=language)
    Contact.objects.create(customer=customer, name="Compta", email=f"{code}@example.fr",
                           role=Contact.Role.BILLING)  # fmt: skip
    invoice = ledger.record_invoice(
        company, customer, number=f"F-{code}", amount=Decimal("600"),
        issued_on=date(2026, 9, 1), due_on=date(2026, 10, 1),
    )  # fmt: skip
    return services.agree_plan(
        customer, None, [invoice], date(2026, 11, 2), count=2, first_on=FIRST
    )


def test_the_run_sends_the_companys_own_text_in_its_language_and_the_default_in_others(company):
    plan_for(company, "FR1", "fr")
    plan_for(company, "EN1", "en")
    services.save_instalment_template(company, BEFORE, "fr", OWN_SUBJECT, OWN_BODY)
    dunning.run_dunning(company, FIRST - timedelta(days=5))
    french = Reminder.objects.get(customer__code="FR1")
    assert french.subject == "Rappel : votre échéance n° 1 du 20/11/2026"
    assert "À régler : 300,00\xa0€ (2 novembre 2026)." in french.body_text
    english = Reminder.objects.get(customer__code="EN1")
    assert english.subject == "Plans SAS — Payment plan: next instalment on 20 Nov 2026"


def test_a_kept_text_that_no_longer_renders_gives_way_to_the_default(company):
    plan_for(company, "FR1", "fr")
    InstalmentTemplate.objects.create(  # written around the check, as an old row could be
        company=company, kind="before", language="fr", subject="{% if %}", body="x"
    )
    dunning.run_dunning(company, FIRST - timedelta(days=5))
    reminder = Reminder.objects.get(customer__code="FR1")
    assert reminder.subject == "Plans SAS — Échéancier : prochaine échéance le 20/11/2026"
