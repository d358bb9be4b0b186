"""Dunning pages: approvals, outbox, runs, scenario editor, holds, disputes and promises."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from relance.core.calendar import BusinessCalendar
from relance.dunning import actions
from relance.dunning.models import Dispute, Hold, Promise, Reminder, Step, StepTemplate
from relance.team.models import Role
from relance.web.views.dunning import scenario_timeline

pytestmark = pytest.mark.django_db

Status = Reminder.Status


def login(client, world, role=Role.COLLECTOR):
    client.force_login(world.user(role))


def decide(client, reminder, **data):
    return client.post(f"/c/acme/reminders/{reminder.pk}/decision/", data)


def test_approving_keeps_the_edited_text_and_writes_an_event(client, world):
    login(client, world)
    decide(client, world.reminder, decision="approve", subject="Objet revu", body_text="Revu")
    world.reminder.refresh_from_db()
    assert world.reminder.status == Status.PENDING
    assert (world.reminder.subject, world.reminder.body_text) == ("Objet revu", "Revu")
    event = world.reminder.events.last()
    assert event.status == Status.PENDING and event.user == world.user(Role.COLLECTOR)


def test_an_edited_body_drops_the_html_rendered_from_the_old_text(world):
    world.reminder.body_html = "<p>ancien texte</p>"
    world.reminder.save()
    actions.approve_reminder(world.reminder, None, "Objet", "Nouveau texte")
    world.reminder.refresh_from_db()
    assert world.reminder.body_html == ""


def test_an_unchanged_body_keeps_its_html(world):
    world.reminder.body_html = "<p>texte</p>"
    world.reminder.save()
    actions.approve_reminder(world.reminder, None, world.reminder.subject, world.reminder.body_text)
    world.reminder.refresh_from_db()
    assert world.reminder.body_html == "<p>texte</p>"
    assert world.reminder.events.last().note == "Validée"


def test_rejecting_writes_an_event_with_the_reason(client, world):
    login(client, world)
    decide(client, world.reminder, decision="reject", subject="x", body_text="y", note="Doublon")
    world.reminder.refresh_from_db()
    assert world.reminder.status == Status.REJECTED
    assert world.reminder.subject == "Facture impayée"
    assert world.reminder.events.last().note == "Doublon"


def test_a_collector_cannot_approve_a_reminder_of_another_collectors_customer(client, world):
    login(client, world)
    response = decide(
        client, world.foreign_reminder, decision="approve", subject="s", body_text="b"
    )
    assert response.status_code == 404
    world.foreign_reminder.refresh_from_db()
    assert world.foreign_reminder.status == Status.AWAITING_APPROVAL


def test_a_reminder_is_decided_only_once(client, world):
    login(client, world)
    decide(client, world.reminder, decision="reject", subject="s", body_text="b")
    decide(client, world.reminder, decision="approve", subject="s", body_text="b")
    world.reminder.refresh_from_db()
    assert world.reminder.status == Status.REJECTED
    assert world.reminder.events.count() == 2  # created, rejected


def test_approvals_list_only_the_collectors_customers(client, world):
    login(client, world)
    page = client.get("/c/acme/reminders/approvals/").content.decode()
    assert "Dupont Bâtiment" in page and "Martin Négoce" not in page
    assert f"/reminders/{world.reminder.pk}/decision/" in page


def test_read_only_members_see_approvals_without_buttons(client, world):
    login(client, world, Role.READ_ONLY)
    page = client.get("/c/acme/reminders/approvals/").content.decode()
    assert "Facture impayée" in page and "/decision/" not in page


def test_the_sent_reminder_page_shows_content_and_history_and_no_edit_form(client, world):
    login(client, world)
    page = client.get(f"/c/acme/reminders/{world.sent_reminder.pk}/").content.decode()
    assert "ab" * 32 in page and "F-0001.pdf" in page
    assert 'sandbox=""' in page and "&lt;p&gt;Madame, Monsieur&lt;/p&gt;" in page
    assert "Envoyée" in page
    assert "<form" not in page.split('<main class="content">')[1]


def test_the_outbox_lists_recipients_and_filters_by_status(client, world):
    login(client, world, Role.ADMIN)
    page = client.get("/c/acme/reminders/outbox/?status=sent").content.decode()
    assert "compta@example.fr" in page
    assert f"/reminders/{world.sent_reminder.pk}/" in page
    assert f"/reminders/{world.reminder.pk}/" not in page


def test_a_run_shows_its_exclusions_with_the_french_reason(client, world):
    login(client, world)
    page = client.get(f"/c/acme/runs/{world.run.pk}/").content.decode()
    assert "F-0001" in page and "payé" in page


def test_runs_show_the_bank_data_they_relied_on_and_the_freshness_now(client, world):
    world.run.summary = {"bank_data_on": "2026-11-20", "bank_age_days": 9, "sending_paused": True}
    world.run.save()
    login(client, world)
    page = client.get("/c/acme/runs/").content.decode()
    assert "Aucun relevé bancaire importé" in page  # the freshness now
    assert "du 20/11/2026 (9 j)" in page and "envoi suspendu, relances à valider" in page
    detail = client.get(f"/c/acme/runs/{world.run.pk}/").content.decode()
    assert "Relevés bancaires au moment du passage" in detail and "du 20/11/2026" in detail


def test_approvals_show_the_bank_freshness(client, world):
    login(client, world)
    page = client.get("/c/acme/reminders/approvals/").content.decode()
    assert "Aucun relevé bancaire importé" in page


def test_the_timeline_moves_steps_to_business_days_and_keeps_the_gap():
    steps = [
        Step(level=1, name="Prévenance", offset_days=-5, min_gap_days=0, channel="email"),
        Step(level=2, name="Amiable", offset_days=5, min_gap_days=3, channel="email"),
        Step(level=3, name="Appel", offset_days=6, min_gap_days=7, channel="call"),
    ]
    # Due Thursday 9 July 2026: the 4th is a Saturday, the 14th a public holiday, and the
    # call waits 7 days after the reminder sent on the 15th.
    timeline = scenario_timeline(steps, date(2026, 7, 9), BusinessCalendar())
    assert [entry.planned_on for entry in timeline] == [
        date(2026, 7, 6),
        date(2026, 7, 15),
        date(2026, 7, 22),
    ]
    assert [entry.moved for entry in timeline] == [True, True, False]


def test_the_scenario_page_shows_the_example_timeline(client, world):
    login(client, world, Role.MANAGER)
    page = client.get(f"/c/acme/scenarios/{world.scenario.pk}/").content.decode()
    assert "Prévenance" in page and "steps-TOTAL_FORMS" in page


def test_collectors_see_the_scenario_without_the_editor(client, world):
    login(client, world)
    page = client.get(f"/c/acme/scenarios/{world.scenario.pk}/").content.decode()
    assert "Prévenance" in page and "steps-TOTAL_FORMS" not in page


def test_editing_steps_can_swap_levels_and_add_a_step(client, world):
    from .test_roles import scenario_data

    login(client, world, Role.MANAGER)
    data = scenario_data(world)
    data.update({"steps-0-level": "2", "steps-1-level": "1"})
    data.update(
        {
            "steps-3-level": "4",
            "steps-3-name": "Mise en demeure",
            "steps-3-offset_days": "60",
            "steps-3-channel": "registered_letter",
            "steps-3-escalation": "formal_notice",
        }
    )
    response = client.post(f"/c/acme/scenarios/{world.scenario.pk}/", data)
    assert response.status_code == 302
    names = list(world.scenario.steps.order_by("level").values_list("name", flat=True))
    assert names == ["Relance amiable", "Prévenance", "Appel", "Mise en demeure"]


def test_editing_a_template_saves_it_per_language(client, world):
    login(client, world, Role.MANAGER)
    url = f"/c/acme/steps/{world.step.pk}/template/"
    client.post(url, {"language": "en", "subject": "Reminder", "body": "Dear customer"})
    template = StepTemplate.objects.get(step=world.step, language="en")
    assert template.subject == "Reminder"
    assert "Prévenance" in client.get(url + "?language=fr").content.decode()


def test_the_preview_renders_the_template_on_an_example(client, world):
    login(client, world, Role.MANAGER)
    response = client.post(
        "/c/acme/templates/preview/",
        {"language": "fr", "subject": "Relance {{ company.name }}", "body": "Bonjour"},
    )
    assert response.status_code == 200
    assert "srcdoc=" in response.content.decode()


def test_the_preview_shows_template_errors(client, world):
    login(client, world, Role.MANAGER)
    response = client.post(
        "/c/acme/templates/preview/", {"language": "fr", "subject": "S", "body": "{% if %}"}
    )
    assert 'role="alert"' in response.content.decode()


def test_putting_a_customer_on_hold(client, world):
    login(client, world)
    client.post(
        f"/c/acme/customers/{world.customer.pk}/holds/new/",
        {"reason": "Négociation", "ends_on": "2030-01-31", "invoice": world.invoice.pk},
    )
    hold = Hold.objects.get(reason="Négociation")
    assert hold.invoice == world.invoice and hold.ends_on == date(2030, 1, 31)
    assert hold.created_by == world.user(Role.COLLECTOR)


def test_lifting_a_hold(client, world):
    login(client, world)
    client.post(f"/c/acme/holds/{world.hold.pk}/lift/")
    world.hold.refresh_from_db()
    assert world.hold.lifted_at is not None


def test_opening_then_resolving_a_dispute_flags_the_invoice(client, world):
    login(client, world)
    world.dispute.delete()
    client.post(
        f"/c/acme/customers/{world.customer.pk}/disputes/new/",
        {"invoice": world.invoice.pk, "reason": "quality", "description": "Cassé"},
    )
    dispute = Dispute.objects.get(reason="quality")
    world.invoice.refresh_from_db()
    assert world.invoice.is_disputed and dispute.owner == world.user(Role.COLLECTOR)
    client.post(f"/c/acme/disputes/{dispute.pk}/resolve/", {"resolution": "credit_note"})
    world.invoice.refresh_from_db()
    assert not world.invoice.is_disputed


def test_an_invoice_stays_disputed_while_another_dispute_is_open(client, world):
    login(client, world)
    client.post(
        f"/c/acme/customers/{world.customer.pk}/disputes/new/",
        {"invoice": world.invoice.pk, "reason": "quality"},
    )
    client.post(f"/c/acme/disputes/{world.dispute.pk}/resolve/")
    world.invoice.refresh_from_db()
    assert world.invoice.is_disputed


def test_recording_a_promise(client, world):
    login(client, world)
    day = date.today() + timedelta(days=10)
    client.post(
        f"/c/acme/customers/{world.customer.pk}/promises/new/",
        {"promised_on": day.isoformat(), "amount": "300.00", "invoices": [world.invoice.pk]},
    )
    promise = Promise.objects.get(amount=Decimal("300.00"))
    assert promise.promised_on == day and list(promise.invoices.all()) == [world.invoice]


def test_a_collector_cannot_hold_another_collectors_customer(client, world):
    login(client, world)
    response = client.post(
        f"/c/acme/customers/{world.foreign_customer.pk}/holds/new/", {"reason": "x"}
    )
    assert response.status_code == 404


def test_the_customer_timeline_is_newest_first_and_mixes_records(client, world):
    login(client, world)
    page = client.get(f"/c/acme/customers/{world.customer.pk}/timeline/").content.decode()
    for label in ("Relance", "Règlement", "Litige", "Promesse", "Blocage", "Import"):
        assert label in page


def test_the_customer_file_loads_the_dunning_sections(client, world):
    login(client, world)
    page = client.get(f"/c/acme/customers/{world.customer.pk}/").content.decode()
    assert f"/customers/{world.customer.pk}/dunning/" in page
    fragment = client.get(f"/c/acme/customers/{world.customer.pk}/dunning/").content.decode()
    assert "Accord commercial" in fragment and 'name="reason"' in fragment


def test_the_dunning_pages_are_translated(client, world):
    login(client, world, Role.ADMIN)
    client.post("/i18n/setlang/", {"language": "en", "next": "/c/acme/runs/"})
    page = client.get(f"/c/acme/runs/{world.run.pk}/").content.decode()
    assert "Dunning run" in page and "paid" in page and "Outbox" in page
    assert "payé" not in page


def test_the_outbox_says_how_many_reminders_need_a_person(client, world):
    login(client, world)
    page = client.get("/c/acme/reminders/outbox/").content.decode()
    assert "À traiter (30 derniers jours)" in page and '?status=uncertain">1 incertaine' in page


def test_an_uncertain_reminder_confirmed_sent_keeps_its_history(client, world):
    login(client, world)
    reminder = world.uncertain_reminder
    page = client.get(f"/c/acme/reminders/{reminder.pk}/").content.decode()
    assert "peut-être partie" in page and 'value="sent"' in page
    client.post(f"/c/acme/reminders/{reminder.pk}/resolve/", {"decision": "sent", "note": "vu"})
    reminder.refresh_from_db()
    assert reminder.status == Status.SENT and reminder.sent_at is not None
    event = reminder.events.last()
    assert (event.note, event.user) == ("Confirmée envoyée : vu", world.user(Role.COLLECTOR))


def test_a_failed_reminder_sent_again_takes_the_current_contacts(world):
    reminder = world.uncertain_reminder
    Reminder.objects.filter(pk=reminder.pk).update(
        status=Status.FAILED, error="550 boîte inconnue", recipients=[], attempts=3
    )
    world.customer.contacts.filter(email="jeanne@example.fr").update(email="j.dupont@client.fr")
    reminder.refresh_from_db()
    actions.resolve_reminder(reminder, None, "resend")
    reminder.refresh_from_db()
    assert (reminder.status, reminder.error, reminder.attempts) == (Status.PENDING, "", 0)
    assert reminder.recipients == [
        {"email": "j.dupont@client.fr", "name": "Jeanne Dupont", "kind": "to"}
    ]  # the corrected address


def test_a_reminder_settled_twice_is_refused_the_second_time(world):
    actions.resolve_reminder(world.uncertain_reminder, None, "cancel")
    with pytest.raises(ValidationError):
        actions.resolve_reminder(world.uncertain_reminder, None, "resend")


def test_only_uncertain_reminders_can_be_confirmed_sent(world):
    with pytest.raises(ValidationError):
        actions.resolve_reminder(world.reminder, None, "sent")  # awaiting approval


def test_collectors_see_no_approve_button_on_a_formal_notice(client, world):
    Reminder.objects.filter(pk=world.reminder.pk).update(escalation="formal_notice")
    login(client, world)
    page = client.get("/c/acme/reminders/approvals/").content.decode()
    assert "validation réservée à un responsable" in page and 'value="approve"' not in page
    login(client, world, Role.MANAGER)
    assert 'value="approve"' in client.get("/c/acme/reminders/approvals/").content.decode()
