"""Idempotency keys and atomic writes for every POST of the API.

A POST runs in one transaction: an answer 5xx rolls everything back (nothing half-written).
With an `Idempotency-Key` header (1 to 255 printable characters), the first answer (other
than 5xx) is stored for that user and key during IdempotencyKey.TTL, in the same
transaction as the change; the same key sent again by the same user replays it
(`Idempotent-Replayed: true`) without running anything, and the same key with another
method, path or body is refused (409 `idempotency_mismatch`). Two requests racing with one
key: the database's unique (user, key) lets one write, the other then replays its answer.
"""

from __future__ import annotations

import functools
import hashlib
import json
import re

from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from .auth import token_of
from .errors import IdempotencyMismatch, Invalid, error_response
from .models import IdempotencyKey

HEADER = "Idempotency-Key"
WRITES = ("POST", "PATCH")
_VALID_KEY = re.compile(r"^[\x21-\x7e]{1,255}$")


def atomic_write(run):
    """Wrap ninja's `Operation.run` (a "view" decorator of the whole API): POST and PATCH run
    atomically, with their idempotency key; other methods pass through."""

    @functools.wraps(run)
    def wrapper(request: HttpRequest, *args, **kwargs):
        if request.method not in WRITES:
            return run(request, *args, **kwargs)
        key = request.headers.get(HEADER)
        token = token_of(request) if key is not None else None
        if token is None:  # no key, or no valid token (ninja answers 401 then)
            return _atomic(run, request, *args, **kwargs)
        if not _VALID_KEY.match(key):
            message = _("En-tête Idempotency-Key invalide : 1 à 255 caractères imprimables.")
            return _answer(Invalid(message, {HEADER: [message]}))
        return _idempotent(run, request, token.user, key, *args, **kwargs)

    return wrapper


def _atomic(run, request, *args, **kwargs) -> HttpResponse:
    with transaction.atomic():
        response = run(request, *args, **kwargs)
        if response.status_code >= 500:
            transaction.set_rollback(True)
    return response


def _idempotent(run, request, user, key: str, *args, **kwargs) -> HttpResponse:
    fingerprint = fingerprint_of(request)
    stored = _stored(user, key)
    if stored is not None:
        return _replay(stored, fingerprint)
    try:
        with transaction.atomic():
            response = run(request, *args, **kwargs)
            if response.status_code >= 500:
                transaction.set_rollback(True)
                return response
            _store(user, key, fingerprint, response)
    except IntegrityError:
        # The same key was stored meanwhile by a concurrent request (now committed).
        stored = _stored(user, key)
        if stored is None:
            raise
        return _replay(stored, fingerprint)
    return response


def _stored(user, key: str) -> IdempotencyKey | None:
    now = timezone.now()
    IdempotencyKey.objects.filter(user=user, key=key, expires_at__lte=now).delete()
    return IdempotencyKey.objects.filter(user=user, key=key).first()


def _store(user, key: str, fingerprint: str, response: HttpResponse) -> None:
    with transaction.atomic():  # a savepoint: a duplicate key leaves the outer work intact
        IdempotencyKey.objects.create(
            user=user,
            key=key,
            fingerprint=fingerprint,
            status_code=response.status_code,
            content_type=response.get("Content-Type", "application/json"),
            body=response.content.decode("utf-8"),
            expires_at=timezone.now() + IdempotencyKey.TTL,
        )


def _replay(stored: IdempotencyKey, fingerprint: str) -> HttpResponse:
    if stored.fingerprint != fingerprint:
        return _answer(
            IdempotencyMismatch(
                _(
                    "Cette clé d'idempotence a déjà servi pour une autre requête : "
                    "utilisez une nouvelle clé."
                )
            )
        )
    response = HttpResponse(
        stored.body, status=stored.status_code, content_type=stored.content_type
    )
    response["Idempotent-Replayed"] = "true"
    return response


def _answer(error) -> HttpResponse:
    return error_response(error.status, error.code, error.message, error.details)


def fingerprint_of(request: HttpRequest) -> str:
    """SHA-256 of the method, path, query and content: a JSON body by its parsed value (key
    order and spacing aside), a multipart upload by its fields and each file's SHA-256 (the
    boundary changes at every try)."""
    digest = hashlib.sha256(f"{request.method} {request.get_full_path()}\n".encode())
    content_type = request.content_type or ""
    if content_type.startswith("multipart/"):
        for name, values in sorted(request.POST.lists()):
            digest.update(json.dumps([name, values]).encode())
        for name, files in sorted(request.FILES.lists()):
            for upload in files:
                digest.update(json.dumps([name, upload.name, _file_sha256(upload)]).encode())
    else:
        digest.update(_canonical(request.body))
    return digest.hexdigest()


def _canonical(body: bytes) -> bytes:
    try:
        return json.dumps(json.loads(body), sort_keys=True, separators=(",", ":")).encode()
    except ValueError:
        return body


def _file_sha256(upload) -> str:
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()
