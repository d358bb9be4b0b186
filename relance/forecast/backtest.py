"""`relance forecast backtest`: learn on what was known on a date, predict what came after.

The split and the baselines are relance.core.forecast_backtest's; this adds the model. No
Django: the bench runs it on histories that never went through a database.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from relance.core.forecast import Forecast, History, Knowledge
from relance.core.forecast_backtest import (
    Split,
    baselines,
    error_days,
    mae,
    rows_to_test,
    split,
    within,
)
from relance.core.forecast_features import training_rows

from .learning import METHOD, fit, forecasts


@dataclass(frozen=True)
class Backtest:
    as_of: date
    n_train: int  # items settled by the as-of date: what the predictor learnt from
    n_test: int  # items issued after it and settled since
    model: float | None  # MAE in days
    due_date: float | None
    customer_median: float | None
    method: str  # gradient_boosting, or "fallback" when the history was too short

    def as_json(self) -> dict:
        return {
            "as_of": self.as_of.isoformat(),
            "n_train": self.n_train,
            "n_test": self.n_test,
            "mae_days": {
                "model": self.model,
                "due_date": self.due_date,
                "customer_median": self.customer_median,
            },
        }

    @property
    def gain(self) -> float | None:
        """How much lower the model's MAE is than the customer median's (0.1 = 10 % lower)."""
        if not self.model or not self.customer_median:
            return None
        return round(1 - self.model / self.customer_median, 3)


def backtest(history: History, as_of: date, horizon_days: int | None = None) -> Backtest:
    return backtests(history, as_of, [horizon_days])[0]


def backtests(history: History, as_of: date, horizons: list[int | None]) -> list[Backtest]:
    """One training on what was known on `as_of`, evaluated on the items issued within each
    horizon after it (None: every item issued after it)."""
    widest = split(history, as_of)
    knowledge = Knowledge(widest.known)
    model = fit(training_rows(widest.known, as_of, knowledge))
    rows = rows_to_test(widest, knowledge)
    predicted = {
        forecast.item_id: forecast
        for forecast in forecasts(model, rows, knowledge, as_of + timedelta(days=1))
    }
    method = METHOD if model is not None else "fallback"
    return [_result(within(widest, days), predicted, method) for days in horizons]


def _result(data: Split, predicted: dict[int, Forecast], method: str) -> Backtest:
    errors = [
        error_days(predicted[item.id].expected_on or item.due_on, item) for item in data.tests
    ]
    base = baselines(data)
    return Backtest(
        as_of=data.as_of,
        n_train=data.trained_on,
        n_test=len(data.tests),
        model=mae(errors),
        due_date=base["due_date"],
        customer_median=base["customer_median"],
        method=method,
    )
