"""The dunning state kept on each invoice: `Invoice.dunning_next_on`, the first day its next
step may be due (relance.core.dunning_due). The daily run reads by index only the customers
with an item whose date has come, instead of testing every open item.

The date is a promise that nothing is due before it, so it may be early, never late:

- the run writes it for the items it moved (their level and last step changed) and for the
  items whose date was unknown;
- anything that can bring a step closer makes it unknown again (UNKNOWN, the smallest date,
  so the item is read by the next run): a new invoice (the database default), a saved invoice
  or customer (their `save`), a customer's scenario or profile changed by an import
  (`forget_customers`), a reminder cancelled or rejected after it gave a step, or an item
  dropped from a reminder before sending (the events since the previous run,
  `forget_taken_back`), and any change to the company's scenarios (`forget_company`, when
  their fingerprint differs from the previous run's).

An item excluded for a reason that lasts (disputed, promised, held, in a payment plan, of an
automatic payer, handed over to collection) is reported once and then waits for the reason's
end (relance.core.dunning_due.paused_until): the promise's date plus grace, the hold's end
date, or never. What ends such a reason earlier makes the item's date unknown again: a dispute
resolved (relance.dunning.actions), a hold lifted, a promise decided kept or broken
(relance.dunning.promises), a payment plan ended (relance.plans.services), the customer saved
(handed over lifted, profile changed), an allocation undone (relance.ledger.services). An item
excluded because of the account's balance (under the step's minimum, credit balance) keeps a
date that has come, so it is planned again every day until the planner moves it.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date

from django.db import connection
from django.db.models import Max

from relance.core import dunning as core
from relance.core.dunning_due import UNKNOWN, next_dates, paused_until
from relance.ledger.models import Company, Invoice

from .convert import GIVEN
from .models import DunningRun, ReminderEvent

CHUNK = 5_000  # ids per statement


def candidate_customers(company: Company, today: date) -> list[int]:
    """Customers with an open item whose next step may be due today (or is unknown)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT DISTINCT i.customer_id FROM ledger_invoice i WHERE i.company_id = %s "
            "AND i.open_amount > 0 AND i.dunning_next_on <= %s",
            [company.pk, today],
        )
        return [customer for (customer,) in cursor.fetchall()]


