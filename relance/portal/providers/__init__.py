"""Payment providers: one module each (stripe.py), taking the debtor to the provider's payment
page for the chosen items and checking the webhook that says the payment went through.

With no provider configured (STRIPE_SECRET_KEY empty) the page offers the bank transfer only.
"""

from __future__ import annotations

from django.conf import settings


class PaymentUnavailable(Exception):
    """The provider could not open a payment (down, refused the request): the debtor is told
    to pay by transfer or try again later; the reason is logged for the company."""


class BadSignature(Exception):
    """A webhook call the provider did not sign (or signed too long ago): ignored."""


def provider():
    """The configured provider, or None (no online payment offered)."""
    if not settings.STRIPE_SECRET_KEY:
        return None
    from .stripe import StripeCheckout

    return StripeCheckout(
        settings.STRIPE_SECRET_KEY,
        api_url=settings.STRIPE_API_URL,
        timeout=settings.RELANCE_PAYMENT_TIMEOUT,
    )
