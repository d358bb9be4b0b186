"""The payment provider's webhook: outside the company pages, signed by the provider.

Stripe posts every event of the account to RELANCE_PUBLIC_URL + /hooks/payments/stripe/ (to
configure in its dashboard, with the events checkout.session.completed,
checkout.session.async_payment_succeeded, checkout.session.async_payment_failed and
checkout.session.expired). An unsigned, badly signed or stale call gets 400 and changes
nothing; a valid one gets 200 whatever it did, replays included, so Stripe stops retrying.
"""

from __future__ import annotations

import logging
import time

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from .. import payments
from ..providers import BadSignature, stripe

log = logging.getLogger(__name__)


@csrf_exempt  # signed by Stripe instead: no browser, no cookie
@require_POST
def stripe_webhook(request):
    header = request.headers.get("Stripe-Signature", "")
    try:
        event = stripe.verified_event(
            request.body, header, settings.STRIPE_WEBHOOK_SECRET, int(time.time())
        )
    except BadSignature as error:
        log.warning("Stripe webhook refused: %s", error)
        return HttpResponse(str(error), status=400, content_type="text/plain; charset=utf-8")
    outcome = payments.handle_event(stripe.StripeCheckout.name, event)
    return JsonResponse({"received": True, "outcome": outcome})
