"""The links: random and signed, stored hashed, 60 days by default (the company's rule
otherwise), revocable, and one fresh link in every reminder, issued in bulk by the sender."""

from datetime import timedelta
from unittest import mock

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from relance.dunning.channels.sms import preview
from relance.dunning.models import Reminder, ReminderItem
from relance.dunning.render import render_reminder
from relance.dunning.sending import send_pending
from relance.portal import links
from relance.portal.models import AccessToken, PortalPolicy
from relance.web.tests.factories import make_reminder

from .conftest import PUBLIC

pytestmark = pytest.mark.django_db


def test_a_token_is_random_signed_and_only_its_hash_is_stored(debtor):
    token = debtor.token
    random, signature = token.split(".")
    assert len(random) == 22 and len(signature) == links.SIGNATURE_CHARS
    assert links.is_signed(token)
    stored = AccessToken.objects.get(customer=debtor.customer)
    assert stored.token_hash == links.token_hash(token) != token
    rows = list(AccessToken.objects.values())
    assert len(rows) == 1 and token not in repr(rows) and token.split(".")[0] not in repr(rows)
    assert links.new_token() != links.new_token()


def test_a_live_token_finds_its_customer(debtor):
    found = links.find(debtor.token)
    assert found is not None and found.customer == debtor.customer


@pytest.mark.parametrize(
    "spoil",
    [
        lambda token: token[:-1] + ("A" if token[-1] != "A" else "B"),  # signature tampered
        lambda token: ("A" if token[0] != "A" else "B") + token[1:],  # random part changed
        lambda token: links.new_token(),  # well signed, never issued
        lambda token: "nothing",
    ],
)
def test_an_unknown_or_forged_token_finds_nothing(debtor, spoil):
    assert links.find(spoil(debtor.token)) is None


def test_a_forged_token_with_a_stored_hash_still_needs_its_signature(debtor):
    forged = "A" * 22 + ".AAAAAAAA"
    AccessToken.objects.filter(customer=debtor.customer).update(token_hash=links.token_hash(forged))
    assert links.find(forged) is None


def test_the_link_lives_60_days_by_default_then_expires(debtor):
    stored = AccessToken.objects.get(customer=debtor.customer)
    assert stored.expires_at - stored.created_at == pytest.approx(
        timedelta(days=60), abs=timedelta(seconds=5)
    )
    day_59 = stored.created_at + timedelta(days=59)
    day_61 = stored.created_at + timedelta(days=61)
    assert links.find(debtor.token, now=day_59) is not None
    assert links.find(debtor.token, now=day_61) is None


def test_the_lifetime_is_the_companys_rule(world, debtor, settings):
    settings.RELANCE_PORTAL_LINK_DAYS = 45
    assert links.link_days({debtor.company.pk}) == {debtor.company.pk: 45}
    PortalPolicy.objects.create(company=debtor.company, link_days=10)
    token = links.issue_for_customer(debtor.customer)
    stored = AccessToken.objects.get(token_hash=links.token_hash(token))
    assert stored.expires_at - stored.created_at == timedelta(days=10)


def test_revoked_links_stop_working_and_the_next_reminder_brings_a_new_one(world, debtor):
    collector = world.customer.collector
    assert links.revoke_links(debtor.customer, collector) == 1
    assert links.find(debtor.token) is None
    revoked = AccessToken.objects.get(customer=debtor.customer)
    assert revoked.revoked_by == collector and revoked.revoked_at is not None
    reminder = make_reminder(debtor.customer, Reminder.Status.PENDING, subject="", body_text="")
    url = links.link_for(reminder)
    assert links.find(url.removeprefix(f"{PUBLIC}/p/").rstrip("/")) is not None


def test_no_public_address_no_link(debtor, settings):
    settings.RELANCE_PUBLIC_URL = ""
    reminder = make_reminder(debtor.customer, Reminder.Status.PENDING)
    before = AccessToken.objects.count()
    assert links.link_for(reminder) == ""
    assert AccessToken.objects.count() == before


def pending_email(debtor, number=0):
    reminder = make_reminder(
        debtor.customer,
        Reminder.Status.PENDING,
        subject="",
        body_text="",
        recipients=[{"email": "compta@dupont.fr", "name": "Compta", "kind": "to"}],
    )
    invoice = debtor.invoices[number % 2]
    ReminderItem.objects.create(
        reminder=reminder, invoice=invoice, open_amount=invoice.open_amount, moved_to_level=1
    )
    return reminder


def test_a_rendered_reminder_carries_its_own_link_to_the_customers_page(debtor):
    reminder = pending_email(debtor)
    reminder.scenario = None
    _subject, text, html = render_reminder(reminder)
    url = reminder._portal_url
    assert url.startswith(f"{PUBLIC}/p/") and url in text and url in html
    token = url.removeprefix(f"{PUBLIC}/p/").rstrip("/")
    found = links.find(token)
    assert found.customer == debtor.customer and found.reminder_id == reminder.pk
    other = pending_email(debtor)
    render_reminder(other)
    assert other._portal_url != url  # each reminder its own fresh link


def test_the_sender_issues_the_links_of_a_batch_in_one_insert(debtor):
    reminders = [pending_email(debtor, n) for n in range(3)]
    before = AccessToken.objects.count()
    with CaptureQueriesContext(connection) as queries:
        counts = send_pending("w1")
    assert counts.sent == 3
    inserts = [q for q in queries if q["sql"].startswith('INSERT INTO "portal_accesstoken"')]
    assert len(inserts) == 1
    assert AccessToken.objects.count() == before + 3
    urls = set()
    for reminder in reminders:
        reminder.refresh_from_db()
        found = [word for word in reminder.body_text.split() if word.startswith(f"{PUBLIC}/p/")]
        assert len(found) == 1
        urls.add(found[0])
    assert len(urls) == 3  # one fresh link per reminder
    assert all(links.find(url.split("/p/")[1].rstrip("/")) for url in urls)


def test_the_sms_preview_shows_a_link_of_the_real_length_and_issues_none(debtor):
    reminder = make_reminder(
        debtor.customer, Reminder.Status.PENDING, channel="sms", subject="", body_text=""
    )
    before = AccessToken.objects.count()
    shown = preview(reminder)
    assert f"{PUBLIC}/p/{links.PREVIEW_TOKEN}/" in shown.text
    assert len(links.PREVIEW_TOKEN) == len(debtor.token)
    assert AccessToken.objects.count() == before


def test_a_visit_is_noted_on_the_link(debtor):
    found = links.find(debtor.token)
    links.note_visit(found)
    first = AccessToken.objects.get(pk=found.pk)
    later = timezone.now() + timedelta(hours=1)
    links.note_visit(found, now=later)
    again = AccessToken.objects.get(pk=found.pk)
    assert again.first_used_at == first.first_used_at and again.last_used_at == later


def test_a_letter_layout_that_never_shows_the_link_issues_none(debtor):
    from relance.dunning.render import reminder_context

    reminder = pending_email(debtor)
    before = AccessToken.objects.count()
    context = reminder_context(reminder)
    assert context["items"]  # used for the layout
    assert AccessToken.objects.count() == before
    with mock.patch("relance.portal.links.issue_links", wraps=links.issue_links) as issue:
        assert str(context["self_service_url"]).startswith(PUBLIC)
    issue.assert_called_once()
