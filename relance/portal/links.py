"""The links that open a debtor's page: RELANCE_PUBLIC_URL + /p/<token>/.

A token is 16 random bytes (secrets.token_urlsafe) and a short HMAC of them keyed by the
SECRET_KEY ("<random>.<signature>"): a link nobody issued fails its signature, and rotating
the SECRET_KEY retires every link at once. Only the SHA-256 of the token is stored, so a
copy of the database opens no page.

Every reminder carries its own fresh link: `issue_links` writes the tokens of a batch of
reminders in one INSERT (the sender does so for each batch it renders, relance.dunning
.sending), and `link_for` issues one when a text that shows the link is rendered alone.

`find` answers a wrong, an expired and a revoked token alike: one query by hash whose
conditions exclude all three, so the caller cannot tell them apart, nor can anyone timing it.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from collections.abc import Iterable
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Value
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac

from .models import AccessToken, PortalPolicy, default_link_days

RANDOM_BYTES = 16  # 128 bits: guessing is hopeless, the link stays short enough for an SMS
SIGNATURE_CHARS = 8
_SALT = "relance.portal.link"
# What a link looks like in a preview (the SMS segment count): as long as a real one.
PREVIEW_TOKEN = "x" * 22 + "." + "x" * SIGNATURE_CHARS


def new_token() -> str:
    random = secrets.token_urlsafe(RANDOM_BYTES)
    return f"{random}.{_signature(random)}"


def _signature(random: str) -> str:
    digest = salted_hmac(_SALT, random, algorithm="sha256").digest()
    return base64.urlsafe_b64encode(digest).decode("ascii")[:SIGNATURE_CHARS]


def is_signed(token: str) -> bool:
    random, _dot, signature = token.rpartition(".")
    return bool(random) and constant_time_compare(signature, _signature(random))


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()


def url_of(token: str) -> str:
    """The public address of the page a token opens ("" without RELANCE_PUBLIC_URL)."""
    base = settings.RELANCE_PUBLIC_URL
    return base + reverse("portal_page", kwargs={"token": token}) if base else ""


def find(token: str, now: datetime | None = None) -> AccessToken | None:
    """The live token (not expired, not revoked) with its customer and company, or None."""
    signed = is_signed(token)
    found = (
        AccessToken.objects.select_related("company", "customer__company", "customer__collector")
        .filter(
            token_hash=token_hash(token),
            revoked_at__isnull=True,
            expires_at__gt=now or timezone.now(),
        )
        .first()
    )
    return found if signed else None


def issue_links(reminders: Iterable, now: datetime | None = None) -> None:
    """A new link for each reminder, all written in one INSERT; each reminder keeps its URL
    (`_portal_url`) for its texts to show. Without RELANCE_PUBLIC_URL nobody could open a
    link: none is issued."""
    reminders = [r for r in reminders if r.pk and not hasattr(r, "_portal_url")]
    if not reminders:
        return
    if not settings.RELANCE_PUBLIC_URL:
        for reminder in reminders:
            reminder._portal_url = ""
        return
    now = now or timezone.now()
    days = link_days({r.company_id for r in reminders})
    rows = []
    for reminder in reminders:
        token = new_token()
        rows.append(
            AccessToken(
                company_id=reminder.company_id,
                customer_id=reminder.customer_id,
                reminder_id=reminder.pk,
                token_hash=token_hash(token),
                created_at=now,
                expires_at=now + timedelta(days=days[reminder.company_id]),
            )
        )
        reminder._portal_url = url_of(token)
    AccessToken.objects.bulk_create(rows)


def link_for(reminder) -> str:
    """The reminder's link: the one issued for its batch, else a new one; a preview (the SMS
    page before sending) gets a dummy of the same length and writes nothing."""
    if getattr(reminder, "_portal_preview", False):
        return url_of(PREVIEW_TOKEN)
    if not hasattr(reminder, "_portal_url"):
        issue_links([reminder])
    return getattr(reminder, "_portal_url", "")


def link_days(company_ids: set[int]) -> dict[int, int]:
    """Each company's link lifetime: its own rule, else RELANCE_PORTAL_LINK_DAYS."""
    own = dict(
        PortalPolicy.objects.filter(company_id__in=company_ids).values_list(
            "company_id", "link_days"
        )
    )
    return {pk: own.get(pk, default_link_days()) for pk in company_ids}


def issue_for_customer(customer, days: int | None = None) -> str:
    """A link to a customer's page outside any reminder (tests, a collector's copy); the
    token itself, shown once."""
    token, now = new_token(), timezone.now()
    days = days or link_days({customer.company_id})[customer.company_id]
    AccessToken.objects.create(
        company_id=customer.company_id,
        customer=customer,
        token_hash=token_hash(token),
        created_at=now,
        expires_at=now + timedelta(days=days),
    )
    return token


def revoke_links(customer, user, now: datetime | None = None) -> int:
    """Every live link of the customer stops working now; returns how many. The next
    reminder brings a new one."""
    now = now or timezone.now()
    return AccessToken.objects.filter(
        customer=customer, revoked_at__isnull=True, expires_at__gt=now
    ).update(revoked_at=now, revoked_by=user)


def note_visit(token: AccessToken, now: datetime | None = None) -> None:
    """When the page was first and last opened with this link (the collector sees it)."""
    now = now or timezone.now()
    AccessToken.objects.filter(pk=token.pk).update(
        first_used_at=Coalesce("first_used_at", Value(now)), last_used_at=now
    )
