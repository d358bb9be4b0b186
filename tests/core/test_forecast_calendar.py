"""The cash-in calendar: what each open item is expected to bring in and when (plans, then
promises, then predictions, then due dates; credits first), by period, with its range."""

from datetime import date
from decimal import Decimal

import pytest

from relance.core.forecast import Forecast
from relance.core.forecast_calendar import (
    OpenItem,
    Period,
    PlannedInstalment,
    PromisedPayment,
    RowKind,
    Source,
    cash_calendar,
    expected_cash,
    naive_cash,
    net_of_credits,
    period_bounds,
    totals_by_source,
)

D = date
M = Decimal
TODAY = D(2026, 5, 1)  # a Friday


def open_item(pk, due, amount, customer=1, currency="EUR"):
    return OpenItem(pk, customer, currency, due, M(amount))


def summary(expected):
    return sorted(
        (e.item_id or 0, e.source.value, str(e.amount), e.on and e.on.isoformat()) for e in expected
    )


def test_credits_settle_the_customers_oldest_items_first():
    items = [open_item(1, D(2026, 4, 1), "300.00"), open_item(2, D(2026, 3, 1), "200.00"),
             open_item(3, D(2026, 3, 1), "500.00", customer=2)]  # fmt: skip
    assert net_of_credits(items, {(1, "EUR"): M("250.00"), (2, "USD"): M("900")}) == {
        1: M("250.00"), 2: M("0.00"), 3: M("500.00"),
    }  # fmt: skip


def test_each_item_by_precedence_plan_promise_prediction_due_date():
    items = [
        open_item(1, D(2026, 4, 1), "600.00"),  # in a plan
        open_item(2, D(2026, 4, 10), "400.00"),  # named by a promise of 300
        open_item(3, D(2026, 4, 20), "200.00"),  # predicted
        open_item(4, D(2026, 5, 20), "100.00"),  # no prediction: its due date
        open_item(5, D(2026, 1, 20), "50.00"),  # predicted without a date
    ]
    forecasts = {
        2: Forecast(2, D(2026, 6, 1), D(2026, 5, 20), D(2026, 6, 30), "gradient_boosting"),
        3: Forecast(3, D(2026, 5, 12), D(2026, 5, 5), D(2026, 5, 30), "gradient_boosting"),
        5: Forecast(5, None, None, None, "customer"),
    }
    plan = [PlannedInstalment(1, "EUR", D(2026, 5, 15), M("350.00"), (1,)),
            PlannedInstalment(1, "EUR", D(2026, 6, 15), M("350.00"), (1,))]  # fmt: skip
    promise = [PromisedPayment(1, "EUR", D(2026, 5, 8), M("300.00"), (2,))]
    expected = expected_cash(items, forecasts, promise, plan, {(1, "EUR"): M("100.00")})
    # 100 of credit settles item 5 (the oldest, 50) and 50 of item 1; the plan asks 350 then
    # what its item still owes (550 - 350 = 200).
    assert summary(expected) == [
        (0, "plan", "200.00", "2026-06-15"),
        (0, "plan", "350.00", "2026-05-15"),
        (0, "promise", "300.00", "2026-05-08"),
        (2, "prediction", "100.00", "2026-06-01"),
        (3, "prediction", "200.00", "2026-05-12"),
        (4, "due_date", "100.00", "2026-05-20"),
    ]
    assert totals_by_source(expected) == {
        Source.PLAN: M("550.00"), Source.PROMISE: M("300.00"),
        Source.PREDICTION: M("300.00"), Source.DUE_DATE: M("100.00"),
    }  # fmt: skip


def test_a_promise_naming_no_item_takes_the_customers_oldest_items_of_its_currency():
    items = [open_item(1, D(2026, 4, 1), "100.00"), open_item(2, D(2026, 3, 1), "100.00"),
             open_item(3, D(2026, 2, 1), "900.00", currency="USD"),
             open_item(4, D(2026, 1, 1), "900.00", customer=2)]  # fmt: skip
    promise = [PromisedPayment(1, "EUR", D(2026, 5, 8), M("150.00"))]
    assert summary(expected_cash(items, {}, promise)) == [
        (0, "promise", "150.00", "2026-05-08"),
        (1, "due_date", "50.00", "2026-04-01"),  # item 2 (older) went first, then half of 1
        (3, "due_date", "900.00", "2026-02-01"),
        (4, "due_date", "900.00", "2026-01-01"),
    ]


