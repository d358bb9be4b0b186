"""The notes of the customer file, a note's page, and mentions on the agenda."""

import pytest
from django.core import mail

from relance.notes.models import Mention, Note
from relance.team.models import Role

from .factories import note_records

pytestmark = pytest.mark.django_db


def notes_url(world) -> str:
    return f"/c/acme/customers/{world.customer.pk}/notes/"


def test_a_collector_writes_a_note_that_tells_the_sales_rep(
    client, world, django_capture_on_commit_callbacks
):
    sales = world.user(Role.SALES)
    sales.email = "paul@acme.fr"
    sales.save()
    world.customer.sales_rep = sales
    world.customer.save()
    client.force_login(world.user(Role.COLLECTOR))
    form = client.get(notes_url(world)).content.decode()
    assert 'list="note-colleagues"' in form and '<option value="@sales-acme">' in form
    assert '<option value="@collector-2">' not in form  # not their customer
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            notes_url(world),
            {"text": "@sales-acme il attend un avoir", "about": f"invoice:{world.invoice.pk}"},
        )
    assert response["Location"] == f"/c/acme/customers/{world.customer.pk}/#notes"
    note = Note.objects.get()
    assert (note.invoice, note.author) == (world.invoice, world.user(Role.COLLECTOR))
    assert mail.outbox[0].to == ["paul@acme.fr"]
    page = client.get(notes_url(world), HTTP_HX_REQUEST="true").content.decode()
    assert '<b class="mention">@sales-acme</b> il attend un avoir' in page
    assert "Pièce F-0001" in page and "<html" not in page  # the bare list for HTMX


def test_a_refused_mention_keeps_the_text_and_says_why(client, world):
    client.force_login(world.user(Role.COLLECTOR))
    response = client.post(notes_url(world), {"text": "@outsider regarde"})
    page = response.content.decode()
    assert response.status_code == 200 and not Note.objects.exists()
    assert "@outsider : aucun collègue de ce nom n&#x27;a accès à ce client." in page
    assert "@outsider regarde</textarea>" in page


def test_notes_are_escaped(client, world):
    client.force_login(world.user(Role.MANAGER))
    client.post(notes_url(world), {"text": "<script>alert(1)</script> & co"})
    page = client.get(notes_url(world)).content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; co" in page


def test_read_only_members_read_notes_without_the_form(client, world):
    note_records(world)
    client.force_login(world.user(Role.READ_ONLY))
    page = client.get(notes_url(world)).content.decode()
    assert "client à rappeler" in page and "Ajouter la note" not in page
    assert client.post(notes_url(world), {"text": "non"}).status_code == 403


def test_a_collector_cannot_read_the_notes_of_another_portfolio(client, world):
    note = note_records(world).note
    client.force_login(world.other_collector)
    assert client.get(notes_url(world)).status_code == 404
    assert client.get(f"/c/acme/notes/{note.pk}/").status_code == 404


def test_the_customer_file_and_its_timeline_show_the_notes(client, world):
    note = note_records(world).note
    client.force_login(world.user(Role.COLLECTOR))
    page = client.get(f"/c/acme/customers/{world.customer.pk}/").content.decode()
    assert f'hx-get="/c/acme/customers/{world.customer.pk}/notes/"' in page
    timeline = client.get(f"/c/acme/customers/{world.customer.pk}/timeline/").content.decode()
    assert f'<a href="/c/acme/notes/{note.pk}/">@admin-acme : client à rappeler.</a>' in timeline


def test_a_mention_is_on_the_agenda_until_marked_seen(client, world):
    note = note_records(world).note
    client.force_login(world.user(Role.ADMIN))
    agenda = client.get("/c/acme/agenda/?type=mentions")
    assert agenda.context["agenda"].counts["mentions"] == 1
    assert f'href="/c/acme/notes/{note.pk}/"' in agenda.content.decode()
    page = client.get(f"/c/acme/notes/{note.pk}/").content.decode()
    assert "Marquer comme lue" in page
    response = client.post(f"/c/acme/notes/{note.pk}/seen/")
    assert response["Location"] == "/c/acme/agenda/"
    assert Mention.objects.get().seen_at is not None
    assert client.get("/c/acme/agenda/").context["agenda"].counts["mentions"] == 0
    assert "Marquer comme lue" not in client.get(f"/c/acme/notes/{note.pk}/").content.decode()


def test_only_the_mentioned_colleague_sees_the_mention_on_their_agenda(client, world):
    note_records(world)
    client.force_login(world.user(Role.MANAGER))
    assert client.get("/c/acme/agenda/").context["agenda"].counts["mentions"] == 0
    client.post(f"/c/acme/notes/{world.note.pk}/seen/")  # not theirs: nothing changes
    assert Mention.objects.get().seen_at is None


def test_a_note_about_a_plan_from_its_choice_list(client, world):
    from relance.web.tests.factories import plan_records

    plan = plan_records(world).plan
    client.force_login(world.user(Role.COLLECTOR))
    form = client.get(notes_url(world)).content.decode()
    assert f'value="plan:{plan.pk}"' in form and f'value="dispute:{world.dispute.pk}"' in form
    client.post(notes_url(world), {"text": "Accord signé", "about": f"plan:{plan.pk}"})
    assert Note.objects.get().plan == plan
    response = client.post(notes_url(world), {"text": "x", "about": "plan:999999"})
    assert response.status_code == 200 and Note.objects.count() == 1


def test_the_notes_and_the_plan_texts_speak_english_after_the_switch(client, world):
    client.force_login(world.user(Role.MANAGER))
    client.post("/i18n/setlang/", {"language": "en", "next": "/c/acme/agenda/"})
    page = client.get(notes_url(world)).content.decode()
    assert "Add the note" in page and "Mention a colleague" in page and "No notes." in page
    assert "Instalment reminder texts" in client.get("/c/acme/plan-texts/").content.decode()
    response = client.post(notes_url(world), {"text": "@nobody"})
    assert "@nobody: no colleague of that name has access" in response.content.decode()
