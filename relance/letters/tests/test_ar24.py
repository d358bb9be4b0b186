"""AR24 electronic registered letters: the exact requests (the one HTTP call patched), the
status and error tables, the manual mode untouched without a provider, the sync."""

import base64
import urllib.error
from datetime import date, datetime
from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from relance.dunning.channels import PermanentFailure, TemporaryFailure
from relance.dunning.models import Reminder
from relance.letters import providers, services
from relance.letters.models import Letter
from relance.letters.providers import Tracking, ar24
from relance.letters.providers.http import MaybeSent, Response
from relance.team.models import Role

from .factories import make_letter

pytestmark = pytest.mark.django_db
TODAY = date.today()
WHEN = datetime(2026, 11, 23, 16, 5, 9, tzinfo=ar24.PARIS)
API = "https://sandbox.ar24.fr/api"


def transport():
    return ar24.Ar24(
        "tok", "secret-key", "4242", endpoint=API, clock=lambda: WHEN, boundary=lambda: "B"
    )


def ok(result):
    return Response(200, b'{"status": "SUCCESS", "result": ' + result.encode() + b"}")


@pytest.fixture
def printed(world):
    """A registered letter printed (its PDF kept), the billing contact with an e-mail."""
    world.customer.contacts.all().delete()
    world.customer.contacts.create(role="billing", name="Jeanne Dupont", email="jd@dupont.example")
    reminder = make_letter(world.customer, registered=True)
    services.print_letters([reminder], world.user(Role.MANAGER), TODAY)
    return Letter.objects.get(reminder=reminder)


@pytest.fixture
def configured(settings):
    settings.RELANCE_REGISTERED_PROVIDER = "ar24"
    settings.AR24_API_URL, settings.AR24_TOKEN = API, "tok"
    settings.AR24_PRIVATE_KEY, settings.AR24_USER_ID = "secret-key", "4242"


def test_signature_encrypts_the_date_under_the_hashed_private_key():
    with mock.patch.object(ar24, "encrypt", return_value=b"cipher") as encrypt:
        assert ar24.signature("2026-11-23 16:05:09", "secret-key") == "Y2lwaGVy"
    # sha256("secret-key") and sha256 of that hex, as PHP's openssl_encrypt truncates them.
    key = ar24.hashlib.sha256(b"secret-key").hexdigest()
    iv = ar24.hashlib.sha256(key.encode()).hexdigest()[:16]
    encrypt.assert_called_once_with(b"2026-11-23 16:05:09", key[:32].encode(), iv.encode())


def test_signature_is_aes_256_cbc_of_the_date():
    pytest.importorskip("cryptography")
    key = ar24.hashlib.sha256(b"secret-key").hexdigest()
    iv = ar24.hashlib.sha256(key.encode()).hexdigest()[:16]
    sealed = base64.b64decode(ar24.signature("2026-11-23 16:05:09", "secret-key"))
    assert ar24.decrypt(sealed, key[:32].encode(), iv.encode()) == b"2026-11-23 16:05:09"


