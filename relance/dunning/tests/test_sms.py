"""SMS: each provider's exact request and error mapping (the one HTTP call patched, never the
network), the channel (number, text, opt-out, local outbox), routing in the sender, delivery
receipts and the estimate shown before sending."""

import base64
import hashlib
import json
import urllib.error
from decimal import Decimal
from unittest import mock
from urllib.parse import parse_qsl

import pytest

from relance.core.sms import Encoding
from relance.dunning import sending
from relance.dunning.channels import ByKind, Delivery, PermanentFailure, TemporaryFailure
from relance.dunning.channels.sms import (
    Message,
    SmsChannel,
    http,
    ovh,
    preview,
    recipient,
    sms_channel,
    sms_text,
    twilio,
)
from relance.dunning.hooks import record_receipt
from relance.dunning.models import Reminder, ReminderEvent
from relance.ledger.models import Contact

from .test_sending import NOW, FakeChannel, make_company, make_customer, make_invoice
from .test_sending import make_reminder as make_email_reminder

pytestmark = pytest.mark.django_db
POST = "relance.dunning.channels.sms.http.post"
MESSAGE = Message("+33612345678", "Acme : 120,00 € restent impayés.", Encoding.GSM7)
TEXT = "Acme : sauf erreur, 1 200,00 € restent impayés sur votre compte C1. Merci de régulariser."


@pytest.fixture(autouse=True)
def sms_settings(settings):
    """Whatever the environment says: no provider, a known price, no public address."""
    settings.RELANCE_SMS_PROVIDER, settings.RELANCE_SMS_LOCAL_OUTBOX = "", False
    settings.RELANCE_SMS_SENDER, settings.RELANCE_PUBLIC_URL = "", ""
    settings.RELANCE_SMS_UNIT_COST_EUR = Decimal("0.05")


def answer(status, payload):
    return http.Response(status, json.dumps(payload).encode())


# --- Twilio -----------------------------------------------------------------------------------


def twilio_transport(**options):
    return twilio.TwilioTransport("AC123", "secret-token", sender="ACME", **options)


def test_twilio_posts_the_exact_message_request():
    with mock.patch(POST, return_value=answer(201, {"sid": "SM0001", "status": "queued"})) as post:
        sent = twilio_transport(timeout=7).send(
            Message(MESSAGE.to, MESSAGE.text, MESSAGE.encoding, "https://r.example/hooks/sms/1/")
        )
    assert sent == "SM0001"
    post.assert_called_once()
    (url,), kwargs = post.call_args
    assert url == "https://api.twilio.com/2010-04-01/Accounts/AC123/Messages.json"
    assert kwargs["headers"] == {
        "Authorization": "Basic " + base64.b64encode(b"AC123:secret-token").decode(),
        "Content-Type": "application/x-www-form-urlencoded",
        "Accept": "application/json",
    }
    assert parse_qsl(kwargs["body"].decode(), strict_parsing=True) == [
        ("To", "+33612345678"),
        ("From", "ACME"),
        ("Body", "Acme : 120,00 € restent impayés."),
        ("StatusCallback", "https://r.example/hooks/sms/1/"),
    ]
    assert kwargs["timeout"] == 7


def test_twilio_uses_the_messaging_service_instead_of_a_sender_and_no_callback_without_url():
    with mock.patch(POST, return_value=answer(201, {"sid": "SM0002"})) as post:
        twilio_transport(messaging_service_sid="MG42").send(MESSAGE)
    body = parse_qsl(post.call_args.kwargs["body"].decode())
    assert body == [("To", MESSAGE.to), ("MessagingServiceSid", "MG42"), ("Body", MESSAGE.text)]


