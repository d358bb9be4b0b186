"""Payment-date prediction in the core: what was known on a day, the features of an item, the
training rows, the reference delay and its credibility, the fallback, and the backtest's split
and baselines."""

import math
import random
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

import pytest

from relance.core import forecast_reference
from relance.core.forecast import Disputed, History, Item, Knowledge, Reminded, known_on
from relance.core.forecast_backtest import (
    baselines,
    customer_median_on,
    customer_medians,
    mae,
    rows_to_test,
    split,
)
from relance.core.forecast_fallback import fallback, quantile
from relance.core.forecast_features import (
    FEATURES,
    days_to_monthday,
    expected_date,
    prediction_row,
    snapshots,
    training_rows,
)
from relance.core.forecast_reference import (
    DEFAULT_CREDIBILITY,
    MAX_CREDIBILITY,
    credibility,
    credibility_constant,
    reference,
)

D = date
ONE = Decimal("1000.00")


def item(pk, issued, due, paid=None, customer=1, amount=ONE, profile="negligent"):
    return Item(pk, customer, issued, due, amount, profile, paid)


def feature(values, name):
    return values[FEATURES.index(name)]


# --- what was known on a day -------------------------------------------------------------


def test_known_on_forgets_what_happened_after_the_day():
    history = History(
        items=(
            item(1, D(2026, 1, 5), D(2026, 2, 4), D(2026, 2, 20)),  # settled before
            item(2, D(2026, 1, 10), D(2026, 2, 9), D(2026, 3, 20)),  # settled after
            item(3, D(2026, 3, 5), D(2026, 4, 4), D(2026, 4, 5)),  # issued after
        ),
        reminders=(Reminded(7, 1, 2, D(2026, 2, 15), 1), Reminded(8, 1, 2, D(2026, 3, 2), 2)),
        disputes=(
            Disputed(1, 2, D(2026, 2, 10), D(2026, 3, 10)),  # resolved after: open then
            Disputed(1, 1, D(2026, 3, 3)),  # opened after
        ),
    )
    known = known_on(history, D(2026, 2, 28))
    assert [(i.id, i.paid_on) for i in known.items] == [(1, D(2026, 2, 20)), (2, None)]
    assert [r.reminder_id for r in known.reminders] == [7]
    assert known.disputes == (Disputed(1, 2, D(2026, 2, 10), None),)


def test_knowledge_reads_strictly_before_the_day_it_is_asked_about():
    history = History(
        items=(
            item(1, D(2026, 1, 1), D(2026, 1, 31), D(2026, 2, 10)),
            item(2, D(2026, 1, 5), D(2026, 2, 4), D(2026, 2, 14), profile="good"),
            item(3, D(2026, 1, 9), D(2026, 2, 8), D(2026, 2, 11), customer=2),
        ),
        reminders=(
            Reminded(7, 1, 1, D(2026, 2, 5), 1),
            Reminded(7, 1, 2, D(2026, 2, 5), 1),  # one reminder listing two items
            Reminded(9, 1, 1, D(2026, 2, 9), 2),
        ),
        disputes=(Disputed(1, 2, D(2026, 2, 1), D(2026, 2, 12)),),
    )
    knowledge = Knowledge(history)
    assert [s.delay for s in knowledge.past(1, D(2026, 2, 14))] == [10]
    assert [s.delay for s in knowledge.past(1, D(2026, 2, 15))] == [10, 10]
    assert [s.paid_on for s in knowledge.pool("negligent", D(2026, 3, 1))] == [
        D(2026, 2, 10),
        D(2026, 2, 11),
    ]
    assert len(knowledge.pool(None, D(2026, 2, 12))) == 2
    assert knowledge.reminders(1, D(2026, 2, 9)) == (1, 1)
    assert knowledge.reminders(1, D(2026, 2, 10)) == (2, 2)
    assert knowledge.customer_reminders(1, D(2026, 1, 1), D(2026, 3, 1)) == 2
    assert knowledge.disputes(1, 2, D(2026, 2, 11)) == (1, True)
    assert knowledge.disputes(1, 1, D(2026, 2, 11)) == (1, False)
    assert knowledge.disputes(1, 2, D(2026, 2, 12)) == (0, False)


