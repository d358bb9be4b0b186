"""A customer's open call or task joins the day's new steps of the same kind instead of a new
one being created: the collector has one call to make per customer, listing everything that
came due, rather than one more task each day another invoice of the customer reaches a call
step.

A planned call or task joins the customer's open one (pending or awaiting approval, same
currency and channel) unless one of the items it moves was already moved by it (a second step
for the same item stays a separate task: merging would lose a step of its history). The open
reminder takes the higher step, today's amounts and the items it did not list; an event says
which invoices came in. Each joined item records the day of its step (`moved_on`): its next
step's minimum gap runs from that day, not from the day the open call was planned.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from django.db import connection

from relance.core import dunning as core
from relance.core.dunning import Channel
from relance.ledger.bulk import BulkTable
from relance.ledger.models import Company

from .models import Reminder, ReminderEvent, ReminderItem

WORK = (Channel.CALL, Channel.TASK)
OPEN = (Reminder.Status.PENDING, Reminder.Status.AWAITING_APPROVAL)


class _Open:
    """One open call or task: its step and what it lists."""

    def __init__(self, pk: int, level: int, status: str) -> None:
        self.pk, self.level, self.status = pk, level, status
        self.listed: dict[int, int | None] = {}  # invoice id -> level it moved to, or None


def join_open_work(
    company: Company,
    planned: Sequence[core.PlannedReminder],
    items: dict[int, core.Item],
    today: date,
) -> set[int]:
    """Join each planned call or task that can be to the customer's open one; returns the
    positions in `planned` that were joined (the caller creates the others)."""
    found = _open_work(company, {p.customer_id for p in planned if p.channel in WORK})
    joined, rows, updates, events, raised = set(), [], [], [], {}
    for position, plan in enumerate(planned):
        target = found.get((plan.customer_id, plan.currency, plan.channel.value))
        if target is None or any(target.listed.get(m.item_id) for m in plan.moves):
            continue
        joined.add(position)
        moved = {move.item_id: move.level for move in plan.moves}
        for item_id in plan.listed_item_ids:
            amount = items[item_id].open_amount
            level = moved.get(item_id)
            if item_id not in target.listed:
                rows.append((target.pk, item_id, amount, level, today if level else None))
            elif level:
                updates.append((level, today, amount, target.pk, item_id))
            target.listed[item_id] = moved.get(item_id) or target.listed.get(item_id)
        _raise_step(target, plan, raised)
        numbers = ", ".join(items[m.item_id].number for m in plan.moves)
        events.append((target.pk, target.status, f"étape « {plan.step_name} » ajoutée : {numbers}"))
    _write(rows, updates, events, raised.values())
    return joined


def _open_work(company: Company, customer_ids: set[int]) -> dict[tuple, _Open]:
    if not customer_ids:
        return {}
    reminders = Reminder.objects.filter(
        company=company,
        customer_id__in=customer_ids,
        channel__in=[c.value for c in WORK],
        status__in=OPEN,
        scenario__isnull=False,
    ).order_by("pk")
    found: dict[tuple, _Open] = {}  # the oldest open one of each customer, currency, channel
    for pk, customer_id, currency, channel, level, status in reminders.values_list(
        "pk", "customer_id", "currency", "channel", "level", "status"
    ):
        found.setdefault((customer_id, currency, channel), _Open(pk, level, status))
    by_pk = {target.pk: target for target in found.values()}
    rows = ReminderItem.objects.filter(reminder_id__in=by_pk).values_list(
        "reminder_id", "invoice_id", "moved_to_level"
    )
    for reminder_id, invoice_id, level in rows:
        by_pk[reminder_id].listed[invoice_id] = level
    return found


def _raise_step(target: _Open, plan: core.PlannedReminder, raised: dict[int, tuple]) -> None:
    """Today's amounts; the higher step's name, level and escalation (one row per open
    reminder in `raised`, written with the others by `_write`)."""
    if plan.level > target.level:
        target.level = plan.level
        step = (plan.level, plan.step_name, plan.escalation.value, plan.scenario_id,
                plan.mentions_penalties)  # fmt: skip
    elif target.pk in raised:
        step = raised[target.pk][2:7]  # a higher step joined earlier today
    else:
        step = (None,) * 5
    raised[target.pk] = (plan.amount, plan.overdue_amount, *step, target.pk)


# The step's columns keep their value when the joined step is not higher (NULL given).
RAISE = (
    "UPDATE dunning_reminder SET amount = %s, overdue_amount = %s, "
    "level = COALESCE(%s, level), step_name = COALESCE(%s, step_name), "
    "escalation = COALESCE(%s, escalation), scenario_id = COALESCE(%s, scenario_id), "
    "mentions_penalties = COALESCE(%s, mentions_penalties) WHERE id = %s"
)


def _write(rows: list[tuple], updates: list[tuple], events: list[tuple], raised) -> None:
    day = connection.ops.adapt_datefield_value
    raised = list(raised)
    if raised:
        with connection.cursor() as cursor:
            cursor.executemany(RAISE, raised)
    BulkTable(
        ReminderItem,
        ("reminder_id", "invoice_id", "open_amount", "moved_to_level", "moved_on"),
        {},
    ).write((*row[:4], day(row[4])) for row in rows)
    if updates:
        with connection.cursor() as cursor:
            cursor.executemany(
                "UPDATE dunning_reminderitem SET moved_to_level = %s, moved_on = %s, "
                "open_amount = %s WHERE reminder_id = %s AND invoice_id = %s",
                [(level, day(on), *rest) for level, on, *rest in updates],
            )
    BulkTable(ReminderEvent, ("reminder_id", "status", "note"), {}).write(events)
