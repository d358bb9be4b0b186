"""The print queue: listing by role and portfolio, printing (PDF kept once), posting,
tracking, acknowledgement of receipt; and who may approve a formal notice."""

import hashlib
import io
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from pypdf import PdfReader

from relance.dunning import actions
from relance.dunning.models import Reminder
from relance.letters import services
from relance.letters.models import Letter
from relance.team.models import Role

from .factories import make_letter

pytestmark = pytest.mark.django_db
TODAY = date.today()


def queue(client, world, role, query=""):
    client.force_login(world.user(role))
    return client.get(f"/c/{world.company.code}/letters/{query}").content.decode()


def test_queue_lists_letters_of_the_portfolio_and_filters_by_channel(client, world):
    make_letter(world.customer)
    make_letter(world.foreign_customer, registered=True)
    assert "Martin Négoce" in queue(client, world, Role.MANAGER)
    page = queue(client, world, Role.COLLECTOR)
    assert "Dupont Bâtiment" in page and "Martin Négoce" not in page
    page = queue(client, world, Role.MANAGER, "?channel=registered_letter")
    assert "Martin Négoce" in page and "Dupont Bâtiment" not in page
    page = queue(client, world, Role.READ_ONLY)
    assert "Dupont Bâtiment" in page and 'name="reminders"' not in page


def test_a_letter_awaiting_approval_is_listed_but_not_printable(client, world):
    reminder = make_letter(world.customer, notice=True, status=Reminder.Status.AWAITING_APPROVAL)
    assert "À valider avant impression" in queue(client, world, Role.MANAGER)
    printed = services.print_letters([reminder], world.user(Role.MANAGER), TODAY)
    assert not printed.letters and "seules les relances à envoyer" in printed.left_out[0][1]


def test_printing_keeps_each_pdf_once_and_joins_them(client, world, upload_root):
    first, second = make_letter(world.customer), make_letter(world.customer, notice=True)
    client.force_login(world.user(Role.COLLECTOR))
    response = client.post(
        f"/c/{world.company.code}/letters/print/", {"reminders": [first.pk, second.pk]}
    )
    assert response["Content-Type"] == "application/pdf"
    joined = PdfReader(io.BytesIO(response.content))
    letters = {letter.reminder_id: letter for letter in Letter.objects.all()}
    kept = (upload_root / letters[first.pk].pdf_path).read_bytes()
    assert hashlib.sha256(kept).hexdigest() == letters[first.pk].pdf_sha256
    # The one-page letter gets a blank back so the notice starts on its own sheet.
    assert len(joined.pages) == 2 + letters[second.pk].pages
    again = services.print_letters([first], world.user(Role.MANAGER), TODAY)
    assert again.pdf and Letter.objects.count() == 2  # read back, never rendered again
    assert (upload_root / again.letters[0].pdf_path).read_bytes() == kept
    assert "imprimée (PDF conservé" in first.events.last().note
    assert Reminder.objects.get(pk=first.pk).subject  # the text as printed is kept


def test_a_letter_whose_invoices_were_paid_is_cancelled_instead_of_printed(world):
    reminder = make_letter(world.customer, amounts=("300.00",), days_late=(20,))
    invoice = reminder.invoices[0]
    type(invoice).objects.filter(pk=invoice.pk).update(open_amount=0)
    printed = services.print_letters([reminder], world.user(Role.COLLECTOR), TODAY)
    assert not printed.letters
    assert Reminder.objects.get(pk=reminder.pk).status == Reminder.Status.CANCELLED


