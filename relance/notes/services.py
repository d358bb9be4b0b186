"""Notes and mentions: writing a note, telling the colleagues it mentions, marking a mention
seen. The only code that writes them; there is no edit and no delete (see models.py).

Who may be mentioned mirrors relance.team.access.visible_customers: a member of the customer's
company who sees every customer, or the collector or sales rep whose portfolio holds it.
"""

from __future__ import annotations

import logging
import smtplib

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from relance.core.mentions import MAX_MENTIONS, mentioned_usernames, refused
from relance.dunning.models import Dispute
from relance.ledger.models import Customer, Invoice
from relance.plans.models import PaymentPlan
from relance.team.access import PORTFOLIO_FIELD
from relance.team.models import Membership

from .models import Mention, Note

log = logging.getLogger(__name__)
MAX_LENGTH = 5000  # characters: a note, not a report


def mentionable_users(customer: Customer) -> QuerySet:
    """The active colleagues who may read `customer`, by username."""
    rule = ~Q(role__in=list(PORTFOLIO_FIELD))
    for role, field in PORTFOLIO_FIELD.items():
        user_id = getattr(customer, f"{field}_id")
        if user_id is not None:
            rule |= Q(role=role, user_id=user_id)
    members = Membership.objects.filter(rule, company_id=customer.company_id)
    return (
        get_user_model()
        .objects.filter(is_active=True, pk__in=members.values("user_id"))
        .order_by("username")
    )


@transaction.atomic
def write_note(customer: Customer, author, text: str, about=None) -> Note:
    """A note on `customer` (about one of its invoices, disputes or plans when `about` is
    one), and a mention for each colleague it names, told by e-mail once the note is saved.
    A name nobody reachable carries refuses the whole note, with a message saying which."""
    text = text.strip()
    if not text:
        raise ValidationError(_("La note est vide."))
    if len(text) > MAX_LENGTH:
        raise ValidationError(
            _("La note dépasse %(max)s caractères (%(length)s).")
            % {"max": MAX_LENGTH, "length": len(text)}
        )
    users = _mentioned(customer, author, text)
    note = Note.objects.create(
        company_id=customer.company_id,
        customer=customer,
        author=author,
        text=text,
        **_about(customer, about),
    )
    Mention.objects.bulk_create(Mention(note=note, user=user) for user in users)
    if users:
        transaction.on_commit(lambda: tell_mentioned(note.pk))
    return note


def _about(customer: Customer, about) -> dict:
    """The note's subject as model fields, after checking it belongs to the customer."""
    if about is None:
        return {}
    field = {Invoice: "invoice", Dispute: "dispute", PaymentPlan: "plan"}.get(type(about))
    if field is None or about.customer_id != customer.pk:
        raise ValidationError(
            _("Une note concerne une pièce, un litige ou un échéancier du client.")
        )
    return {field: about}


def _mentioned(customer: Customer, author, text: str) -> list:
    """The users `text` mentions, the author left out; ValidationError naming the refused."""
    names = mentioned_usernames(text)
    if not names:
        return []
    if len(names) > MAX_MENTIONS:
        raise ValidationError(
            _("Au plus %(max)s collègues mentionnés par note.") % {"max": MAX_MENTIONS}
        )
    reachable: dict[str, object] = {}
    for user in mentionable_users(customer):
        reachable.setdefault(user.username.casefold(), user)
    unknown = refused(names, set(reachable))
    if unknown:
        raise ValidationError(
            _(
                "%(names)s : aucun collègue de ce nom n'a accès à ce client. La note n'est pas "
                "enregistrée : corrigez ou retirez la mention."
            )
            % {"names": ", ".join(f"@{name}" for name in unknown)}
        )
    users = [reachable[name.casefold()] for name in names]
    return [user for user in users if user.pk != author.pk]


def tell_mentioned(note_id: int) -> int:
    """E-mail each colleague a note mentions and who has not been told yet (one SMTP
    connection); returns how many were told. A mail server that refuses or cannot be reached
    is logged: the mention stays on the colleague's agenda, marked not e-mailed."""
    note = Note.objects.select_related("customer__company", "author").get(pk=note_id)
    mentions = note.mentions.select_related("user").filter(emailed_at__isnull=True)
    told = 0
    try:
        with get_connection() as connection:
            for mention in mentions:
                told += _tell(note, mention, connection)
    except (OSError, smtplib.SMTPException) as error:
        log.warning("note %s: no mention e-mailed: %s", note_id, error)
    return told


def _tell(note: Note, mention: Mention, connection) -> int:
    if not mention.user.email:
        return 0
    try:
        _message(note, mention.user.email, connection).send()
    except smtplib.SMTPRecipientsRefused as error:  # this address only: tell the others
        log.warning("note %s: mention of %s not e-mailed: %s", note.pk, mention.user, error)
        return 0
    Mention.objects.filter(pk=mention.pk).update(emailed_at=timezone.now())
    return 1


def _message(note: Note, address: str, connection) -> EmailMessage:
    author = note.author.get_full_name() or note.author.get_username()
    words = {"author": author, "customer": note.customer.name, "code": note.customer.code}
    subject = _("%(author)s vous a mentionné : %(customer)s") % words
    body = (
        _("%(author)s vous a mentionné dans une note sur le client %(customer)s (%(code)s) :")
        % words
    )
    body += f"\n\n{note.text}\n\n"
    if settings.RELANCE_PUBLIC_URL:
        path = reverse("note_detail", args=[note.customer.company.code, note.pk])
        body += _("Voir la note : %(url)s") % {"url": settings.RELANCE_PUBLIC_URL + path}
    else:
        body += _("La note vous attend dans Relance, sur votre agenda (« Mentions »).")
    return EmailMessage(subject, body + "\n", None, [address], connection=connection)


@transaction.atomic
def mark_seen(note: Note, user) -> int:
    """The user's mention in `note` leaves their agenda (0 when there was none to mark)."""
    return Mention.objects.filter(note=note, user=user, seen_at__isnull=True).update(
        seen_at=timezone.now()
    )