def test_send_uploads_the_kept_pdf_then_sends_the_letter_to_the_billing_contact(printed):
    pdf = services.stored(printed.pdf_path).read_bytes()
    answers = [ok('{"file_id": "987"}'), ok('{"id": "55501"}')]
    with (
        mock.patch.object(ar24, "signature", return_value="SIG") as signature,
        mock.patch.object(ar24.http, "request", side_effect=answers) as request,
    ):
        assert transport().send(printed) == "55501"
    signature.assert_called_with("2026-11-23 16:05:09", "secret-key")
    headers = {
        "signature": "SIG",
        "Accept": "application/json",
        "Content-Type": "multipart/form-data; boundary=B",
    }
    auth = {"token": "tok", "date": "2026-11-23 16:05:09", "id_user": "4242"}
    name = printed.pdf_path.rsplit("/", 1)[1]
    upload = ar24.multipart(auth, ("file", name, pdf), "B")
    assert upload.endswith(
        b'Content-Disposition: form-data; name="file"; filename="' + name.encode()
        + b'"\r\nContent-Type: application/pdf\r\n\r\n' + pdf + b"\r\n--B--\r\n"
    )  # fmt: skip
    reminder = printed.reminder
    mail = {
        **auth,
        "to_lastname": "Jeanne Dupont",
        "to_company": reminder.customer.name,
        "to_email": "jd@dupont.example",
        "dest_statut": "professionnel",
        "ref_client": reminder.customer.code,
        "ref_dossier": f"relance-{reminder.pk}",
        "content": Reminder.objects.get(pk=reminder.pk).subject,
        "attachment[0]": "987",
    }
    assert request.call_args_list == [
        mock.call("POST", f"{API}/attachment/", headers=headers, body=upload, timeout=60),
        mock.call("POST", f"{API}/mail/", headers=headers, body=ar24.multipart(mail, None, "B"),
                  timeout=60),
    ]  # fmt: skip
    assert b'name="to_email"\r\n\r\njd@dupont.example\r\n' in request.call_args_list[1][1]["body"]


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        ('{"status": "waiting"}', Tracking("sent")),
        ('{"status": "sent", "ts_ev_date": "2026-11-20 10:00:00"}',
         Tracking("sent", date(2026, 11, 20))),
        ('{"status": "AR", "ts_ar_date": "2026-11-21 08:12:00"}',
         Tracking("delivered", date(2026, 11, 21))),
        ('{"status": "refused", "refused_date": "2026-11-22 09:00:00"}',
         Tracking("refused", date(2026, 11, 22))),
        ('{"status": "negligence", "negligence_date": "2026-12-05 00:00:00"}',
         Tracking("not_claimed", date(2026, 12, 5))),
    ],
)  # fmt: skip
def test_status_maps_ar24_states_to_ours(answer, expected):
    with (
        mock.patch.object(ar24, "signature", return_value="SIG"),
        mock.patch.object(ar24.http, "request", return_value=ok(answer)) as request,
    ):
        assert transport().status("55501") == expected
    request.assert_called_once_with(
        "GET",
        f"{API}/mail/?token=tok&date=2026-11-23+16%3A05%3A09&id_user=4242&id=55501",
        headers={"signature": "SIG", "Accept": "application/json"},
        body=None,
        timeout=60,
    )


def test_a_bounced_letter_is_a_permanent_failure():
    with (
        mock.patch.object(ar24, "signature", return_value="SIG"),
        mock.patch.object(ar24.http, "request", return_value=ok('{"status": "bounced"}')),
        pytest.raises(PermanentFailure, match="bounced"),
    ):
        transport().status("55501")


@pytest.mark.parametrize(
    ("status", "payload", "kind", "is_outage"),
    [
        (429, {}, TemporaryFailure, True),
        (502, {}, TemporaryFailure, True),
        (200, {"status": "maintenance"}, TemporaryFailure, True),
        (200, {"status": "ERROR", "slug": "invalid_signature"}, TemporaryFailure, True),
        (200, {"status": "ERROR", "slug": "invalid_token"}, TemporaryFailure, True),
        (200, {"status": "ERROR", "slug": "invalid_email"}, PermanentFailure, False),
        (200, {"status": "ERROR", "slug": "invalid_file"}, PermanentFailure, False),
        (200, {"status": "ERROR", "slug": "something_new"}, PermanentFailure, False),
        (400, {}, PermanentFailure, False),
    ],
)
def test_errors_are_temporary_or_permanent(status, payload, kind, is_outage):
    error = ar24.failure(status, payload)
    assert isinstance(error, kind)
    assert getattr(error, "is_outage", False) is is_outage


def test_a_read_timeout_after_sending_is_permanent_and_a_refused_connection_temporary():
    from relance.letters.providers import http

    with (
        mock.patch("urllib.request.urlopen", side_effect=TimeoutError("read")),
        pytest.raises(PermanentFailure, match="peut-être partie"),
    ):
        http.request("POST", API, headers={}, body=b"", timeout=1)
    refused = urllib.error.URLError(ConnectionRefusedError())
    with (
        mock.patch("urllib.request.urlopen", side_effect=refused),
        pytest.raises(TemporaryFailure),
    ):
        http.request("POST", API, headers={}, body=b"", timeout=1)


def test_a_customer_without_e_mail_stays_on_paper(world):
    world.customer.contacts.all().delete()
    with pytest.raises(PermanentFailure, match="recommandé papier"):
        ar24.recipient(world.customer)


