import random
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

import pytest

from relance.core.calendar import BusinessCalendar
from relance.core.dunning import (
    Channel,
    Credit,
    Customer,
    Escalation,
    Exclusion,
    Hold,
    Item,
    Move,
    Plan,
    Policy,
    Promise,
    Reason,
    Scenario,
    Sent,
    default_scenarios,
    plan,
)
from relance.core.records import PayerProfile

CALENDAR = BusinessCalendar()
DEFAULTS = default_scenarios()
SCENARIOS = tuple(DEFAULTS.values())
# The good payer's scenario is the company default; the other profiles have their own.
POLICY = Policy(
    default_scenario_id=DEFAULTS[PayerProfile.GOOD].id,
    profile_scenarios={p.value: s.id for p, s in DEFAULTS.items() if p != PayerProfile.GOOD},
)
# Good payer, due Monday 2 March 2026: L1 (J-5) 25 Feb, L2 (J+3) 5 Mar, L3 (J+15) 17 Mar,
# L4 call (J+30) 1 Apr, L5 registered (J+45) 16 Apr, L6 formal notice (J+60) 1 May -> 4 May.
DUE = date(2026, 3, 2)
ON = date.fromisoformat


def item(id=1, customer=1, due=DUE, amount="100", currency="EUR", **fields):
    return Item(
        id=id,
        customer_id=customer,
        number=f"F{id:05d}",
        currency=currency,
        issued_on=due - timedelta(days=30),
        due_on=due,
        open_amount=Decimal(amount),
        is_credit=fields.pop("is_credit", False),
        **fields,
    )


def customer(id=1, profile="good", **fields):
    consumer = fields.pop("is_consumer", False)
    return Customer(id, f"C{id}", is_consumer=consumer, payer_profile=profile, **fields)


def history(item_id, *levels_on, scenario_id=1):
    return [Sent(item_id, scenario_id, level, ON(on)) for level, on in levels_on]


def run(items, today, customers=None, **inputs):
    return plan(
        items=items,
        credits=inputs.get("credits", ()),
        customers=customers or [customer()],
        scenarios=inputs.get("scenarios", SCENARIOS),
        sent=inputs.get("sent", ()),
        holds=inputs.get("holds", ()),
        promises=inputs.get("promises", ()),
        calendar=CALENDAR,
        policy=inputs.get("policy", POLICY),
        today=ON(today),
    )


def summary(result: Plan):
    """(customer, channel, level, moved item ids) for each reminder."""
    return [(r.customer_id, r.channel, r.level, r.item_ids) for r in result.reminders]


@pytest.mark.parametrize(
    ("item_scenario", "customer_scenario", "profile", "default", "expected"),
    [
        (3, 2, "bad", 1, 3),  # the invoice's own scenario first
        (None, 2, "bad", 1, 2),  # then the customer's
        (None, None, "bad", 1, 3),  # then the payer profile's
        (None, None, "good", 6, 6),  # then the company default
        (None, None, "", 1, 1),
    ],
)
def test_chooses_invoice_then_customer_then_profile_then_default_scenario(
    item_scenario, customer_scenario, profile, default, expected
):
    policy = replace(POLICY, default_scenario_id=default)
    result = run(
        [item(scenario_id=item_scenario)],
        "2026-03-05",
        customers=[customer(profile=profile, scenario_id=customer_scenario)],
        policy=policy,
    )
    assert [r.scenario_id for r in result.reminders] == [expected]


@pytest.mark.parametrize(
    ("sent", "today", "expected_level"),
    [
        ((), "2026-02-24", None),
        ((), "2026-02-25", 1),  # courteous reminder five days before the due date
        ((), "2026-03-02", 1),  # still courteous on the due date itself
        ((), "2026-03-04", None),  # the pre-due step lapses once the due date has passed
        ((), "2026-03-05", 2),
        ((), "2026-06-30", 2),  # an item seen late starts at the first overdue step
        (((1, "2026-02-25"),), "2026-03-05", 2),
        (((1, "2026-02-25"), (2, "2026-03-05")), "2026-03-16", None),
        (((1, "2026-02-25"), (2, "2026-03-05")), "2026-03-17", 3),
        (((2, "2026-03-05"),), "2026-05-29", 3),  # after weeks without a run: one step only
        (((2, "2026-03-05"),), "2026-05-30", None),  # a Saturday: nothing moves
        (((2, "2026-03-05"),), "2026-06-01", 3),  # Monday (Whit Monday is 25 May in 2026)
        (((3, "2026-03-17"),), "2026-04-01", 4),
        (((5, "2026-04-16"),), "2026-05-01", None),  # 1 May: J+60 moves to Monday 4 May
        (((5, "2026-04-16"),), "2026-05-04", 6),
        (((7, "2026-05-18"),), "2026-12-31", None),  # the scenario is over
    ],
)
def test_gives_the_lowest_step_not_had_whose_date_has_come(sent, today, expected_level):
    result = run([item(amount="500")], today, sent=history(1, *sent))
    assert [r.level for r in result.reminders] == ([expected_level] if expected_level else [])
    assert result.excluded == ()


