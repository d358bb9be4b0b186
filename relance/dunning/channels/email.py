"""Email through Django's email framework: plain text with an HTML alternative, the invoice
PDFs attached, From the company, Reply-To the customer's collector.

One SMTP connection serves a whole batch (`EmailChannel` is opened once per sending pass).
With `local=True` (no SMTP server configured) nothing leaves the machine: the message is
built and checked, and the reminder row itself is the local outbox ("Boîte d'envoi").
"""

from __future__ import annotations

import hashlib
import re
import smtplib
from email.utils import formataddr, make_msgid, parseaddr

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.mail.utils import DNS_NAME

from relance.dunning.models import Reminder

from . import Delivery, PermanentFailure, TemporaryFailure

LOCAL_NOTE = "boîte d'envoi locale"


class EmailChannel:
    """Sends reminders by email over one reused connection (or keeps them, when local)."""

    def __init__(self, *, local: bool = False) -> None:
        self.local = local
        self.connection = None if local else get_connection()

    def send(self, reminder: Reminder) -> Delivery:
        pdfs = invoice_pdfs(reminder)
        message = build_message(reminder, pdfs, self.connection)
        delivery = Delivery(attachments=[_evidence(name, content) for name, content in pdfs])
        if self.local:
            return Delivery(attachments=delivery.attachments, note=LOCAL_NOTE)
        try:
            self.connection.open()  # no-op while open: one connection for the batch
            message.send()
        except Exception as error:
            failure = _failure(error)
            if isinstance(failure, TemporaryFailure) and failure.is_outage:
                self.close()  # the next send opens a fresh connection
            raise failure from error
        note = f"Message-ID {message.extra_headers['Message-ID']}"
        return Delivery(attachments=delivery.attachments, note=note)

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()


def build_message(reminder: Reminder, pdfs, connection) -> EmailMultiAlternatives:
    to = _addresses(reminder.recipients, "to")
    if not to:
        raise PermanentFailure("aucun destinataire e-mail")
    message = EmailMultiAlternatives(
        subject=reminder.subject,
        body=reminder.body_text,
        from_email=sender(reminder),
        to=to,
        cc=_addresses(reminder.recipients, "cc"),
        reply_to=_reply_to(reminder),
        connection=connection,
        headers={"Message-ID": make_msgid(domain=DNS_NAME.get_fqdn())},
    )
    if reminder.body_html:
        message.attach_alternative(reminder.body_html, "text/html")
    for name, content in pdfs:
        message.attach(name, content, "application/pdf")
    return message


def sender(reminder: Reminder) -> str:
    """The company's name on the application's address: the debtor sees who is asking."""
    return formataddr((reminder.company.name, parseaddr(settings.DEFAULT_FROM_EMAIL)[1]))


def invoice_pdfs(reminder: Reminder) -> list[tuple[str, bytes]]:
    """(file name, bytes) of the PDF of each listed invoice that has one."""
    pdfs = []
    for item in reminder.listed_items():
        invoice = item.invoice
        if not invoice.pdf:
            continue
        try:
            with invoice.pdf.open("rb") as file:
                content = file.read()
        except OSError as error:
            # The evidence would be incomplete: a person re-attaches the file and retries.
            raise PermanentFailure(
                f"PDF de la facture {invoice.number} illisible : {error}"
            ) from error
        pdfs.append((f"{_safe(invoice.number)}.pdf", content))
    return pdfs


def _evidence(name: str, content: bytes) -> dict[str, str]:
    return {"name": name, "sha256": hashlib.sha256(content).hexdigest()}


def _safe(number: str) -> str:
    return re.sub(r"[^\w.-]+", "-", number).strip("-") or "facture"


def _addresses(recipients: list[dict], kind: str) -> list[str]:
    return [
        formataddr((recipient.get("name", ""), recipient["email"]))
        for recipient in recipients
        if recipient.get("kind", "to") == kind and recipient.get("email")
    ]


def _reply_to(reminder: Reminder) -> list[str]:
    collector = reminder.customer.collector
    if collector is None or not collector.email:
        return []
    return [formataddr((collector.get_full_name(), collector.email))]


def _failure(error: Exception) -> TemporaryFailure | PermanentFailure:
    """Whether retrying can help. smtplib's errors are OSErrors too: test them first."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in error.recipients.values()]
        reason = f"destinataires refusés : {_refusals(error.recipients)}"
        # Greylisting and full mailboxes answer 4xx: worth another try.
        if codes and all(400 <= code < 500 for code in codes):
            return TemporaryFailure(reason)
        return PermanentFailure(reason)
    if isinstance(error, smtplib.SMTPAuthenticationError | smtplib.SMTPServerDisconnected):
        # A configuration or server problem, not this message's: every reminder would fail.
        return TemporaryFailure(f"serveur SMTP : {error}", is_outage=True)
    if isinstance(error, smtplib.SMTPResponseException):
        reason = f"SMTP {error.smtp_code} : {_text(error.smtp_error)}"
        if 500 <= error.smtp_code < 600:
            return PermanentFailure(reason)
        return TemporaryFailure(reason)
    if isinstance(error, OSError):  # refused connection, timeout, DNS, TLS
        return TemporaryFailure(f"serveur SMTP injoignable : {error!r}", is_outage=True)
    if isinstance(error, TemporaryFailure | PermanentFailure):
        return error
    return PermanentFailure(f"message refusé : {error!r}")


def _refusals(recipients: dict) -> str:
    return ", ".join(
        f"{email} ({code} {_text(text)})" for email, (code, text) in recipients.items()
    )


def _text(value) -> str:
    return value.decode(errors="replace") if isinstance(value, bytes) else str(value)