def test_manual_mode_without_provider_is_unchanged(client, world, printed, settings):
    settings.RELANCE_REGISTERED_PROVIDER = ""
    assert providers.provider() is None
    client.force_login(world.user(Role.MANAGER))
    page = client.get(f"/c/{world.company.code}/letters/").content.decode()
    assert "Envoyer par" not in page and 'name="tracking_' in page
    url = f"/c/{world.company.code}/letters/{printed.reminder_id}/send/"
    with mock.patch.object(ar24.http, "request") as request:
        assert client.post(url).status_code == 302
    request.assert_not_called()
    printed.refresh_from_db()
    assert printed.provider_id == "" and printed.posted_at is None
    with pytest.raises(Exception, match="mode manuel"):
        call_command("letters", "sync")


def test_the_queue_sends_a_printed_registered_letter_electronically(
    client, world, printed, configured
):
    client.force_login(world.user(Role.MANAGER))
    assert "Envoyer par AR24" in client.get(f"/c/{world.company.code}/letters/").content.decode()
    answers = [ok('{"file_id": "987"}'), ok('{"id": "55501"}')]
    with (
        mock.patch.object(ar24, "signature", return_value="SIG"),
        mock.patch.object(ar24.http, "request", side_effect=answers),
    ):
        client.post(f"/c/{world.company.code}/letters/{printed.reminder_id}/send/")
    printed.refresh_from_db()
    assert (printed.provider, printed.provider_id, printed.status) == ("AR24", "55501", "sent")
    reminder = Reminder.objects.get(pk=printed.reminder_id)
    assert reminder.status == Reminder.Status.SENT
    assert reminder.attachments[-1]["sha256"] == printed.pdf_sha256
    assert "AR24 n° 55501" in reminder.events.last().note


def test_a_refused_send_leaves_the_letter_to_print(client, world, printed, configured):
    client.force_login(world.user(Role.MANAGER))
    refused = Response(200, b'{"status": "ERROR", "slug": "invalid_email", "message": "bad"}')
    with (
        mock.patch.object(ar24, "signature", return_value="SIG"),
        mock.patch.object(ar24.http, "request", return_value=refused),
    ):
        client.post(f"/c/{world.company.code}/letters/{printed.reminder_id}/send/")
    printed.refresh_from_db()
    assert printed.provider_id == "" and printed.posted_at is None
    assert Reminder.objects.get(pk=printed.reminder_id).status == Reminder.Status.PENDING


def test_a_read_only_user_cannot_send(client, world, printed, configured):
    client.force_login(world.user(Role.READ_ONLY))
    with mock.patch.object(ar24.http, "request") as request:
        response = client.post(f"/c/{world.company.code}/letters/{printed.reminder_id}/send/")
    assert response.status_code == 403
    request.assert_not_called()


def test_sync_records_a_delivery(world, printed, configured):
    fake = mock.Mock(name="provider")
    fake.name = "AR24"
    fake.send.return_value = "55501"
    services.send_electronically(printed.reminder, world.user(Role.MANAGER), fake)
    delivered = ok('{"status": "AR", "ts_ar_date": "2026-11-21 08:12:00"}')
    with (
        mock.patch.object(ar24, "signature", return_value="SIG"),
        mock.patch.object(ar24.http, "request", return_value=delivered),
    ):
        call_command("letters", "sync")
    printed.refresh_from_db()
    assert (printed.status, printed.delivered_on) == ("delivered", date(2026, 11, 21))
    assert Reminder.objects.get(pk=printed.reminder_id).events.last().note == (
        "Distribuée le 21/11/2026"
    )


def test_a_letter_claimed_by_a_first_click_is_not_sent_by_a_second(world, printed):
    fake = mock.Mock(name="provider")
    fake.name = "AR24"

    def second_click(letter):  # while the provider answers the first click
        with pytest.raises(ValidationError):
            services.send_electronically(letter.reminder, None, fake)
        return "55501"

    fake.send.side_effect = second_click
    services.send_electronically(printed.reminder, None, fake)
    assert fake.send.call_count == 1
    assert Reminder.objects.get(pk=printed.reminder_id).status == Reminder.Status.SENT


def test_no_answer_after_sending_leaves_the_letter_uncertain(world, printed):
    fake = mock.Mock(name="provider")
    fake.name = "AR24"
    fake.send.side_effect = MaybeSent("pas de réponse du prestataire après l'envoi")
    with pytest.raises(MaybeSent):
        services.send_electronically(printed.reminder, None, fake)
    reminder = Reminder.objects.get(pk=printed.reminder_id)
    assert reminder.status == Reminder.Status.UNCERTAIN  # a person checks the console
    assert "après l'envoi" in reminder.events.last().note
