"""What people do to the dunning by hand: holds, disputes, promises to pay, approving or
rejecting a reminder, editing scenarios. The only code the web forms call to write.

Reminders change only through a conditional UPDATE on their status, so two people deciding
on the same reminder at once cannot both win; each change writes a ReminderEvent.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from relance.api import webhooks
from relance.core.dunning import Escalation
from relance.ledger.models import Customer, Invoice
from relance.ledger.services import validated_save

from .models import Dispute, Hold, Promise, Reminder, Scenario, Step, StepTemplate
from .sending import record_event
from .services import local_today, recipients_of
from .state import UNKNOWN, forget_invoices_of

ZERO = Decimal(0)

Status = Reminder.Status


def _move(reminder: Reminder, source: str, target: str, **fields) -> None:
    """Move the reminder from `source` to `target` only if nobody moved it meanwhile."""
    changed = Reminder.objects.filter(pk=reminder.pk, status=source).update(status=target, **fields)
    if changed != 1:
        raise ValidationError(_("Cette relance a déjà été traitée."))
    reminder.refresh_from_db()


@transaction.atomic
def approve_reminder(
    reminder: Reminder, user, subject: str | None = None, body_text: str | None = None
) -> Reminder:
    """Awaiting approval -> pending, keeping the text as the approver edited it.

    An edited body drops the HTML rendered from the old text: the e-mail then goes as plain
    text, exactly as approved, rather than with an HTML part saying something else."""
    fields = {}
    if subject is not None:
        fields["subject"] = subject
    if body_text is not None and body_text != reminder.body_text:
        fields.update(body_text=body_text, body_html="")
    edited = any(getattr(reminder, name) != value for name, value in fields.items())
    check_may_approve(reminder, user)
    _move(reminder, Status.AWAITING_APPROVAL, Status.PENDING, **fields)
    note = _("Validée, texte modifié") if edited else _("Validée")
    record_event(reminder, Status.PENDING, note, user=user)
    return reminder


def check_may_approve(reminder: Reminder, user) -> None:
    """A formal notice commits the company (Code civil 1344: a deadline, then legal action):
    only a manager or an admin of the company approves one (DESIGN.md, "approval rights for
    formal notices"); collectors approve the other reminders."""
    from relance.team.models import Membership, Role

    if reminder.escalation != Escalation.FORMAL_NOTICE.value:
        return
    role = (
        Membership.objects.filter(user=user, company_id=reminder.company_id)
        .values_list("role", flat=True)
        .first()
    )
    if role not in (Role.ADMIN, Role.MANAGER):
        raise ValidationError(
            _("Seul un responsable ou un administrateur peut valider une mise en demeure.")
        )


@transaction.atomic
def reject_reminder(reminder: Reminder, user, note: str = "") -> Reminder:
    """Awaiting approval -> rejected: it will never be sent."""
    _move(reminder, Status.AWAITING_APPROVAL, Status.REJECTED)
    record_event(reminder, Status.REJECTED, note, user=user)
    return reminder


# --- Uncertain and failed reminders: a person decides ----------------------------------------

RESOLUTIONS = {
    # decision: (statuses it applies to, target status)
    "sent": ((Status.UNCERTAIN,), Status.SENT),
    "resend": ((Status.UNCERTAIN, Status.FAILED), Status.PENDING),
    "cancel": ((Status.UNCERTAIN, Status.FAILED), Status.CANCELLED),
}


@transaction.atomic
def resolve_reminder(reminder: Reminder, user, decision: str, note: str = "") -> Reminder:
    """A person settles an uncertain reminder (it did leave: sent; it did not: send again) or
    a failed one (send again, e.g. after fixing the address, or give up). Sending again takes
    the customer's current e-mail contacts."""
    sources, target = RESOLUTIONS[decision]
    if reminder.status not in sources:
        raise ValidationError(_("Cette relance a déjà été traitée."))
    fields: dict = {"claimed_by": "", "claimed_at": None}
    if target == Status.SENT:
        fields["sent_at"] = reminder.attempt_started_at or timezone.now()
    if target == Status.PENDING:
        fields.update(
            recipients=recipients_of(reminder.customer),
            attempts=0,
            next_attempt_at=None,
            attempt_started_at=None,
            error="",
        )
    _move(reminder, reminder.status, target, **fields)
    labels = {
        "sent": _("Confirmée envoyée"),
        "resend": _("À renvoyer"),
        "cancel": _("Abandonnée"),
    }
    text = f"{labels[decision]} : {note}" if note else str(labels[decision])
    record_event(reminder, target, text, user=user)
    return reminder


def _check_invoice(customer: Customer, invoice: Invoice | None) -> None:
    if invoice is not None and invoice.customer_id != customer.pk:
        raise ValidationError(_("Cette facture n'appartient pas au client."))


@transaction.atomic
def put_on_hold(
    customer: Customer,
    user,
    reason: str,
    ends_on: date | None = None,
    invoice: Invoice | None = None,
) -> Hold:
    """No reminder for the customer (or one invoice) until `ends_on`, or until lifted."""
    _check_invoice(customer, invoice)
    hold = Hold.objects.create(
        company=customer.company,
        customer=customer,
        invoice=invoice,
        reason=reason,
        ends_on=ends_on,
        created_by=user,
    )
    _pause_changed(hold)
    return hold


def _pause_changed(hold: Hold) -> None:
    """The hold's items are planned again by the next run: it reports them paused (or, lifted,
    reminds them) instead of waiting for the date an earlier reason gave them
    (relance.dunning.state)."""
    if hold.invoice_id is not None:
        forget_invoices_of(Invoice.objects.filter(pk=hold.invoice_id))
    else:
        forget_invoices_of(Invoice.objects.filter(customer_id=hold.customer_id))


@transaction.atomic
def lift_hold(hold: Hold, user) -> Hold:
    if hold.lifted_at is None:
        hold.lifted_at = timezone.now()
        hold.save(update_fields=["lifted_at"])
        _pause_changed(hold)
    return hold


@transaction.atomic
def open_dispute(
    invoice: Invoice,
    user,
    reason: str,
    description: str = "",
    owner=None,
    amount: Decimal | None = None,
) -> Dispute:
    """A contested invoice (or part of it) is marked disputed: the engine leaves it alone, or
    asks only for the rest when part of it is contested; the others are reminded. The owner,
    when someone else (a sales rep, say), is told by e-mail."""
    if reason not in Dispute.Reason.values:
        raise ValidationError(_("Motif de litige inconnu."))
    if amount is not None and not ZERO < amount <= invoice.open_amount:
        raise ValidationError(_("Le montant contesté doit être positif et au plus le reste dû."))
    dispute = Dispute.objects.create(
        company=invoice.company,
        customer=invoice.customer,
        invoice=invoice,
        reason=reason,
        description=description,
        owner=owner or user,
        amount=amount,
    )
    # Planned again by the next run, which reports it disputed (relance.dunning.state).
    Invoice.objects.filter(pk=invoice.pk).update(is_disputed=True, dunning_next_on=UNKNOWN)
    webhooks.dispute_opened(dispute)
    if owner is not None and owner != user and owner.email:
        transaction.on_commit(lambda: _tell_owner(dispute))
    return dispute


def _tell_owner(dispute: Dispute) -> None:
    invoice = dispute.invoice
    words = {
        "number": invoice.number,
        "customer": dispute.customer.name,
        "reason": dispute.get_reason_display(),
        "amount": dispute.amount or invoice.open_amount,
        "currency": invoice.currency,
    }
    subject = _("Litige sur la facture %(number)s (%(customer)s) : vous en êtes responsable")
    body = _(
        "Un litige vous a été confié.\n\nClient : %(customer)s\nFacture : %(number)s\n"
        "Motif : %(reason)s\nMontant contesté : %(amount)s %(currency)s\n"
    )
    text = body % words + (f"\n{dispute.description}\n" if dispute.description else "")
    send_mail(subject % words, text, None, [dispute.owner.email])


@transaction.atomic
def resolve_dispute(dispute: Dispute, user, resolution: str, note: str = "") -> Dispute:
    """Credit note issued, corrected invoice or rejected: in each case the invoice is reminded
    again, for what is still open (a credit note once matched lowers it), as soon as none of
    its disputes is open."""
    if resolution not in Dispute.Resolution.values:
        raise ValidationError(_("Choisissez une résolution."))
    changed = Dispute.objects.filter(pk=dispute.pk, status=Dispute.Status.OPEN).update(
        status=Dispute.Status.RESOLVED,
        resolution=resolution,
        resolution_note=note,
        resolved_at=timezone.now(),
    )
    dispute.refresh_from_db()
    if changed != 1:
        return dispute
    webhooks.dispute_resolved(dispute)
    others = Dispute.objects.filter(invoice=dispute.invoice_id, status=Dispute.Status.OPEN)
    if not others.exists():
        Invoice.objects.filter(pk=dispute.invoice_id).update(is_disputed=False)
    # The invoice waited for the dispute's end (relance.dunning.state): it is planned again.
    forget_invoices_of(Invoice.objects.filter(pk=dispute.invoice_id))
    return dispute


@transaction.atomic
def record_promise(
    customer: Customer,
    user,
    promised_on: date,
    amount: Decimal | None = None,
    invoices: Iterable[Invoice] = (),
    currency: str | None = None,
    channel: str = "",
    made_on: date | None = None,
) -> Promise:
    """A dated promise to pay; the engine pauses the invoices (all the customer's when none)
    until its date plus grace, and the daily run decides it kept or broken. Without an amount,
    the promise is for what its invoices (or the whole account) owe today."""
    invoices = list(invoices)
    for invoice in invoices:
        _check_invoice(customer, invoice)
    if channel and channel not in Promise.Channel.values:
        raise ValidationError(_("Canal inconnu."))
    currency = currency or customer.company.currency
    if amount is None:
        amount = _owed(customer, invoices, currency)
    if amount <= 0:
        raise ValidationError(_("Le montant promis doit être positif."))
    promise = Promise.objects.create(
        company=customer.company,
        customer=customer,
        promised_on=promised_on,
        amount=amount,
        currency=currency,
        channel=channel,
        made_on=made_on or local_today(customer.company),
        created_by=user,
    )
    promise.invoices.set(invoices)
    # No need to plan its items again: a promise is the last of the pauses the run reports
    # (relance.core.dunning.pause_reason), so an item waiting for another one keeps it.
    webhooks.promise_made(promise, invoices)
    return promise


def _owed(customer: Customer, invoices: list[Invoice], currency: str) -> Decimal:
    """The open amount of the invoices, or of every open invoice of the account."""
    if invoices:
        return sum((i.open_amount for i in invoices), ZERO)
    rows = customer.invoices.filter(is_credit=False, open_amount__gt=0, currency=currency)
    return sum(rows.values_list("open_amount", flat=True), ZERO)


@transaction.atomic
def update_step(step: Step, **fields) -> Step:
    return validated_save(step, **fields)


@transaction.atomic
def save_scenario(
    scenario: Scenario,
    fields: dict,
    steps: Iterable[tuple[Step, dict]] = (),
    deleted: Iterable[Step] = (),
) -> Scenario:
    """Save the scenario, its edited steps (new ones have no pk) and delete removed ones.

    Levels are unique per scenario, so steps are first parked on free levels: swapping two
    levels would otherwise collide half way."""
    validated_save(scenario, **fields)
    for step in deleted:
        if step.pk:
            step.delete()
    steps = list(steps)
    parked = 10_000
    for step, _fields in steps:
        if step.pk:
            parked += 1
            Step.objects.filter(pk=step.pk).update(level=parked)
    for step, step_fields in steps:
        step.scenario = scenario
        validated_save(step, **step_fields)
    return scenario


@transaction.atomic
def save_step_template(step: Step, language: str, subject: str, body: str) -> StepTemplate:
    template = StepTemplate.objects.filter(step=step, language=language).first()
    template = template or StepTemplate(step=step, language=language)
    return validated_save(template, subject=subject, body=body)
