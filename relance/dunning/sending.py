"""Sending the outbox: claim pending reminders, re-check them, send them, record each step.

Any number of workers share the outbox. A worker claims a batch (BATCH) atomically
(`SELECT ... FOR UPDATE SKIP LOCKED` where the database has it, PostgreSQL; otherwise the
claim runs in one IMMEDIATE transaction, SQLite; the UPDATE only takes rows still pending),
so nothing is sent twice. The batch is re-checked in a few queries, then each reminder is
sent in turn: `attempt_started_at` is set right before the channel is asked, so at most one
reminder per worker is ever "in flight". Every status change writes a ReminderEvent
(append-only history).

DESIGN.md rules applied here:
- "a reminder re-checks the balance right before sending": items paid, disputed or held since
  planning are dropped; a reminder left with nothing to ask is cancelled.
- "A crash between sending and sent leaves the reminder uncertain": a claim older than
  STALE_AFTER (or left by this very worker before it restarted) becomes uncertain, for a
  person to resolve, if the channel was asked; it is never retried blindly. The untried rest
  of an interrupted batch goes back to pending (the channel never saw it).

Email and SMS reminders are claimed, each sent through the channel of its kind (`channels()`):
letters, registered letters, calls and tasks stay pending until their channels exist
(SENT_CHANNELS).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Prefetch, Q, Sum, prefetch_related_objects
from django.utils import timezone

from relance.api import webhooks
from relance.banking.services import bank_freshness
from relance.core.dunning import Channel as ChannelKind
from relance.core.ledger import AccountPosition, account_position
from relance.ledger.models import Invoice, Payment
from relance.reports.cache import bump, bumps_deferred

from .channels import ByKind, Channel, PermanentFailure, TemporaryFailure
from .channels.email import EmailChannel
from .channels.sms import sms_channel
from .disputes import askable_amount, disputed_amounts
from .models import Dispute, Hold, Reminder, ReminderEvent, ReminderItem
from .render import render_reminder, step_texts_kept
from .services import local_today
from .state import forget_items

log = logging.getLogger(__name__)

Status = Reminder.Status
SENT_CHANNELS = (ChannelKind.EMAIL.value, ChannelKind.SMS.value)
# Retry a temporary failure after 1, 5, 30 then 120 minutes; the fifth failure is final.
BACKOFF_MINUTES = (1, 5, 30, 120)
MAX_ATTEMPTS = 5
# Far longer than one SMTP exchange (set EMAIL_TIMEOUT): an older claim was interrupted.
STALE_AFTER = timedelta(minutes=15)
BATCH = 20  # reminders claimed at once: a few queries per batch instead of per reminder


@dataclass
class Counts:
    """What one sending pass did."""

    claimed: int = 0
    sent: int = 0
    cancelled: int = 0
    retried: int = 0
    failed: int = 0
    uncertain: int = 0
    paused: int = 0  # moved to approval: the company's bank data is too old
    stopped_by_outage: bool = False

    def as_dict(self) -> dict:
        return asdict(self)


def record_event(reminder: Reminder, status: str, note: str = "", user=None) -> ReminderEvent:
    """Append one line to the reminder's history (never edited, never deleted). Every way a
    reminder goes out records "sent" here, so its step's escalation is applied here too."""
    event = ReminderEvent.objects.create(
        reminder_id=reminder.pk, status=status, note=note, user=user
    )
    webhooks.reminder_sent(reminder, status)  # reminder.sent, in this transaction
    bump(reminder.company_id)  # reminders sent and calls made: the dashboard's collection KPIs
    if status == Status.SENT and reminder.escalation:
        from .escalation import apply_escalation

        apply_escalation(reminder, user)
    return event


