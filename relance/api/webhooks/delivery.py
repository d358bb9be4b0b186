"""Delivering the webhook outbox: claim due deliveries, POST each signed event, log the answer.

Any number of workers share the outbox: a worker picks due deliveries, then claims them with a
conditional UPDATE (only rows still pending change, under a claim id of its own), so two
workers never send the same delivery at once, on SQLite as on PostgreSQL. A 2xx answer
delivers; anything else (another status, no answer, a refused connection) is retried after 1,
5, 30, 120 then 720 minutes, and the sixth failure is final. Every try is a WebhookAttempt
with the status code (the delivery log). A worker that dies mid-delivery leaves the claim
behind; after STALE_AFTER it is pending again: delivery is at least once, and receivers
recognise a repeat by the event's `id`.

The request: POST, `Content-Type: application/json`, the body
`{"id": "evt_…", "type", "created_at", "company", "data"}` and the headers
`Relance-Event`, `Relance-Delivery` and `Relance-Signature` (relance.api.webhooks.signing).
"""

from __future__ import annotations

import json
import uuid
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from relance.api.models import Event, WebhookAttempt, WebhookDelivery, WebhookEvent
from relance.dunning.channels import PermanentFailure, TemporaryFailure, http

from .signing import HEADER, signature_header

Status = WebhookDelivery.Status
BACKOFF_MINUTES = (1, 5, 30, 120, 720)
MAX_ATTEMPTS = len(BACKOFF_MINUTES) + 1
STALE_AFTER = timedelta(minutes=15)
BATCH = 50
EXCERPT = 500  # characters of the answer kept in the log


@dataclass
class Counts:
    claimed: int = 0
    delivered: int = 0
    retried: int = 0
    failed: int = 0

    def as_dict(self) -> dict:
        return asdict(self)


def deliver_pending(worker_id: str, now: datetime | None = None, limit: int | None = None):
    """Deliver what is due, a claimed batch at a time; returns the counts."""
    now = now or timezone.now()
    counts = Counts()
    release_stale(now)
    while limit is None or counts.claimed < limit:
        size = BATCH if limit is None else min(BATCH, limit - counts.claimed)
        batch = claim(worker_id, now, size)
        if not batch:
            break
        counts.claimed += len(batch)
        for delivery in batch:
            outcome = deliver(delivery, now)
            setattr(counts, outcome, getattr(counts, outcome) + 1)
    return counts


def release_stale(now: datetime) -> int:
    """Claims older than STALE_AFTER (a worker died): pending again."""
    return WebhookDelivery.objects.filter(
        status=Status.SENDING, claimed_at__lt=now - STALE_AFTER
    ).update(status=Status.PENDING, claimed_by="", claimed_at=None)


def claim(worker_id: str, now: datetime, size: int = BATCH) -> list[WebhookDelivery]:
    claim_id = f"{worker_id}:{uuid.uuid4().hex[:12]}"
    due = WebhookDelivery.objects.filter(
        status=Status.PENDING, next_attempt_at__lte=now, endpoint__is_active=True
    ).order_by("next_attempt_at", "pk")
    ids = list(due.values_list("pk", flat=True)[:size])
    if not ids:
        return []
    WebhookDelivery.objects.filter(pk__in=ids, status=Status.PENDING).update(
        status=Status.SENDING, claimed_by=claim_id, claimed_at=now
    )
    return list(
        WebhookDelivery.objects.filter(claimed_by=claim_id, status=Status.SENDING)
        .select_related("event", "event__company", "endpoint")
        .order_by("pk")
    )


def body_of(event: WebhookEvent) -> bytes:
    """The same bytes at every try of the event (what the signature covers)."""
    envelope = {
        "id": f"evt_{event.pk}",
        "type": event.event,
        "created_at": event.created_at.isoformat(),
        "company": event.company.code,
        "data": event.payload,
    }
    return json.dumps(envelope, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def post(url: str, body: bytes, headers: dict[str, str]) -> http.Response:
    """The one HTTP call of the webhooks (tests point it at a local server)."""
    return http.request(
        "POST",
        url,
        headers=headers,
        body=body,
        timeout=settings.RELANCE_WEBHOOK_TIMEOUT,
        unreachable="point de réception injoignable",
        maybe_sent="pas de réponse du point de réception : {error}",
    )


def deliver(delivery: WebhookDelivery, now: datetime) -> str:
    """One try: delivered, retried or failed (the outcome's name)."""
    body = body_of(delivery.event)
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "Relance-Webhooks/1",
        "Relance-Event": delivery.event.event,
        "Relance-Delivery": str(delivery.pk),
        HEADER: signature_header(delivery.endpoint.secret, body),
    }
    try:
        answer = post(delivery.endpoint.url, body, headers)
    except (TemporaryFailure, PermanentFailure) as failure:
        return _record(delivery, now, None, str(failure), "")
    excerpt = answer.body[:EXCERPT].decode("utf-8", errors="replace")
    error = "" if 200 <= answer.status < 300 else f"réponse HTTP {answer.status}"
    return _record(delivery, now, answer.status, error, excerpt)


def _record(delivery: WebhookDelivery, now, status_code, error: str, excerpt: str) -> str:
    attempts = delivery.attempts + 1
    if not error:
        outcome, fields = "delivered", {"status": Status.DELIVERED, "delivered_at": now}
    elif attempts >= _max_attempts(delivery):
        outcome, fields = "failed", {"status": Status.FAILED}
    else:
        retry_at = now + timedelta(minutes=BACKOFF_MINUTES[attempts - 1])
        outcome, fields = "retried", {"status": Status.PENDING, "next_attempt_at": retry_at}
    with transaction.atomic():
        WebhookAttempt.objects.create(
            delivery=delivery, at=now, status_code=status_code, error=error,
            response_excerpt=excerpt,
        )  # fmt: skip
        WebhookDelivery.objects.filter(pk=delivery.pk, claimed_by=delivery.claimed_by).update(
            attempts=attempts,
            last_status_code=status_code,
            last_error=error,
            claimed_by="",
            claimed_at=None,
            **fields,
        )
    return outcome


def _max_attempts(delivery: WebhookDelivery) -> int:
    """A test event is tried once: the person who clicked reads the answer at once."""
    return 1 if delivery.event.event == Event.PING else MAX_ATTEMPTS


def send_test(endpoint, user=None) -> WebhookDelivery:
    """The "send a test event" button: a `ping` event to this endpoint alone, tried now
    (outside any transaction: no lock is held while the endpoint answers)."""
    now = timezone.now()
    with transaction.atomic():
        event = WebhookEvent.objects.create(
            company_id=endpoint.company_id,
            event=Event.PING,
            payload={"message": "Événement de test envoyé depuis Relance.", "by": _name(user)},
            created_at=now,
        )
        delivery = WebhookDelivery.objects.create(
            event=event,
            endpoint=endpoint,
            status=Status.SENDING,
            claimed_by=f"test:{uuid.uuid4().hex[:12]}",
            claimed_at=now,
            next_attempt_at=now,
        )
    deliver(delivery, now)
    delivery.refresh_from_db()
    return delivery


def _name(user) -> str | None:
    return user.get_username() if user is not None else None
