"""`relance forecast train` and `relance forecast backtest`: their output, text and JSON, and
their French errors."""

import json
import re
from datetime import date, timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from relance.demo.services import generate_portfolio
from relance.forecast.models import ForecastModel
from relance.web.tests.factories import make_company

pytestmark = pytest.mark.django_db
TODAY = date(2026, 3, 16)


def run(*args) -> str:
    out = StringIO()
    call_command("forecast", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def company():
    company = make_company("prev", "Prévisions SA")
    generate_portfolio(company, customers=40, invoices=600, today=TODAY, seed=2, months=18)
    return company


def test_backtest_prints_exactly_the_documented_json(company):
    as_of = (TODAY - timedelta(days=120)).isoformat()
    result = json.loads(run("backtest", "--company", "prev", "--as-of", as_of, "--format", "json"))
    assert list(result) == ["as_of", "n_train", "n_test", "mae_days"]
    assert list(result["mae_days"]) == ["model", "due_date", "customer_median"]
    assert result["as_of"] == as_of and result["n_train"] > 100 and result["n_test"] > 50
    assert all(isinstance(v, float) for v in result["mae_days"].values())
    narrow = json.loads(run("backtest", "--company", "prev", "--as-of", as_of, "--horizon", "30",
                            "--format", "json"))  # fmt: skip
    assert narrow["n_test"] < result["n_test"]


def test_backtest_as_text(company):
    text = run("backtest", "--company", "prev", "--as-of", "2025-11-16")
    assert "appris au 16/11/2025" in text and "gradient_boosting" in text
    assert "erreur moyenne (médiane du client)" in text


def test_train_stores_a_version_and_says_so(company):
    result = json.loads(run("train", "--company", "prev", "--date", "2026-03-16",
                            "--format", "json"))  # fmt: skip
    record = ForecastModel.objects.get(company=company)
    assert result == {
        "version": 1,
        "trained_on": "2026-03-16",
        "method": "gradient_boosting",
        "n_train": record.n_train,
        "predictions": record.predictions_count,
    }
    text = run("train", "--company", "prev", "--date", "2026-03-16")
    assert text.startswith("prev : modèle v2 (Gradient boosting) appris sur")


def test_a_backtest_of_an_empty_company_has_no_error_to_report():
    make_company("vide", "Vide SARL")
    result = json.loads(run("backtest", "--company", "vide", "--as-of", "2026-01-01",
                            "--format", "json"))  # fmt: skip
    assert result == {
        "as_of": "2026-01-01",
        "n_train": 0,
        "n_test": 0,
        "mae_days": {"model": None, "due_date": None, "customer_median": None},
    }


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["train", "--company", "nope"], "société inconnue : nope"),
        (["backtest", "--company", "vide", "--as-of", "31/01/2026"],
         "date invalide : 31/01/2026 (attendu AAAA-MM-JJ)"),
        (["backtest", "--company", "vide", "--as-of", "2026-01-31", "--horizon", "0"],
         "--horizon : un nombre de jours positif, pas 0"),
        (["train", "--company", "vide", "--date", "hier"], "date invalide : hier"),
    ],
)  # fmt: skip
def test_bad_arguments_are_refused_in_french(args, message):
    make_company("vide", "Vide SARL")
    with pytest.raises(CommandError, match=re.escape(message)):
        run(*args)
    assert not ForecastModel.objects.exists()