def send_pending(
    worker_id: str,
    now: datetime | None = None,
    limit: int | None = None,
    *,
    channel: Channel | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> Counts:
    """Send what is due, a claimed batch at a time, over one connection."""
    counts = Counts(uncertain=mark_uncertain(now or timezone.now()))
    channel = channel or channels()
    try:
        while limit is None or counts.claimed < limit:
            if should_stop is not None and should_stop():
                break
            moment = now or timezone.now()
            size = BATCH if limit is None else min(BATCH, limit - counts.claimed)
            batch = claim_batch(worker_id, moment, size)
            if not batch:
                break
            counts.claimed += len(batch)
            # The dashboard's version raised once per batch, each step's texts read once.
            with bumps_deferred(), step_texts_kept():
                if not _send_batch(batch, channel, worker_id, moment, counts, should_stop):
                    break
    finally:
        channel.close()
    return counts


def _send_batch(batch, channel, worker_id, now, counts: Counts, should_stop) -> bool:
    """Send a claimed batch; False when the pass must stop (outage or stop asked), after
    giving back the reminders it did not try."""
    context = _Context(batch, now)
    for position, reminder in enumerate(batch):
        if should_stop is not None and should_stop():
            release(batch[position:], worker_id, "rendue : arrêt du worker")
            return False
        outcome = send_one(reminder, channel, worker_id, now, context)
        if outcome == "outage":
            # The server is down: the rest of the batch would fail the same way.
            counts.retried += 1
            counts.stopped_by_outage = True
            release(batch[position + 1 :], worker_id, "rendue : serveur d'envoi injoignable")
            return False
        if outcome:
            setattr(counts, outcome, getattr(counts, outcome) + 1)
    return True


def channels() -> ByKind:
    """The channel of each kind of reminder claimed (SENT_CHANNELS)."""
    return ByKind({ChannelKind.EMAIL.value: email_channel(), ChannelKind.SMS.value: sms_channel()})


def email_channel() -> EmailChannel:
    """SMTP when a server is configured; otherwise the local outbox ("Boîte d'envoi")."""
    local = getattr(settings, "RELANCE_LOCAL_OUTBOX", False) or not settings.EMAIL_HOST
    return EmailChannel(local=local)


# --- Claiming ---------------------------------------------------------------------------------


def claim_next(worker_id: str, now: datetime) -> Reminder | None:
    """Take one due pending reminder for this worker, or None when there is none."""
    batch = claim_batch(worker_id, now, 1)
    return batch[0] if batch else None


def claim_batch(worker_id: str, now: datetime, size: int = 1) -> list[Reminder]:
    """Take up to `size` due pending reminders for this worker, in id order.

    PostgreSQL locks the rows it takes and skips those other workers hold; SQLite runs the
    whole claim in one IMMEDIATE transaction (writers queue), and the UPDATE changes a row
    only while it is still pending in both cases."""
    with transaction.atomic():
        claimable = _claimable(now)
        if connection.features.has_select_for_update_skip_locked:
            claimable = claimable.select_for_update(skip_locked=True)
        ids = list(claimable.values_list("pk", flat=True)[:size])
        if not ids:
            return []
        Reminder.objects.filter(pk__in=ids, status=Status.PENDING).update(
            status=Status.SENDING, claimed_by=worker_id, claimed_at=now, attempt_started_at=None
        )
        taken = list(
            Reminder.objects.filter(pk__in=ids, status=Status.SENDING, claimed_by=worker_id)
            .select_related("company", "customer__collector")
            .prefetch_related("customer__contacts")  # the texts greet the billing contact
            .order_by("pk")
        )
        ReminderEvent.objects.bulk_create(
            ReminderEvent(
                reminder_id=r.pk, status=Status.SENDING, note=f"pris en charge par {worker_id}"
            )
            for r in taken
        )
    return taken


def _claimable(now: datetime):
    return (
        Reminder.objects.filter(status=Status.PENDING, channel__in=SENT_CHANNELS)
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        .filter(Q(not_before__isnull=True) | Q(not_before__lte=now))
        .order_by("pk")
    )


def release(reminders: list[Reminder], worker_id: str, note: str) -> int:
    """Give claimed reminders that were never tried back to the outbox."""
    with transaction.atomic():
        ids = list(
            Reminder.objects.filter(
                pk__in=[r.pk for r in reminders],
                status=Status.SENDING,
                claimed_by=worker_id,
                attempt_started_at__isnull=True,
            ).values_list("pk", flat=True)
        )
        Reminder.objects.filter(pk__in=ids).update(
            status=Status.PENDING, claimed_by="", claimed_at=None
        )
        ReminderEvent.objects.bulk_create(
            ReminderEvent(reminder_id=pk, status=Status.PENDING, note=note) for pk in ids
        )
    return len(ids)


def _start_attempt(reminder: Reminder, worker_id: str, now: datetime, texts: dict) -> bool:
    """Mark the moment the channel is asked: from here an interruption is uncertain. The
    texts about to be sent (`_texts`) are kept in the same statement."""
    changed = Reminder.objects.filter(
        pk=reminder.pk, status=Status.SENDING, claimed_by=worker_id
    ).update(attempt_started_at=now, attempts=F("attempts") + 1, **texts)
    if changed:
        reminder.attempt_started_at, reminder.attempts = now, reminder.attempts + 1
    return bool(changed)


def mark_uncertain(now: datetime, *, worker_id: str | None = None) -> int:
    """Claims interrupted by a crash: those that reached the channel become uncertain (perhaps
    sent, so never sent again without a person deciding); those that never did go back to
    pending. With `worker_id`, every claim of that (restarting) worker. Returns how many
    became uncertain."""
    interrupted = Q(claimed_at__lt=now - STALE_AFTER)
    if worker_id:
        interrupted |= Q(claimed_by=worker_id)
    found = Reminder.objects.filter(interrupted, status=Status.SENDING)
    untried = list(found.filter(attempt_started_at__isnull=True))
    for claimed_by in {r.claimed_by for r in untried}:
        release([r for r in untried if r.claimed_by == claimed_by], claimed_by,
                "rendue : prise en charge interrompue avant tout envoi")  # fmt: skip
    rows = found.filter(attempt_started_at__isnull=False).values_list(
        "pk", "claimed_by", "attempt_started_at"
    )
    return sum(_declare_uncertain(*row) for row in rows)


def _declare_uncertain(pk: int, claimed_by: str, started_at: datetime) -> bool:
    with transaction.atomic():
        changed = Reminder.objects.filter(pk=pk, status=Status.SENDING).update(
            status=Status.UNCERTAIN
        )
        if changed:
            note = (
                f"envoi interrompu ({claimed_by}, tenté le {started_at:%Y-%m-%d %H:%M:%S} UTC) :"
                " peut-être envoyée, à vérifier"
            )
            ReminderEvent.objects.create(reminder_id=pk, status=Status.UNCERTAIN, note=note)
    return bool(changed)


# --- Sending one reminder ---------------------------------------------------------------------


def send_one(
    reminder: Reminder, channel: Channel, worker_id: str, now: datetime, context=None
) -> str:
    """Re-check, send, record. The outcome: sent, cancelled, retried, failed, outage, or ""
    when the claim was lost before trying (declared uncertain or given back meanwhile)."""
    context = context or _Context([reminder], now)
    reason = context.recheck(reminder)
    if reason:
        _finish(reminder, worker_id, Status.CANCELLED, reason)
        return "cancelled"
    if context.is_paused(reminder):
        _ensure_text(reminder)  # the approver reads what would be sent
        note = "validation requise : relevés bancaires trop anciens, envoi automatique suspendu"
        _finish(reminder, worker_id, Status.AWAITING_APPROVAL, note, claimed_by="", claimed_at=None)
        return "paused"
    texts = _texts(reminder)
    if not _start_attempt(reminder, worker_id, now, texts):
        return ""
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
        **delivery.evidence(),  # the SMS number and text, decided at send time
    )
    return "sent"


