"""Rendering reminders: which template, which variables, formats per language, escaping."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model

from relance.core.dunning import default_scenarios
from relance.core.records import PayerProfile
from relance.dunning.models import Reminder, ReminderItem, Scenario, Step, StepTemplate
from relance.dunning.render import (
    TemplateTextError,
    example_context,
    reminder_context,
    render_preview,
    render_reminder,
)
from relance.ledger import services as ledger
from relance.ledger.models import Contact

pytestmark = pytest.mark.django_db
TODAY = date(2026, 11, 23)
NBSP = "\u00a0"


@pytest.fixture
def company():
    return ledger.create_company(
        "RND", "Rendus SAS", iban="FR7630006000011234567890189", bic="AGRIFRPP", city="Paris"
    )


@pytest.fixture
def scenario(company):
    """The good-payer default scenario as rows, without stored templates."""
    spec = default_scenarios()[PayerProfile.GOOD]
    scenario = Scenario.objects.create(company=company, name=spec.name, payer_profile="good")
    for s in spec.steps:
        Step.objects.create(
            scenario=scenario, level=s.level, name=s.name, offset_days=s.offset_days,
            min_gap_days=s.min_gap_days, channel=s.channel.value, min_amount=s.min_amount,
            needs_approval=s.needs_approval, mentions_penalties=s.mentions_penalties,
            escalation=s.escalation.value,
        )  # fmt: skip
    return scenario


def customer(company, name="Boulangerie Martin", **fields):
    found = ledger.create_customer(company, code=f"C{company.customers.count() + 1}", name=name,
                                   **fields)  # fmt: skip
    Contact.objects.create(customer=found, name="Julie Martin", email="compta@martin.fr")
    return found


def invoice(company, customer, number, amount, days_late):
    due_on = TODAY - timedelta(days=days_late)
    return ledger.record_invoice(company, customer, number=number, amount=Decimal(amount),
                                 issued_on=due_on - timedelta(30), due_on=due_on)  # fmt: skip


def reminder(scenario, customer, level, invoices, language="fr"):
    """A reminder as the run writes it, listing `invoices`."""
    step = scenario.steps.get(level=level)
    overdue = sum((i.open_amount for i in invoices if i.due_on < TODAY), Decimal(0))
    found = Reminder.objects.create(
        company=scenario.company, customer=customer, scenario=scenario, level=level,
        step_name=step.name, channel=step.channel, escalation=step.escalation,
        language=language, currency="EUR", amount=sum(i.open_amount for i in invoices),
        overdue_amount=overdue, mentions_penalties=step.mentions_penalties and not
        customer.is_consumer, status="pending", planned_on=TODAY,
    )  # fmt: skip
    for i in invoices:
        ReminderItem.objects.create(reminder=found, invoice=i, open_amount=i.open_amount)
    return found


def formal_notice_level(scenario):
    return scenario.steps.get(escalation="formal_notice").level


def test_a_reminder_renders_the_default_text_with_its_items(company, scenario):
    client = customer(company)
    items = [
        invoice(company, client, "F1", "1234.56", 20),
        invoice(company, client, "F2", "10", -5),
    ]
    subject, text, html = render_reminder(reminder(scenario, client, 2, items))
    assert subject and "Boulangerie Martin" not in subject
    assert "Bonjour Julie Martin," in text
    assert f"1{NBSP}244,56{NBSP}€" in text and "F1" in text and "F2" in text
    assert text.index("F1") < text.index("F2")  # overdue first
    assert "<table" in html and "F1" in html


def test_the_formal_notice_states_penalties_and_indemnity_for_a_business(company, scenario):
    client = customer(company)
    items = [invoice(company, client, "F1", "1000", 73), invoice(company, client, "F2", "500", 61)]
    _, text, _ = render_reminder(reminder(scenario, client, formal_notice_level(scenario), items))
    assert "mise en demeure" in text and "huit (8) jours" in text
    assert "L441-10" in text and "D441-5" in text
    assert f"80,00{NBSP}€" in text  # 40 EUR for each of the two late invoices
    # 1000 x 12.15 % x 73 / 365 + 500 x 12.15 % x 61 / 365 = 24.30 + 10.15
    assert f"34,45{NBSP}€" in text


def test_the_formal_notice_to_a_consumer_has_no_indemnity(company, scenario):
    client = customer(company, "Jean Dupont", is_consumer=True)
    items = [invoice(company, client, "F1", "1000", 73)]
    _, text, _ = render_reminder(reminder(scenario, client, formal_notice_level(scenario), items))
    assert "mise en demeure" in text and "1344-1" in text
    assert "40" not in text.replace("1 000", "") and "D441-5" not in text and "L441-10" not in text


def test_a_contractual_rate_replaces_the_legal_one(company, scenario):
    ledger.update_company(company, late_interest_rate=Decimal("9.000"))
    client = customer(company)
    context = reminder_context(
        reminder(scenario, client, 3, [invoice(company, client, "F1", "365", 10)])
    )
    assert context["interest_rate"] == f"9,00{NBSP}%"
    assert context["interest"] == f"0,90{NBSP}€"  # 365 x 9 % x 10 / 365


def test_a_stored_template_wins_over_the_default(company, scenario):
    step = scenario.steps.get(level=2)
    StepTemplate.objects.create(step=step, language="fr", subject="Objet {{ customer.code }}",
                                body="Total : {{ total }}")  # fmt: skip
    client = customer(company)
    subject, text, _ = render_reminder(
        reminder(scenario, client, 2, [invoice(company, client, "F1", "50", 5)])
    )
    assert (subject, text) == (f"Objet {client.code}", f"Total : 50,00{NBSP}€")


def test_an_english_customer_without_english_template_gets_the_french_one(company, scenario):
    step = scenario.steps.get(level=2)
    StepTemplate.objects.create(
        step=step, language="fr", subject="Relance", body="Dû : {{ total }}"
    )
    client = customer(company, language="en")
    found = reminder(scenario, client, 2, [invoice(company, client, "F1", "1500", 5)], "en")
    _, text, _ = render_reminder(found)
    assert text == f"Dû : 1{NBSP}500,00{NBSP}€"  # French text, French amounts


def test_an_english_customer_gets_english_amounts_and_dates(company, scenario):
    client = customer(company, language="en")
    found = reminder(scenario, client, 2, [invoice(company, client, "F1", "1500", 5)], "en")
    subject, text, _ = render_reminder(found)
    assert "Dear Julie Martin," in text and "€1,500.00" in text and "18 Nov 2026" in text
    french = reminder_context(found, "fr")
    assert (french["total"], french["items"][0]["due_on"]) == (
        f"1{NBSP}500,00{NBSP}€",
        "18/11/2026",
    )


def test_render_reminder_sets_the_texts_on_the_reminder(company, scenario):
    client = customer(company)
    found = reminder(scenario, client, 2, [invoice(company, client, "F1", "50", 5)])
    assert render_reminder(found) == (found.subject, found.body_text, found.body_html)


def test_html_is_escaped(company, scenario):
    client = customer(company, "<script>alert(1)</script>")
    found = reminder(scenario, client, 6, [invoice(company, client, "F1", "500", 70)])
    _, text, html = render_reminder(found)
    assert "<script>alert(1)</script>" in text  # the plain text is not HTML
    assert "<script>" not in html and "&lt;script&gt;" in html


def test_an_unnamed_contact_is_madame_monsieur(company, scenario):
    client = ledger.create_customer(company, code="X1", name="Sans Contact")
    found = reminder(scenario, client, 2, [invoice(company, client, "F1", "50", 5)])
    assert reminder_context(found)["contact"]["name"] == "Madame, Monsieur"


def test_the_collector_signs(company, scenario):
    user = get_user_model().objects.create_user("anne", "anne@rendus.fr", first_name="Anne",
                                                last_name="Leroy")  # fmt: skip
    client = customer(company, collector=user)
    found = reminder(scenario, client, 2, [invoice(company, client, "F1", "50", 5)])
    _, text, _ = render_reminder(found)
    assert "Anne Leroy" in text and "anne@rendus.fr" in text


def test_the_example_has_three_invoices_one_45_days_late(company):
    context = example_context(company, "fr", today=TODAY)
    assert len(context["items"]) == 3 and context["days_late"] == 45
    assert context["interest"] and context["indemnity"] == f"40,00{NBSP}€"


def test_the_preview_refuses_tags_that_reach_outside_the_context(company):
    example = example_context(company, "fr", today=TODAY)
    for body in ("{% debug %}", "{% load static %}", '{% include "base.html" %}', "{% if %}"):
        with pytest.raises(TemplateTextError):
            render_preview("Objet", body, example)


def test_the_preview_renders_an_edited_text(company):
    example = example_context(company, "en", today=TODAY)
    subject, text, html = render_preview("Hello\n{{ customer.name }}", "{{ items_table }}", example)
    assert subject == "Hello Menuiserie Durand SARL"
    assert "F2026-0112" in text and "<table" in html


def test_one_invoice_asked_for_gives_its_creditor_reference_to_quote(company, scenario):
    from stdnum import iso11649

    client = customer(company)
    one = render_reminder(
        reminder(scenario, client, 2, [invoice(company, client, "F-77", "90", 9)])
    )
    reference = next(word for word in one[1].split() if word.startswith("RF"))
    assert iso11649.is_valid(reference) and "la référence RF" in one[1]
    two = [invoice(company, client, "F1", "10", 9), invoice(company, client, "F2", "20", 9)]
    assert "les numéros de facture" in render_reminder(reminder(scenario, client, 2, two))[1]
