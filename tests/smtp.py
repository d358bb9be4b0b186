"""A real SMTP server in the test process (aiosmtpd), for the tests that send e-mail through
Django's SMTP backend: reminders, mention e-mails, the weekly report."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from aiosmtpd.controller import Controller

from tests.pg import free_port


class Inbox:
    """aiosmtpd handler: keeps the envelopes, refuses recipients whose address starts with
    "refuse" (a permanent 550, as for an unknown mailbox) and, for now, those starting with
    "later" (a temporary 450, as greylisting or a full mailbox answer). `connections`: how
    many SMTP connections the server accepted."""

    def __init__(self):
        self.envelopes = []
        self.connections = 0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.startswith("refuse"):
            return "550 5.1.1 Adresse inconnue"
        if address.startswith("later"):
            return "450 4.2.1 Boîte pleine, réessayez plus tard"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append(envelope)
        return "250 Message accepted"


class CountingController(Controller):
    """aiosmtpd builds one SMTP protocol object per accepted connection (`factory`): counted
    on the handler."""

    def factory(self):
        self.handler.connections += 1
        return super().factory()


@contextmanager
def smtp_server(settings) -> Iterator[Inbox]:
    """Start a server on a free port and point Django's SMTP backend at it (pytest-django's
    `settings` fixture restores the settings afterwards)."""
    inbox = Inbox()
    controller = CountingController(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    inbox.connections = 0  # start() connects once itself, to check the server answers
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", controller.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 5
    settings.DEFAULT_FROM_EMAIL = "Relance <relance@relance.example>"
    try:
        yield inbox
    finally:
        controller.stop()
