"""The only code that writes webhook endpoints (tokens: relance.api.tokens)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from relance.ledger.services import validated_save

from .models import SUBSCRIBABLE, WebhookEndpoint
from .webhooks.signing import new_secret


def _check(url: str, events: list[str]) -> list[str]:
    if not url.lower().startswith(("https://", "http://")):
        raise ValidationError(_("L'adresse doit commencer par https:// (ou http://)."))
    unknown = sorted(set(events) - {event.value for event in SUBSCRIBABLE})
    if unknown:
        raise ValidationError(
            _("Événements inconnus : %(events)s") % {"events": ", ".join(unknown)}
        )
    if not events:
        raise ValidationError(_("Choisissez au moins un événement."))
    return sorted(set(events))


@transaction.atomic
def create_endpoint(company, user, *, url: str, events: list[str], description: str = ""):
    """A new endpoint with its own signing secret."""
    return validated_save(
        WebhookEndpoint(company=company, created_by=user, secret=new_secret()),
        url=url,
        events=_check(url, events),
        description=description,
    )


@transaction.atomic
def update_endpoint(endpoint: WebhookEndpoint, *, url, events, description, is_active):
    return validated_save(
        endpoint,
        url=url,
        events=_check(url, events),
        description=description,
        is_active=is_active,
    )


@transaction.atomic
def new_endpoint_secret(endpoint: WebhookEndpoint) -> WebhookEndpoint:
    """A leaked secret is replaced; requests are signed with the new one from now on."""
    endpoint.secret = new_secret()
    endpoint.save(update_fields=["secret"])
    return endpoint


@transaction.atomic
def delete_endpoint(endpoint: WebhookEndpoint) -> None:
    """The endpoint, its deliveries and their log go; the events stay in the outbox."""
    endpoint.delete()