# --- rows and features --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("paid", "until", "expected"),
    [
        (D(2026, 4, 20), D(2026, 12, 31), [D(2026, 3, 1), D(2026, 3, 31), D(2026, 4, 15)]),
        (D(2026, 4, 20), D(2026, 4, 1), [D(2026, 3, 1), D(2026, 3, 31)]),
        (D(2026, 3, 20), D(2026, 12, 31), [D(2026, 3, 1)]),  # paid before its due date
        (D(2026, 3, 31), D(2026, 12, 31), [D(2026, 3, 1)]),  # on it: never open at due + 0
        (D(2026, 11, 1), D(2026, 12, 31),
         [D(2026, 3, 1), D(2026, 3, 31), D(2026, 4, 15), D(2026, 5, 15), D(2026, 6, 29),
          D(2026, 9, 27)]),
    ],
)  # fmt: skip
def test_an_item_is_an_example_at_its_issue_date_and_after_its_due_date_while_open(
    paid, until, expected
):
    assert snapshots(item(1, D(2026, 3, 1), D(2026, 3, 31), paid), until) == expected


def test_training_rows_count_the_days_to_the_settlement_from_each_snapshot():
    history = History((item(1, D(2026, 3, 1), D(2026, 3, 31), D(2026, 4, 20)),))
    rows = training_rows(history, D(2026, 12, 31))
    assert [(r.at, r.days) for r in rows] == [
        (D(2026, 3, 1), 50),
        (D(2026, 3, 31), 20),
        (D(2026, 4, 15), 5),
    ]
    assert [feature(r.features, "days_to_due") for r in rows] == [30.0, 0.0, -15.0]


def test_a_limit_keeps_the_last_issued_settled_items():
    history = History(
        (
            item(1, D(2026, 3, 1), D(2026, 3, 31), D(2026, 3, 20)),
            item(2, D(2026, 2, 1), D(2026, 3, 3), D(2026, 3, 1)),
            item(3, D(2026, 3, 9), D(2026, 4, 8)),  # open: never an example
        )
    )
    assert [r.item.id for r in training_rows(history, D(2026, 12, 31), limit=1)] == [1]
    assert {r.item.id for r in training_rows(history, D(2026, 12, 31))} == {1, 2}


def customer_history():
    """Customer 1 paid three invoices 10, 20 and 30 days late (on Fridays, the 13th...)."""
    return History(
        items=(
            item(1, D(2025, 12, 4), D(2026, 1, 3), D(2026, 1, 13), amount=Decimal("500.00")),
            item(2, D(2026, 1, 3), D(2026, 2, 2), D(2026, 2, 22), amount=Decimal("1000.00")),
            item(3, D(2026, 1, 13), D(2026, 2, 12), D(2026, 3, 14), amount=Decimal("1500.00")),
        ),
        reminders=(Reminded(5, 1, 9, D(2026, 3, 20), 2),),
        disputes=(Disputed(1, 3, D(2026, 2, 1), D(2026, 3, 1)),),
    )


def test_features_of_an_open_item_from_the_customers_settlements():
    knowledge = Knowledge(customer_history())
    open_item = item(9, D(2026, 3, 2), D(2026, 7, 1), amount=Decimal("2000.00"))
    row = prediction_row(open_item, D(2026, 3, 31), knowledge, D(2026, 3, 31))
    values = dict(zip(FEATURES, row.features, strict=True))
    assert values["days_to_due"] == 92.0 and values["terms"] == 121.0
    assert values["log_amount"] == pytest.approx(math.log(2000))
    assert values["amount_ratio"] == 2.0  # the median amount settled is 1,000
    assert (values["in_august"], values["at_year_end"]) == (0.0, 0.0)  # 1 July + 20 days
    assert values["profile"] == 1.0  # negligent
    assert values["paid_count"] == 3.0
    assert (values["median_delay"], values["mean_delay"], values["last_delay"]) == (20, 20, 30)
    assert values["recent_delay"] == 20.0
    assert values["delay_spread"] == pytest.approx(math.sqrt(200 / 3))
    # Delays 10, 20, 30 settled on 13 Jan, 22 Feb and 14 Mar: 10 days later per 30 days.
    assert values["delay_trend"] == pytest.approx(10 * 30 / 30.0, rel=0.05)
    assert values["late_share"] == 1.0
    assert values["median_days_to_pay"] == values["overall_days_to_pay"] == 50.0
    assert values["days_since_last_payment"] == 18.0  # 14 March to 1 April (known before)
    assert values["open_disputes"] == 0.0 and values["is_disputed"] == 0.0
    assert (values["reminders"], values["reminder_level"]) == (1.0, 2.0)  # sent 20 March
    assert values["customer_reminders"] == 1.0
    # Paid on a Tuesday, a Sunday and a Saturday: no usual weekday stands out (a third each).
    assert values["run_weekday_share"] == pytest.approx(1 / 3)
    # The only customer is the whole company: its median 20 and its pool's are one, the
    # credibility constant is the default (one customer cannot say how customers differ).
    assert (values["reference_delay"], values["reference_weight"]) == (20.0, 0.5)
    assert (values["recent_shift"], values["pool_shift"]) == (0.0, 0.0)
    # Its delays' line (10 days later every 31 days or so) read on 21 July, the reference
    # date (1 July + 20), is 50 days above the reference: 70 days late by then.
    assert values["trend_shift"] == pytest.approx(50.0, abs=0.1)


