"""Phone calls and internal tasks: a person works a "call" or "task" reminder (no worker sends
those) and records what happened; the outcome feeds the engine. The only code that writes
calls and their follow-ups.

- promise obtained: a promise to pay (relance.dunning.actions.record_promise) pauses the
  items until its date plus the grace period;
- dispute raised: each chosen item is disputed (actions.open_dispute) and left alone;
- says already paid: the items are held for ALREADY_PAID_HOLD_DAYS and the accountant gets
  a follow-up to check the bank ("paiement annoncé à vérifier");
- asks for a copy of the invoice: a follow-up to send it;
- voicemail, no answer (a task: postponed): the reminder stays pending, to try again on the
  next action date (next business day by default);
- wrong number: recorded against the contact and the number, and the reminder fails: it
  shows among the delivery failures until someone corrects the number and calls again
  ("Renvoyer") or gives up.

Any other outcome closes the reminder as sent (the call was made), keeping the call script
as what was "sent". Every outcome adds a Call and a ReminderEvent; nothing is edited.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from relance.core.dunning import Channel
from relance.ledger.models import Contact, Invoice

from . import actions
from .models import Call, FollowUp, Reminder
from .sending import record_event

Status = Reminder.Status
Outcome = Call.Outcome
WORK_CHANNELS = (Channel.CALL.value, Channel.TASK.value)
OUTCOMES = {
    Channel.CALL.value: (
        Outcome.PROMISE,
        Outcome.DISPUTE,
        Outcome.ALREADY_PAID,
        Outcome.COPY_REQUESTED,
        Outcome.VOICEMAIL,
        Outcome.NO_ANSWER,
        Outcome.WRONG_NUMBER,
    ),
    Channel.TASK.value: (Outcome.DONE, Outcome.POSTPONED),
}
RETRIED = (Outcome.VOICEMAIL, Outcome.NO_ANSWER, Outcome.POSTPONED)
# Long enough for a transfer to reach the bank statement, short enough not to forget the debt.
ALREADY_PAID_HOLD_DAYS = 7
ALREADY_PAID_REASON = "dit avoir payé"


@dataclass(frozen=True)
class CallReport:
    """What the caller says happened; `invoices` empty means all the reminder's open items."""

    outcome: str
    note: str = ""
    contact: Contact | None = None
    phone: str = ""
    next_action_on: date | None = None
    promised_on: date | None = None
    amount: Decimal | None = None
    invoices: Sequence[Invoice] = ()
    dispute_reason: str = "other"


@transaction.atomic
def record_call(reminder: Reminder, user, report: CallReport, today: date) -> Call:
    """Record one call (or task) on a pending call or task reminder and carry out its
    outcome; raises ValidationError when the reminder was already dealt with or the report
    lacks what its outcome needs."""
    _check(reminder, report, today)
    next_on = None
    if report.outcome in RETRIED:
        next_on = report.next_action_on or _next_business_day(reminder, today)
    call = Call.objects.create(
        company_id=reminder.company_id,
        customer_id=reminder.customer_id,
        reminder=reminder,
        contact=report.contact,
        phone=report.phone,
        outcome=report.outcome,
        note=report.note,
        next_action_on=next_on or report.next_action_on,
        user=user,
    )
    if next_on is not None:
        note = _note(report, _("nouvel essai le %(day)s") % _day(next_on))
        _retry(reminder, next_on)
    elif report.outcome == Outcome.WRONG_NUMBER:
        note = _note(report)
        _fail(reminder, _wrong_number_error(report))
    else:
        note = _note(
            report, EFFECTS.get(report.outcome, _nothing)(reminder, user, report, today, call)
        )
        _close(reminder)
    record_event(reminder, reminder.status, note, user=user)
    return call


def _check(reminder: Reminder, report: CallReport, today: date) -> None:
    if reminder.channel not in WORK_CHANNELS or report.outcome not in OUTCOMES[reminder.channel]:
        raise ValidationError(_("Cette issue ne s'applique pas à cette relance."))
    if reminder.status != Status.PENDING:
        raise ValidationError(_("Cette relance a déjà été traitée."))
    for invoice in report.invoices:
        if invoice.customer_id != reminder.customer_id:
            raise ValidationError(_("Cette facture n'appartient pas au client."))
    if report.contact is not None and report.contact.customer_id != reminder.customer_id:
        raise ValidationError(_("Ce contact n'appartient pas au client."))
    if report.outcome == Outcome.WRONG_NUMBER and not report.phone:
        raise ValidationError(_("Indiquez le numéro erroné."))
    if report.next_action_on is not None and report.next_action_on < today:
        raise ValidationError(_("La prochaine action ne peut pas être dans le passé."))


# --- What each outcome does to the engine ------------------------------------------------------


def _promise(reminder, user, report: CallReport, today: date, call: Call) -> str:
    if report.promised_on is None or report.amount is None:
        raise ValidationError(_("Une promesse demande une date et un montant."))
    if report.promised_on < today:
        raise ValidationError(_("La date promise est passée."))
    invoices = _invoices(reminder, report)
    actions.record_promise(
        reminder.customer,
        user,
        report.promised_on,
        report.amount,
        invoices,
        currency=reminder.currency,
        channel=Channel.CALL.value,
    )
    return _("%(amount)s %(currency)s le %(day)s") % {
        "amount": report.amount,
        "currency": reminder.currency,
        **_day(report.promised_on),
    } + _numbers(invoices)


def _dispute(reminder, user, report: CallReport, today: date, call: Call) -> str:
    invoices = _invoices(reminder, report)
    if not invoices:
        raise ValidationError(_("Choisissez les factures contestées."))
    for invoice in invoices:
        actions.open_dispute(invoice, user, report.dispute_reason, description=report.note)
    return _numbers(invoices).strip()