def test_a_promise_larger_than_what_is_owed_brings_only_what_is_owed():
    items = [open_item(1, D(2026, 4, 1), "100.00")]
    promise = [PromisedPayment(1, "EUR", D(2026, 5, 8), M("500.00"), (1,))]
    assert summary(expected_cash(items, {}, promise)) == [(0, "promise", "100.00", "2026-05-08")]


def test_the_naive_forecast_is_every_item_on_its_due_date_after_credits():
    items = [open_item(1, D(2026, 4, 1), "100.00"), open_item(2, D(2026, 6, 1), "300.00")]
    assert summary(naive_cash(items, {(1, "EUR"): M("150.00")})) == [
        (2, "due_date", "250.00", "2026-06-01")
    ]


@pytest.mark.parametrize(
    ("period", "count", "expected"),
    [
        (Period.DAY, 2, [("2026-05-01", "2026-05-01"), ("2026-05-02", "2026-05-02")]),
        (Period.WEEK, 3, [("2026-05-01", "2026-05-03"), ("2026-05-04", "2026-05-10"),
                          ("2026-05-11", "2026-05-17")]),
        (Period.MONTH, 3, [("2026-05-01", "2026-05-31"), ("2026-06-01", "2026-06-30"),
                           ("2026-07-01", "2026-07-31")]),
    ],
)  # fmt: skip
def test_periods_start_today_and_end_on_sundays_or_month_ends(period, count, expected):
    bounds = period_bounds(TODAY, period, count)
    assert [(a.isoformat(), b.isoformat()) for a, b in bounds] == expected


def test_period_bounds_of_a_month_starting_mid_month():
    assert period_bounds(D(2026, 12, 15), Period.MONTH, 2) == [
        (D(2026, 12, 15), D(2026, 12, 31)), (D(2027, 1, 1), D(2027, 1, 31)),
    ]  # fmt: skip


def test_the_calendar_by_week_with_the_range_on_the_running_totals():
    """The docstring's example: 1,000 expected on 10 May, between 2 May and 30 May."""
    items = [
        open_item(1, D(2026, 4, 20), "1000.00"),
        open_item(2, D(2026, 4, 10), "400.00"),
        open_item(3, D(2026, 9, 1), "70.00"),
        open_item(4, D(2026, 3, 1), "30.00"),
    ]
    forecasts = {
        1: Forecast(1, D(2026, 5, 10), D(2026, 5, 2), D(2026, 5, 30), "gradient_boosting"),
        2: Forecast(2, D(2026, 4, 28), D(2026, 4, 25), D(2026, 5, 3), "gradient_boosting"),
        4: Forecast(4, None, None, None, "customer"),
    }
    rows = cash_calendar(expected_cash(items, forecasts), naive_cash(items), TODAY,
                         Period.WEEK, count=3)  # fmt: skip
    kinds = [row.kind for row in rows]
    assert kinds == [RowKind.LATE] + [RowKind.PERIOD] * 3 + [RowKind.LATER, RowKind.UNDATED]
    table = [(str(r.expected), str(r.naive), str(r.cumulative), str(r.low), str(r.high))
             for r in rows[:5]]  # fmt: skip
    assert table == [
        # Before today: item 2's prediction (28 Apr); on their due dates, 1, 2 and 4 are late.
        ("400.00", "1430.00", "400.00", "0", "400.00"),
        ("0", "0", "400.00", "400.00", "1400.00"),  # 1-3 May: item 1 may come from 2 May
        ("1000.00", "0", "1400.00", "400.00", "1400.00"),  # 4-10 May
        ("0", "0", "1400.00", "400.00", "1400.00"),  # 11-17 May
        ("70.00", "70.00", "1470.00", "1470.00", "1470.00"),  # later: everything dated
    ]
    undated = rows[-1]
    assert (undated.expected, undated.cumulative, undated.low) == (M("30.00"), None, None)


def test_by_day_the_calendar_shows_31_days_and_by_month_12_months():
    rows_by_day = cash_calendar([], [], TODAY, Period.DAY)
    rows_by_month = cash_calendar([], [], TODAY, Period.MONTH)
    assert sum(r.kind is RowKind.PERIOD for r in rows_by_day) == 31
    assert sum(r.kind is RowKind.PERIOD for r in rows_by_month) == 12
    assert all(r.expected == 0 for r in rows_by_day)
