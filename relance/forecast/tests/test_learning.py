"""The gradient-boosting model and the backtest, without a database: a history whose delays
follow a rule the customer's median cannot see, one where a small customer's median is all
there is to know, and one too short for a model."""

import math
import random
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

import numpy
import pytest

from relance.core.forecast import History, Item, Knowledge, known_on
from relance.core.forecast_features import FEATURES, prediction_row, training_rows
from relance.forecast import learning
from relance.forecast.backtest import backtest, backtests

START = date(2025, 1, 1)


def drifting_history(customers=30, per_customer=40, seed=5) -> History:
    """Each customer pays `usual` days late, later by 1.5 days a month, plus 8 days when the
    invoice is large (over 2,000), give or take 2 days: the median misses the drift and the
    large invoices, a model can read both."""
    rng = random.Random(seed)
    items = []
    for customer in range(1, customers + 1):
        usual = rng.randint(0, 30)
        for n in range(per_customer):
            issued = START + timedelta(days=rng.randrange(540))
            due = issued + timedelta(days=30)
            amount = Decimal(rng.choice((500, 800, 1200, 3000, 4000)))
            months = (issued - START).days / 30
            delay = usual + 1.5 * months + (8 if amount > 2000 else 0) + rng.randint(-2, 2)
            paid = due + timedelta(days=round(delay))
            items.append(Item(customer * 1000 + n, customer, issued, due, amount, "good", paid))
    return History(tuple(items))


def test_the_model_beats_the_customer_median_where_the_median_cannot_see_the_rule():
    result = backtest(drifting_history(), date(2026, 3, 1), horizon_days=60)
    assert result.method == "gradient_boosting"
    assert result.n_train > 500 and result.n_test > 50
    assert result.model < result.customer_median * 0.9
    assert result.customer_median < result.due_date
    assert result.as_json()["mae_days"] == {
        "model": result.model,
        "due_date": result.due_date,
        "customer_median": result.customer_median,
    }


def test_several_horizons_share_one_training():
    history = drifting_history(customers=12, per_customer=30)
    narrow, wide = backtests(history, date(2026, 3, 1), [30, None])
    assert narrow.n_train == wide.n_train and narrow.n_test < wide.n_test
    assert narrow == backtest(history, date(2026, 3, 1), 30)


def test_a_short_history_is_predicted_by_the_fallback():
    history = drifting_history(customers=3, per_customer=20)
    rows = training_rows(history, date(2026, 12, 31))
    assert len({row.item.id for row in rows}) < learning.MIN_TRAINING_ITEMS
    assert learning.fit(rows) is None
    assert backtest(history, date(2026, 3, 1)).method == "fallback"


@pytest.fixture(scope="module")
def fitted():
    history = drifting_history()
    rows = training_rows(history, date(2026, 12, 31))
    return history, learning.fit(rows)


def test_predictions_come_with_an_ordered_range_after_the_day(fitted):
    history, model = fitted
    knowledge = Knowledge(history)
    at = date(2026, 7, 1)
    open_items = [
        Item(1, 3, date(2026, 6, 1), date(2026, 7, 1), Decimal("900"), "good"),
        Item(2, 4, date(2026, 3, 1), date(2026, 3, 31), Decimal("3000"), "good"),
    ]
    rows = [prediction_row(item, at, knowledge, at) for item in open_items]
    forecasts = learning.predict(model, rows)
    for forecast in forecasts:
        assert at < forecast.low_on <= forecast.expected_on <= forecast.high_on
        assert forecast.method == "gradient_boosting"


def test_the_stored_model_predicts_the_same_once_read_back(fitted):
    history, model = fitted
    again = learning.Model.loads(model.dumps())
    knowledge = Knowledge(history)
    at = date(2026, 7, 1)
    rows = [prediction_row(item, at, knowledge, at) for item in history.items[:50]]
    assert learning.predict(again, rows) == learning.predict(model, rows)


def test_a_model_of_another_version_of_the_features_is_refused(fitted):
    _, model = fitted
    model.features = (*FEATURES, "something_new")
    try:
        with pytest.raises(ValueError, match="autre version"):
            learning.Model.loads(model.dumps())
    finally:
        model.features = FEATURES


def test_a_feature_unknown_throughout_the_history_is_set_aside():
    """A FEC knows no payer profile: the profile is missing on every row, which
    HistGradientBoosting cannot bin, so the column is zeroed at training and prediction."""
    history = History(tuple(
        Item(i.id, i.customer_id, i.issued_on, i.due_on, i.amount, "", i.paid_on)
        for i in drifting_history(customers=10, per_customer=25).items
    ))  # fmt: skip
    rows = training_rows(history, date(2026, 12, 31))
    assert all(math.isnan(row.features[FEATURES.index("profile")]) for row in rows)
    model = learning.fit(rows)
    assert FEATURES.index("profile") in model.blank
    assert len(learning.predict(model, rows[:5])) == 5


def steady_payers_history() -> History:
    """A large account paying 5 to 15 days late (its timing varies with the invoice's size),
    and a small customer that always pays 20 days before the due date: its 12 invoices are
    too few for trees to set it apart, the model has to keep its median."""
    rng = random.Random(3)
    items = []
    for n in range(240):
        issued = START + timedelta(days=n * 2)
        amount = Decimal(rng.choice((500, 3000)))
        delay = (15 if amount > 1000 else 5) + rng.randint(-1, 1)
        due = issued + timedelta(days=30)
        items.append(Item(n, 1, issued, due, amount, "", due + timedelta(days=delay)))
    for n in range(12):
        issued = START + timedelta(days=n * 40)
        due = issued + timedelta(days=30)
        items.append(Item(1000 + n, 2, issued, due, ONE_THOUSAND, "", due - timedelta(days=20)))
    return History(tuple(items))


ONE_THOUSAND = Decimal("1000")


def test_a_steady_payer_of_a_small_history_keeps_its_own_median():
    history = steady_payers_history()
    as_of = date(2025, 10, 1)
    knowledge = Knowledge(known_on(history, as_of))
    model = learning.fit(training_rows(known_on(history, as_of), as_of, knowledge))
    assert model is not None
    later = [item for item in history.items if item.customer_id == 2 and item.issued_on > as_of]
    rows = [prediction_row(replace(item, paid_on=None), item.issued_on, knowledge, as_of)
            for item in later]  # fmt: skip
    assert later
    for item, forecast in zip(later, learning.predict(model, rows), strict=True):
        assert abs((forecast.expected_on - item.paid_on).days) <= 2


def test_the_model_corrects_the_reference_date():
    """Days to the due date plus the reference delay, at least one (the item is still open);
    the due date when no delay is known."""
    x = numpy.full((3, len(FEATURES)), math.nan)
    x[:, FEATURES.index("days_to_due")] = [30.0, -10.0, 12.0]
    x[:, FEATURES.index("reference_delay")] = [5.0, 4.0, math.nan]
    assert learning.reference_days(x).tolist() == [35.0, 1.0, 12.0]