def test_payment_in_august_or_at_the_year_end_is_flagged():
    knowledge = Knowledge(customer_history())  # a median delay of 20 days
    at = D(2026, 3, 31)
    august = prediction_row(item(9, D(2026, 6, 1), D(2026, 7, 20)), at, knowledge, at)
    year_end = prediction_row(item(9, D(2026, 11, 1), D(2026, 12, 5)), at, knowledge, at)
    assert feature(august.features, "in_august") == 1.0
    assert feature(year_end.features, "at_year_end") == 1.0


def test_a_customer_without_history_has_missing_statistics():
    row = prediction_row(item(9, D(2026, 3, 2), D(2026, 4, 1)), D(2026, 3, 2),
                         Knowledge(History(())), D(2026, 3, 2))  # fmt: skip
    values = dict(zip(FEATURES, row.features, strict=True))
    assert values["paid_count"] == 0.0
    assert all(math.isnan(values[name]) for name in ("median_delay", "delay_trend",
               "amount_ratio", "days_to_run_weekday", "days_since_last_payment",
               "reference_delay", "trend_shift"))  # fmt: skip


def test_a_customer_paying_in_runs_shows_its_weekday_and_day_of_month():
    """The runs are counted from the reference date, where the model's correction starts."""
    paid = [D(2026, 1, 9), D(2026, 1, 16), D(2026, 2, 6), D(2026, 3, 6)]  # Fridays
    history = History(
        tuple(item(n, day - timedelta(days=40), day - timedelta(days=5), day)
              for n, day in enumerate(paid, 1))
    )  # fmt: skip
    due = D(2026, 3, 30)  # a Monday; 5 days late as ever: Saturday 4 April
    row = prediction_row(item(9, D(2026, 3, 2), due), D(2026, 3, 10), Knowledge(history),
                         D(2026, 3, 10))  # fmt: skip
    assert feature(row.features, "reference_delay") == 5.0
    assert feature(row.features, "days_to_run_weekday") == 6.0  # to Friday 10 April
    assert feature(row.features, "run_weekday_share") == 1.0
    assert feature(row.features, "days_to_run_monthday") == 2.0  # the 6th comes twice
    assert feature(row.features, "run_monthday_share") == 0.5


@pytest.mark.parametrize(
    ("after", "day", "days"),
    [
        (D(2026, 1, 25), 10, 16),
        (D(2026, 1, 10), 10, 0),
        (D(2026, 2, 1), 31, 27),  # the 28th in February
        (D(2026, 1, 31), 31, 0),
        (D(2026, 12, 20), 5, 16),
    ],
)
def test_days_to_the_next_given_day_of_a_month(after, day, days):
    assert days_to_monthday(after, day) == days


def test_the_features_of_an_example_never_change_with_what_happened_after_it():
    """Leakage check: two histories equal up to a day, different after it (other settlement
    dates, reminders, disputes and new invoices), give the same rows up to that day."""
    rng = random.Random(4)
    day = D(2026, 6, 30)
    base, other = [], []
    for pk in range(1, 400):
        issued = D(2025, 7, 1) + timedelta(days=rng.randrange(500))
        due = issued + timedelta(days=30)
        paid = due + timedelta(days=rng.randint(-5, 60))
        base.append(item(pk, issued, due, paid, customer=pk % 7))
        changed = paid if paid <= day else paid + timedelta(days=rng.randint(1, 90))
        other.append(item(pk, issued, due, changed, customer=pk % 7))
    later = (Reminded(1, 1, 3, day + timedelta(days=1), 3),)
    disputes = (Disputed(2, 5, day + timedelta(days=2)),)
    rows_a = training_rows(known_on(History(tuple(base)), day), day)
    rows_b = training_rows(known_on(History(tuple(other), later, disputes), day), day)
    assert len(rows_a) > 300
    assert [(r.item.id, r.at, r.days, _nan_safe(r.features)) for r in rows_a] == [
        (r.item.id, r.at, r.days, _nan_safe(r.features)) for r in rows_b
    ]
    assert all(r.at <= day and r.item.paid_on <= day for r in rows_a)


