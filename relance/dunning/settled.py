"""Reminders a payment made pointless, cancelled as soon as the payment is applied.

Bank matching (relance.banking.matching) calls `cancel_settled_reminders` with the invoices
it has just settled. A reminder waiting in the outbox (pending) or for approval is cancelled
when every item it moved to a step is now fully paid: nothing is left to ask. A reminder that
still asks for another unpaid item is left alone; the re-check right before sending
(relance.dunning.sending) drops the paid items from it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from django.db import transaction

from .models import Reminder, ReminderEvent, ReminderItem

Status = Reminder.Status
CANCELLABLE = (Status.PENDING, Status.AWAITING_APPROVAL)
PAID_NOTE = "annulée : payée (relevé bancaire)"


def cancel_settled_reminders(
    invoice_ids: Iterable[int], note: str = PAID_NOTE, user=None
) -> list[int]:
    """Cancel the pending or awaiting-approval reminders listing one of `invoice_ids` whose
    every moved item (every listed debit item when none was moved) is fully paid; returns
    the ids of the reminders cancelled, each with a ReminderEvent carrying `note`."""
    reminder_ids = set(
        ReminderItem.objects.filter(
            invoice_id__in=list(invoice_ids), reminder__status__in=CANCELLABLE
        ).values_list("reminder_id", flat=True)
    )
    if not reminder_ids:
        return []
    cancelled = []
    with transaction.atomic():
        for reminder_id in sorted(_settled(reminder_ids)):
            # Conditional: a worker may have claimed it meanwhile (its re-check then decides).
            changed = Reminder.objects.filter(pk=reminder_id, status__in=CANCELLABLE).update(
                status=Status.CANCELLED
            )
            if changed:
                ReminderEvent.objects.create(
                    reminder_id=reminder_id, status=Status.CANCELLED, note=note, user=user
                )
                cancelled.append(reminder_id)
    return cancelled


def _settled(reminder_ids: set[int]) -> list[int]:
    """The reminders whose asked-for items are all paid: one query for all of them."""
    moved: dict[int, list[bool]] = defaultdict(list)
    listed: dict[int, list[bool]] = defaultdict(list)
    rows = ReminderItem.objects.filter(
        reminder_id__in=reminder_ids, invoice__is_credit=False
    ).values_list("reminder_id", "moved_to_level", "invoice__open_amount")
    for reminder_id, level, open_amount in rows:
        paid = open_amount <= 0
        listed[reminder_id].append(paid)
        if level is not None:
            moved[reminder_id].append(paid)
    settled = []
    for reminder_id in reminder_ids:
        asked = moved.get(reminder_id) or listed.get(reminder_id)
        if asked and all(asked):
            settled.append(reminder_id)
    return settled
