"""The SMTP server down or refusing, through real SMTP connections (issue 8, faults): the
reminder is retried with backoff (1, 5, 30 and 120 minutes), then failed with the server's
reason after five tries; a server that comes back gets it once. Nothing is delivered twice.

test_sending.py keeps the first try against a server that is down and the backoff schedule
with a fake channel; here every try goes through smtplib to a server on 127.0.0.1 that
refuses the message (aiosmtpd answering 451), greets with 421 and hangs up (a server in
maintenance), or is not listening at all.
"""

import socketserver
import threading
from datetime import timedelta

import pytest
from aiosmtpd.controller import Controller

from relance.dunning import sending
from relance.dunning.models import Reminder, ReminderEvent
from relance.dunning.tests.test_sending import NOW, make_company, make_customer, make_invoice
from relance.dunning.tests.test_sending import make_reminder as reminder_of
from tests.pg import free_port

pytestmark = pytest.mark.django_db
WAITS = [timedelta(minutes=minutes) for minutes in (1, 5, 30, 120)]


class Refusing:
    """aiosmtpd handler: answers 451 to the sender `refusals` times, then accepts."""

    def __init__(self, refusals: int):
        self.refusals, self.delivered = refusals, []

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        if self.refusals > 0:
            self.refusals -= 1
            return "451 4.3.0 Système de messagerie surchargé, réessayez plus tard"
        envelope.mail_from = address
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.delivered.append(envelope.original_content)
        return "250 Message accepted"


class InMaintenance(socketserver.BaseRequestHandler):
    """Greets with 421 and hangs up, as a server in maintenance does."""

    def handle(self):
        self.request.sendall(b"421 4.3.2 Service indisponible, maintenance en cours\r\n")


def use_smtp(settings, port: int) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", port, 5
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.RELANCE_LOCAL_OUTBOX = False


@pytest.fixture
def smtp(settings):
    """A server refusing the next `refusals` messages; refusals can be set per test."""
    handler = Refusing(refusals=0)
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    use_smtp(settings, controller.port)
    yield handler
    controller.stop()


@pytest.fixture
def in_maintenance(settings):
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), InMaintenance)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    use_smtp(settings, server.server_address[1])
    yield
    server.shutdown()
    server.server_close()


@pytest.fixture
def down(settings):
    use_smtp(settings, free_port())  # nobody listens there


@pytest.fixture
def reminder():
    company = make_company()
    customer = make_customer(company)
    return reminder_of(customer, [make_invoice(company, customer, "F1")])


def send_until_decided(reminder: Reminder) -> list[timedelta]:
    """One sending pass at each retry time until the reminder is sent or failed; the waits
    the reminder was given. A pass just before each retry time must not try it."""
    now, waits = NOW, []
    for _ in range(sending.MAX_ATTEMPTS):
        sending.send_pending("w1", now)
        reminder.refresh_from_db()
        if reminder.status != Reminder.Status.PENDING:
            break
        waits.append(reminder.next_attempt_at - now)
        early = reminder.next_attempt_at - timedelta(seconds=1)
        assert sending.send_pending("w1", early).claimed == 0
        now = reminder.next_attempt_at
    return waits


def statuses(reminder):
    return list(ReminderEvent.objects.filter(reminder=reminder).values_list("status", flat=True))


def test_a_server_refusing_for_now_is_retried_with_backoff_then_failed_with_its_reason(
    smtp, reminder
):
    smtp.refusals = 99
    assert send_until_decided(reminder) == WAITS
    assert (reminder.status, reminder.attempts) == ("failed", 5)
    assert reminder.error == "SMTP 451 : 4.3.0 Système de messagerie surchargé, réessayez plus tard"
    assert reminder.events.last().note.startswith("échec après 5 essais : SMTP 451")
    assert statuses(reminder).count("sending") == 5 and smtp.delivered == []


def test_a_server_that_accepts_again_gets_the_reminder_once(smtp, reminder):
    smtp.refusals = 2
    assert send_until_decided(reminder) == WAITS[:2]
    assert (reminder.status, reminder.attempts, reminder.error) == ("sent", 3, "")
    assert len(smtp.delivered) == 1
    assert statuses(reminder) == ["pending"] + ["sending", "pending"] * 2 + ["sending", "sent"]


def test_a_server_in_maintenance_is_retried_then_failed_with_its_reason(in_maintenance, reminder):
    assert send_until_decided(reminder) == WAITS
    assert (reminder.status, reminder.attempts) == ("failed", 5)
    assert reminder.error.startswith("SMTP 421 : 4.3.2 Service indisponible")


def test_a_server_down_is_retried_then_failed_as_unreachable(down, reminder):
    assert send_until_decided(reminder) == WAITS
    assert (reminder.status, reminder.attempts) == ("failed", 5)
    assert reminder.error.startswith("serveur SMTP injoignable")
    assert "injoignable" in reminder.events.last().note