def unknown_items(company: Company) -> set[int]:
    """The open items whose next step date must be worked out (read by index)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT i.id FROM ledger_invoice i WHERE i.company_id = %s "
            "AND i.open_amount > 0 AND i.dunning_next_on <= %s",
            [company.pk, UNKNOWN],
        )
        return {pk for (pk,) in cursor.fetchall()}


def fingerprint(scenarios: Sequence[core.Scenario], policy: core.Policy) -> str:
    """What the next step dates depend on besides the items: the steps' levels, offsets and
    gaps, silent scenarios, and which scenario each profile follows."""
    shape = {
        "scenarios": sorted(
            (s.id, s.is_silent, [(t.level, t.offset_days, t.min_gap_days) for t in s.steps])
            for s in scenarios
        ),
        "default": policy.default_scenario_id,
        "profiles": sorted(policy.profile_scenarios.items()),
    }
    return hashlib.sha256(json.dumps(shape).encode()).hexdigest()[:16]


def since_previous_run(company: Company, scenarios_fingerprint: str) -> dict:
    """Make unknown what changed since the company's previous run; returns what this run
    records for the next one (the last event seen, the scenarios' fingerprint)."""
    seen = ReminderEvent.objects.aggregate(last=Max("pk"))["last"] or 0
    previous = DunningRun.objects.filter(company=company).order_by("-run_on", "-pk").first()
    state = (previous.summary or {}).get("state", {}) if previous else {}
    if state.get("scenarios") != scenarios_fingerprint:
        forget_company(company)
    else:
        forget_taken_back(company, state.get("events_after", 0))
    return {"events_after": seen, "scenarios": scenarios_fingerprint}


def forget_company(company: Company) -> None:
    forget_invoices_of(Invoice.objects.filter(company=company, open_amount__positive=True))


def forget_taken_back(company: Company, events_after: int) -> None:
    """Items of reminders that left the given statuses (cancelled, rejected) since the event
    `events_after`: the step they gave no longer counts."""
    statuses = ", ".join("%s" for _ in GIVEN)
    with connection.cursor() as cursor:
        # From the events since then (a range of their primary key), not from the company's
        # reminders: the day's events are few, the history grows. SQLite keeps the written
        # order of a CROSS JOIN.
        cursor.execute(
            "SELECT DISTINCT ri.invoice_id FROM dunning_reminderevent e "
            "CROSS JOIN dunning_reminder r CROSS JOIN dunning_reminderitem ri "
            "WHERE e.id > %s AND e.status NOT IN (" + statuses + ") "
            "AND r.id = e.reminder_id AND r.company_id = %s AND ri.reminder_id = r.id",
            [events_after, *GIVEN, company.pk],
        )
        forget_items([pk for (pk,) in cursor.fetchall()])


def forget_items(invoice_ids: Iterable[int]) -> None:
    """Make these invoices' next step unknown (an item dropped from a reminder, ...)."""
    _set_date(UNKNOWN, list(invoice_ids))


def forget_invoices_of(invoices) -> None:
    """Make these invoices' next step unknown (a queryset: a plan's, a promise's...)."""
    invoices.exclude(dunning_next_on=UNKNOWN).update(dunning_next_on=UNKNOWN)


def forget_customers(customer_ids: Iterable[int]) -> None:
    """Make the next step of these customers' invoices unknown (scenario or profile changed
    by a bulk path that does not go through Customer.save)."""
    ids = list(customer_ids)
    for start in range(0, len(ids), CHUNK):
        forget_invoices_of(Invoice.objects.filter(customer_id__in=ids[start : start + CHUNK]))


def keep(
    company: Company,
    today: date,
    plan_inputs: dict,
    plan: core.Plan,
    unknown: set[int],
) -> None:
    """Write the next step date of the items moved today, of those it was unknown for, and of
    those excluded for a lasting reason (the later of their next step and the reason's end).
    `plan_inputs`: the items, customers, scenarios, sent, holds, promises and policy the plan
    was made of (every item written here is among them)."""
    moves = [move for reminder in plan.reminders for move in reminder.moves]
    paused = paused_until(
        plan.excluded,
        plan_inputs["items"],
        plan_inputs["holds"],
        plan_inputs["promises"],
        plan_inputs["policy"],
    )
    wanted = unknown | paused.keys() | {move.item_id for move in moves}
    items = [item for item in plan_inputs["items"] if item.id in wanted]
    if not items:
        return
    given = [core.Sent(m.item_id, m.scenario_id, m.level, today) for m in moves]
    dates = next_dates(
        items,
        plan_inputs["customers"],
        plan_inputs["scenarios"],
        [*plan_inputs["sent"], *given],
        plan_inputs["policy"],
    )
    by_date: dict[date, list[int]] = defaultdict(list)
    for pk, on in dates.items():
        by_date[max(on, paused.get(pk, on))].append(pk)
    for on, ids in by_date.items():
        _set_date(on, ids)


def _set_date(on: date, invoice_ids: list[int]) -> None:
    """One UPDATE per date and chunk of ids (the dates of a day's run take few values), the
    ids as one parameter: a JSON array on SQLite, an array on PostgreSQL."""
    if connection.vendor == "postgresql":
        sql = "UPDATE ledger_invoice SET dunning_next_on = %s WHERE id = ANY(%s::bigint[])"
    else:
        sql = (
            "UPDATE ledger_invoice SET dunning_next_on = %s "
            "WHERE id IN (SELECT value FROM json_each(%s))"
        )
    with connection.cursor() as cursor:
        for start in range(0, len(invoice_ids), CHUNK):
            ids = invoice_ids[start : start + CHUNK]
            cursor.execute(sql, [on, ids if connection.vendor == "postgresql" else json.dumps(ids)])
