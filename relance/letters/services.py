"""The print queue: printing letters (each PDF kept as evidence), marking them posted, and
following a registered letter until its acknowledgement of receipt. The only code that
writes letters.

A letter's PDF is rendered once, the first time it is printed, stored under
settings.UPLOAD_ROOT with its SHA-256, and read back ever after: what was posted is exactly
what is kept, never a new rendering with other amounts or another text.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _

from relance.core.dunning import Channel
from relance.dunning.channels import PermanentFailure, TemporaryFailure
from relance.dunning.models import Reminder
from relance.dunning.render import render_reminder
from relance.dunning.sending import recheck, record_event

from .documents import letter_pdf, recipient_lines
from .models import Letter
from .providers.http import MaybeSent

PRINTABLE = (Channel.LETTER.value, Channel.REGISTERED_LETTER.value)
Status = Reminder.Status
DELIVERY = (Letter.Status.DELIVERED, Letter.Status.REFUSED, Letter.Status.NOT_CLAIMED)
RECEIPT_TYPES = (".pdf", ".jpg", ".jpeg", ".png")


@dataclass
class Printed:
    """What one print did: the PDF to print, and the reminders left out with the reason."""

    pdf: bytes = b""
    letters: list[Letter] = field(default_factory=list)
    left_out: list[tuple[Reminder, str]] = field(default_factory=list)


def letter_folder(reminder: Reminder) -> Path:
    return Path(settings.UPLOAD_ROOT) / reminder.company.code / "letters" / str(reminder.pk)


def stored(path: str) -> Path:
    """A kept file (relative path under UPLOAD_ROOT)."""
    return Path(settings.UPLOAD_ROOT) / path


def print_letters(reminders: list[Reminder], user, today: date) -> Printed:
    """One PDF of the selected letters, each starting on a new sheet. A letter printed
    before is read back from its kept file; a new one is re-checked first (items paid,
    disputed or held since planning are dropped; nothing left to ask: cancelled)."""
    printed = Printed()
    for reminder in reminders:
        try:
            printed.letters.append(_letter_of(reminder, user, today))
        except ValidationError as error:
            printed.left_out.append((reminder, " ".join(error.messages)))
    if printed.letters:
        printed.pdf = join_pdfs(
            [stored(letter.pdf_path).read_bytes() for letter in printed.letters]
        )
    return printed


def _letter_of(reminder: Reminder, user, today: date) -> Letter:
    existing = Letter.objects.filter(reminder=reminder).first()
    if existing is not None:
        return existing
    if reminder.channel not in PRINTABLE:
        raise ValidationError(_("Cette relance n'est pas un courrier."))
    if reminder.status != Status.PENDING:
        raise ValidationError(
            _("Relance « %(status)s » : seules les relances à envoyer s'impriment.")
            % {"status": reminder.get_status_display()}
        )
    reason = recheck(reminder, today)
    if reason:
        _cancel(reminder, reason, user)
        raise ValidationError(reason)
    return keep_letter(reminder, user, today)


def _cancel(reminder: Reminder, reason: str, user) -> None:
    with transaction.atomic():
        changed = Reminder.objects.filter(pk=reminder.pk, status=Status.PENDING).update(
            status=Status.CANCELLED
        )
        if changed:
            record_event(reminder, Status.CANCELLED, reason, user=user)


def keep_letter(reminder: Reminder, user, today: date) -> Letter:
    """Render the letter once, store the PDF and its hash, and note it in the history.

    Two people printing the same letter at once each write their own file (its name carries
    the hash); only one Letter is recorded and both get that one."""
    if not reminder.subject:  # the text as printed is kept with the reminder, as for e-mails
        render_reminder(reminder)
        Reminder.objects.filter(pk=reminder.pk).update(
            subject=reminder.subject, body_text=reminder.body_text, body_html=reminder.body_html
        )
    pdf = letter_pdf(reminder, today)
    digest = hashlib.sha256(pdf).hexdigest()
    folder = letter_folder(reminder)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"lettre-{reminder.pk}-{digest[:12]}.pdf"
    path.write_bytes(pdf)
    try:
        with transaction.atomic():
            letter = Letter.objects.create(
                reminder=reminder,
                pdf_path=str(path.relative_to(settings.UPLOAD_ROOT)),
                pdf_sha256=digest,
                pages=page_count(pdf),
                printed_at=timezone.now(),
                printed_by=user,
            )
            record_event(
                reminder, reminder.status, f"imprimée (PDF conservé, SHA-256 {digest})", user=user
            )
    except IntegrityError:
        return Letter.objects.get(reminder=reminder)
    return letter


def join_pdfs(documents: list[bytes]) -> bytes:
    """The documents one after the other; a blank page after one with an odd number of pages,
    so that each letter starts on its own sheet when printed on both sides."""
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    for document in documents:
        reader = PdfReader(io.BytesIO(document))
        writer.append(reader)
        if len(reader.pages) % 2 and len(documents) > 1:
            writer.add_blank_page()
    output = io.BytesIO()
    writer.write(output)
    return output.getvalue()


def page_count(pdf: bytes) -> int:
    from pypdf import PdfReader

    return len(PdfReader(io.BytesIO(pdf)).pages)


@transaction.atomic
def mark_posted(
    reminders: list[Reminder], user, tracking: dict[int, str], now: datetime | None = None
) -> tuple[list[Letter], list[tuple[Reminder, str]]]:
    """Printed letters handed to the post office: the reminder is sent (sent_at now) with the
    kept PDF's hash among its attachments, and a history line says when and, for a
    registered letter, under which tracking number. A registered letter needs one."""
    now = now or timezone.now()
    posted, left_out = [], []
    for reminder in reminders:
        try:
            posted.append(_post(reminder, user, tracking.get(reminder.pk, "").strip(), now))
        except ValidationError as error:
            left_out.append((reminder, " ".join(error.messages)))
    return posted, left_out


def _post(reminder: Reminder, user, tracking_number: str, now: datetime) -> Letter:
    letter = Letter.objects.filter(reminder=reminder).first()
    if letter is None:
        raise ValidationError(_("Courrier pas encore imprimé."))
    is_registered = reminder.channel == Channel.REGISTERED_LETTER.value
    if is_registered and not tracking_number:
        raise ValidationError(_("Lettre recommandée : indiquez son numéro de suivi."))
    attachment = {"name": Path(letter.pdf_path).name, "sha256": letter.pdf_sha256}
    changed = Reminder.objects.filter(pk=reminder.pk, status=Status.PENDING).update(
        status=Status.SENT,
        sent_at=now,
        attachments=[*reminder.attachments, attachment],
        recipients=[_postal_recipient(reminder)],
    )
    if changed != 1:
        raise ValidationError(_("Cette relance a déjà été traitée."))
    letter.status = Letter.Status.SENT
    letter.posted_at, letter.posted_by, letter.tracking_number = now, user, tracking_number
    letter.save(update_fields=["status", "posted_at", "posted_by", "tracking_number"])
    day = date_format(timezone.localtime(now), "j F Y")
    note = f"postée le {day}" + (f" (recommandé n° {tracking_number})" if is_registered else "")
    record_event(reminder, Status.SENT, note, user=user)
    return letter


def _postal_recipient(reminder: Reminder) -> dict:
    customer = reminder.customer
    return {"name": customer.name, "address": ", ".join(recipient_lines(customer)), "kind": "post"}


@transaction.atomic
def record_delivery(letter: Letter, status: str, on: date, user) -> Letter:
    """What the post office says of a registered letter: delivered, refused or not claimed
    (presented, then left at the counter past the holding period), and on which day."""
    if letter.reminder.channel != Channel.REGISTERED_LETTER.value:
        raise ValidationError(_("Seule une lettre recommandée a un suivi de distribution."))
    if letter.posted_at is None:
        raise ValidationError(_("Courrier pas encore posté."))
    if status not in DELIVERY:
        raise ValidationError(_("Statut de distribution inconnu."))
    letter.status, letter.delivered_on = status, on
    letter.save(update_fields=["status", "delivered_on"])
    note = f"{Letter.Status(status).label} le {on:%d/%m/%Y}"
    record_event(letter.reminder, letter.reminder.status, note, user=user)
    return letter


@transaction.atomic
def attach_receipt(letter: Letter, upload, user) -> Letter:
    """Keep the scanned, signed acknowledgement of receipt (PDF or image) with its hash."""
    if letter.posted_at is None:
        raise ValidationError(_("Courrier pas encore posté."))
    name = get_valid_filename(upload.name)
    if not name.lower().endswith(RECEIPT_TYPES):
        raise ValidationError(_("Accusé de réception : un PDF, JPEG ou PNG."))
    content = b"".join(upload.chunks())
    digest = hashlib.sha256(content).hexdigest()
    folder = letter_folder(letter.reminder)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"ar-{digest[:12]}-{name}"
    path.write_bytes(content)
    letter.receipt_path = str(path.relative_to(settings.UPLOAD_ROOT))
    letter.receipt_sha256, letter.receipt_uploaded_at = digest, timezone.now()
    letter.save(update_fields=["receipt_path", "receipt_sha256", "receipt_uploaded_at"])
    note = f"accusé de réception déposé ({name}, SHA-256 {digest})"
    record_event(letter.reminder, letter.reminder.status, note, user=user)
    return letter


def send_electronically(reminder: Reminder, user, provider, now: datetime | None = None) -> Letter:
    """A printed registered letter sent through the provider instead of the post office: the
    kept PDF is what goes out, the provider's id is kept, and the reminder is sent as when
    posted. A failure (TemporaryFailure or PermanentFailure) leaves the letter to print."""
    now = now or timezone.now()
    letter = Letter.objects.filter(reminder=reminder).first()
    if letter is None:
        raise ValidationError(_("Courrier pas encore imprimé."))
    if reminder.channel != Channel.REGISTERED_LETTER.value:
        raise ValidationError(_("Seule une lettre recommandée s'envoie électroniquement."))
    if reminder.status != Status.PENDING or letter.posted_at is not None:
        raise ValidationError(_("Cette relance a déjà été traitée."))
    # Claim it first, as a worker claims an e-mail: two people clicking at once send it once;
    # a crash during the call leaves it "sending", then uncertain (sending.mark_uncertain).
    claimed = Reminder.objects.filter(pk=reminder.pk, status=Status.PENDING).update(
        status=Status.SENDING, claimed_by=f"lre:{provider.name}", claimed_at=now,
        attempt_started_at=now,
    )  # fmt: skip
    if claimed != 1:
        raise ValidationError(_("Cette relance a déjà été traitée."))
    try:
        provider_id = provider.send(letter)
    except MaybeSent as failure:
        Reminder.objects.filter(pk=reminder.pk, status=Status.SENDING).update(
            status=Status.UNCERTAIN
        )
        record_event(reminder, Status.UNCERTAIN, str(failure), user=user)
        raise
    except (TemporaryFailure, PermanentFailure):
        # Refused or unreachable before anything left: the letter stays to print or retry.
        Reminder.objects.filter(pk=reminder.pk, status=Status.SENDING).update(
            status=Status.PENDING, claimed_by="", claimed_at=None, attempt_started_at=None
        )
        raise
    attachment = {"name": Path(letter.pdf_path).name, "sha256": letter.pdf_sha256}
    with transaction.atomic():
        Reminder.objects.filter(pk=reminder.pk, status=Status.SENDING).update(
            status=Status.SENT, sent_at=now, attachments=[*reminder.attachments, attachment]
        )
        letter.status, letter.posted_at, letter.posted_by = Letter.Status.SENT, now, user
        letter.provider, letter.provider_id = provider.name, provider_id
        letter.save(update_fields=["status", "posted_at", "posted_by", "provider", "provider_id"])
        note = f"envoyée en recommandé électronique ({provider.name} n° {provider_id})"
        record_event(reminder, Status.SENT, note, user=user)
    return letter


def sync_electronic(provider) -> tuple[list[Letter], list[tuple[Letter, str]]]:
    """Ask the provider where each letter sent through it and not yet delivered, refused or
    not claimed is; record each change as the manual mode does (status, day, history line).
    Returns (changed, failed with the reason); stops early when the provider is down."""
    changed, failed = [], []
    waiting = Letter.objects.filter(status=Letter.Status.SENT, provider=provider.name)
    for letter in waiting.exclude(provider_id="").select_related("reminder").order_by("pk"):
        try:
            tracking = provider.status(letter.provider_id)
        except (TemporaryFailure, PermanentFailure) as error:
            failed.append((letter, str(error)))  # one letter's failure never stops the rest
            if getattr(error, "is_outage", False):
                break
            continue
        if tracking.status in DELIVERY:
            on = tracking.on or timezone.localdate()
            changed.append(record_delivery(letter, tracking.status, on, None))
    return changed, failed
