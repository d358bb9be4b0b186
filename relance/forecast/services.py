"""Training the payment-date predictor of a company, storing its predictions, backtesting it;
the only writers of this app.

Training reads the history of the last HISTORY_DAYS (relance.forecast.convert), learns from
what was known on `today` (relance.core.forecast.known_on), predicts every open debit item at
`today`, and stores the version and its predictions in one short transaction: the slow part
(reading, fitting) holds no lock.
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta

from django.db import transaction
from django.db.models import Max

from relance.core.forecast import Forecast, Knowledge, known_on
from relance.core.forecast_features import prediction_row, training_rows
from relance.dunning.services import local_today
from relance.ledger.models import Company

from . import convert, learning
from .backtest import Backtest, backtest
from .models import ForecastModel, Prediction

log = logging.getLogger("relance.forecast")
HISTORY_DAYS = 730  # two years: enough seasons, bounded memory on large ledgers
BATCH = 5000


@dataclass(frozen=True)
class Training:
    record: ForecastModel
    forecasts: list[Forecast]


def train(company: Company, today: date | None = None) -> Training:
    """Fit the company's predictor on what was known on `today` (default: today in its time
    zone), predict its open items, store both as a new version."""
    today = today or local_today(company)
    known = known_on(convert.history(company, today - timedelta(days=HISTORY_DAYS)), today)
    knowledge = Knowledge(known)
    rows = training_rows(known, today, knowledge, learning.MAX_TRAINING_ITEMS)
    model = learning.fit(rows)
    forecasts = []
    items = convert.open_items(company)
    for start in range(0, len(items), BATCH):  # bounded memory: the rows of a batch at a time
        batch = [
            prediction_row(item, today, knowledge, today) for item in items[start : start + BATCH]
        ]
        forecasts += learning.forecasts(model, batch, knowledge, today + timedelta(days=1))
    record = _store(company, today, model, rows, forecasts)
    log.info("%s: forecast v%d (%s), %d predictions", company.code, record.version,
             record.method, len(forecasts))  # fmt: skip
    return Training(record, forecasts)


@transaction.atomic
def _store(company, today, model, rows, forecasts) -> ForecastModel:
    """The new version and its predictions; the older versions' predictions and fitted models
    go (the versions stay, with their figures)."""
    latest = ForecastModel.objects.filter(company=company).aggregate(Max("version"))
    record = ForecastModel.objects.create(
        company=company,
        version=(latest["version__max"] or 0) + 1,
        trained_on=today,
        method=learning.METHOD if model is not None else ForecastModel.Method.FALLBACK,
        n_train=len({row.item.id for row in rows}),
        n_rows=len(rows),
        predictions_count=len(forecasts),
        metrics={
            "methods": dict(Counter(f.method for f in forecasts)),
            "features": list(learning.FEATURES),
        },  # fmt: skip
        payload=model.dumps() if model is not None else None,
    )
    Prediction.objects.filter(company=company).exclude(model=record).delete()
    ForecastModel.objects.filter(company=company).exclude(pk=record.pk).update(payload=None)
    Prediction.objects.bulk_create(
        (
            Prediction(
                company=company,
                model=record,
                invoice_id=f.item_id,
                predicted_on=today,
                expected_on=f.expected_on,
                low_on=f.low_on,
                high_on=f.high_on,
                method=f.method,
            )  # fmt: skip
            for f in forecasts
        ),
        batch_size=BATCH,
    )
    return record


def latest_model(company: Company) -> ForecastModel | None:
    return ForecastModel.objects.filter(company=company).defer("payload").first()


def is_training_due(company: Company, today: date, every_days: int) -> bool:
    """A new training is due when the latest is `every_days` old or more (or there is none);
    never when `every_days` is 0 (retraining switched off)."""
    if every_days <= 0:
        return False
    latest = latest_model(company)
    return latest is None or (today - latest.trained_on).days >= every_days


def backtest_company(company: Company, as_of: date, horizon_days: int | None = None) -> Backtest:
    """The backtest on the company's ledger (see relance.core.forecast_backtest)."""
    return backtest(
        convert.history(company, as_of - timedelta(days=HISTORY_DAYS)), as_of, horizon_days
    )