def _nan_safe(values):
    return [None if math.isnan(v) else v for v in values]


def test_an_expected_date_is_never_before_the_day_after_the_prediction():
    at = D(2026, 3, 10)
    assert [expected_date(at, days) for days in (-4.0, 0.2, 1.4, 12.6)] == [
        D(2026, 3, 11), D(2026, 3, 11), D(2026, 3, 11), D(2026, 3, 23),
    ]  # fmt: skip


# --- the reference delay and the fallback -------------------------------------------------


START = D(2026, 1, 1)


def delays_history(delays, customer=1, profile="negligent", start=START):
    return [
        item(100 * customer + n, start, start + timedelta(days=30),
             start + timedelta(days=30 + delay), customer=customer, profile=profile)
        for n, delay in enumerate(delays)
    ]  # fmt: skip


def test_the_reference_weighs_the_customers_median_against_its_pools(monkeypatch):
    """The docstring's example: delays 4 and 6, the profile's 20, a credibility constant of 3."""
    monkeypatch.setattr(forecast_reference, "credibility", lambda *args: 3.0)
    history = History(tuple(delays_history([4, 6]) + delays_history([20] * 12, customer=2)))
    knowledge = Knowledge(history)
    at = D(2026, 4, 1)
    found = reference(item(9, at, D(2026, 5, 1)), at, knowledge, at)
    assert (found.delay, found.weight, found.pool, found.method) == (14.0, 0.4, 20.0, "profile")
    assert found.delays == (4, 6, *[20] * 12)  # fewer than 3 of its own: the pool's range


@pytest.mark.parametrize(
    ("delays", "expected"),
    [
        ([[0, 2], [30, 32]], pytest.approx(2 / 449)),  # the docstring's examples
        ([[0, 30], [2, 32]], MAX_CREDIBILITY),
        ([[0, 2], [30, 32], []], pytest.approx(2 / 449)),  # no settlement: not a customer
        ([[5, 7]], DEFAULT_CREDIBILITY),  # one customer cannot tell how customers differ
        ([[1], [30]], DEFAULT_CREDIBILITY),  # nor one settlement each how a customer varies
        ([[4, 4], [20, 20, 20]], 0.0),  # customers who never vary: their own median alone
    ],
)
def test_the_credibility_constant_is_the_variance_within_over_the_variance_between(
    delays, expected
):
    assert credibility_constant(delays) == expected


def test_the_credibility_is_estimated_on_what_was_known_at_the_start_of_the_month():
    history = History(
        tuple(
            delays_history([0, 2])  # settled from 31 January to 2 February
            + delays_history([30, 32], customer=2)
            + delays_history([0, 20], customer=3, start=D(2026, 3, 10))  # settled in April
        )
    )
    knowledge = Knowledge(history)
    in_april = credibility(knowledge, None, D(2026, 4, 30))
    assert in_april == pytest.approx(2 / 449)  # customer 3's April settlements not yet
    in_may = credibility(knowledge, None, D(2026, 5, 1))
    assert in_may == credibility_constant([[0, 2], [30, 32], [0, 20]]) != in_april


def test_the_fallback_takes_the_customers_delays_still_possible():
    """The docstring's example: delays 2, 5, 9, 30; due on 1 May, still open on 4 May."""
    knowledge = Knowledge(History(tuple(delays_history([2, 5, 9, 30]))))
    row = prediction_row(item(9, D(2026, 4, 1), D(2026, 5, 1)), D(2026, 5, 4), knowledge,
                         D(2026, 5, 4))  # fmt: skip
    forecast = fallback(row, knowledge, D(2026, 5, 5))
    assert (forecast.expected_on, forecast.low_on, forecast.high_on, forecast.method) == (
        D(2026, 5, 10), D(2026, 5, 6), D(2026, 5, 31), "customer",
    )  # fmt: skip


@pytest.mark.parametrize(
    ("customer_delays", "profile_count", "method", "expected", "high"),
    [
        ([4, 4, 4], 12, "customer", D(2026, 5, 5), D(2026, 5, 5)),
        # Customers who never vary (credibility 0): the customer's median 4, the range of
        # its profile's delays (mostly 20) since it has only two of its own.
        ([4, 4], 12, "profile", D(2026, 5, 5), D(2026, 5, 21)),
        ([4, 4], 5, "company", D(2026, 5, 5), D(2026, 5, 21)),  # a small pool: the company
        ([], 12, "profile", D(2026, 5, 21), D(2026, 5, 21)),  # a new customer
        ([], 0, "due_date", D(2026, 5, 1), D(2026, 5, 1)),
    ],
)
def test_the_fallback_goes_from_customer_to_profile_to_company(
    customer_delays, profile_count, method, expected, high
):
    others = delays_history([20] * profile_count, customer=2) if profile_count else []
    elsewhere = delays_history([20] * 9, customer=3, profile="good") if profile_count else []
    history = History(tuple(delays_history(customer_delays) + others + elsewhere))
    knowledge = Knowledge(history)
    at = D(2026, 4, 1)
    row = prediction_row(item(9, D(2026, 4, 1), D(2026, 5, 1)), at, knowledge, at)
    forecast = fallback(row, knowledge, at + timedelta(days=1))
    assert (forecast.method, forecast.expected_on, forecast.high_on) == (method, expected, high)
    assert forecast.low_on <= forecast.expected_on


