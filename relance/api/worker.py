"""What `relance worker` does for the API every minute: deliver the due webhooks, and forget
the idempotency keys past their time."""

from __future__ import annotations

import logging

from django.utils import timezone

from .models import IdempotencyKey
from .webhooks.delivery import deliver_pending

log = logging.getLogger("relance.worker")


def tick(worker_id: str) -> None:
    counts = deliver_pending(worker_id)
    if counts.claimed:
        log.info("%s: webhooks %s", worker_id, counts.as_dict())
    IdempotencyKey.objects.filter(expires_at__lte=timezone.now()).delete()