def _ensure_text(reminder: Reminder) -> None:
    """The run renders only the reminders awaiting approval; the others are rendered here,
    with the amounts of the moment they leave."""
    texts = _texts(reminder)
    if texts:
        Reminder.objects.filter(pk=reminder.pk).update(**texts)


def _texts(reminder: Reminder) -> dict:
    """The texts to store when the reminder has none yet (rendered now, on `reminder`)."""
    if reminder.subject:
        return {}
    render_reminder(reminder)
    return {name: getattr(reminder, name) for name in ("subject", "body_text", "body_html")}


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
        attempt_started_at=None,
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
    return _Context([reminder], today=today).recheck(reminder)


class _Context:
    """What the re-check of a claimed batch needs, read in a handful of queries for the whole
    batch instead of for each reminder. The items (with their invoices) are attached to each
    reminder, so the channel attaching the invoice PDFs reads them from there too."""

    def __init__(
        self, reminders: list[Reminder], now: datetime | None = None, *, today: date | None = None
    ) -> None:
        self.today = {
            r.pk: today if today is not None else local_today(r.company, now) for r in reminders
        }
        prefetch_related_objects(
            reminders,
            Prefetch(
                "items", queryset=ReminderItem.objects.select_related("invoice").order_by("pk")
            ),
        )
        invoice_ids = {item.invoice_id for r in reminders for item in r.items.all()}
        customer_ids = {r.customer_id for r in reminders}
        self.disputed = disputed_amounts(
            Dispute.objects.filter(invoice_id__in=invoice_ids, status=Dispute.Status.OPEN)
        )
        self.holds = list(
            Hold.objects.filter(lifted_at__isnull=True, customer_id__in=customer_ids).values_list(
                "customer_id", "invoice_id", "ends_on"
            )
        )
        rows = (
            Payment.objects.filter(customer_id__in=customer_ids, unallocated_amount__gt=0)
            .values_list("customer_id", "currency")
            .annotate(total=Sum("unallocated_amount"))
        )
        self.unallocated = {(customer, currency): total for customer, currency, total in rows}
        self.instalment_reminders = _instalment_reminders(reminders)
        _issue_links([r for r in reminders if not r.subject])
        companies = {r.company_id: r.company for r in reminders}
        self.stale = {
            pk
            for pk, company in companies.items()
            if bank_freshness(company, local_today(company, now)).is_stale
        }

    def is_paused(self, reminder: Reminder) -> bool:
        """Automatic sending waits while the company's bank data is older than it allows
        (a payment may be missing); a person who approved the reminder already decided."""
        if reminder.company_id not in self.stale or is_thanks(reminder):
            return False
        return not reminder.events.filter(user__isnull=False).exists()

    def recheck(self, reminder: Reminder) -> str:
        if is_thanks(reminder):
            return ""  # it asks for nothing: there is nothing to re-check
        today = self.today.get(reminder.pk) or local_today(reminder.company)
        if reminder.customer.is_handed_over:
            return "annulée : client transmis au contentieux"
        held = self._held(reminder.customer_id, today)
        if None in held:
            return "annulée : client bloqué (stop relance)"
        if reminder.pk in self.instalment_reminders:
            from relance.plans.services import recheck as recheck_instalments

            return recheck_instalments(reminder, today)
        kept, dropped = [], []
        for item in reminder.items.all():
            item.askable = askable_amount(item.invoice, self.disputed)
            why = _drop_reason(item.invoice, item.askable, held)
            if why:
                dropped.append((item, why))
            else:
                kept.append(item)
        if not any(item.moved_to_level is not None for item in kept):
            return "annulée : plus rien à relancer" + _describe(dropped)
        unallocated = self.unallocated.get((reminder.customer_id, reminder.currency))
        position = _position(kept, unallocated or Decimal(0), today)
        if position.balance <= 0:
            return f"annulée : solde net nul ou créditeur ({position.balance} {reminder.currency})"
        if dropped or _has_moved(reminder, kept, position):
            _update(reminder, kept, dropped, position)
            # Read the items again (some were removed) when the channel asks for them.
            getattr(reminder, "_prefetched_objects_cache", {}).pop("items", None)
        return ""

    def _held(self, customer_id: int, today: date) -> set[int | None]:
        """Invoice ids on hold for the customer; None in the set when the customer is."""
        return {
            invoice_id
            for customer, invoice_id, ends_on in self.holds
            if customer == customer_id and (ends_on is None or ends_on >= today)
        }


