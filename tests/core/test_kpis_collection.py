"""Unpaid rate, amounts recovered after each step and cost of collection, by hand."""

from datetime import date
from decimal import Decimal

import pytest

from relance.core.kpis import (
    Collected,
    CollectionActivity,
    StepSent,
    UnitCosts,
    UnpaidCohort,
    collection_cost,
    cost_per_invoice,
    recovered_by_step,
    unpaid_cohort,
    unpaid_rate,
)

D = Decimal
COSTS = UnitCosts(
    email=D("0.01"),
    sms=D("0.05"),
    letter=D("1.50"),
    registered_letter=D("7.00"),
    phone_minute=D("0.50"),
    minutes_per_call=D("5"),
)


@pytest.mark.parametrize(
    ("as_of", "first", "last"),
    [
        (date(2026, 3, 31), date(2024, 12, 31), date(2025, 12, 30)),
        # 91 days before 1 March 2026 is 30 November 2025; a year of due dates up to it.
        (date(2026, 3, 1), date(2024, 12, 1), date(2025, 11, 30)),
        # Leap year: 365 due dates from 2 March 2023 to 29 February 2024 inclusive.
        (date(2024, 5, 30), date(2023, 3, 2), date(2024, 2, 29)),
    ],
)
def test_the_cohort_is_a_year_of_due_dates_more_than_90_days_ago(as_of, first, last):
    assert unpaid_cohort(as_of) == (first, last)
    assert (last - first).days == 364 and (as_of - last).days == 91


@pytest.mark.parametrize(
    ("invoiced", "open_", "written_off", "rate"),
    [
        ("100000", "3000", "1000", D(4)),
        ("8000", "0", "0", D(0)),
        ("8000", "2000", "0", D(25)),
        ("8000", "0", "8000", D(100)),
        ("0", "0", "0", None),  # nothing due then: undefined, not zero
    ],
)
def test_unpaid_rate(invoiced, open_, written_off, rate):
    assert unpaid_rate(UnpaidCohort(D(invoiced), D(open_), D(written_off))) == rate


def test_each_payment_goes_to_the_last_step_sent_strictly_before_it():
    sent = [
        StepSent(1, date(2026, 3, 10), "B"),
        StepSent(1, date(2026, 3, 1), "A"),
        StepSent(2, date(2026, 3, 5), "A"),
        StepSent(2, date(2026, 3, 5), "B", order=2),  # same day: the later one wins
    ]
    collected = [
        Collected(1, date(2026, 3, 1), D("20")),  # the day of the first step: before it
        Collected(1, date(2026, 3, 10), D("100")),  # the day of B: A brought it
        Collected(1, date(2026, 3, 11), D("50")),
        Collected(2, date(2026, 3, 6), D("7")),
        Collected(3, date(2026, 3, 6), D("9")),  # never reminded
    ]
    assert recovered_by_step(collected, sent) == {None: D(29), "A": D(100), "B": D(57)}


def test_nothing_collected_recovers_nothing():
    assert recovered_by_step([], [StepSent(1, date(2026, 3, 1), "A")]) == {}


@pytest.mark.parametrize(
    ("sent", "calls", "invoices", "total", "per_invoice"),
    [
        ({"email": 100, "letter": 10}, 4, 13, D("26.00"), D(2)),
        ({"sms": 20, "registered_letter": 1}, 0, 4, D("8.00"), D(2)),
        ({"call": 3, "task": 2}, 3, 3, D("7.50"), D("2.50")),  # a call costs its phone time
        ({}, 0, 0, D(0), None),  # nothing reminded: undefined
    ],
)
def test_cost_of_collection(sent, calls, invoices, total, per_invoice):
    activity = CollectionActivity(sent, calls, invoices)
    assert collection_cost(activity, COSTS) == total
    assert cost_per_invoice(activity, COSTS) == per_invoice
