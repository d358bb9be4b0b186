"""Which open items may have a step due on a day: a cheap test, kept per item by the database
as a date, so that the daily run plans only the customers it concerns.

The test is a superset of the planner's (relance.core.dunning): every item the planner would
move, or exclude for a reason other than the minimum gap, passes it; items that fail it would
get nothing from the planner that day. An item of scenario S that reached level L (0: never
reminded), last reminded on `last_on`, may have a step due from

    next_due_on = max(due_on + the smallest offset among the steps above L,
                      last_on + the smallest minimum gap among those steps)

A step's date is due_on + offset moved *later* to a business day, never earlier, so the
calendar can only delay what this date promises. Example: steps at -7, +5 and +15 days, gaps
0, 3 and 7; an item due on 2026-03-05 that had the courteous reminder (level 1) on
2026-03-07 may have a step due from max(03-05 + 5, 03-07 + 3) = 2026-03-10.

Silent scenarios (automatic payers) never remind, but their overdue items are reported as
excluded, so they pass from the day after their due date. An item that had every step of its
scenario never passes (NEVER).

An item whose step has come but which is excluded for a reason that lasts is reported once,
then waits for the reason's end (`paused_until`): a promise's date plus the grace period, a
hold's end date, NEVER for what lasts until a person or an event ends it (a dispute, a payment
plan, a hold without end, an automatic payer, a customer handed over to collection). Whatever
ends such a reason earlier makes the item's date unknown again (relance.dunning.state).
Reasons that depend on the account's balance (under the step's minimum, credit balance) or on
the day (an instalment reminded today) don't wait: the item is planned again the next day.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

from relance.core.dunning import (
    Customer,
    Exclusion,
    Hold,
    Item,
    Policy,
    Promise,
    Reason,
    Scenario,
    Sent,
    last_steps,
    scenario_id_of,
)

# What the database keeps as an item's next step date (relance.ledger Invoice.dunning_next_on)
# when it must be worked out again (a new item, a changed scenario...): the smallest date, so
# that the item is read by the next run; and when the item has had every step of its scenario.
UNKNOWN = date(1, 1, 1)
NEVER = date(9999, 12, 31)


def next_due_on(scenario: Scenario, level: int, due_on: date, last_on: date | None) -> date:
    """The first day a step of `scenario` may be due for an item at `level` (module doc)."""
    return _next_on(_smallest_above(scenario, level), due_on, last_on)


Smallest = tuple[int, int] | None  # (offset, gap) of the steps above a level; None: no step
SILENT: Smallest = (1, 0)  # a silent scenario reports an item from the day after its due date


def _smallest_above(scenario: Scenario, level: int) -> Smallest:
    if scenario.is_silent:
        return SILENT
    above = [step for step in scenario.steps if step.level > level]
    if not above:
        return None
    return min(step.offset_days for step in above), min(step.min_gap_days for step in above)


def _next_on(smallest: Smallest, due_on: date, last_on: date | None) -> date:
    if smallest is None:
        return NEVER
    offset, gap = smallest
    on = due_on + timedelta(days=offset)
    if last_on is not None and smallest is not SILENT:
        on = max(on, last_on + timedelta(days=gap))
    return on


def next_dates(
    items: Iterable[Item],
    customers: Iterable[Customer],
    scenarios: Iterable[Scenario],
    sent: Iterable[Sent],
    policy: Policy,
) -> dict[int, date]:
    """`next_due_on` of each item, from what it already received (`sent`, today's moves
    included) and the scenario it follows. Credit notes never have a step: NEVER."""
    by_customer = {customer.id: customer for customer in customers}
    by_id = {scenario.id: scenario for scenario in scenarios}
    reached = last_steps(sent)
    smallest: dict[tuple[int, int], Smallest] = {}  # per scenario and level, worked out once
    found = {}
    for item in items:
        if item.is_credit:
            found[item.id] = NEVER
            continue
        scenario_id = scenario_id_of(item, by_customer[item.customer_id], policy)
        level, last_on = reached.get(item.id, (0, None))
        key = (scenario_id, level)
        if key not in smallest:
            smallest[key] = _smallest_above(by_id[scenario_id], level)
        found[item.id] = _next_on(smallest[key], item.due_on, last_on)
    return found


# Reasons lasting until a person or an event ends them, which makes the date unknown again.
UNTIL_ENDED = frozenset({Reason.DISPUTED, Reason.PAYMENT_PLAN, Reason.AUTOMATIC_PAYER,
                         Reason.HANDED_OVER})  # fmt: skip
DAY = timedelta(days=1)


def paused_until(
    excluded: Iterable[Exclusion],
    items: Iterable[Item],
    holds: Iterable[Hold],
    promises: Iterable[Promise],
    policy: Policy,
) -> dict[int, date]:
    """The first day each item excluded for a lasting reason may be planned again (module
    doc). An exclusion of a whole account (handed over, customer on hold) pauses every item of
    the account. Example, grace 3 days: an item under a promise for 2026-03-10 waits until
    2026-03-14; under a hold to 2026-03-31, until 2026-04-01; disputed, NEVER."""
    holds_of: dict[int, list[Hold]] = {}
    for hold in holds:
        holds_of.setdefault(hold.customer_id, []).append(hold)
    promises_of: dict[int, list[Promise]] = {}
    for promise in promises:
        promises_of.setdefault(promise.customer_id, []).append(promise)
    grace = timedelta(days=policy.promise_grace_days)
    accounts: dict[tuple[int, str], list[int]] = {}
    for item in items:
        if not item.is_credit:
            accounts.setdefault((item.customer_id, item.currency), []).append(item.id)
    found: dict[int, date] = {}
    for exclusion in excluded:
        until = _reason_end(exclusion, holds_of, promises_of, grace)
        if until is None:
            continue
        ids: list[int]
        if exclusion.item_id is None:
            ids = accounts.get((exclusion.customer_id, exclusion.currency), [])
        else:
            ids = [exclusion.item_id]
        for pk in ids:
            found[pk] = max(found.get(pk, until), until)
    return found


def _reason_end(
    exclusion: Exclusion,
    holds_of: dict[int, list[Hold]],
    promises_of: dict[int, list[Promise]],
    grace: timedelta,
) -> date | None:
    """The first day the exclusion's reason may no longer hold; None: planned again tomorrow."""
    if exclusion.reason in UNTIL_ENDED:
        return NEVER
    if exclusion.reason is Reason.ON_HOLD:
        return _hold_end(holds_of.get(exclusion.customer_id, ()), exclusion.item_id)
    if exclusion.reason is Reason.PROMISED and exclusion.item_id is not None:
        promises = promises_of.get(exclusion.customer_id, ())
        return max(
            (promise.promised_on + grace + DAY for promise in promises
             if not promise.item_ids or exclusion.item_id in promise.item_ids),
            default=None,
        )  # fmt: skip
    return None


def _hold_end(holds: Iterable[Hold], item_id: int | None) -> date | None:
    """The day after the latest of the customer's holds that exclude the item (or the whole
    customer, item_id None); NEVER when one of them has no end."""
    mine = [hold for hold in holds if hold.item_id == item_id]
    if not mine:
        return None
    ends = [hold.until for hold in mine if hold.until is not None]
    if len(ends) < len(mine):
        return NEVER
    return max(ends) + DAY
