"""The candidate test the database runs before planning (relance.core.dunning_due) never
drops a customer the planner would remind or report: planning only the customers it keeps
gives the same reminders and the same exclusions."""

import random
from datetime import date, timedelta
from decimal import Decimal

import pytest

from relance.core.dunning import Hold, Promise, Sent
from relance.core.dunning_due import Threshold, may_be_due, thresholds
from relance.core.records import PayerProfile

from .test_dunning import DEFAULTS, POLICY, SCENARIOS, customer, item, run

TODAY = date(2026, 3, 10)
GOOD = DEFAULTS[PayerProfile.GOOD]


def test_a_threshold_takes_the_smallest_offset_and_gap_above_the_level():
    found = {(t.scenario_id, t.level): t for t in thresholds(SCENARIOS, TODAY)}
    good_steps = GOOD.steps
    first = found[(GOOD.id, 0)]
    assert first.latest_due_on == TODAY - timedelta(days=min(s.offset_days for s in good_steps))
    top = max(step.level for step in good_steps)
    assert (GOOD.id, top) not in found  # every step had: never a candidate again


def test_silent_scenarios_pass_once_overdue():
    silent = DEFAULTS[PayerProfile.AUTOMATIC]
    threshold = {(t.scenario_id, t.level): t for t in thresholds(SCENARIOS, TODAY)}[(silent.id, 0)]
    assert may_be_due(TODAY - timedelta(days=1), 0, None, threshold)
    assert not may_be_due(TODAY, 0, None, threshold)


@pytest.mark.parametrize(
    ("due_on", "level", "last_on", "expected"),
    [
        (date(2026, 3, 5), 1, date(2026, 3, 7), True),
        (date(2026, 3, 6), 1, None, False),  # due too late for any step above 1
        (date(2026, 3, 5), 1, date(2026, 3, 8), False),  # last step too recent for any gap
        (date(2026, 3, 5), 3, None, False),  # no step above 3
    ],
)
def test_the_worked_example_of_the_module(due_on, level, last_on, expected):
    threshold = Threshold(1, 1, date(2026, 3, 5), date(2026, 3, 7))
    assert may_be_due(due_on, level, last_on, threshold if level == 1 else None) is expected


@pytest.mark.parametrize("seed", range(20))
def test_planning_only_the_candidates_changes_nothing(seed):
    rng = random.Random(seed)
    profiles = [p.value for p in PayerProfile]
    customers = [customer(c, rng.choice(profiles), is_consumer=rng.random() < 0.2)
                 for c in range(1, 151)]  # fmt: skip
    items, sent = [], []
    for n in range(1, 301):
        owner = rng.choice(customers)
        due = TODAY + timedelta(days=rng.randint(-90, 40))
        flags = {"is_credit": rng.random() < 0.05, "is_disputed": rng.random() < 0.05}
        items.append(item(n, owner.id, due, str(rng.randint(5, 5000)), **flags))
        for level in range(1, rng.randint(0, 7) + 1):
            sent.append(Sent(n, 0, level, TODAY - timedelta(days=rng.randint(0, 20))))
    holds = [Hold(rng.choice(customers).id, None, TODAY + timedelta(days=3))]
    promises = [Promise(rng.choice(customers).id, frozenset(), TODAY + timedelta(days=1),
                        Decimal("10"))]  # fmt: skip
    inputs = dict(sent=sent, holds=holds, promises=promises)
    full = run(items, TODAY.isoformat(), customers, **inputs)

    kept = candidates(items, customers, sent)
    partial = run([i for i in items if i.customer_id in kept], TODAY.isoformat(),
                  customers, **inputs)  # fmt: skip
    assert len(kept) < len(customers) and full.reminders  # the test filters, the plan reminds
    assert partial.reminders == full.reminders
    assert partial.excluded == full.excluded


def candidates(items, customers, sent):
    """What the database query does, in Python: customers with an item passing the test."""
    by_key = {(t.scenario_id, t.level): t for t in thresholds(SCENARIOS, TODAY)}
    last = {}
    for row in sent:
        level, on = last.get(row.item_id, (0, None))
        last[row.item_id] = (max(level, row.level), max(on or row.sent_on, row.sent_on))
    profiles = {c.id: c for c in customers}
    kept = set()
    for i in items:
        if i.is_credit:
            continue
        owner = profiles[i.customer_id]
        scenario = (i.scenario_id or owner.scenario_id
                    or POLICY.profile_scenarios.get(owner.payer_profile)
                    or POLICY.default_scenario_id)  # fmt: skip
        level, on = last.get(i.id, (0, None))
        if may_be_due(i.due_on, level, on, by_key.get((scenario, level))):
            kept.add(i.customer_id)
    return kept
