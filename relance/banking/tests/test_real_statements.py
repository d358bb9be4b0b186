"""Real statement files of ../shared/data/bank_statements, end to end into the database."""

from pathlib import Path

import pytest

from relance.banking.models import BankLine, Statement
from relance.banking.services import freshest_bank_date, import_statement_file
from relance.imports.report import ImportFileError
from relance.ledger import services as ledger

pytestmark = pytest.mark.django_db
ROOT = Path("bank_statements")
ACCEPTED = [
    ("pennylane-hq__cfonb/example.txt", "cfonb120", 2, 6),
    ("sebastienrousseau__bankstatementparser/camt.053.001.02.xml", "camt.053.001.02", 1, 3),
    ("OCA__bank-statement-import/test_ofx.ofx", "ofx", 2, 4),
    ("WoLpH__mt940/betterplace/sepa_mt9401.sta", "mt940", 26, 97),
    ("ebics-api__cfonb-php/cfonb.120-simple-test.txt", "cfonb120", 1, 0),
]


@pytest.fixture
def company():
    return ledger.create_company("ACME", "Acme SAS")


@pytest.mark.parametrize("name, file_format, statements, lines", ACCEPTED)
def test_a_real_statement_is_stored_once(
    company, shared_data, name, file_format, statements, lines
):
    path = shared_data / ROOT / name
    report = import_statement_file(company, path)
    assert report.created.get("statements") == statements
    assert report.created.get("bank_lines", 0) == lines
    assert Statement.objects.filter(company=company, format=file_format).count() == statements
    again = import_statement_file(company, path)
    assert sum(again.created.values()) == 0
    assert again.unchanged.get("bank_lines", 0) == lines
    assert BankLine.objects.filter(company=company).count() == lines
    assert freshest_bank_date(company) is not None


@pytest.mark.parametrize(
    "name, reason",
    [
        ("akretion__python-cfonb/bank_statement.cfo", "(écart 13 871,06)"),
        ("OCA__bank-statement-import/test-camt053", "≠ solde final"),
        ("pennylane-hq__cfonb/operation.txt", "ligne 1 : enregistrement 04"),
        ("genkgo__camt/camt052.v2.xml", "camt.052"),
    ],
)
def test_a_refused_real_file_changes_nothing(company, shared_data, name, reason):
    with pytest.raises(ImportFileError) as refusal:
        import_statement_file(company, shared_data / ROOT / name)
    assert reason in str(refusal.value)
    assert not Statement.objects.exists() and not BankLine.objects.exists()
