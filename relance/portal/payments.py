"""Paying online: opening a payment page at the provider for the chosen items, and recording
the payment its webhook confirms, exactly once.

The ledger payment is relance.ledger.services.receive_payment: one Payment of the amount the
provider collected, allocated to the session's invoices oldest first (what they no longer
owe, a transfer having arrived meanwhile, stays unallocated on the account). The same event
delivered twice finds its ProviderEvent and does nothing; two different events for one session
(completed, then a retried async success) find the session already paid.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Sequence
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from relance.core.records import PaymentMethod
from relance.dunning.services import local_today, recipients_of
from relance.ledger.models import Invoice
from relance.ledger.services import receive_payment

from . import mail
from .models import AccessToken, CheckoutSession, DebtorAction, ProviderEvent
from .providers import PaymentUnavailable
from .providers.stripe import FAILED, PAID_LATER, PAID_NOW, CheckoutRequest
from .services import amount_to_pay, chosen_invoices, fr_money

log = logging.getLogger(__name__)
CENT = Decimal("0.01")


def start_checkout(
    provider, token: AccessToken, invoices: Sequence[Invoice], public_url: str
) -> str:
    """Open the provider's payment page for what the chosen invoices owe; its address.
    PaymentUnavailable when the provider refuses or cannot be reached."""
    customer = token.customer
    chosen = chosen_invoices(customer, invoices)
    amount = amount_to_pay(customer, chosen, local_today(token.company))
    if amount <= 0:
        raise PaymentUnavailable("rien à payer : les avoirs et règlements couvrent les factures")
    session = CheckoutSession.objects.create(
        company=token.company,
        customer=customer,
        token=token,
        provider=provider.name,
        idempotency_key=uuid.uuid4().hex,
        amount=amount,
        currency=chosen[0].currency,
    )
    session.invoices.set(chosen)
    numbers = ", ".join(invoice.number for invoice in chosen)
    emails = [r["email"] for r in recipients_of(customer) if r["kind"] == "to"]
    request = CheckoutRequest(
        reference=str(session.pk),
        idempotency_key=session.idempotency_key,
        amount_cents=int((amount / CENT).to_integral_value()),
        currency=session.currency,
        description=(_("Factures %(numbers)s") % {"numbers": numbers})[:250],
        # No token in the provider's records: the debtor comes back to neutral pages.
        success_url=public_url + reverse("portal_checkout_paid"),
        cancel_url=public_url + reverse("portal_checkout_cancelled"),
        email=emails[0] if emails else "",
        locale="en" if customer.language.startswith("en") else "fr",
        metadata=(("company", token.company.code), ("customer", customer.code),
                  ("invoices", numbers[:500])),
    )  # fmt: skip
    try:
        opened = provider.open(request)
    except PaymentUnavailable:
        CheckoutSession.objects.filter(pk=session.pk).update(status=CheckoutSession.Status.FAILED)
        raise
    CheckoutSession.objects.filter(pk=session.pk).update(provider_id=opened.id)
    return opened.url


def handle_event(provider_name: str, event: dict) -> str:
    """Carry out one verified webhook event; what it did: "paid", "failed", "replayed",
    "already paid", "ignored"."""
    kind, data = str(event.get("type", "")), event.get("data", {}).get("object", {})
    try:
        with transaction.atomic():
            return _handle(provider_name, str(event["id"]), kind, data)
    except IntegrityError:  # the same event, delivered twice at once: the other one won
        return "replayed"


def _handle(provider_name: str, event_id: str, kind: str, data: dict) -> str:
    if ProviderEvent.objects.filter(provider=provider_name, event_id=event_id).exists():
        return "replayed"
    session = (
        CheckoutSession.objects.select_for_update()
        .select_related("customer__company")
        .filter(provider=provider_name, provider_id=str(data.get("id", "")))
        .first()
    )
    ProviderEvent.objects.create(
        provider=provider_name, event_id=event_id, kind=kind, session=session
    )
    if session is None:
        return "ignored"  # another use of the same provider account
    if kind in FAILED and session.status == CheckoutSession.Status.OPEN:
        CheckoutSession.objects.filter(pk=session.pk).update(status=CheckoutSession.Status.FAILED)
        return "failed"
    is_paid = kind == PAID_LATER or (kind == PAID_NOW and data.get("payment_status") == "paid")
    if not is_paid:
        return "ignored"
    if session.payment_id is not None:
        return "already paid"
    method = PaymentMethod.DIRECT_DEBIT if kind == PAID_LATER else PaymentMethod.CARD
    return "paid" if _record_payment(session, data, method) else "ignored"


def _record_payment(session: CheckoutSession, data: dict, method: PaymentMethod) -> bool:
    """A payment of what the provider collected (in its currency), lettered to the session's
    invoices; the debtor's timeline and the collector's agenda get a line. Delayed methods
    (async success) are SEPA debits; the others, cards."""
    customer, company = session.customer, session.customer.company
    currency = str(data.get("currency") or session.currency).upper()
    amount = Decimal(int(data.get("amount_total") or 0)) * CENT
    if currency != session.currency or amount <= 0:
        log.warning("%s: checkout %s paid %s %s, expected %s", company.code,
                    session.provider_id, amount, currency, session.currency)  # fmt: skip
        return False
    invoices = list(session.invoices.order_by("due_on", "number"))
    payment = receive_payment(
        company,
        customer,
        invoices,
        amount=amount,
        received_on=local_today(company),
        currency=currency,
        method=method.value,
        reference=str(data.get("payment_intent") or session.provider_id)[:120],
        label=f"{session.provider} Checkout {session.provider_id}"[:200],
    )
    now = timezone.now()
    CheckoutSession.objects.filter(pk=session.pk).update(
        status=CheckoutSession.Status.PAID, payment=payment, paid_at=now
    )
    numbers = ", ".join(invoice.number for invoice in invoices)
    action = DebtorAction.objects.create(
        company=company,
        customer=customer,
        token=session.token,
        kind=DebtorAction.Kind.CARD_PAYMENT,
        summary=f"Paiement en ligne de {fr_money(amount, currency)} ({numbers})"[:300],
        amount=amount,
        currency=currency,
        payment=payment,
    )
    transaction.on_commit(lambda: mail.acknowledge(action.pk))
    return True