@pytest.mark.parametrize(
    ("due", "today", "expected_level"),
    [
        ("2026-07-11", "2026-07-14", None),  # J+3 is 14 July
        ("2026-07-11", "2026-07-15", 2),
        ("2026-03-04", "2026-03-07", None),  # J+3 is a Saturday
        ("2026-03-04", "2026-03-08", None),
        ("2026-03-04", "2026-03-09", 2),
    ],
)
def test_a_step_on_a_weekend_or_public_holiday_moves_to_the_next_business_day(
    due, today, expected_level
):
    result = run([item(due=ON(due))], today)
    assert [r.level for r in result.reminders] == ([expected_level] if expected_level else [])


def test_no_burst_after_thirty_days_without_a_run():
    items = [item(id=n, due=ON("2026-01-05")) for n in (1, 2, 3)]
    sent = [row for n in (1, 2, 3) for row in history(n, (1, "2025-12-31"), (2, "2026-01-08"))]
    result = run(items, "2026-03-30", sent=sent)  # steps 3, 4 and 5 have all come
    assert summary(result) == [(1, Channel.EMAIL, 3, (1, 2, 3))]
    assert result.reminders[0].moves == (Move(1, 1, 3), Move(2, 1, 3), Move(3, 1, 3))


def test_the_minimum_gap_since_the_previous_step_holds():
    sent = history(1, (2, "2026-03-16"))  # J+3 went out late; J+15 needs 7 days after it
    held_back = run([item()], "2026-03-20", sent=sent)
    assert held_back.reminders == ()
    assert held_back.excluded == ()  # not due yet: nothing to report
    assert [r.level for r in run([item()], "2026-03-23", sent=sent).reminders] == [3]


@pytest.mark.parametrize(
    ("today", "expected_level"),
    [
        ("2026-03-20", None),  # the gap of 7 days after Saturday 14 (J+3 sent late) holds
        ("2026-03-21", None),  # Saturday: the gap has ended, J+15 has long come; no step on it
        ("2026-03-22", None),  # Sunday
        ("2026-03-23", 3),  # Monday
    ],
)
def test_a_step_whose_gap_ends_on_a_weekend_moves_to_the_next_business_day(today, expected_level):
    result = run([item()], today, sent=history(1, (2, "2026-03-14")))
    assert [r.level for r in result.reminders] == ([expected_level] if expected_level else [])


def test_a_run_on_a_public_holiday_moves_nothing_and_the_next_business_day_catches_up():
    items = [item(id=1), item(id=2, is_disputed=True)]
    assert run(items, "2026-07-14") == Plan((), ())  # nothing is due on 14 July
    next_day = run(items, "2026-07-15")
    assert [r.level for r in next_day.reminders] == [2]
    assert [(e.item_id, e.reason) for e in next_day.excluded] == [(2, Reason.DISPUTED)]


def test_running_the_same_date_twice_creates_nothing_new():
    items = [item(id=1), item(id=2, due=ON("2026-02-02"))]
    first = run(items, "2026-03-05")
    sent = [
        Sent(m.item_id, m.scenario_id, m.level, ON("2026-03-05"))
        for r in first.reminders
        for m in r.moves
    ]
    assert summary(first) == [(1, Channel.EMAIL, 2, (2, 1))]
    assert run(items, "2026-03-05", sent=sent) == Plan((), ())


def test_courteous_reminder_before_the_due_date():
    (reminder,) = run([item(amount="250")], "2026-02-25").reminders
    assert (reminder.level, reminder.step_name) == (1, "Rappel courtois avant échéance")
    assert (reminder.amount, reminder.overdue_amount) == (Decimal(250), Decimal(0))
    assert not reminder.mentions_penalties


def test_one_message_per_customer_and_currency_lists_and_nets_every_open_item():
    items = [
        item(id=3, due=ON("2026-04-15"), amount="200"),  # not yet due
        item(id=4, due=ON("2026-02-10"), amount="100", is_credit=True),  # credit note
        item(id=2, due=ON("2026-02-20"), amount="300"),
        item(id=1, due=ON("2026-02-01"), amount="500"),
        item(id=5, due=ON("2026-02-01"), amount="1000", currency="USD"),
    ]
    credits = [Credit(1, "EUR", Decimal("50")), Credit(1, "USD", Decimal("0"))]
    eur, usd = run(items, "2026-03-05", credits=credits).reminders
    assert (eur.currency, eur.item_ids, eur.listed_item_ids) == ("EUR", (1, 2), (1, 2, 3, 4))
    assert (eur.amount, eur.overdue_amount) == (Decimal(850), Decimal(650))
    assert (usd.currency, usd.item_ids, usd.amount) == ("USD", (5,), Decimal(1000))


