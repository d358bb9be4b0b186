"""`relance forecast backtest`: learn on what was known on a date, predict what came after.

The split and the baselines are relance.core.forecast_backtest's; this adds the model. No
Django: the bench runs it on histories that never went through a database.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from relance.core.forecast import History, Knowledge, training_rows
from relance.core.forecast_backtest import baselines, error_days, mae, split, test_rows

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
    data = split(history, as_of, horizon_days)
    knowledge = Knowledge(data.known)
    model = fit(training_rows(data.known, as_of, knowledge))
    rows = test_rows(data, knowledge)
    predicted = forecasts(model, rows, knowledge, as_of + timedelta(days=1))
    errors = [
        error_days(forecast.expected_on or item.due_on, item)
        for forecast, item in zip(predicted, data.tests, strict=True)
    ]
    base = baselines(data)
    return Backtest(
        as_of=as_of,
        n_train=data.trained_on,
        n_test=len(data.tests),
        model=mae(errors),
        due_date=base["due_date"],
        customer_median=base["customer_median"],
        method=METHOD if model is not None else "fallback",
    )