@pytest.mark.parametrize(
    ("status", "payload", "kind", "is_outage", "reason"),
    [
        (400, {"code": 21211, "message": "Invalid 'To'"}, PermanentFailure, None, "invalide"),
        (400, {"code": 21610, "message": "unsubscribed"}, PermanentFailure, None, "STOP"),
        (400, {"code": 21614, "message": "not a mobile"}, PermanentFailure, None, "pas un mobile"),
        (400, {"code": 21408, "message": "region"}, PermanentFailure, None, "pays"),
        (400, {"code": 21602, "message": "Body required"}, PermanentFailure, None, "refusé"),
        (401, {"code": 20003, "message": "Authenticate"}, TemporaryFailure, True, "TWILIO_AUTH"),
        (404, {"code": 20404, "message": "not found"}, TemporaryFailure, True, "introuvable"),
        (400, {"code": 21606, "message": "From"}, TemporaryFailure, True, "RELANCE_SMS_SENDER"),
        (400, {"code": 21603, "message": "From required"}, TemporaryFailure, True, "manquant"),
        (429, {"code": 20429, "message": "Too Many"}, TemporaryFailure, True, "trop de"),
        (500, {"message": "Internal"}, TemporaryFailure, True, "indisponible"),
        (503, {}, TemporaryFailure, True, "indisponible"),
        (201, {"status": "queued"}, PermanentFailure, None, "inattendue"),  # no sid
    ],
)
def test_twilio_errors_say_whether_retrying_can_help(status, payload, kind, is_outage, reason):
    with mock.patch(POST, return_value=answer(status, payload)), pytest.raises(kind) as raised:
        twilio_transport().send(MESSAGE)
    assert reason in str(raised.value)
    if is_outage is not None:
        assert raised.value.is_outage is is_outage


def test_twilio_signature_matches_twilios_documented_example():
    # The example of https://www.twilio.com/docs/usage/security (auth token 12345).
    params = {
        "CallSid": "CA1234567890ABCDE",
        "Caller": "+12349013030",
        "Digits": "1234",
        "From": "+12349013030",
        "To": "+18005551212",
    }
    url = "https://mycompany.com/myapp.php?foo=1&bar=2"
    assert twilio.signature("12345", url, params.items()) == "0/KCTR6DLpKmkAf8muzZqo1nDgQ="
    assert twilio.is_signed("12345", url, params.items(), "0/KCTR6DLpKmkAf8muzZqo1nDgQ=")
    assert not twilio.is_signed("", url, params.items(), twilio.signature("", url, params.items()))


# --- OVHcloud ---------------------------------------------------------------------------------


def ovh_transport(sender="ACME"):
    return ovh.OvhTransport(
        "app-key", "app-secret", "consumer-key", "sms-ab12345-1", sender=sender,
        clock=lambda: 1_790_000_000.7,
    )  # fmt: skip


OVH_URL = "https://eu.api.ovh.com/1.0/sms/sms-ab12345-1/jobs"
OVH_SENT = {"ids": [26929925], "validReceivers": ["+33612345678"], "invalidReceivers": [],
            "totalCreditsRemoved": 1}  # fmt: skip


def test_ovh_posts_the_exact_signed_job():
    with mock.patch(POST, return_value=answer(200, OVH_SENT)) as post:
        sent = ovh_transport().send(MESSAGE)
    assert sent == "26929925"
    (url,), kwargs = post.call_args
    assert url == OVH_URL
    body = kwargs["body"].decode()
    assert json.loads(body) == {
        "charset": "UTF-8",
        "class": "phoneDisplay",
        "coding": "7bit",
        "message": "Acme : 120,00 € restent impayés.",
        "noStopClause": True,
        "priority": "high",
        "receivers": ["+33612345678"],
        "sender": "ACME",
        "validityPeriod": 2880,
    }
    signed = f"app-secret+consumer-key+POST+{OVH_URL}+{body}+1790000000"
    assert kwargs["headers"] == {
        "Content-Type": "application/json; charset=utf-8",
        "Accept": "application/json",
        "X-Ovh-Application": "app-key",
        "X-Ovh-Consumer": "consumer-key",
        "X-Ovh-Timestamp": "1790000000",
        "X-Ovh-Signature": "$1$" + hashlib.sha1(signed.encode()).hexdigest(),
    }


def test_ovh_sends_unicode_as_8bit_and_uses_its_short_number_without_a_sender():
    message = Message("+33612345678", "Vous êtes en retard", Encoding.UCS2)
    with mock.patch(POST, return_value=answer(200, OVH_SENT)) as post:
        ovh_transport(sender="").send(message)
    job = json.loads(post.call_args.kwargs["body"])
    assert job["coding"] == "8bit" and job["senderForResponse"] is True and "sender" not in job