def test_takes_the_highest_step_and_sends_one_message_per_channel():
    items = [item(id=1), item(id=2), item(id=3)]
    sent = history(1, (3, "2026-03-17")) + history(2, (2, "2026-03-05"))
    sent += history(3, (1, "2026-02-25"))
    call, email = run(items, "2026-04-02", sent=sent).reminders
    assert (call.channel, call.level, call.item_ids) == (Channel.CALL, 4, (1,))
    assert (email.channel, email.level, email.step_name) == (Channel.EMAIL, 3, "Relance ferme")
    assert email.moves == (Move(2, 1, 3), Move(3, 1, 2))  # each item keeps its own step
    assert call.listed_item_ids == email.listed_item_ids == (1, 2, 3)


X, Y = 1, 2
HELD_X = [Hold(1, X, ON("2026-03-10"))]


@pytest.mark.parametrize(
    ("change", "inputs", "reminded", "excluded"),
    [
        ({X: {"is_disputed": True}}, {}, (Y,), [(X, Reason.DISPUTED)]),
        ({X: {"in_payment_plan": True}}, {}, (Y,), [(X, Reason.PAYMENT_PLAN)]),
        ({X: {"amount": "0"}}, {}, (Y,), [(X, Reason.PAID)]),
        ({}, {"holds": HELD_X}, (Y,), [(X, Reason.ON_HOLD)]),
        ({}, {"holds": [Hold(1, X, ON("2026-03-04"))]}, (X, Y), []),  # hold has ended
        ({}, {"holds": [Hold(1, None, None)]}, (), [(None, Reason.ON_HOLD)]),
        ({}, {"holds": [Hold(1, None, ON("2026-03-05"))]}, (), [(None, Reason.ON_HOLD)]),
        ({}, {"holds": [Hold(2, None, None)]}, (X, Y), []),  # another customer's hold
        (
            {},
            {"promises": [Promise(1, frozenset({X}), ON("2026-03-02"), Decimal(100))]},
            (Y,),
            [(X, Reason.PROMISED)],  # paused until 2 March + 3 days of grace
        ),
        (
            {},
            {"promises": [Promise(1, frozenset(), ON("2026-03-01"), Decimal(100))]},
            (X, Y),
            [],  # broken promise: reminders resume
        ),
        (
            {},
            {"promises": [Promise(1, frozenset(), ON("2026-03-10"), Decimal(200))]},
            (),
            [(X, Reason.PROMISED), (Y, Reason.PROMISED)],  # a promise for the whole account
        ),
        ({}, {"customers": [customer(is_handed_over=True)]}, (), [(None, Reason.HANDED_OVER)]),
        (
            {},
            {"customers": [customer(profile="automatic")]},
            (),
            [(X, Reason.AUTOMATIC_PAYER), (Y, Reason.AUTOMATIC_PAYER)],
        ),
        (
            {},
            {"credits": [Credit(1, "EUR", Decimal(200))]},
            (),
            [(None, Reason.CREDIT_BALANCE)],  # a paid customer gets nothing
        ),
    ],
)
def test_excluded_items_and_customers_are_recorded_with_their_reason(
    change, inputs, reminded, excluded
):
    items = [item(id=n, **change.get(n, {})) for n in (X, Y)]
    result = run(items, "2026-03-05", **inputs)
    assert [r.item_ids for r in result.reminders] == ([reminded] if reminded else [])
    assert [(e.item_id, e.reason) for e in result.excluded] == excluded


def test_disputed_items_are_left_out_of_the_list_and_the_amount():
    items = [item(id=X, amount="400", is_disputed=True), item(id=Y, amount="150")]
    (reminder,) = run(items, "2026-03-05").reminders
    assert (reminder.listed_item_ids, reminder.amount) == ((Y,), Decimal(150))


def test_a_broken_promise_resumes_at_the_next_step_only():
    sent = history(1, (2, "2026-03-05"))
    promise = [Promise(1, frozenset({1}), ON("2026-03-15"), Decimal(100))]
    paused = run([item()], "2026-03-18", sent=sent, promises=promise)
    assert paused.excluded == (Exclusion(1, "EUR", 1, Reason.PROMISED),)
    resumed = run([item()], "2026-04-20", sent=sent, promises=promise)
    assert [r.level for r in resumed.reminders] == [3]


