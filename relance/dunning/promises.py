"""Promises to pay decided by the daily run, before it plans: kept once the promised amount
has come in, broken once the promised date plus the grace has passed without it.

A decided promise no longer pauses anything (relance.dunning.convert reads open promises
only): a broken promise's items go on at their next step the same day, and the agenda lists it
under "broken promises" while its items are unpaid.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction
from django.db.models import Case, DecimalField, Value, When

from relance.api import webhooks
from relance.core.dunning import Policy
from relance.ledger.models import Company, Invoice, Payment

from .models import Promise
from .state import forget_invoices_of

# The engine's pause after a promised date (relance.core.dunning.Policy).
GRACE_DAYS = Policy(default_scenario_id=0).promise_grace_days


@transaction.atomic
def settle_promises(company: Company, today: date) -> tuple[list[int], list[int]]:
    """Decide the company's open promises on `today`; returns the ids (kept, broken).

    Kept: the customer's payments in the promise's currency received from the day it was made
    through its date plus grace reach its amount, or every invoice it names is settled.
    Broken: the grace has passed without that. Example, grace 3 days: 500 EUR promised for
    the 10th, 200 paid on the 9th and 300 on the 13th: kept on the 13th; only the 200: broken
    on the 14th."""
    grace = timedelta(days=GRACE_DAYS)
    # Locked: a second run for the same day (another worker) waits here for this one, then
    # reads them decided already, so each promise is decided and announced once.
    open_promises = Promise.objects.select_for_update().filter(
        company=company, status=Promise.Status.OPEN, made_on__lte=today
    )
    promises = list(open_promises)
    if not promises:
        return [], []
    paid = _paid(company, promises, today, grace)
    settled = _settled(promises)
    kept = [p for p in promises if paid[p.pk] >= p.amount or p.pk in settled]
    broken = [p for p in promises if p not in kept and p.promised_on + grace < today]
    _decide(kept, Promise.Status.KEPT, paid, today)
    _decide(broken, Promise.Status.BROKEN, paid, today)
    webhooks.promises_broken(company, broken, paid)
    return [p.pk for p in kept], [p.pk for p in broken]


def _paid(company: Company, promises: list[Promise], today: date, grace: timedelta):
    """Money received towards each promise (one read of the payments that may count)."""
    payments = Payment.objects.filter(
        company=company,
        customer__in={p.customer_id for p in promises},
        received_on__gte=min(p.made_on for p in promises),
        received_on__lte=today,
    ).values_list("customer_id", "currency", "received_on", "amount")
    by_customer = defaultdict(list)
    for customer_id, currency, received_on, amount in payments:
        by_customer[customer_id, currency].append((received_on, amount))
    paid: dict[int, Decimal] = {}
    for p in promises:
        window = by_customer[p.customer_id, p.currency]
        last = p.promised_on + grace
        paid[p.pk] = sum((a for on, a in window if p.made_on <= on <= last), Decimal(0))
    return paid


def _settled(promises: list[Promise]) -> set[int]:
    """Promises naming invoices none of which is still open (paid, credited, matched)."""
    links = Promise.invoices.through.objects.filter(promise__in=promises)
    named = set(links.values_list("promise_id", flat=True))
    unpaid = set(links.filter(invoice__open_amount__gt=0).values_list("promise_id", flat=True))
    return named - unpaid


def _decide(promises: list[Promise], status: str, paid, today: date) -> None:
    """One conditional UPDATE for the lot: a promise someone changed meanwhile stays as is."""
    if not promises:
        return
    amounts = Case(
        *(When(pk=p.pk, then=Value(paid[p.pk])) for p in promises),
        output_field=DecimalField(max_digits=14, decimal_places=2),
    )
    Promise.objects.filter(pk__in=[p.pk for p in promises], status=Promise.Status.OPEN).update(
        status=status, decided_on=today, paid_amount=amounts
    )
    # Their items waited for the promise's date plus grace (relance.dunning.state); one kept
    # early may leave some of them open, to be planned again from today.
    links = Promise.invoices.through.objects.filter(promise__in=[p.pk for p in promises])
    forget_invoices_of(Invoice.objects.filter(pk__in=links.values("invoice_id")))
    naming = set(links.values_list("promise_id", flat=True))
    whole = {p.customer_id for p in promises if p.pk not in naming}  # all the customer's
    if whole:
        forget_invoices_of(Invoice.objects.filter(customer_id__in=whole, open_amount__gt=0))