@pytest.mark.parametrize(
    ("status", "payload", "kind", "is_outage", "reason"),
    [
        (200, {"ids": [], "invalidReceivers": ["+33612345678"]}, PermanentFailure, None, "refusé"),
        (400, {"message": "Invalid sender"}, PermanentFailure, None, "Invalid sender"),
        (401, {"message": "Invalid signature"}, TemporaryFailure, True, "clés"),
        (403, {"message": "This call has not been granted"}, TemporaryFailure, True, "clés"),
        (404, {"message": "not found"}, TemporaryFailure, True, "OVH_SMS_SERVICE_NAME"),
        (429, {}, TemporaryFailure, True, "indisponible"),
        (500, {"message": "Internal"}, TemporaryFailure, True, "indisponible"),
    ],
)
def test_ovh_errors_say_whether_retrying_can_help(status, payload, kind, is_outage, reason):
    with mock.patch(POST, return_value=answer(status, payload)), pytest.raises(kind) as raised:
        ovh_transport().send(MESSAGE)
    assert reason in str(raised.value)
    if is_outage is not None:
        assert raised.value.is_outage is is_outage


# --- The HTTP call itself ---------------------------------------------------------------------


class Answer:
    status = 201

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def read(self):
        return b'{"sid": "SM1"}'


def test_the_http_call_posts_and_returns_any_status():
    with mock.patch("urllib.request.urlopen", return_value=Answer()) as urlopen:
        response = http.post("https://api.example/x", headers={"A": "b"}, body=b"k=v", timeout=3)
    request = urlopen.call_args.args[0]
    assert (request.get_method(), request.full_url, request.data) == (
        "POST",
        "https://api.example/x",
        b"k=v",
    )
    assert request.get_header("A") == "b" and urlopen.call_args.kwargs == {"timeout": 3}
    assert response == http.Response(201, b'{"sid": "SM1"}')

    error = urllib.error.HTTPError("https://api.example/x", 400, "Bad", {}, None)
    error.read = lambda: b'{"code": 21211}'
    with mock.patch("urllib.request.urlopen", side_effect=error):
        response = http.post("https://api.example/x", headers={}, body=b"", timeout=3)
    assert response == http.Response(400, b'{"code": 21211}')


def test_an_unreachable_provider_is_an_outage_retried_later():
    refused = urllib.error.URLError(ConnectionRefusedError(111, "Connection refused"))
    with (
        mock.patch("urllib.request.urlopen", side_effect=refused),
        pytest.raises(TemporaryFailure) as raised,
    ):
        http.post("https://api.example/x", headers={}, body=b"", timeout=3)
    assert raised.value.is_outage and "injoignable" in str(raised.value)


def test_no_answer_after_the_request_left_is_never_retried_blindly():
    # The provider may have accepted the SMS: a retry could send it twice.
    with (
        mock.patch("urllib.request.urlopen", side_effect=TimeoutError("timed out")),
        pytest.raises(PermanentFailure) as raised,
    ):
        http.post("https://api.example/x", headers={}, body=b"", timeout=3)
    assert "peut-être parti" in str(raised.value)


# --- The channel ------------------------------------------------------------------------------


@pytest.fixture
def customer():
    company = make_company()
    customer = make_customer(company, is_consumer=True)
    Contact.objects.create(
        customer=customer, name="Compta", role="accounting", mobile="+33687654321"
    )
    Contact.objects.create(customer=customer, name="Jeanne Martin", role="billing",
                           phone="+33145678900", mobile="+33612345678")  # fmt: skip
    return customer


def sms_reminder(customer, body=TEXT, subject="Relance", **fields):
    invoice = make_invoice(customer.company, customer, f"F-{Reminder.objects.count() + 1}")
    reminder = make_email_reminder(customer, [invoice], channel="sms", **fields)
    Reminder.objects.filter(pk=reminder.pk).update(body_text=body, subject=subject)
    reminder.refresh_from_db()
    return reminder


class FakeTransport:
    name, callback_route = "Fake", "sms_status_twilio"

    def __init__(self):
        self.messages = []

    def send(self, message):
        self.messages.append(message)
        return "FK1"


def test_the_sms_goes_to_the_billing_contacts_mobile(customer):
    assert recipient(customer) == ("+33612345678", "Jeanne Martin")


