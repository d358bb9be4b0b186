"""A mention e-mail through a real SMTP server (aiosmtpd in the test process): what the
mentioned colleague's mailbox receives, and a refused address that does not stop the others."""

import email
from email import policy

import pytest

from relance.notes import services
from relance.notes.models import Mention
from relance.team.models import Role
from tests.smtp import smtp_server

pytestmark = pytest.mark.django_db


@pytest.fixture
def smtp(settings):
    settings.RELANCE_PUBLIC_URL = "https://relance.example.fr"
    with smtp_server(settings) as inbox:
        yield inbox


def addressed(world, role, address):
    user = world.user(role)
    user.email = address
    user.save()
    return user


def test_the_mentioned_colleague_receives_the_note_by_smtp(
    smtp, world, django_capture_on_commit_callbacks
):
    addressed(world, Role.MANAGER, "refuse@acme.fr")
    addressed(world, Role.ADMIN, "direction@acme.fr")
    with django_capture_on_commit_callbacks(execute=True):
        note = services.write_note(
            world.customer,
            world.user(Role.COLLECTOR),
            "@manager-acme @admin-acme : le client conteste la facture F-0001, à voir.",
        )
    (envelope,) = smtp.envelopes  # the refused address did not stop the other one
    assert envelope.mail_from == "relance@relance.example"
    assert envelope.rcpt_tos == ["direction@acme.fr"]
    message = email.message_from_bytes(envelope.content, policy=policy.default)
    subject = " ".join(str(message["Subject"]).split())  # unfolded: Django folds long headers
    assert subject == "collector-acme vous a mentionné : Dupont Bâtiment"
    body = message.get_content()
    assert "le client conteste la facture F-0001, à voir." in body
    assert f"https://relance.example.fr/c/acme/notes/{note.pk}/" in body
    told = {m.user.username: m.emailed_at is not None for m in Mention.objects.all()}
    assert told == {"manager-acme": False, "admin-acme": True}
