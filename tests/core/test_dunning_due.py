"""The next step date the database keeps per item (relance.core.dunning_due) never
drops a customer the planner would remind or report: planning only the customers it keeps
gives the same reminders and the same exclusions."""

import random
from datetime import date, timedelta
from decimal import Decimal

import pytest

from relance.core.dunning import Channel, Exclusion, Hold, Promise, Reason, Scenario, Sent, Step
from relance.core.dunning_due import NEVER, next_dates, next_due_on, paused_until
from relance.core.records import PayerProfile

from .test_dunning import DEFAULTS, POLICY, SCENARIOS, customer, item, run

TODAY = date(2026, 3, 10)
GOOD = DEFAULTS[PayerProfile.GOOD]


def steps_at(offsets, gaps):
    return Scenario(9, "s", tuple(
        Step(level, f"step {level}", offset, gap, Channel.EMAIL, Decimal(0), False, False)
        for level, (offset, gap) in enumerate(zip(offsets, gaps, strict=True), start=1)
    ))  # fmt: skip


EXAMPLE = steps_at((-7, 5, 15), (0, 3, 7))


@pytest.mark.parametrize(
    ("level", "due_on", "last_on", "expected"),
    [
        (1, date(2026, 3, 5), date(2026, 3, 7), date(2026, 3, 10)),  # the module's example
        (1, date(2026, 3, 5), date(2026, 3, 1), date(2026, 3, 10)),  # the offset decides
        (1, date(2026, 3, 5), date(2026, 3, 9), date(2026, 3, 12)),  # the gap decides
        (0, date(2026, 3, 5), None, date(2026, 2, 26)),  # the courteous reminder, 7 days before
        (3, date(2026, 3, 5), date(2026, 3, 9), NEVER),  # every step had
    ],
)
def test_the_next_date_takes_the_smallest_offset_and_gap_above_the_level(
    level, due_on, last_on, expected
):
    assert next_due_on(EXAMPLE, level, due_on, last_on) == expected


def test_silent_scenarios_pass_the_day_after_the_due_date():
    silent = DEFAULTS[PayerProfile.AUTOMATIC]
    assert next_due_on(silent, 0, TODAY, None) == TODAY + timedelta(days=1)


def test_credit_notes_never_pass_and_levels_come_from_what_was_sent():
    owner = customer(1, PayerProfile.GOOD.value)
    items = [item(1, 1, TODAY, "100"), item(2, 1, TODAY, "100", is_credit=True)]
    sent = [Sent(1, 0, 1, TODAY - timedelta(days=9)), Sent(1, 0, 2, TODAY - timedelta(days=2))]
    found = next_dates(items, [owner], SCENARIOS, sent, POLICY)
    assert found[2] == NEVER
    assert found[1] == next_due_on(GOOD, 2, TODAY, TODAY - timedelta(days=2))


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
    """What the database query does: customers with an item whose next date has come."""
    dates = next_dates(items, customers, SCENARIOS, sent, POLICY)
    return {i.customer_id for i in items if dates[i.id] <= TODAY}


D = timedelta(days=1)
PROMISED_ON = TODAY + timedelta(days=5)


@pytest.mark.parametrize(
    ("exclusion", "holds", "promises", "expected"),
    [
        # A promise: its date plus the grace period (3 days), then the day after.
        (Exclusion(1, "EUR", 1, Reason.PROMISED), [],
         [Promise(1, frozenset({1}), PROMISED_ON, Decimal(50))], {1: PROMISED_ON + 4 * D}),
        # Two promises cover the item: the later one.
        (Exclusion(1, "EUR", 1, Reason.PROMISED), [],
         [Promise(1, frozenset(), PROMISED_ON, Decimal(50)),
          Promise(1, frozenset({1}), PROMISED_ON + 9 * D, Decimal(50))],
         {1: PROMISED_ON + 13 * D}),
        # A hold on the item: the day after its end; without an end, never.
        (Exclusion(1, "EUR", 1, Reason.ON_HOLD), [Hold(1, 1, TODAY + 7 * D)], [],
         {1: TODAY + 8 * D}),
        (Exclusion(1, "EUR", 1, Reason.ON_HOLD), [Hold(1, 1, None)], [], {1: NEVER}),
        # A hold on the customer pauses every debit item of the account (not the credit note).
        (Exclusion(1, "EUR", None, Reason.ON_HOLD), [Hold(1, None, TODAY + 7 * D)], [],
         {1: TODAY + 8 * D, 2: TODAY + 8 * D}),
        # Until a person or an event ends them.
        (Exclusion(1, "EUR", 1, Reason.DISPUTED), [], [], {1: NEVER}),
        (Exclusion(1, "EUR", 1, Reason.PAYMENT_PLAN), [], [], {1: NEVER}),
        (Exclusion(1, "EUR", 1, Reason.AUTOMATIC_PAYER), [], [], {1: NEVER}),
        (Exclusion(1, "EUR", None, Reason.HANDED_OVER), [], [], {1: NEVER, 2: NEVER}),
        # The balance and the day decide these: planned again tomorrow.
        (Exclusion(1, "EUR", 1, Reason.UNDER_MINIMUM), [], [], {}),
        (Exclusion(1, "EUR", None, Reason.CREDIT_BALANCE), [], [], {}),
        (Exclusion(1, "EUR", 1, Reason.INSTALMENT_TODAY), [], [], {}),
    ],
)  # fmt: skip
def test_an_excluded_item_waits_for_the_end_of_its_reason(exclusion, holds, promises, expected):
    items = [item(1, 1, TODAY, "100"), item(2, 1, TODAY, "80"),
             item(3, 1, TODAY, "30", is_credit=True), item(4, 1, TODAY, "70", currency="USD"),
             item(5, 2, TODAY, "90")]  # fmt: skip
    assert paused_until([exclusion], items, holds, promises, POLICY) == expected