@pytest.mark.parametrize(
    ("contacts", "expected"),
    [
        # no billing mobile: another contact's mobile
        ([("billing", "", "+33145678900"), ("sales", "+33687654321", "")], "+33687654321"),
        # no mobile at all: a phone that is a mobile number
        ([("billing", "", "+33145678900"), ("sales", "", "+33698765432")], "+33698765432"),
        # a landline in the mobile field cannot receive an SMS
        ([("billing", "+33145678900", ""), ("sales", "", "+33698765432")], "+33698765432"),
    ],
)
def test_the_sms_falls_back_to_another_mobile_number(contacts, expected):
    customer = make_customer(make_company())
    for role, mobile, phone in contacts:
        Contact.objects.create(customer=customer, name=role, role=role, mobile=mobile, phone=phone)
    assert recipient(customer)[0] == expected


def test_no_mobile_number_fails_the_reminder_with_the_reason():
    customer = make_customer(make_company())
    Contact.objects.create(customer=customer, name="Standard", phone="+33145678900")
    reminder = sms_reminder(customer)
    counts = sending.send_pending(
        "w1", now=NOW, channel=SmsChannel(None, unit_cost=Decimal("0.05"))
    )
    reminder.refresh_from_db()
    assert counts.failed == 1
    assert (reminder.status, reminder.error) == ("failed", "aucun numéro de mobile pour ce client")


def test_an_empty_text_is_not_sent(customer):
    transport = FakeTransport()
    with pytest.raises(PermanentFailure, match="vide"):
        SmsChannel(transport, unit_cost=Decimal(1)).send(sms_reminder(customer, body=" \n"))
    assert transport.messages == []


def test_a_contact_who_refused_sms_is_skipped_and_nobody_left_fails(customer):
    Contact.objects.filter(name="Jeanne Martin").update(sms_opt_out=True)
    assert recipient(customer) == ("+33687654321", "Compta")
    Contact.objects.update(sms_opt_out=True)
    with pytest.raises(PermanentFailure, match="opposition aux SMS enregistrée"):
        recipient(customer)
    reminder = sms_reminder(customer)
    sending.send_pending("w1", now=NOW, channel=SmsChannel(FakeTransport(), unit_cost=Decimal(1)))
    reminder.refresh_from_db()
    assert reminder.status == "failed" and "opposition" in reminder.error


def test_without_a_provider_the_sms_stays_in_the_local_outbox(settings, customer):
    settings.RELANCE_SMS_PROVIDER = ""
    reminder = sms_reminder(customer, body="Acme\u00a0: 1\u00a0200,00\u00a0€ restent impayés.")
    with mock.patch(POST) as post:
        counts = sending.send_pending("w1", now=NOW)
    post.assert_not_called()
    reminder.refresh_from_db()
    assert counts.sent == 1 and reminder.status == "sent"
    assert reminder.recipients == [{"phone": "+33612345678", "name": "Jeanne Martin", "kind": "to"}]
    assert reminder.body_text == "Acme : 1 200,00 € restent impayés."  # as it would have left
    note = reminder.events.get(status="sent").note
    assert note == (
        "boîte d'envoi locale : SMS au +33612345678 : 1 segment GSM-7 (35 caractères),"
        " coût estimé 0,05 €"
    )


def test_with_twilio_the_sms_is_sent_and_its_id_kept(settings, customer):
    settings.RELANCE_SMS_PROVIDER, settings.TWILIO_ACCOUNT_SID = "twilio", "AC9"
    settings.TWILIO_AUTH_TOKEN, settings.RELANCE_SMS_SENDER = "tok", "ACME"
    settings.RELANCE_PUBLIC_URL = "https://relance.example.com"
    settings.RELANCE_SMS_UNIT_COST_EUR = Decimal("0.045")
    reminder = sms_reminder(customer, body=" ".join([TEXT] * 4))  # too long: cut to two segments
    with mock.patch(POST, return_value=answer(201, {"sid": "SM77"})) as post:
        counts = sending.send_pending("w1", now=NOW)
    assert counts.sent == 1
    body = dict(parse_qsl(post.call_args.kwargs["body"].decode()))
    assert body["To"] == "+33612345678" and body["From"] == "ACME"
    assert body["StatusCallback"] == f"https://relance.example.com/hooks/sms/twilio/{reminder.pk}/"
    reminder.refresh_from_db()
    assert reminder.body_text == body["Body"] == " ".join([TEXT] * 3)  # whole sentences only
    assert reminder.events.get(status="sent").note == (
        "SMS au +33612345678 : 2 segments GSM-7 (272 caractères), coût estimé 0,09 € ; Twilio SM77"
    )