def test_marking_posted_sends_the_reminder_with_the_evidence_hash(client, world):
    letter_reminder = make_letter(world.customer)
    registered = make_letter(world.customer, registered=True)
    services.print_letters([letter_reminder, registered], world.user(Role.COLLECTOR), TODAY)
    client.force_login(world.user(Role.COLLECTOR))
    url = f"/c/{world.company.code}/letters/post/"
    ids = {"reminders": [letter_reminder.pk, registered.pk]}
    client.post(url, ids)
    assert Reminder.objects.get(pk=registered.pk).status == Reminder.Status.PENDING  # no number
    client.post(url, {**ids, f"tracking_{registered.pk}": "1A 123 456 7890 1"})
    for reminder in (letter_reminder, registered):
        reminder.refresh_from_db()
        letter = Letter.objects.get(reminder=reminder)
        assert reminder.status == Reminder.Status.SENT and reminder.sent_at is not None
        assert {"name": letter.pdf_path.rsplit("/", 1)[1], "sha256": letter.pdf_sha256} in (
            reminder.attachments
        )
        assert reminder.events.last().note.startswith("postée le ")
    assert "recommandé n° 1A 123 456 7890 1" in registered.events.last().note
    assert Letter.objects.get(reminder=registered).tracking_number == "1A 123 456 7890 1"


def test_a_registered_letter_records_its_delivery_and_receipt(client, world, upload_root):
    reminder = make_letter(world.customer, registered=True)
    user = world.user(Role.COLLECTOR)
    services.print_letters([reminder], user, TODAY)
    services.mark_posted([reminder], user, {reminder.pk: "1A0001"})
    client.force_login(user)
    url = f"/c/{world.company.code}/letters/{reminder.pk}/"
    client.post(url, {"status": "refused", "on": "2026-03-02"})
    letter = Letter.objects.get(reminder=reminder)
    assert letter.status == Letter.Status.REFUSED and letter.delivered_on == date(2026, 3, 2)
    scan = SimpleUploadedFile("ar.pdf", b"%PDF-1.4 signed", content_type="application/pdf")
    client.post(url, {"receipt": scan})
    letter.refresh_from_db()
    assert letter.receipt_sha256 == hashlib.sha256(b"%PDF-1.4 signed").hexdigest()
    assert (upload_root / letter.receipt_path).read_bytes() == b"%PDF-1.4 signed"
    assert client.get(url + "receipt/").status_code == 200
    with pytest.raises(ValidationError):
        services.attach_receipt(letter, SimpleUploadedFile("ar.exe", b"x"), user)


@pytest.mark.parametrize(
    ("role", "approved"), [(Role.MANAGER, True), (Role.ADMIN, True), (Role.COLLECTOR, False)]
)
def test_only_a_manager_or_an_admin_approves_a_formal_notice(client, world, role, approved):
    notice = make_letter(world.customer, notice=True, status=Reminder.Status.AWAITING_APPROVAL)
    client.force_login(world.user(role))
    data = {"decision": "approve", "subject": "Mise en demeure", "body_text": "Texte"}
    response = client.post(
        f"/c/{world.company.code}/reminders/{notice.pk}/decision/", data, follow=True
    )
    notice.refresh_from_db()
    assert (notice.status == Reminder.Status.PENDING) is approved
    if not approved:
        assert "Seul un responsable ou un administrateur" in response.content.decode()


def test_read_only_and_outsiders_cannot_approve_a_formal_notice(client, world):
    notice = make_letter(world.customer, notice=True, status=Reminder.Status.AWAITING_APPROVAL)
    url = f"/c/{world.company.code}/reminders/{notice.pk}/decision/"
    data = {"decision": "approve", "subject": "s", "body_text": "t"}
    client.force_login(world.user(Role.READ_ONLY))
    assert client.post(url, data).status_code == 403
    client.force_login(world.outsider)
    assert client.post(url, data).status_code == 404
    with pytest.raises(ValidationError):
        actions.approve_reminder(notice, world.outsider)


def test_a_collector_still_approves_an_ordinary_reminder(world):
    reminder = make_letter(world.customer, status=Reminder.Status.AWAITING_APPROVAL)
    actions.approve_reminder(reminder, world.user(Role.COLLECTOR))
    assert reminder.status == Reminder.Status.PENDING
