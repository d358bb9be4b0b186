"""What a debtor does on their page, and what the company decides about it: the only code
that writes the portal's records.

Each action goes through the service the collectors use for the same thing, so that the
engine reacts exactly as if it had been taken by phone: a promise is
relance.dunning.actions.record_promise (channel "self_service"), a dispute
actions.open_dispute, "I have paid" the holds and the accountant's follow-up of a call's
"says already paid", an accepted plan request relance.plans.services.agree_plan. Each also
writes a DebtorAction (the customer's timeline, the collector's agenda) and, once committed,
mails the debtor an acknowledgement.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import date, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from relance.dunning import actions
from relance.dunning.models import Dispute, FollowUp, Promise
from relance.ledger.models import Customer, Invoice
from relance.plans.models import PaymentPlan
from relance.web.templatetags.relance_format import money

from . import mail, uploads
from .models import AccessToken, DebtorAction, PaymentClaim, PlanRequest, PortalPolicy

log = logging.getLogger(__name__)
ZERO = Decimal(0)
CLAIM_REASON = "paiement annoncé par le client (espace client)"
# A transfer older than this is for the bank statements to show, not for a claim to hold.
CLAIM_MAX_AGE_DAYS = 90


def policy_for(company) -> PortalPolicy:
    """The company's rules for its debtors' pages, or the settings' defaults."""
    found = PortalPolicy.objects.filter(company=company).first()
    return found or PortalPolicy(company=company)


def open_items(customer: Customer):
    """The customer's open invoices (debit items), oldest due date first."""
    return customer.invoices.filter(is_credit=False, open_amount__gt=0).order_by("due_on", "number")


def amount_to_pay(customer: Customer, chosen: Sequence[Invoice], today: date) -> Decimal:
    """What the chosen invoices owe; when they are all the open ones, no more than the
    balance, so that the account's credit notes and unallocated payments count (paying the
    invoices alone would leave them as credit)."""
    owed = sum((invoice.open_amount for invoice in chosen), ZERO)
    every = set(open_items(customer).values_list("pk", flat=True))
    if not chosen or {invoice.pk for invoice in chosen} != every:
        return owed
    from relance.ledger.services import position_of

    balance = position_of(customer, today, chosen[0].currency).balance
    return max(min(owed, balance), ZERO)


def chosen_invoices(customer: Customer, invoices: Sequence[Invoice]) -> list[Invoice]:
    """The invoices the debtor ticked, else every open one; all open and theirs."""
    chosen = list(invoices) or list(open_items(customer))
    if not chosen:
        raise ValidationError(_("Aucune facture ouverte sur votre compte."))
    for invoice in chosen:
        if invoice.customer_id != customer.pk or invoice.is_credit or invoice.open_amount <= 0:
            raise ValidationError(_("Cette facture n'est plus à régler."))
    if len({invoice.currency for invoice in chosen}) > 1:
        raise ValidationError(_("Choisissez des factures d'une seule devise."))
    return chosen


# --- The debtor's four actions -----------------------------------------------------------------


@transaction.atomic
def promise_to_pay(
    token: AccessToken, invoices: Sequence[Invoice], promised_on: date, amount: Decimal, today
) -> DebtorAction:
    """A dated promise within the company's limit (at most N days ahead), for at most what
    the chosen invoices owe; the engine pauses them until the date plus grace."""
    customer, policy = token.customer, policy_for(token.company)
    chosen = chosen_invoices(customer, invoices)
    latest = today + timedelta(days=policy.promise_max_days)
    if not today <= promised_on <= latest:
        raise ValidationError(
            _("Choisissez une date entre aujourd'hui et le %(day)s.") % _day(latest)
        )
    owed = sum((invoice.open_amount for invoice in chosen), ZERO)
    _check_amount(amount, owed, chosen[0].currency)
    promise = actions.record_promise(
        customer,
        None,
        promised_on,
        amount,
        chosen if invoices else (),
        currency=chosen[0].currency,
        channel=Promise.Channel.SELF_SERVICE,
        made_on=today,
    )
    summary = f"Promesse de {fr_money(amount, promise.currency)} pour le {fr_day(promised_on)}"
    return _record(
        token, DebtorAction.Kind.PROMISE, summary, chosen, amount=amount, promise=promise
    )


