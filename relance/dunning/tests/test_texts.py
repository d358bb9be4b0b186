"""The default texts: every default step, both languages, the legal wording of the formal notice."""

from datetime import date

import pytest

from relance.core.dunning import Channel, Escalation, Step, default_scenarios
from relance.dunning import texts
from relance.dunning.render import example_context, render_preview
from relance.ledger import services as ledger

pytestmark = pytest.mark.django_db
TODAY = date(2026, 11, 23)
STEPS = [
    pytest.param(step, id=f"{profile.value}-{step.level}")
    for profile, scenario in default_scenarios().items()
    for step in scenario.steps
]


@pytest.fixture
def company():
    return ledger.create_company(
        "TXT", "Textes SAS", iban="FR7630006000011234567890189", bic="AGRIFRPP"
    )


def step(channel=Channel.EMAIL, offset_days=3, name="Relance", escalation=Escalation.NONE):
    return Step(1, name, offset_days, 0, channel, 0, False, True, escalation)


@pytest.mark.parametrize("language", ["fr", "en"])
@pytest.mark.parametrize("default_step", STEPS)
def test_every_default_step_renders_and_mentions_the_total(company, default_step, language):
    subject, body = texts.default_template(default_step, language)
    context = example_context(company, language, today=TODAY)
    rendered_subject, text, html = render_preview(subject, body, context)
    assert rendered_subject and "\n" not in rendered_subject
    assert context["total"] in text
    assert "{{" not in text and "{%" not in text and "\n\n\n" not in text


def test_the_courteous_reminder_is_the_negative_offset_one():
    assert texts.tone(step(offset_days=-5)) == texts.COURTEOUS
    assert texts.tone(step(offset_days=3)) == texts.FRIENDLY
    assert texts.tone(step(offset_days=15)) == texts.FIRM
    assert texts.tone(step(Channel.REGISTERED_LETTER, 45)) == texts.LAST
    assert texts.tone(step(offset_days=60, escalation=Escalation.FORMAL_NOTICE)) == "notice"


def test_french_texts_are_in_french_business_style():
    _, firm = texts.default_template(step(offset_days=20, name="Relance ferme"), "fr")
    assert firm.startswith("Madame, Monsieur,")
    assert "Nous vous prions d'agréer, Madame, Monsieur, l'expression de nos salutations" in firm
    _, friendly = texts.default_template(step(offset_days=3), "fr")
    assert "Sauf erreur ou omission de notre part" in friendly


def test_the_formal_notice_is_a_registered_letter_giving_eight_days():
    notice = step(Channel.REGISTERED_LETTER, 60, "Mise en demeure", Escalation.FORMAL_NOTICE)
    subject, body = texts.default_template(notice, "fr")
    assert "Mise en demeure" in subject
    assert "Lettre recommandée avec accusé de réception" in body
    assert "huit (8) jours" in body and "procédure judiciaire" in body
    assert "mise en demeure au sens des articles 1344" in body


def test_a_last_reminder_named_before_formal_notice_is_not_the_notice():
    assert texts.tone(step(name="Dernière relance avant mise en demeure")) == texts.LAST


def test_a_call_step_is_a_script_of_talking_points():
    call = step(Channel.CALL, 5, "Appel : proposition d'échéancier")
    subject, body = texts.default_template(call, "fr")
    assert subject.startswith("Appel")
    assert "Points à aborder" in body and "échéancier" in body
    blocking = step(Channel.CALL, 15, "Appel", Escalation.BLOCK_ORDERS)
    assert "nouvelles commandes sont suspendues" in texts.default_template(blocking, "fr")[1]


def test_administrative_tasks_go_through_chorus_pro():
    check = step(Channel.TASK, -10, "Vérification de la facture avant échéance (Chorus Pro)")
    assert "Chorus Pro" in texts.default_template(check, "fr")[0]
    handover = step(Channel.TASK, 75, "Transmission au contentieux", Escalation.COLLECTION)
    assert "dossier contentieux" in texts.default_template(handover, "fr")[1]


def test_dispute_prone_steps_mention_the_proofs():
    _, body = texts.default_template(step(name="Première relance avec justificatifs"), "fr")
    assert "justificatifs" in body


def test_an_unknown_language_falls_back_to_french():
    assert texts.default_template(step(), "de") == texts.default_template(step(), "fr")


@pytest.mark.parametrize("language, words", [("fr", "Merci"), ("en", "Thank you")])
def test_the_thank_you_message_renders(company, language, words):
    subject, body = texts.thanks_template(language)
    rendered, text, _ = render_preview(subject, body, example_context(company, language))
    assert words in rendered and "Claire Durand" in text