def test_an_sms_provider_outage_stops_the_pass_and_retries_later(settings, customer):
    settings.RELANCE_SMS_PROVIDER, settings.OVH_SMS_SERVICE_NAME = "ovh", "sms-ab12345-1"
    first, second = sms_reminder(customer), sms_reminder(customer)
    with mock.patch(POST, return_value=answer(503, {})):
        counts = sending.send_pending("w1", now=NOW)
    assert counts.stopped_by_outage and counts.retried == 1
    first.refresh_from_db(), second.refresh_from_db()
    assert first.status == second.status == "pending"
    assert first.next_attempt_at is not None and second.attempts == 0


def test_a_trailing_link_is_kept_whole_when_the_text_is_cut():
    link = "https://relance.example.com/p/AbCdEf123456789/"
    text = sms_text("Crêperie Bâtie : " + "mot " * 60 + "Détail : " + link)
    assert text.endswith("… " + link)


def test_sms_channel_from_settings(settings):
    settings.RELANCE_SMS_PROVIDER = ""
    assert sms_channel().transport is None
    settings.RELANCE_SMS_PROVIDER = "ovh"
    assert isinstance(sms_channel().transport, ovh.OvhTransport)
    settings.RELANCE_SMS_PROVIDER = "twilio"
    assert isinstance(sms_channel().transport, twilio.TwilioTransport)
    settings.RELANCE_SMS_LOCAL_OUTBOX = True  # RELANCE_LOCAL_OUTBOX=true: a staging copy
    assert sms_channel().transport is None


# --- Routing in the sender --------------------------------------------------------------------


class FakeSms(FakeChannel):
    def send(self, reminder):
        super().send(reminder)
        return Delivery(note="fake sms", recipients=[{"phone": "+33600000000"}], text="court")


def test_send_pending_sends_each_reminder_through_the_channel_of_its_kind(customer):
    invoice = make_invoice(customer.company, customer, "F-R1")
    by_email = make_email_reminder(customer, [invoice])
    by_sms = sms_reminder(customer)
    by_letter = make_email_reminder(customer, [invoice], channel="letter")
    email, sms = FakeChannel(), FakeSms()
    counts = sending.send_pending("w1", now=NOW, channel=ByKind({"email": email, "sms": sms}))
    assert (email.sent, sms.sent) == ([by_email.pk], [by_sms.pk])
    assert counts.sent == 2 and email.closed and sms.closed
    by_letter.refresh_from_db(), by_sms.refresh_from_db(), by_email.refresh_from_db()
    assert by_letter.status == "pending"  # no letter channel yet
    assert (by_sms.body_text, by_sms.recipients) == ("court", [{"phone": "+33600000000"}])
    assert by_email.body_text == "Bonjour,\nmerci de régler."  # a channel's evidence only


def test_the_default_channels_route_email_and_sms():
    channel = sending.channels()
    assert set(channel.channels) == set(sending.SENT_CHANNELS) == {"email", "sms"}


# --- Delivery receipts ------------------------------------------------------------------------


@pytest.fixture
def sent_sms(settings, customer):
    settings.TWILIO_AUTH_TOKEN, settings.RELANCE_PUBLIC_URL = "tok", "https://relance.example.com"
    reminder = sms_reminder(customer, status="sent")
    sending.record_event(reminder, "sent", "SMS au +33612345678 : 1 segment ; Twilio SM77")
    return reminder


def post_status(client, reminder, status="delivered", signed_with="tok", **extra):
    path = f"/hooks/sms/twilio/{reminder.pk}/"
    data = {"MessageSid": "SM77", "MessageStatus": status, "AccountSid": "AC9", **extra}
    url = "https://relance.example.com" + path
    header = twilio.signature(signed_with, url, data.items())
    return client.post(path, data, HTTP_X_TWILIO_SIGNATURE=header)


def test_a_signed_delivery_receipt_is_recorded_once(client, sent_sms):
    assert post_status(client, sent_sms).status_code == 204
    assert post_status(client, sent_sms).status_code == 204  # Twilio may post again
    notes = list(ReminderEvent.objects.filter(reminder=sent_sms).values_list("note", flat=True))
    assert notes.count("SMS remis (Twilio SM77)") == 1
    assert sent_sms.events.last().status == "sent"


def test_an_undelivered_sms_is_recorded_with_its_error(client, sent_sms):
    assert post_status(client, sent_sms, "undelivered", ErrorCode="30003").status_code == 204
    assert sent_sms.events.last().note == "SMS non remis (Twilio SM77, undelivered, erreur 30003)"


