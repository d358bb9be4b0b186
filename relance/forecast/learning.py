"""The gradient-boosting model of payment dates (scikit-learn), kept out of relance.core.

The model learns the correction to a strong reference, not the days to pay from scratch: its
target is the days from the moment of the prediction to the settlement minus the days to the
reference date (the due date plus the customer's median delay, shrunk toward its pool's by
credibility: relance.core.forecast_reference). Boosting starts from that reference and moves
away from it only where many examples agree, so a steady payer of a small history keeps its own
median instead of being pulled toward the company's other customers (on the real FEC of
../shared/data, 107 to 289 invoices, a model learning the days to pay did worse than each
customer's median: docs/kpis.md, "Backtest").

Three HistGradientBoostingRegressor fitted on the rows of relance.core.forecast_features: the
median (absolute-error loss, the estimate that minimises the MAE the backtest reports) and the
10th and 90th percentiles (quantile loss), which give each prediction its range. Below
MIN_TRAINING_ITEMS settled items the company's history is too short for a model and
relance.core.forecast_fallback predicts the reference alone.

No Django here: the bench runs it on generated and FEC histories without a database.
"""

from __future__ import annotations

import pickle
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

import numpy

from relance.core.forecast import Forecast, Knowledge
from relance.core.forecast_fallback import HIGH_QUANTILE, LOW_QUANTILE, fallback
from relance.core.forecast_features import CATEGORICAL, FEATURES, PROFILES, Row, expected_date

MIN_TRAINING_ITEMS = 100
# The most recent settled invoices a model learns from (a few rows each): a bound on memory
# and time for ledgers of a million invoices, far more than the model needs.
MAX_TRAINING_ITEMS = 50_000
METHOD = "gradient_boosting"
# Small trees, few of them: a few thousand rows per company and noisy targets (on the demo
# history, larger models were no more accurate in the backtest and ten times slower).
PARAMETERS = {
    "learning_rate": 0.1,
    "max_iter": 80,
    "max_leaf_nodes": 8,
    "min_samples_leaf": 20,
    "max_bins": 63,
    "l2_regularization": 1.0,
    "early_stopping": False,  # deterministic: no random validation split
    "random_state": 0,
}


@dataclass
class Model:
    """The three fitted regressors, with what they were fitted on."""

    median: object
    low: object
    high: object
    n_rows: int
    n_items: int
    blank: tuple[int, ...] = ()  # features set to zero (unknown throughout the training)
    features: tuple[str, ...] = field(default=FEATURES)

    def dumps(self) -> bytes:
        return pickle.dumps(self, protocol=pickle.HIGHEST_PROTOCOL)

    @staticmethod
    def loads(payload: bytes) -> Model:
        """Only ever our own pickles, read back from our own database."""
        model = pickle.loads(payload)  # noqa: S301
        if not isinstance(model, Model) or model.features != FEATURES:
            raise ValueError("modèle enregistré illisible ou d'une autre version des variables")
        return model


def is_trainable(rows: Sequence[Row]) -> bool:
    return len({row.item.id for row in rows}) >= MIN_TRAINING_ITEMS


def fit(rows: Sequence[Row]) -> Model | None:
    """The model fitted on training rows; None when they are too few (see MIN_TRAINING_ITEMS)."""
    if not is_trainable(rows):
        return None
    x = _matrix(rows)
    # A feature never known in this history (no customer with enough settlements...) is a
    # column of NaN, which HistGradientBoosting cannot bin: it becomes zeros, then and later.
    blank = tuple(int(i) for i in numpy.flatnonzero(numpy.isnan(x).all(axis=0)))
    reference = reference_days(x)
    x[:, list(blank)] = 0.0
    y = numpy.asarray([float(row.days or 0) for row in rows]) - reference
    with one_thread():
        return Model(
            median=_regressor("absolute_error").fit(x, y),
            low=_regressor("quantile", LOW_QUANTILE).fit(x, y),
            high=_regressor("quantile", HIGH_QUANTILE).fit(x, y),
            n_rows=len(rows),
            n_items=len({row.item.id for row in rows}),
            blank=blank,
        )


_DAYS_TO_DUE = FEATURES.index("days_to_due")
_REFERENCE_DELAY = FEATURES.index("reference_delay")


def reference_days(x: numpy.ndarray) -> numpy.ndarray:
    """Days from each row's moment to its reference date (the due date plus the reference
    delay; the due date when there is none), at least one since the item is still open: what
    the model corrects."""
    delay = numpy.nan_to_num(x[:, _REFERENCE_DELAY], nan=0.0)
    return numpy.maximum(1.0, x[:, _DAYS_TO_DUE] + delay)


def one_thread():
    """scikit-learn's OpenMP threads, one: on a busy machine (a worker beside the web server
    and the database) the threads of HistGradientBoosting spin waiting for each other, and a
    fit took twenty times the processor time it takes on one thread. threadpoolctl comes with
    scikit-learn (one of its own dependencies)."""
    from threadpoolctl import threadpool_limits

    return threadpool_limits(limits=1)


def _matrix(rows: Sequence[Row]) -> numpy.ndarray:
    return numpy.asarray([row.features for row in rows], dtype=float)


def _regressor(loss: str, quantile: float | None = None):
    # Imported here: only training and prediction pay for loading scikit-learn.
    from sklearn.ensemble import HistGradientBoostingRegressor

    categorical = [name in CATEGORICAL for name in FEATURES]
    extra = {"quantile": quantile} if quantile is not None else {}
    return HistGradientBoostingRegressor(
        loss=loss, categorical_features=categorical, **extra, **PARAMETERS
    )


def predict(model: Model, rows: Sequence[Row]) -> list[Forecast]:
    """The expected settlement date of each row's item, with its range (low <= expected <= high)."""
    if not rows:
        return []
    x = _matrix(rows)
    reference = reference_days(x)
    x[:, list(model.blank)] = 0.0
    with one_thread():
        middles, lows, highs = (
            reference + m.predict(x) for m in (model.median, model.low, model.high)
        )
    forecasts = []
    for row, middle, low, high in zip(rows, middles, lows, highs, strict=True):
        # The median model's date stands (it is what minimises the error); the range, fitted
        # apart, widens to hold it when the quantile models cross it.
        low, high = min(low, middle), max(high, middle)
        forecasts.append(
            Forecast(row.item.id, expected_date(row.at, middle), expected_date(row.at, low),
                     expected_date(row.at, high), METHOD)
        )  # fmt: skip
    return forecasts


def forecasts(
    model: Model | None, rows: Sequence[Row], knowledge: Knowledge, known_before: date
) -> list[Forecast]:
    """The model's predictions, or the fallback's for every row when there is no model."""
    if model is not None:
        return predict(model, rows)
    return [fallback(row, knowledge, known_before) for row in rows]


assert len(PROFILES) < 255  # categorical codes must fit HistGradientBoosting's bins
