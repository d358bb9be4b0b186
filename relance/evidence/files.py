"""The files of an evidence export other than the summary: the invoices' PDFs, every reminder
as sent (an .eml rebuilt from what was stored, the kept letter PDF, the SMS text), the
acknowledgements of receipt and the history as CSV.

Nothing here renders anew what went out: every file is read back from what was kept when the
reminder was sent (DESIGN.md: every reminder keeps what was sent).
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import format_datetime, formataddr
from pathlib import Path

from django.db.models import QuerySet

from relance.core.dunning import Channel
from relance.dunning.channels.email import sender
from relance.dunning.models import Reminder, ReminderEvent
from relance.ledger.models import Customer, Invoice
from relance.letters.models import Letter
from relance.letters.services import stored

PAPER = (Channel.LETTER.value, Channel.REGISTERED_LETTER.value)
TASKS = (Channel.CALL.value, Channel.TASK.value)  # logged as calls, nothing was sent
MESSAGE_ID = re.compile(r"Message-ID (<[^>]+>)")
CSV_COLUMNS = ("date", "relance", "canal", "étape", "statut", "utilisateur", "note")


@dataclass(frozen=True)
class File:
    """One file of the ZIP."""

    name: str
    content: bytes

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()


@dataclass(frozen=True)
class Anomaly:
    """A file the export could not read, or whose content differs from the hash kept with
    it: listed in the summary, never hidden."""

    name: str
    reason: str


def sent_reminders(customer: Customer) -> QuerySet[Reminder]:
    """The customer's reminders that went out (calls and tasks are logged as calls)."""
    return (
        Reminder.objects.filter(customer=customer, sent_at__isnull=False)
        .exclude(channel__in=TASKS)
        .select_related("company", "customer__collector")
        .prefetch_related("events")
        .order_by("sent_at", "pk")
    )


def letter_of(reminder: Reminder) -> Letter | None:
    try:
        return reminder.letter
    except Letter.DoesNotExist:
        return None


def safe(name: str) -> str:
    return re.sub(r"[^\w.-]+", "-", name).strip("-") or "fichier"


def invoice_files(invoices: list[Invoice]) -> tuple[list[File], list[Anomaly]]:
    """The PDF of each invoice the ledger has one for."""
    files, anomalies = [], []
    for invoice in invoices:
        if not invoice.pdf:
            continue
        name = f"factures/{safe(invoice.number)}.pdf"
        try:
            with invoice.pdf.open("rb") as pdf:
                files.append(File(name, pdf.read()))
        except OSError as error:
            anomalies.append(Anomaly(name, f"PDF illisible : {error}"))
    return files, anomalies


def reminder_files(
    reminders: list[Reminder], attachments: dict[str, bytes]
) -> tuple[list[File], list[Anomaly]]:
    """Each reminder as sent, and the acknowledgements of receipt of registered letters.
    `attachments` (SHA-256 -> content) lets an .eml carry the invoice PDFs it was sent with."""
    files, anomalies = [], []
    for reminder in reminders:
        stem = f"relances/{reminder.sent_at:%Y-%m-%d}-{reminder.pk}"
        if reminder.channel == Channel.EMAIL.value:
            files.append(File(f"{stem}-email.eml", eml(reminder, attachments)))
        elif reminder.channel in PAPER:
            _paper(reminder, stem, files, anomalies)
        else:
            files.append(File(f"{stem}-{safe(reminder.channel)}.txt", text_file(reminder)))
    return files, anomalies


def _paper(reminder: Reminder, stem: str, files: list[File], anomalies: list[Anomaly]) -> None:
    letter = letter_of(reminder)
    if letter is None:
        anomalies.append(Anomaly(f"{stem}-courrier.pdf", "courrier posté sans PDF conservé"))
        return
    receipt = f"accuses-reception/{reminder.pk}-{Path(letter.receipt_path).name}"
    for name, path, digest in (
        (f"{stem}-courrier.pdf", letter.pdf_path, letter.pdf_sha256),
        (receipt, letter.receipt_path, letter.receipt_sha256),
    ):
        if not path:
            continue
        try:
            kept = File(name, stored(path).read_bytes())
        except OSError as error:
            anomalies.append(Anomaly(name, f"fichier conservé illisible : {error.strerror}"))
            continue
        files.append(kept)
        if kept.sha256 != digest:  # said, never hidden: the file was altered since it was kept
            anomalies.append(Anomaly(name, f"empreinte différente de celle enregistrée ({digest})"))


def eml(reminder: Reminder, attachments: dict[str, bytes]) -> bytes:
    """The e-mail rebuilt from what was stored: sender, recipients, subject, date, the
    Message-ID the server received, the text and HTML bodies and the invoice PDFs whose
    SHA-256 matches what was attached."""
    message = EmailMessage()
    message["From"] = sender(reminder)
    for header, kind in (("To", "to"), ("Cc", "cc")):
        addresses = [
            formataddr((r.get("name", ""), r["email"]))
            for r in reminder.recipients
            if r.get("kind", "to") == kind and r.get("email")
        ]
        if addresses:
            message[header] = ", ".join(addresses)
    message["Subject"] = reminder.subject
    message["Date"] = format_datetime(reminder.sent_at)
    message_id = message_id_of(reminder)
    if message_id:
        message["Message-ID"] = message_id
    message["X-Relance-Reminder"] = str(reminder.pk)
    message.set_content(reminder.body_text or "")
    if reminder.body_html:
        message.add_alternative(reminder.body_html, subtype="html")
    for attachment in reminder.attachments:
        content = attachments.get(attachment.get("sha256", ""))
        if content is None:
            message["X-Relance-Attachment"] = f"{attachment['name']}; sha256={attachment['sha256']}"
            continue
        message.add_attachment(
            content, maintype="application", subtype="pdf", filename=attachment["name"]
        )
    return bytes(message)


def message_id_of(reminder: Reminder) -> str:
    for event in reminder.events.all():
        found = MESSAGE_ID.search(event.note)
        if found:
            return found.group(1)
    return ""


def text_file(reminder: Reminder) -> bytes:
    """An SMS (or any other text message) as sent: to whom, when, and the text."""
    to = ", ".join(recipient_label(r) for r in reminder.recipients)
    head = f"À : {to}\nEnvoyé le : {reminder.sent_at.isoformat()}\nCanal : {reminder.channel}\n"
    return f"{head}\n{reminder.body_text}\n".encode()


def recipient_label(recipient: dict) -> str:
    """ "Name <address>" whatever the channel: e-mail, phone number or postal address."""
    where = recipient.get("email") or recipient.get("phone") or recipient.get("address", "")
    name = recipient.get("name", "")
    label = f"{name} <{where}>" if name and where else name or where
    return f"{label} (copie)" if recipient.get("kind") == "cc" else label


def history_csv(customer: Customer) -> File:
    """Every line of the history of every reminder of the customer (semicolons, with a BOM:
    Excel in French opens it as is)."""
    events = (
        ReminderEvent.objects.filter(reminder__customer=customer)
        .select_related("reminder", "user")
        .order_by("at", "pk")
    )
    output = io.StringIO()
    writer = csv.writer(output, delimiter=";", lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for event in events:
        writer.writerow(
            (
                event.at.isoformat(),
                event.reminder_id,
                event.reminder.channel,
                event.reminder.step_name,
                event.status,
                event.user.get_username() if event.user else "",
                event.note,
            )
        )
    return File("historique.csv", output.getvalue().encode("utf-8-sig"))