def _instalment_reminders(reminders: list[Reminder]) -> set[int]:
    """The reminders asking for instalments of a payment plan (relance.plans), re-checked
    against the plan rather than item by item."""
    from relance.plans.models import InstalmentNotice  # the plans app builds on this one

    notices = InstalmentNotice.objects.filter(reminder_id__in=[r.pk for r in reminders])
    return set(notices.values_list("reminder_id", flat=True))


def _issue_links(reminders: list[Reminder]) -> None:
    """The links to the debtor's page that the texts rendered for this batch will carry,
    one per reminder, written in one INSERT for the batch (relance.portal.links)."""
    from relance.portal.links import issue_links  # the portal app builds on this one

    issue_links(reminders)


def is_thanks(reminder: Reminder) -> bool:
    from .thanks import THANKS_LEVEL, THANKS_STEP

    return reminder.level == THANKS_LEVEL and reminder.step_name == THANKS_STEP


def _drop_reason(invoice: Invoice, askable: Decimal, held: set[int | None]) -> str:
    if invoice.open_amount <= 0:
        return "réglée"
    if askable <= 0:
        return "en litige"
    if invoice.pk in held:
        return "bloquée"
    return ""


def _describe(dropped: list[tuple[ReminderItem, str]]) -> str:
    if not dropped:
        return ""
    return " (" + ", ".join(f"{item.invoice.number} {why}" for item, why in dropped) + ")"


def _position(kept: list[ReminderItem], unallocated: Decimal, today: date) -> AccountPosition:
    """The planner's netting (relance.core.dunning): listed items minus unallocated payments."""
    debit = credit = overdue = Decimal(0)
    for item in kept:
        invoice = item.invoice
        if invoice.is_credit:
            credit += item.askable
        else:
            debit += item.askable
            if invoice.due_on < today:
                overdue += item.askable
    return account_position(debit, credit, unallocated, overdue)


def _has_moved(reminder: Reminder, kept: list[ReminderItem], position: AccountPosition) -> bool:
    return (
        any(item.open_amount != item.askable for item in kept)
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
        forget_items(item.invoice_id for item, _ in dropped)  # the step they had is undone
        for item in kept:
            if item.open_amount != item.askable:
                item.open_amount = item.askable
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
