"""Stripe Checkout: a payment page hosted by Stripe (card, and SEPA direct debit when the
account offers it) for the items the debtor chose; Stripe's webhook says when it is paid.

Built from Stripe's public documentation:
- Create a Checkout Session: https://docs.stripe.com/api/checkout/sessions/create
  `POST https://api.stripe.com/v1/checkout/sessions`, `Authorization: Bearer <secret key>`,
  form-encoded body with nested keys: `mode=payment`, `line_items[0][price_data][currency]`,
  `line_items[0][price_data][unit_amount]` (in cents), `line_items[0][price_data]
  [product_data][name]`, `line_items[0][quantity]`, `success_url`, `cancel_url`,
  `client_reference_id`, `customer_email`, `locale`, `metadata[...]`; answers the Session
  object with its `id` and the `url` of the payment page.
- Idempotent requests: https://docs.stripe.com/api/idempotent_requests (`Idempotency-Key`
  header: the same key sent again returns the first result instead of a second session).
- Errors: https://docs.stripe.com/api/errors (JSON `{"error": {"type", "code", "message"}}`).
- Webhook signatures: https://docs.stripe.com/webhooks#verify-manually (`Stripe-Signature:
  t=<unix time>,v1=<hex HMAC-SHA256 of "<t>.<raw body>" keyed by the endpoint's signing
  secret>`; several v1 entries while a secret is rolled; 5 minutes of tolerance, Stripe's
  libraries' default, against replays).
- Events: `checkout.session.completed` (paid now when `payment_status` is "paid"; a SEPA
  debit is still "unpaid" then), `checkout.session.async_payment_succeeded` and
  `checkout.session.async_payment_failed` (delayed methods), `checkout.session.expired`.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
from dataclasses import dataclass
from urllib.parse import urlencode

from relance.dunning.channels import PermanentFailure, TemporaryFailure

from . import BadSignature, PaymentUnavailable, http

log = logging.getLogger(__name__)
API = "https://api.stripe.com/v1"
TOLERANCE_SECONDS = 300
PAID_NOW = "checkout.session.completed"
PAID_LATER = "checkout.session.async_payment_succeeded"
FAILED = ("checkout.session.async_payment_failed", "checkout.session.expired")


@dataclass(frozen=True)
class CheckoutRequest:
    """One payment page to open: how much, for what, where to come back."""

    reference: str  # our CheckoutSession id, echoed as client_reference_id
    idempotency_key: str
    amount_cents: int
    currency: str  # ISO 4217, any case
    description: str  # "Factures F1, F2" in the debtor's language
    success_url: str
    cancel_url: str
    email: str = ""
    locale: str = "fr"
    metadata: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Opened:
    id: str
    url: str


class StripeCheckout:
    """Opens Checkout Sessions with the account's secret key."""

    name = "stripe"

    def __init__(self, secret_key: str, *, api_url: str = API, timeout: float = 20) -> None:
        self.secret_key, self.api_url, self.timeout = secret_key, api_url.rstrip("/"), timeout

    def open(self, request: CheckoutRequest) -> Opened:
        """The session's id and payment page; PaymentUnavailable when Stripe refuses or
        cannot be reached."""
        try:
            response = http.post(
                f"{self.api_url}/checkout/sessions",
                headers=self.headers(request.idempotency_key),
                body=form_body(request),
                timeout=self.timeout,
            )
        except (TemporaryFailure, PermanentFailure) as error:
            raise PaymentUnavailable(f"Stripe : {error}") from error
        payload = _json(response.body)
        if response.status == 200 and payload.get("id") and payload.get("url"):
            return Opened(str(payload["id"]), str(payload["url"]))
        error = payload.get("error") if isinstance(payload.get("error"), dict) else {}
        detail = error.get("message") or "réponse inattendue"
        raise PaymentUnavailable(f"Stripe {response.status} ({error.get('type', '?')}) : {detail}")

    def headers(self, idempotency_key: str) -> dict[str, str]:
        return {
            "Authorization": f"Bearer {self.secret_key}",
            "Content-Type": "application/x-www-form-urlencoded",
            "Idempotency-Key": idempotency_key,
        }


def form_body(request: CheckoutRequest) -> bytes:
    """The form-encoded session: one line item for the whole amount, named after the items."""
    fields = [
        ("mode", "payment"),
        ("line_items[0][quantity]", "1"),
        ("line_items[0][price_data][currency]", request.currency.lower()),
        ("line_items[0][price_data][unit_amount]", str(request.amount_cents)),
        ("line_items[0][price_data][product_data][name]", request.description),
        ("client_reference_id", request.reference),
        ("success_url", request.success_url),
        ("cancel_url", request.cancel_url),
        ("locale", request.locale),
    ]
    if request.email:
        fields.append(("customer_email", request.email))
    fields += [(f"metadata[{key}]", value) for key, value in request.metadata]
    return urlencode(fields).encode("ascii")


def signature(secret: str, timestamp: int, payload: bytes) -> str:
    """The v1 signature Stripe computes for a webhook call."""
    signed = f"{timestamp}.".encode() + payload
    return hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()


def verified_event(payload: bytes, header: str, secret: str, now: int) -> dict:
    """The event of a webhook call Stripe signed less than 5 minutes ago; BadSignature
    otherwise (no secret configured, no or wrong signature, too old or from the future)."""
    if not secret:
        raise BadSignature("STRIPE_WEBHOOK_SECRET non configuré")
    parts = [part.split("=", 1) for part in header.split(",") if "=" in part]
    stamps = [value for key, value in parts if key.strip() == "t"]
    given = [value for key, value in parts if key.strip() == "v1"]
    if len(stamps) != 1 or not stamps[0].isdigit() or not given:
        raise BadSignature("en-tête Stripe-Signature illisible")
    timestamp = int(stamps[0])
    expected = signature(secret, timestamp, payload)
    if not any(hmac.compare_digest(expected, value.strip()) for value in given):
        raise BadSignature("signature Stripe fausse")
    if abs(now - timestamp) > TOLERANCE_SECONDS:
        raise BadSignature("signature Stripe trop ancienne (rejeu ?)")
    event = _json(payload)
    if not event.get("id") or not isinstance(event.get("data"), dict):
        raise BadSignature("événement Stripe illisible")
    return event


def _json(body: bytes) -> dict:
    try:
        payload = json.loads(body or b"{}")
    except ValueError:
        return {}
    return payload if isinstance(payload, dict) else {}
