"""Which open items may have a step due today: a cheap test the database can run on every
open item, so that the daily run plans only the customers it concerns.

The test is a superset of the planner's (relance.core.dunning): every item the planner would
move, or exclude for a reason other than the minimum gap, passes it; items that fail it would
get nothing from the planner today. For an item of scenario S that reached level L:

    due_on <= latest_due_on(S, L)   and   (never reminded or last_on <= latest_last_on(S, L))

with latest_due_on = today - the smallest offset among the steps above L (a step's date is
due_on + offset, moved *later* to a business day, never earlier), and latest_last_on = today -
the smallest minimum gap among those steps. Example: steps at -7, +5 and +15 days, gaps 0, 3
and 7; an item at level 1 (had the courteous reminder) is a candidate on 2026-03-10 when it
fell due by 2026-03-05 (10 - 5) and got its last step by 2026-03-07 (10 - 3).

Silent scenarios (automatic payers) never remind, but their overdue items are reported as
excluded, so they pass as soon as they are overdue.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from relance.core.dunning import Scenario

# What the database keeps as an item's next step date (relance.ledger Invoice.dunning_next_on)
# when it must be worked out again (a new item, a changed scenario...): the smallest date, so
# that the item is read by the next run; and when the item has had every step of its scenario.
UNKNOWN = date(1, 1, 1)
NEVER = date(9999, 12, 31)


@dataclass(frozen=True)
class Threshold:
    """For items of `scenario_id` at `level`: the latest due date and latest last-step date
    (None: no condition) that can make a step due today."""

    scenario_id: int
    level: int
    latest_due_on: date
    latest_last_on: date | None


def thresholds(scenarios: Iterable[Scenario], today: date) -> list[Threshold]:
    """One threshold per scenario and level an item may have reached (levels count across
    scenarios, so every level up to the highest of any scenario)."""
    scenarios = list(scenarios)
    top = max((step.level for s in scenarios for step in s.steps), default=0)
    found = []
    for scenario in scenarios:
        for level in range(top + 1):
            threshold = _threshold(scenario, level, today)
            if threshold is not None:
                found.append(threshold)
    return found


def _threshold(scenario: Scenario, level: int, today: date) -> Threshold | None:
    if scenario.is_silent:
        return Threshold(scenario.id, level, today - timedelta(days=1), None)
    above = [step for step in scenario.steps if step.level > level]
    if not above:
        return None  # the item had every step of its scenario
    offset = min(step.offset_days for step in above)
    gap = min(step.min_gap_days for step in above)
    return Threshold(
        scenario.id, level, today - timedelta(days=offset), today - timedelta(days=gap)
    )


def may_be_due(due_on: date, level: int, last_on: date | None, threshold: Threshold | None) -> bool:
    """The test itself, as the database runs it (kept here to be tested against the planner)."""
    if threshold is None or due_on > threshold.latest_due_on:
        return False
    latest = threshold.latest_last_on
    return last_on is None or latest is None or last_on <= latest
