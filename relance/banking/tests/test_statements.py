"""Importing bank statements: stored once, overlapping statements, refusals change nothing."""

from datetime import date
from decimal import Decimal

import pytest

from relance.banking.models import BankLine, Statement
from relance.banking.services import import_statement_file
from relance.core.bank.records import BankFileError
from relance.imports.models import ImportBatch
from relance.imports.report import ImportFileError
from relance.ledger import services as ledger

from .factories import IBAN, bank_line, reader_of, statement

pytestmark = pytest.mark.django_db


@pytest.fixture
def company():
    return ledger.create_company("ACME", "Acme SAS")


def november_1_to_10():
    return statement(
        [
            bank_line(2, "250.00", "VIR DUPONT FACTURE F-0001", bank_reference="REF1"),
            bank_line(5, "-12.50", "FRAIS TENUE DE COMPTE"),
            bank_line(5, "-12.50", "FRAIS TENUE DE COMPTE"),
            bank_line(9, "1200.00", "VIR MARTIN F-0002", end_to_end_id="E2E-2"),
        ],
        reference="2026-11-A",
        last_day=10,
    )


def test_stores_each_statement_and_line_with_the_batch(company):
    report = import_statement_file(
        company, b"file", file_name="nov.xml", reader=reader_of(november_1_to_10())
    )
    assert report.created == {"statements": 1, "bank_lines": 4}
    stored = Statement.objects.get(company=company)
    assert (stored.reference, stored.account, stored.format) == (
        "2026-11-A",
        IBAN,
        "camt.053.001.02",
    )
    assert stored.closing_on == date(2026, 11, 10) and stored.closing_balance == Decimal("2425.00")
    batch = ImportBatch.objects.get(pk=report.batch_id)
    assert batch.kind == "bank" and batch.status == "done" and batch.file_name == "nov.xml"
    assert batch.counts["created"] == {"bank_lines": 4, "statements": 1}
    assert stored.import_batch == batch
    line = BankLine.objects.get(company=company, end_to_end_id="E2E-2")
    assert (line.amount, line.currency, line.status, line.payment) == (
        Decimal("1200.00"),
        "EUR",
        BankLine.Status.UNMATCHED,
        None,
    )


def test_importing_the_same_statement_again_creates_nothing(company):
    reader = reader_of(november_1_to_10())
    import_statement_file(company, b"file", reader=reader)
    again = import_statement_file(company, b"file", reader=reader)
    assert again.created == {}
    assert again.unchanged == {"statements": 1, "bank_lines": 4}
    assert BankLine.objects.filter(company=company).count() == 4
    assert Statement.objects.filter(company=company).count() == 1


def test_two_identical_lines_of_a_day_are_both_kept_once(company):
    import_statement_file(company, b"file", reader=reader_of(november_1_to_10()))
    fees = BankLine.objects.filter(company=company, remittance="FRAIS TENUE DE COMPTE")
    assert fees.count() == 2


def test_an_overlapping_statement_adds_only_the_lines_not_yet_known(company):
    import_statement_file(company, b"first", reader=reader_of(november_1_to_10()))
    overlapping = statement(
        [
            bank_line(5, "-12.50", "FRAIS TENUE DE COMPTE"),
            bank_line(5, "-12.50", "FRAIS TENUE DE COMPTE"),
            bank_line(9, "1200.00", "VIR MARTIN F-0002", end_to_end_id="E2E-2"),
            bank_line(12, "80.00", "VIR DURAND"),
        ],
        opening="1237.50",
        reference="2026-11-B",
        first_day=5,
    )
    report = import_statement_file(company, b"second", reader=reader_of(overlapping))
    assert report.created == {"statements": 1, "bank_lines": 1}
    assert report.unchanged == {"bank_lines": 3}
    assert BankLine.objects.filter(company=company).count() == 5
    assert BankLine.objects.get(remittance="VIR DURAND").statement.reference == "2026-11-B"