@transaction.atomic
def dispute_invoice(
    token: AccessToken, invoice: Invoice, reason: str, description: str, files, today
) -> DebtorAction:
    """The invoice is disputed (no more reminders for it until resolved), the customer's
    collector owns the dispute and is told by e-mail; the files go with it."""
    customer = token.customer
    chosen_invoices(customer, [invoice])
    if Dispute.objects.filter(invoice=invoice, status=Dispute.Status.OPEN).exists():
        raise ValidationError(_("Cette facture est déjà en litige : nous vous répondrons."))
    checked = uploads.check_files(files)
    dispute = actions.open_dispute(
        invoice, None, reason, description=description, owner=customer.collector
    )
    with translation.override("fr"):
        summary = f"Litige sur {invoice.number} : {Dispute.Reason(reason).label}"
    action = _record(
        token,
        DebtorAction.Kind.DISPUTE,
        summary,
        [invoice],
        amount=invoice.open_amount,
        dispute=dispute,
        note=description,
    )
    uploads.store(action, checked)
    return action


@transaction.atomic
def claim_payment(
    token: AccessToken, invoices: Sequence[Invoice], paid_on: date, amount: Decimal, files, today
) -> DebtorAction:
    """ "I have paid": the invoices are held a few days (the company's rule) and the
    accountant gets a "paiement annoncé à vérifier" follow-up on the agenda."""
    customer, policy = token.customer, policy_for(token.company)
    chosen = chosen_invoices(customer, invoices)
    if not today - timedelta(days=CLAIM_MAX_AGE_DAYS) <= paid_on <= today:
        raise ValidationError(_("La date du paiement doit être passée, de moins de trois mois."))
    _check_amount(amount, None, chosen[0].currency)
    checked = uploads.check_files(files)
    ends_on = today + timedelta(days=policy.claim_hold_days)
    for invoice in chosen:
        actions.put_on_hold(customer, None, CLAIM_REASON, ends_on=ends_on, invoice=invoice)
    announced = f"paiement de {fr_money(amount, chosen[0].currency)} annoncé le {fr_day(paid_on)}"
    follow_up = FollowUp.objects.create(
        company=token.company,
        customer=customer,
        kind=FollowUp.Kind.CHECK_PAYMENT,
        note=f"Espace client : {announced}",
        due_on=today,
    )
    follow_up.invoices.set(chosen)
    claim = PaymentClaim.objects.create(
        company=token.company,
        customer=customer,
        paid_on=paid_on,
        amount=amount,
        currency=chosen[0].currency,
        hold_ends_on=ends_on,
        follow_up=follow_up,
    )
    claim.invoices.set(chosen)
    summary = f"{announced.capitalize()} ; relances suspendues jusqu'au {fr_day(ends_on)}"
    action = _record(token, DebtorAction.Kind.CLAIM, summary, chosen, amount=amount, claim=claim)
    uploads.store(action, checked)
    return action


@transaction.atomic
def request_plan(
    token: AccessToken, invoices: Sequence[Invoice], instalments: int, note: str, today
) -> DebtorAction:
    """Ask for a plan of N monthly instalments (2 to the company's maximum) over the chosen
    invoices; a manager decides. Reminders go on meanwhile."""
    customer, policy = token.customer, policy_for(token.company)
    chosen = chosen_invoices(customer, invoices)
    if not 2 <= instalments <= policy.plan_max_instalments:
        raise ValidationError(
            _("Entre 2 et %(most)s échéances.") % {"most": policy.plan_max_instalments}
        )
    if PlanRequest.objects.filter(customer=customer, status=PlanRequest.Status.REQUESTED).exists():
        raise ValidationError(_("Une demande d'échéancier est déjà à l'étude."))
    active = PaymentPlan.objects.filter(status=PaymentPlan.Status.ACTIVE, invoices__in=chosen)
    if active.exists():
        raise ValidationError(_("Une de ces factures fait déjà partie d'un échéancier."))
    amount = sum((invoice.open_amount for invoice in chosen), ZERO)
    request = PlanRequest.objects.create(
        company=token.company,
        customer=customer,
        instalments=instalments,
        amount=amount,
        currency=chosen[0].currency,
    )
    request.invoices.set(chosen)
    summary = (
        f"Demande d'échéancier en {instalments} fois pour {fr_money(amount, request.currency)}"
    )
    return _record(
        token,
        DebtorAction.Kind.PLAN_REQUEST,
        summary,
        chosen,
        plan_request=request,
        amount=amount,
        note=note,
    )