def test_an_item_later_than_every_known_delay_has_no_date():
    knowledge = Knowledge(History(tuple(delays_history([2, 5, 9]))))
    row = prediction_row(item(9, D(2026, 1, 1), D(2026, 2, 1)), D(2026, 4, 1), knowledge,
                         D(2026, 4, 1))  # fmt: skip
    forecast = fallback(row, knowledge, D(2026, 4, 2))
    assert (forecast.expected_on, forecast.low_on, forecast.high_on) == (None, None, None)


@pytest.mark.parametrize(
    ("values", "q", "expected"),
    [([2, 5, 9, 30], 0.5, 9), ([5, 9, 30], 0.1, 5), ([5, 9, 30], 0.9, 30), ([7], 0.9, 7)],
)
def test_nearest_rank_quantiles(values, q, expected):
    assert quantile(values, q) == expected


# --- the backtest's split and baselines ---------------------------------------------------


def test_the_baselines_of_the_docstring_example():
    history = History(
        (
            item(1, D(2026, 1, 1), D(2026, 1, 31), D(2026, 1, 31)),  # 30 days to pay
            item(2, D(2026, 1, 10), D(2026, 2, 9), D(2026, 2, 19)),  # 40
            item(3, D(2026, 2, 1), D(2026, 3, 3), D(2026, 3, 23)),  # 50
            item(4, D(2026, 4, 10), D(2026, 5, 10), D(2026, 5, 25)),  # the test item
        )
    )
    data = split(history, D(2026, 3, 31))
    assert [i.id for i in data.tests] == [4] and data.trained_on == 3
    medians, company = customer_medians(data.known)
    assert customer_median_on(data.tests[0], medians, company) == D(2026, 5, 20)
    assert baselines(data) == {"due_date": 15.0, "customer_median": 5.0}


def test_the_split_learns_only_what_was_known_and_tests_what_was_settled_after():
    history = History(
        (
            item(1, D(2026, 1, 1), D(2026, 1, 31), D(2026, 4, 30)),  # settled after D: open
            item(2, D(2026, 4, 2), D(2026, 5, 2), D(2026, 5, 10)),
            item(3, D(2026, 4, 3), D(2026, 5, 3)),  # never settled: not a test item
            item(4, D(2026, 8, 1), D(2026, 8, 31), D(2026, 9, 1)),  # beyond the horizon
        )
    )
    data = split(history, D(2026, 3, 31))
    assert data.trained_on == 0 and [i.id for i in data.known.items] == [1]
    assert [i.id for i in data.tests] == [2, 4]
    assert [i.id for i in split(history, D(2026, 3, 31), 91).tests] == [2]
    rows = rows_to_test(data, Knowledge(data.known))
    assert [(r.item.id, r.at, r.item.paid_on) for r in rows] == [
        (2, D(2026, 4, 2), None), (4, D(2026, 8, 1), None),
    ]  # fmt: skip


def test_a_new_customer_takes_the_company_median_and_an_empty_history_the_due_date():
    known = History((item(1, D(2026, 1, 1), D(2026, 1, 31), D(2026, 2, 10), customer=1),))
    medians, company = customer_medians(known)
    newcomer = item(2, D(2026, 4, 1), D(2026, 5, 1), customer=2)
    assert customer_median_on(newcomer, medians, company) == D(2026, 5, 11)
    assert customer_median_on(newcomer, {}, None) == D(2026, 5, 1)


def test_mean_absolute_error_in_days():
    assert mae([1, 2, 4]) == 2.3
    assert mae([]) is None


def test_the_rows_to_test_hide_the_settlement():
    data = split(History((item(1, D(2026, 4, 2), D(2026, 5, 2), D(2026, 5, 10)),)), D(2026, 4, 1))
    [row] = rows_to_test(data, Knowledge(data.known))
    assert row.item == replace(data.tests[0], paid_on=None)
