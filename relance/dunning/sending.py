"""Sending the outbox: claim a pending reminder, re-check it, send it, record each step.

Any number of workers share the outbox. A worker claims one reminder at a time atomically
(`SELECT ... FOR UPDATE SKIP LOCKED` where the database has it, PostgreSQL; otherwise a
conditional `UPDATE ... WHERE status = 'pending'` that must change exactly one row, SQLite),
so nothing is sent twice. Every status change writes a ReminderEvent (append-only history).

DESIGN.md rules applied here:
- "a reminder re-checks the balance right before sending": items paid, disputed or held since
  planning are dropped; a reminder left with nothing to ask is cancelled.
- "A crash between sending and sent leaves the reminder uncertain": a claim older than
  STALE_AFTER (or left by this very worker before it restarted) becomes uncertain, for a
  person to resolve; it is never retried blindly.

Only email reminders are claimed for now: SMS, letters, registered letters, calls and tasks
stay pending until their channels exist (SENT_CHANNELS).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Q, Sum
from django.utils import timezone

from relance.core.dunning import Channel as ChannelKind
from relance.core.ledger import AccountPosition, account_position
from relance.ledger.models import Invoice, Payment

from .channels import Channel, PermanentFailure, TemporaryFailure
from .channels.email import EmailChannel
from .models import Dispute, Hold, Reminder, ReminderEvent, ReminderItem
from .render import render_reminder
from .services import local_today

log = logging.getLogger(__name__)

Status = Reminder.Status
SENT_CHANNELS = (ChannelKind.EMAIL.value,)
# Retry a temporary failure after 1, 5, 30 then 120 minutes; the fifth failure is final.
BACKOFF_MINUTES = (1, 5, 30, 120)
MAX_ATTEMPTS = 5
# Far longer than one SMTP exchange (set EMAIL_TIMEOUT): an older claim was interrupted.
STALE_AFTER = timedelta(minutes=15)
CANDIDATES = 20  # rows read per conditional-UPDATE attempt (SQLite)


@dataclass
class Counts:
    """What one sending pass did."""

    claimed: int = 0
    sent: int = 0
    cancelled: int = 0
    retried: int = 0
    failed: int = 0
    uncertain: int = 0
    stopped_by_outage: bool = False

    def as_dict(self) -> dict:
        return asdict(self)


def record_event(reminder: Reminder, status: str, note: str = "", user=None) -> ReminderEvent:
    """Append one line to the reminder's history (never edited, never deleted)."""
    return ReminderEvent.objects.create(
        reminder_id=reminder.pk, status=status, note=note, user=user
    )