def test_a_line_is_known_by_its_bank_reference_even_if_its_text_changes(company):
    first = statement([bank_line(2, "250.00", "VIR DUPONT", bank_reference="REF1")])
    second = statement(
        [bank_line(2, "250.00", "VIR SEPA DUPONT SA", bank_reference="REF1")], reference="B"
    )
    import_statement_file(company, b"1", reader=reader_of(first))
    report = import_statement_file(company, b"2", reader=reader_of(second))
    assert report.created == {"statements": 1}
    assert BankLine.objects.filter(company=company).count() == 1


def test_the_same_lines_twice_in_one_file_are_stored_once(company):
    lines = [bank_line(3, "90.00", "VIR A"), bank_line(4, "10.00", "VIR B")]
    daily = statement(lines[:1], reference="J3")
    monthly = statement(lines, reference="M11")
    report = import_statement_file(company, b"f", reader=reader_of(daily, monthly))
    assert report.created == {"statements": 2, "bank_lines": 2}
    assert report.unchanged == {"bank_lines": 1}


def test_lines_of_other_accounts_are_other_lines(company):
    line = bank_line(3, "90.00", "VIR A")
    report = import_statement_file(
        company,
        b"f",
        reader=reader_of(statement([line]), statement([line], account="FR7612345000")),
    )
    assert report.created == {"statements": 2, "bank_lines": 2}


def test_a_statement_whose_balances_do_not_add_up_refuses_the_whole_file(company):
    good = statement([bank_line(2, "100.00", "VIR A")], reference="OK")
    wrong = statement(
        [bank_line(3, "250.00", "VIR B")], opening="1000.00", closing="1300.00", reference="X"
    )
    with pytest.raises(ImportFileError) as refusal:
        import_statement_file(company, b"f", reader=reader_of(good, wrong))
    assert str(refusal.value) == (
        "relevé X (ligne 1) : solde initial 1 000,00 + mouvements 250,00 ≠ solde final "
        "1 300,00 (écart 50,00)"
    )
    assert not Statement.objects.exists() and not BankLine.objects.exists()
    batch = ImportBatch.objects.get(company=company)
    assert batch.status == "failed" and "écart 50,00" in batch.error


def test_a_statement_without_balances_is_accepted(company):
    ofx = statement([bank_line(2, "100.00", "VIR A")], opening=None, closing=None)
    report = import_statement_file(company, b"f", reader=reader_of(ofx, file_format="ofx"))
    assert report.created == {"statements": 1, "bank_lines": 1}


def test_a_line_in_another_currency_refuses_the_file(company):
    mixed = statement([bank_line(2, "100.00", "VIR A", currency="USD", line=7)], reference="X")
    with pytest.raises(ImportFileError, match="ligne 7 : devise USD différente"):
        import_statement_file(company, b"f", reader=reader_of(mixed))
    assert not BankLine.objects.exists()


def test_an_unreadable_file_is_refused_with_its_line_and_changes_nothing(company):
    def broken(data, name):
        raise BankFileError("date illisible : 31/02/2026", line=14)

    with pytest.raises(ImportFileError, match="ligne 14 : date illisible"):
        import_statement_file(company, b"f", reader=broken)
    assert not Statement.objects.exists()
    assert ImportBatch.objects.get(company=company).status == "failed"


def test_a_file_without_statements_is_refused(company):
    with pytest.raises(ImportFileError, match="aucun relevé"):
        import_statement_file(company, b"f", reader=reader_of())


def test_a_missing_file_is_refused(company, tmp_path):
    with pytest.raises(ImportFileError, match="fichier illisible"):
        import_statement_file(company, tmp_path / "absent.xml")


def test_each_company_keeps_its_own_lines(company):
    other = ledger.create_company("OTHER", "Other SARL")
    reader = reader_of(november_1_to_10())
    import_statement_file(company, b"f", reader=reader)
    report = import_statement_file(other, b"f", reader=reader)
    assert report.created == {"statements": 1, "bank_lines": 4}


def test_known_lines_are_read_in_one_query_per_account(company, django_assert_max_num_queries):
    lines = [bank_line(1 + i % 28, f"{i + 1}.00", f"VIR {i}") for i in range(300)]
    reader = reader_of(statement(lines))
    import_statement_file(company, b"f", reader=reader)
    # batch, statement lookup, known lines, statement/line inserts, batch close, savepoints
    with django_assert_max_num_queries(12):
        import_statement_file(company, b"f", reader=reader)
