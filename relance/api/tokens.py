"""API tokens: created (the secret is shown once), found by their SHA-256, revoked.

A token is 32 random bytes (256 bits), so a plain SHA-256 is enough to store it: nobody can
guess one, and the database alone does not give one away. `last_used_at` is written at most
once a minute per token, not on every request.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import ApiToken

PREFIX = "rlc_"
TOUCH_EVERY = timedelta(minutes=1)


def digest_of(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


@transaction.atomic
def create_token(user, name: str, *, expires_at: datetime | None = None) -> tuple[ApiToken, str]:
    """A new token for `user`; returns it with its secret, which is never stored."""
    name = name.strip()
    if not name:
        raise ValidationError(_("Donnez un nom au jeton."))
    if expires_at is not None and expires_at <= timezone.now():
        raise ValidationError(_("La date d'expiration doit être dans le futur."))
    secret = PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        name=name[:100],
        prefix=secret[: len(PREFIX) + 4],
        digest=digest_of(secret),
        expires_at=expires_at,
    )
    return token, secret


def active_token(secret: str, now: datetime | None = None) -> ApiToken | None:
    """The token with this secret, unless unknown, revoked, expired or its user inactive."""
    now = now or timezone.now()
    if not secret.startswith(PREFIX) or len(secret) > 100:
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(digest=digest_of(secret), revoked_at__isnull=True, user__is_active=True)
        .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))
        .first()
    )
    if token is not None:
        _touch(token, now)
    return token


def _touch(token: ApiToken, now: datetime) -> None:
    last = token.last_used_at
    if last is None or now - last >= TOUCH_EVERY:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now


@transaction.atomic
def revoke_token(token: ApiToken) -> ApiToken:
    """From now on the token is refused; revoking twice keeps the first date."""
    ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
    token.refresh_from_db()
    return token