def send_pending(
    worker_id: str,
    now: datetime | None = None,
    limit: int | None = None,
    *,
    channel: Channel | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> Counts:
    """Send what is due, one claimed reminder at a time, over one connection."""
    counts = Counts(uncertain=mark_uncertain(now or timezone.now()))
    channel = channel or email_channel()
    try:
        while limit is None or counts.claimed < limit:
            if should_stop is not None and should_stop():
                break
            moment = now or timezone.now()
            reminder = claim_next(worker_id, moment)
            if reminder is None:
                break
            counts.claimed += 1
            outcome = send_one(reminder, channel, worker_id, moment)
            if outcome == "outage":
                # The server is down: the rest of the batch would fail the same way.
                counts.retried += 1
                counts.stopped_by_outage = True
                break
            setattr(counts, outcome, getattr(counts, outcome) + 1)
    finally:
        channel.close()
    return counts


def email_channel() -> EmailChannel:
    """SMTP when a server is configured; otherwise the local outbox ("Boîte d'envoi")."""
    local = getattr(settings, "RELANCE_LOCAL_OUTBOX", False) or not settings.EMAIL_HOST
    return EmailChannel(local=local)


# --- Claiming ---------------------------------------------------------------------------------


def claim_next(worker_id: str, now: datetime) -> Reminder | None:
    """Take one due pending reminder for this worker, or None when there is none."""
    if connection.features.has_select_for_update_skip_locked:
        with transaction.atomic():
            locked = _claimable(now).select_for_update(skip_locked=True)
            pk = locked.values_list("pk", flat=True).first()
            return None if pk is None else _take(pk, worker_id, now)
    while True:
        candidates = list(_claimable(now).values_list("pk", flat=True)[:CANDIDATES])
        if not candidates:
            return None
        for pk in candidates:
            if (reminder := _take(pk, worker_id, now)) is not None:
                return reminder
        # All taken by other workers meanwhile: read the next candidates.


def _claimable(now: datetime):
    return (
        Reminder.objects.filter(status=Status.PENDING, channel__in=SENT_CHANNELS)
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        .filter(Q(not_before__isnull=True) | Q(not_before__lte=now))
        .order_by("pk")
    )


def _take(pk: int, worker_id: str, now: datetime) -> Reminder | None:
    """The conditional UPDATE: it changes one row only if the reminder is still pending."""
    with transaction.atomic():
        changed = Reminder.objects.filter(pk=pk, status=Status.PENDING).update(
            status=Status.SENDING,
            claimed_by=worker_id,
            claimed_at=now,
            attempts=F("attempts") + 1,
        )
        if changed != 1:
            return None
        reminder = Reminder.objects.select_related("company", "customer__collector").get(pk=pk)
        record_event(
            reminder, Status.SENDING, f"pris en charge par {worker_id}, essai {reminder.attempts}"
        )
        return reminder


def mark_uncertain(now: datetime, *, worker_id: str | None = None) -> int:
    """Claims interrupted by a crash become uncertain: perhaps sent, so never sent again
    without a person deciding. With `worker_id`, every claim of that (restarting) worker."""
    interrupted = Q(claimed_at__lt=now - STALE_AFTER)
    if worker_id:
        interrupted |= Q(claimed_by=worker_id)
    found = Reminder.objects.filter(interrupted, status=Status.SENDING)
    rows = found.values_list("pk", "claimed_by", "claimed_at")
    return sum(_declare_uncertain(*row) for row in rows)


def _declare_uncertain(pk: int, claimed_by: str, claimed_at: datetime) -> bool:
    with transaction.atomic():
        changed = Reminder.objects.filter(pk=pk, status=Status.SENDING).update(
            status=Status.UNCERTAIN
        )
        if changed:
            note = (
                f"envoi interrompu ({claimed_by}, pris le {claimed_at:%Y-%m-%d %H:%M:%S} UTC) :"
                " peut-être envoyée, à vérifier"
            )
            ReminderEvent.objects.create(reminder_id=pk, status=Status.UNCERTAIN, note=note)
    return bool(changed)


# --- Sending one reminder ---------------------------------------------------------------------


def send_one(reminder: Reminder, channel: Channel, worker_id: str, now: datetime) -> str:
    """Re-check, send, record. The outcome: sent, cancelled, retried, failed or outage."""
    reason = recheck(reminder, local_today(reminder.company, now))
    if reason:
        _finish(reminder, worker_id, Status.CANCELLED, reason)
        return "cancelled"
    _ensure_text(reminder)
    try:
        delivery = channel.send(reminder)
    except TemporaryFailure as failure:
        outcome = _retry(reminder, worker_id, now, failure)
        return "outage" if failure.is_outage and outcome == "retried" else outcome
    except PermanentFailure as failure:
        _finish(reminder, worker_id, Status.FAILED, f"échec : {failure}", error=str(failure))
        return "failed"
    _finish(
        reminder,
        worker_id,
        Status.SENT,
        delivery.note or "envoyée",
        sent_at=now,
        attachments=delivery.attachments,
        next_attempt_at=None,
        error="",
    )
    return "sent"


def _ensure_text(reminder: Reminder) -> None:
    """The run renders only the reminders awaiting approval; the others are rendered here,
    with the amounts of the moment they leave."""
    if not reminder.subject:
        render_reminder(reminder)
        reminder.save(update_fields=["subject", "body_text", "body_html"])


def backoff(attempts: int) -> timedelta:
    """The wait before the next try, after `attempts` tries."""
    return timedelta(minutes=BACKOFF_MINUTES[min(attempts, len(BACKOFF_MINUTES)) - 1])


def _retry(reminder: Reminder, worker_id: str, now: datetime, failure: Exception) -> str:
    if reminder.attempts >= MAX_ATTEMPTS:
        note = f"échec après {reminder.attempts} essais : {failure}"
        _finish(reminder, worker_id, Status.FAILED, note, error=str(failure))
        return "failed"
    at = now + backoff(reminder.attempts)
    note = f"échec temporaire, nouvel essai après {at:%Y-%m-%d %H:%M} UTC : {failure}"
    _finish(
        reminder,
        worker_id,
        Status.PENDING,
        note,
        next_attempt_at=at,
        error=str(failure),
        claimed_by="",
        claimed_at=None,
    )
    return "retried"


def _finish(reminder: Reminder, worker_id: str, status: str, note: str, **fields) -> bool:
    """Leave "sending" for `status`, only if this worker's claim still holds; otherwise (the
    claim was declared uncertain meanwhile) keep the status and write what happened."""
    with transaction.atomic():
        changed = Reminder.objects.filter(
            pk=reminder.pk, status=Status.SENDING, claimed_by=worker_id
        ).update(status=status, **fields)
        if changed:
            reminder.status = status
            for name, value in fields.items():
                setattr(reminder, name, value)
            record_event(reminder, status, note)
        else:
            current = Reminder.objects.values_list("status", flat=True).get(pk=reminder.pk)
            record_event(
                reminder, current, f"{note} (résultat arrivé après le passage à « {current} »)"
            )
    return bool(changed)


# --- The re-check -----------------------------------------------------------------------------


def recheck(reminder: Reminder, today: date) -> str:
    """Drop the items paid, disputed or held since planning and update the amounts; the
    reason to cancel the reminder when nothing is left to ask, else ""."""
    if is_thanks(reminder):
        return ""  # it asks for nothing: there is nothing to re-check
    customer = reminder.customer
    if customer.is_handed_over:
        return "annulée : client transmis au contentieux"
    if _active_holds(today).filter(customer=customer, invoice__isnull=True).exists():
        return "annulée : client bloqué (stop relance)"
    items = list(reminder.items.select_related("invoice").order_by("pk"))
    ids = [item.invoice_id for item in items]
    disputed = set(
        Dispute.objects.filter(invoice_id__in=ids, status=Dispute.Status.OPEN).values_list(
            "invoice_id", flat=True
        )
    )
    held = set(_active_holds(today).filter(invoice_id__in=ids).values_list("invoice_id", flat=True))
    kept, dropped = [], []
    for item in items:
        why = _drop_reason(item.invoice, disputed, held)
        if why:
            dropped.append((item, why))
        else:
            kept.append(item)
    if not any(item.moved_to_level is not None for item in kept):
        return "annulée : plus rien à relancer" + _describe(dropped)
    position = _position(reminder, kept, today)
    if position.balance <= 0:
        return f"annulée : solde net nul ou créditeur ({position.balance} {reminder.currency})"
    if dropped or _has_moved(reminder, kept, position):
        _update(reminder, kept, dropped, position)
    return ""


def is_thanks(reminder: Reminder) -> bool:
    from .thanks import THANKS_LEVEL, THANKS_STEP

    return reminder.level == THANKS_LEVEL and reminder.step_name == THANKS_STEP


def _active_holds(today: date):
    return Hold.objects.filter(lifted_at__isnull=True).filter(
        Q(ends_on__isnull=True) | Q(ends_on__gte=today)
    )


def _drop_reason(invoice: Invoice, disputed: set[int], held: set[int]) -> str:
    if invoice.open_amount <= 0:
        return "réglée"
    if not invoice.is_credit and (invoice.is_disputed or invoice.pk in disputed):
        return "en litige"
    if invoice.pk in held:
        return "bloquée"
    return ""


def _describe(dropped: list[tuple[ReminderItem, str]]) -> str:
    if not dropped:
        return ""
    return " (" + ", ".join(f"{item.invoice.number} {why}" for item, why in dropped) + ")"


def _position(reminder: Reminder, kept: list[ReminderItem], today: date) -> AccountPosition:
    """The planner's netting (relance.core.dunning): listed items minus unallocated payments."""
    debit = credit = overdue = Decimal(0)
    for item in kept:
        invoice = item.invoice
        if invoice.is_credit:
            credit += invoice.open_amount
        else:
            debit += invoice.open_amount
            if invoice.due_on < today:
                overdue += invoice.open_amount
    unallocated = Payment.objects.filter(
        customer_id=reminder.customer_id, currency=reminder.currency, unallocated_amount__gt=0
    ).aggregate(total=Sum("unallocated_amount"))["total"] or Decimal(0)
    return account_position(debit, credit, unallocated, overdue)


def _has_moved(reminder: Reminder, kept: list[ReminderItem], position: AccountPosition) -> bool:
    return (
        any(item.open_amount != item.invoice.open_amount for item in kept)
        or position.balance != reminder.amount
        or position.overdue != reminder.overdue_amount
    )


def _update(reminder, kept, dropped, position: AccountPosition) -> None:
    """Store the amounts as they are now; the text follows when a renderer exists."""
    note = f"montant {reminder.amount} → {position.balance} {reminder.currency}" + _describe(
        dropped
    )
    with transaction.atomic():
        ReminderItem.objects.filter(pk__in=[item.pk for item, _ in dropped]).delete()
        for item in kept:
            if item.open_amount != item.invoice.open_amount:
                item.open_amount = item.invoice.open_amount
                item.save(update_fields=["open_amount"])
        reminder.amount, reminder.overdue_amount = position.balance, position.overdue
        fields = ["amount", "overdue_amount"]
        if _rerender(reminder):
            fields += ["subject", "body_text", "body_html"]
            note += " ; texte recalculé"
        else:
            note += " ; montants modifiés (texte rendu avec les anciens montants)"
        reminder.save(update_fields=fields)
        record_event(reminder, Status.SENDING, note)


def _rerender(reminder: Reminder) -> bool:
    """Render the text again (render_reminder sets subject, body_text and body_html), unless
    a person approved or edited it: their text is kept, and the history says the amounts
    moved."""
    if reminder.events.filter(user__isnull=False).exists():
        return False
    render_reminder(reminder)
    return True