@pytest.mark.parametrize(
    ("amounts", "reminded"),
    [(("30",), False), (("30", "30"), True)],  # the registered letter needs 50 EUR owed
)
def test_the_step_minimum_applies_to_what_the_customer_owes(amounts, reminded):
    items = [item(id=n, amount=a) for n, a in enumerate(amounts, 1)]
    sent = [row for n in range(1, len(amounts) + 1) for row in history(n, (4, "2026-04-01"))]
    result = run(items, "2026-04-16", sent=sent)
    assert bool(result.reminders) is reminded
    assert bool(result.excluded) is not reminded
    assert all(e.reason == Reason.UNDER_MINIMUM for e in result.excluded)


def test_partial_payment_lowers_the_amount_asked():
    (reminder,) = run([item(amount="400.50")], "2026-03-05").reminders
    assert reminder.amount == reminder.overdue_amount == Decimal("400.50")


def test_formal_notice_waits_for_approval_and_escalates():
    sent = history(1, (5, "2026-04-16"))
    (reminder,) = run([item(amount="500")], "2026-05-04", sent=sent).reminders
    assert (reminder.step_name, reminder.channel) == ("Mise en demeure", Channel.REGISTERED_LETTER)
    assert reminder.needs_approval
    assert reminder.escalation == Escalation.FORMAL_NOTICE
    assert reminder.mentions_penalties


def test_consumers_are_never_told_of_trade_penalties():
    sent = history(1, (2, "2026-03-05"))
    consumer = [customer(is_consumer=True)]
    (reminder,) = run([item()], "2026-03-17", sent=sent, customers=consumer).reminders
    assert reminder.level == 3 and not reminder.mentions_penalties


def test_output_is_sorted_and_does_not_depend_on_input_order():
    customers = [customer(id=n) for n in range(1, 21)]
    currencies = ("EUR", "EUR", "USD")
    items = [
        item(id=n, customer=1 + n % 20, due=DUE - timedelta(days=n), currency=currencies[n % 3])
        for n in range(1, 200)
    ]
    sent = [row for n in range(1, 200, 4) for row in history(n, (2, "2026-02-01"))]
    expected = run(items, "2026-03-20", customers=customers, sent=sent)
    random.Random(7).shuffle(items)
    shuffled = run(items, "2026-03-20", customers=customers[::-1], sent=sent[::-1])
    assert shuffled == expected
    keys = [(r.customer_id, r.currency, r.channel) for r in expected.reminders]
    assert keys == sorted(keys) and len(set(keys)) == len(keys)


def test_items_of_an_unknown_customer_or_scenario_are_an_error():
    with pytest.raises(ValueError, match="unknown customer 9"):
        run([item(customer=9)], "2026-03-05")
    with pytest.raises(ValueError, match="unknown scenario 99"):
        run([item(scenario_id=99)], "2026-03-05")
    with pytest.raises(ValueError, match="strictly increasing"):
        Scenario(1, "x", DEFAULTS[PayerProfile.GOOD].steps[::-1])


def test_default_scenarios_cover_the_seven_payer_profiles():
    assert set(DEFAULTS) == set(PayerProfile)
    offsets = {p: [s.offset_days for s in DEFAULTS[p].steps] for p in PayerProfile}
    assert offsets[PayerProfile.GOOD][:6] == [-5, 3, 15, 30, 45, 60]
    assert offsets[PayerProfile.BAD][:6] == [-7, 1, 8, 15, 25, 35]
    assert DEFAULTS[PayerProfile.AUTOMATIC].is_silent
    assert not DEFAULTS[PayerProfile.AUTOMATIC].steps
    for profile, scenario in DEFAULTS.items():
        assert offsets[profile] == sorted(offsets[profile])
        assert [s.level for s in scenario.steps] == list(range(1, len(scenario.steps) + 1))
        for step in scenario.steps:
            assert step.needs_approval is (step.escalation in {"formal_notice", "collection"})
    channels = {p: {s.channel for s in DEFAULTS[p].steps} for p in PayerProfile}
    assert Channel.SMS in channels[PayerProfile.NEGLIGENT]
    assert Channel.TASK in channels[PayerProfile.ADMINISTRATIVE]


def test_plans_a_hundred_thousand_items():
    customers = [customer(id=n, profile=("good", "bad", "negligent")[n % 3]) for n in range(10_000)]
    items = [
        item(id=n, customer=n % 10_000, due=DUE - timedelta(days=n % 90), amount="120")
        for n in range(100_000)
    ]
    sent = [Sent(n, 1, 2, DUE) for n in range(0, 100_000, 3)]
    result = run(items, "2026-03-20", customers=customers, sent=sent)
    assert len(result.reminders) >= 10_000
