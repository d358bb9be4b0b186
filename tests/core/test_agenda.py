"""The agenda's priority score and limitation dates (Code de commerce L110-4, Code de la
consommation L218-2)."""

from datetime import date
from decimal import Decimal

import pytest

from relance.core.agenda import latest_due_on_warned, limitation_on, priority


@pytest.mark.parametrize(
    ("amount", "days_late", "profile", "score"),
    [
        ("1000", 30, "bad", 62_000),  # the docstring's example
        ("5000", 0, "good", 5_000),
        ("5000", -10, "good", 5_000),  # not yet due counts as due today
        ("100", 10, "insolvent", 3_300),
        ("100", 10, "negligent", 1_650),
        ("100", 10, "unknown", 1_100),
        ("100", 2000, "good", 36_600),  # lateness counts up to a year
        ("-250", 0, "good", 250),  # a credit balance at stake still ranks by its size
    ],
)
def test_priority_is_amount_times_lateness_times_risk(amount, days_late, profile, score):
    assert priority(Decimal(amount), days_late, profile) == score


@pytest.mark.parametrize(
    ("due_on", "is_consumer", "barred_on"),
    [
        (date(2021, 6, 15), False, date(2026, 6, 15)),  # L110-4: five years
        (date(2024, 6, 15), True, date(2026, 6, 15)),  # L218-2: two years
        (date(2024, 2, 29), False, date(2029, 2, 28)),
        (date(2024, 2, 29), True, date(2026, 2, 28)),
    ],
)
def test_limitation_date(due_on, is_consumer, barred_on):
    assert limitation_on(due_on, is_consumer) == barred_on


@pytest.mark.parametrize("is_consumer", [False, True])
@pytest.mark.parametrize(
    "today", [date(2026, 11, 23), date(2028, 8, 28), date(2028, 8, 29), date(2027, 3, 1)]
)
def test_items_warned_are_exactly_those_barred_within_the_warning_period(today, is_consumer):
    latest = latest_due_on_warned(today, is_consumer)
    horizon = today.toordinal() + 183
    assert limitation_on(latest, is_consumer).toordinal() <= horizon
    following = date.fromordinal(latest.toordinal() + 1)
    assert limitation_on(following, is_consumer).toordinal() > horizon