def _check_amount(amount: Decimal, owed: Decimal | None, currency: str) -> None:
    if amount is None or amount <= 0:
        raise ValidationError(_("Le montant doit être positif."))
    if owed is not None and amount > owed:
        raise ValidationError(
            _("Au plus %(owed)s, ce que doivent les factures choisies.")
            % {"owed": money(owed, currency)}
        )


def _record(token, kind, summary: str, invoices, *, amount: Decimal, note: str = "", **links):
    numbers = ", ".join(invoice.number for invoice in invoices)
    action = DebtorAction.objects.create(
        company=token.company,
        customer=token.customer,
        token=token,
        kind=kind,
        summary=f"{summary} ({numbers})"[:300] if numbers else summary,
        note=note,
        amount=amount,
        currency=invoices[0].currency if invoices else "",
        **links,
    )
    transaction.on_commit(lambda: mail.acknowledge(action.pk))
    return action


# --- What the company decides ------------------------------------------------------------------


@transaction.atomic
def accept_plan_request(request: PlanRequest, user, first_on: date, today: date) -> PaymentPlan:
    """Agree the plan asked for (relance.plans: equal monthly instalments from `first_on`,
    over what the invoices still owe); the debtor is told."""
    if first_on < today:
        raise ValidationError(_("La première échéance ne peut pas être dans le passé."))
    _decide(request, PlanRequest.Status.ACCEPTED, user, "")
    from relance.plans.services import agree_plan  # the plans app reads the dunning outbox

    still_open = [invoice for invoice in request.invoices.all() if invoice.open_amount > 0]
    plan = agree_plan(
        request.customer,
        user,
        still_open,
        today,
        count=request.instalments,
        first_on=first_on,
        notes=_("Demandé depuis l'espace client le %(day)s") % _day(request.created_at.date()),
    )
    PlanRequest.objects.filter(pk=request.pk).update(plan=plan)
    request.plan = plan
    return plan


@transaction.atomic
def refuse_plan_request(request: PlanRequest, user, note: str) -> PlanRequest:
    """Refused, with the reason given to the debtor."""
    if not note.strip():
        raise ValidationError(_("Indiquez le motif du refus : il est envoyé au client."))
    _decide(request, PlanRequest.Status.REFUSED, user, note.strip())
    return request


def _decide(request: PlanRequest, status: str, user, note: str) -> None:
    """requested -> status, only if nobody decided meanwhile; the agenda line is done."""
    now = timezone.now()
    changed = PlanRequest.objects.filter(pk=request.pk, status=PlanRequest.Status.REQUESTED).update(
        status=status, decided_at=now, decided_by=user, decision_note=note
    )
    if changed != 1:
        raise ValidationError(_("Cette demande a déjà été traitée."))
    request.refresh_from_db()
    DebtorAction.objects.filter(plan_request=request, handled_at__isnull=True).update(
        handled_at=now, handled_by=user
    )
    transaction.on_commit(lambda: mail.tell_decision(request.pk))


@transaction.atomic
def mark_handled(action: DebtorAction, user) -> DebtorAction:
    """The collector has seen to it: off the agenda (a plan request is handled by deciding)."""
    if action.kind == DebtorAction.Kind.PLAN_REQUEST:
        raise ValidationError(_("Acceptez ou refusez la demande d'échéancier."))
    DebtorAction.objects.filter(pk=action.pk, handled_at__isnull=True).update(
        handled_at=timezone.now(), handled_by=user
    )
    action.refresh_from_db()
    return action


@transaction.atomic
def save_policy(company, **fields) -> PortalPolicy:
    from relance.ledger.services import validated_save

    return validated_save(policy_for(company), **fields)


def _day(day: date) -> dict:
    return {"day": date_format(day, "SHORT_DATE_FORMAT")}


# Summaries for the company's people are kept in French, as the reminders' history is.


def fr_money(amount: Decimal, currency: str) -> str:
    with translation.override("fr"):
        return money(amount, currency)


def fr_day(day: date) -> str:
    with translation.override("fr"):
        return date_format(day, "SHORT_DATE_FORMAT")