def _already_paid(reminder, user, report: CallReport, today: date, call: Call) -> str:
    """Hold the items a week and ask the accountant to look for the payment."""
    invoices = _invoices(reminder, report)
    ends_on = today + timedelta(days=ALREADY_PAID_HOLD_DAYS)
    for invoice in invoices:
        actions.put_on_hold(
            reminder.customer, user, ALREADY_PAID_REASON, ends_on=ends_on, invoice=invoice
        )
    _follow_up(reminder, user, call, FollowUp.Kind.CHECK_PAYMENT, invoices, today, report.note)
    return _("blocage jusqu'au %(day)s, paiement à vérifier") % _day(ends_on) + _numbers(invoices)


def _copy_requested(reminder, user, report: CallReport, today: date, call: Call) -> str:
    invoices = _invoices(reminder, report)
    _follow_up(reminder, user, call, FollowUp.Kind.SEND_COPY, invoices, today, report.note)
    return _("copie à envoyer") + _numbers(invoices)


def _nothing(reminder, user, report: CallReport, today: date, call: Call) -> str:
    return ""


EFFECTS = {
    Outcome.PROMISE: _promise,
    Outcome.DISPUTE: _dispute,
    Outcome.ALREADY_PAID: _already_paid,
    Outcome.COPY_REQUESTED: _copy_requested,
}


def _follow_up(reminder, user, call, kind, invoices, today: date, note: str) -> FollowUp:
    follow_up = FollowUp.objects.create(
        company_id=reminder.company_id,
        customer_id=reminder.customer_id,
        call=call,
        kind=kind,
        note=note,
        due_on=today,
        created_by=user,
    )
    follow_up.invoices.set(invoices)
    return follow_up


def _invoices(reminder: Reminder, report: CallReport) -> list[Invoice]:
    """The invoices the caller chose, else the reminder's listed invoices still open."""
    if report.invoices:
        return list(report.invoices)
    return [
        row.invoice
        for row in reminder.listed_items()
        if not row.invoice.is_credit and row.invoice.open_amount > 0
    ]


# --- The reminder's status ---------------------------------------------------------------------


def _move(reminder: Reminder, target: str, **fields) -> None:
    """Pending -> `target` only if nobody dealt with the reminder meanwhile."""
    changed = Reminder.objects.filter(pk=reminder.pk, status=Status.PENDING).update(
        status=target, attempts=F("attempts") + 1, **fields
    )
    if changed != 1:
        raise ValidationError(_("Cette relance a déjà été traitée."))
    reminder.refresh_from_db()


def _close(reminder: Reminder) -> None:
    """The call was made: the reminder is sent, with the call script as what was said."""
    fields = {"sent_at": timezone.now(), "next_attempt_at": None, "error": ""}
    if not reminder.body_text:
        fields.update(zip(("subject", "body_text", "body_html"), _script(reminder), strict=True))
    _move(reminder, Status.SENT, **fields)


def _retry(reminder: Reminder, next_on: date) -> None:
    zone = ZoneInfo(reminder.company.time_zone)
    next_at = datetime.combine(next_on, time.min, tzinfo=zone)
    _move(reminder, Status.PENDING, next_attempt_at=next_at)


def _fail(reminder: Reminder, error: str) -> None:
    _move(reminder, Status.FAILED, error=error, next_attempt_at=None)


def _script(reminder: Reminder) -> tuple[str, str, str]:
    from .render import TemplateTextError, render_reminder

    try:
        return render_reminder(reminder)
    except TemplateTextError:  # a broken step text must not stop the call being recorded
        return reminder.subject, reminder.body_text, reminder.body_html


def _next_business_day(reminder: Reminder, today: date) -> date:
    from .services import CALENDARS

    return CALENDARS[reminder.company.alsace_moselle].next_business_day(today + timedelta(1))


# --- Texts of the history ----------------------------------------------------------------------


def _note(report: CallReport, summary: str = "") -> str:
    """The history line: outcome, what it did, the number called, the caller's notes.

    Example: "Promesse obtenue : 500 EUR le 30/11/2026 (F1)" then "Notes : virement vendredi"."""
    label = str(Outcome(report.outcome).label)
    text = f"{label} : {summary}" if summary else label
    if report.phone:
        text += " — " + _("appelé : %(phone)s") % {"phone": report.phone}
    if report.note:
        text += "\n" + _("Notes : %(note)s") % {"note": report.note}
    return text


def _wrong_number_error(report: CallReport) -> str:
    who = f" ({report.contact.name})" if report.contact else ""
    return _("Numéro erroné : %(phone)s%(who)s") % {"phone": report.phone, "who": who}


def _numbers(invoices: Sequence[Invoice]) -> str:
    return f" ({', '.join(invoice.number for invoice in invoices)})" if invoices else ""


def _day(day: date) -> dict:
    return {"day": date_format(day, "SHORT_DATE_FORMAT")}


# --- Follow-ups and wrong numbers --------------------------------------------------------------


@transaction.atomic
def complete_follow_up(follow_up: FollowUp, user, note: str = "") -> FollowUp:
    """Mark a follow-up done, with what was found or done; done once only."""
    changed = FollowUp.objects.filter(pk=follow_up.pk, done_at__isnull=True).update(
        done_at=timezone.now(), done_by=user, done_note=note
    )
    if changed != 1:
        raise ValidationError(_("Déjà fait."))
    follow_up.refresh_from_db()
    return follow_up


def wrong_numbers(customer) -> set[tuple[int | None, str]]:
    """(contact id, number) pairs a caller found wrong: the call sheet warns while the contact
    still has that number."""
    return set(
        Call.objects.filter(customer=customer, outcome=Outcome.WRONG_NUMBER).values_list(
            "contact_id", "phone"
        )
    )