def test_a_receipt_with_a_bad_signature_is_refused(client, sent_sms):
    events = sent_sms.events.count()
    assert post_status(client, sent_sms, signed_with="not-the-token").status_code == 403
    assert (
        client.post(f"/hooks/sms/twilio/{sent_sms.pk}/", {"MessageSid": "SM77"}).status_code == 403
    )
    assert sent_sms.events.count() == events


def test_intermediate_statuses_and_unknown_messages_record_nothing(client, sent_sms):
    events = sent_sms.events.count()
    assert post_status(client, sent_sms, "sent").status_code == 204
    assert post_status(client, sent_sms, MessageSid="SM99").status_code == 404
    assert record_receipt(sent_sms.pk + 1000, "Twilio SM77", "delivered") is None
    assert sent_sms.events.count() == events


def test_the_hook_takes_only_posts(client, sent_sms):
    assert client.get(f"/hooks/sms/twilio/{sent_sms.pk}/").status_code == 405


# --- Before sending ---------------------------------------------------------------------------


def test_the_preview_gives_number_segments_and_cost_before_sending(customer):
    reminder = sms_reminder(customer, body=" ".join([TEXT] * 4))
    shown = preview(reminder, Decimal("0.05"))
    assert (shown.to, shown.estimate.segments, shown.estimate.cost) == (
        "+33612345678", 2, Decimal("0.10"),
    )  # fmt: skip
    assert shown.is_shortened and shown.text == " ".join([TEXT] * 3)
    Contact.objects.update(sms_opt_out=True)
    assert "opposition" in preview(reminder).problem


def test_a_pending_sms_without_text_is_previewed_from_its_step_template(customer):
    reminder = sms_reminder(customer, body="", subject="")
    shown = preview(reminder, Decimal("0.05"))
    assert shown.text.startswith("Bâtiments Durand & Fils : sauf erreur, 100,00 € restent impayés")
    assert shown.estimate.segments <= 2
    reminder.refresh_from_db()
    assert reminder.body_text == ""  # the preview changes nothing


def test_the_reminder_page_shows_segments_and_cost_of_an_sms(client):
    from relance.team.models import Role
    from relance.web.tests.factories import World
    from relance.web.tests.factories import make_reminder as make_web_reminder

    world = World()
    Contact.objects.filter(customer=world.customer).update(mobile="+33612345678")
    reminder = make_web_reminder(
        world.customer, channel="sms", body_text="Acme : total dû 1 200,00 €."
    )
    client.force_login(world.user(Role.COLLECTOR))
    page = client.get(f"/c/acme/reminders/{reminder.pk}/").content.decode()
    assert "Segments SMS" in page and "1 (UCS-2, 27 caractères)" in page  # û: UCS-2
    assert "Coût estimé" in page and "0,05\u00a0€" in page
    assert 'href="tel:+33612345678"' in page
    assert "compta@example.fr" not in page  # the run's e-mail recipients are not the SMS's


def test_the_contact_form_records_a_refusal_of_sms(client):
    from relance.team.models import Role
    from relance.web.tests.factories import World

    world = World()
    client.force_login(world.user(Role.ADMIN))
    data = {"role": "billing", "name": "Paul", "mobile": "06 12 34 56 78", "country": "FR",
            "preferred_channel": "email", "sms_opt_out": "on"}  # fmt: skip
    client.post(f"/c/acme/customers/{world.customer.pk}/contacts/new/", data)
    assert Contact.objects.get(name="Paul").sms_opt_out is True
    form = client.get(f"/c/acme/contacts/{Contact.objects.get(name='Paul').pk}/edit/")
    assert 'name="sms_opt_out"' in form.content.decode()


def test_the_outbox_lists_the_number_an_sms_went_to(client):
    from relance.team.models import Role
    from relance.web.tests.factories import World
    from relance.web.tests.factories import make_reminder as make_web_reminder

    world = World()
    to = [{"phone": "+33612345678", "name": "Jeanne", "kind": "to"}]
    make_web_reminder(world.customer, Reminder.Status.SENT, channel="sms", recipients=to)
    client.force_login(world.user(Role.ADMIN))
    assert "+33612345678" in client.get("/c/acme/reminders/outbox/?status=sent").content.decode()
