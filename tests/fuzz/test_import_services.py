"""The import services fuzzed end to end into the database: whatever the file, either it is
imported (what the report says it created is exactly what appeared in the tables) or it is
refused with a French message and nothing of it is written: the row count of every table of
the ledger and of the bank data is unchanged, and the ImportBatch says "failed" with the
reason. Never an "erreur interne" (an exception the service did not expect).

The inputs are those of the parser fuzz tests (generated tables and statements, damaged real
files), so the examples cover both files that import and files that do not. The company
accumulates what the good examples import, as a real one does over its re-imports.
"""

from __future__ import annotations

from collections import Counter

import pytest
from django.apps import apps
from hypothesis import given
from hypothesis import strategies as st

from relance.banking.einvoices import import_einvoice
from relance.banking.services import import_statement_file
from relance.imports.models import ImportBatch, ImportRejection
from relance.imports.report import ImportFileError, ImportReport
from relance.imports.services import import_file
from relance.ledger import services as ledger
from tests.fuzz import test_bank_files as bank
from tests.fuzz import test_einvoice_files as einvoices
from tests.fuzz import test_fec_files as fec_files
from tests.fuzz import test_table_files as tables
from tests.fuzz.fuzzing import FUZZ, assert_clear, mutated

pytestmark = [
    pytest.mark.django_db,
    # Damaged PDFs are large: hypothesis warns that printing them is expensive.
    pytest.mark.filterwarnings("ignore:Generating overly large repr"),
]
# Which table each count of an import report lands in.
TABLES = {
    "customers": "ledger.Customer",
    "contacts": "ledger.Contact",
    "invoices": "ledger.Invoice",
    "credit_notes": "ledger.Invoice",
    "openings": "ledger.Invoice",
    "adjustments": "ledger.Invoice",
    "refunds": "ledger.Invoice",
    "payments": "ledger.Payment",
    "allocations": "ledger.Allocation",
    "statements": "banking.Statement",
    "bank_lines": "banking.BankLine",
}


def row_counts() -> Counter:
    """Rows of every table of the ledger and of the bank data, and the rejected lines."""
    models = [*apps.get_app_config("ledger").get_models()]
    models += [*apps.get_app_config("banking").get_models(), ImportRejection]
    return Counter({model._meta.label: model.objects.count() for model in models})


@pytest.fixture
def company():
    return ledger.create_company("FUZZ", "Fuzz SARL")


def check_refused(before: Counter, message: str) -> None:
    """Nothing written but the failed batch, which says why."""
    assert_clear(message)
    assert row_counts() == before
    batch = ImportBatch.objects.latest("pk")
    assert batch.status == ImportBatch.Status.FAILED
    # The message as stored: PostgreSQL refuses NUL characters in text, so they are escaped.
    assert batch.error == message.replace("\x00", "\\x00")
    assert not any(batch.counts.values()), batch.counts


def check_imported(before: Counter, report: ImportReport) -> None:
    """The tables grew by exactly what the report says it created, rejections included."""
    expected = Counter()
    for kind, count in report.created.items():
        expected[TABLES[kind]] += count
    expected[ImportRejection._meta.label] = len(report.rejected)
    grown = row_counts()
    grown.subtract(before)
    assert +grown == +expected
    batch = ImportBatch.objects.get(pk=report.batch_id)
    assert batch.status == ImportBatch.Status.DONE and not batch.error
    for rejection in report.rejected:
        assert_clear(rejection.reason)


def import_table(company, tmp_path, kind: str, data: bytes, suffix: str) -> None:
    path = tmp_path / f"import{suffix}"
    path.write_bytes(data)
    before = row_counts()
    try:
        report = import_file(company, kind, path)
    except ImportFileError as error:
        check_refused(before, str(error))
        return
    check_imported(before, report)


@FUZZ
@given(st.one_of(fec_files.fec_table(), mutated(fec_files.SAMPLES)))
def test_a_fec_file_is_imported_or_leaves_nothing_behind(company, tmp_path, data):
    import_table(company, tmp_path, "fec", data, ".txt")


table_files = st.sampled_from(tables.KINDS).flatmap(
    lambda kind: st.tuples(
        st.just(kind),
        st.one_of(
            tables.csv_table(kind).map(lambda data: (data, ".csv")),
            tables.workbook(kind).map(lambda data: (data, ".xlsx")),
            mutated(tables.CSV_FILES).map(lambda data: (data, ".csv")),
            mutated(tables.WORKBOOKS).map(lambda data: (data, ".xlsx")),
        ),
    )
)


@FUZZ
@given(table_files)
def test_a_csv_or_xlsx_file_is_imported_or_leaves_nothing_behind(company, tmp_path, drawn):
    kind, (data, suffix) = drawn
    import_table(company, tmp_path, kind, data, suffix)


statements = st.one_of(
    bank.cfonb_file(),
    bank.mt940_text().map(str.encode),
    bank.ofx_text().map(lambda text: text.encode("cp1252", errors="replace")),
    bank.camt_xml().map(str.encode),
    mutated(bank.STATEMENTS),
)


@FUZZ
@given(statements)
def test_a_bank_statement_file_is_imported_or_leaves_nothing_behind(company, data):
    before = row_counts()
    try:
        report = import_statement_file(company, data, file_name="releve.txt")
    except ImportFileError as error:
        check_refused(before, str(error))
        return
    check_imported(before, report)


einvoice_files = st.one_of(
    einvoices.document(einvoices.CII),
    einvoices.document(einvoices.UBL),
    mutated(einvoices.XML_FILES),
    mutated(einvoices.PDF_FILES),
    einvoices.document(einvoices.CII).map(einvoices.factur_x),
)


@FUZZ
@given(einvoice_files)
def test_an_e_invoice_is_imported_or_leaves_nothing_behind(company, settings, tmp_path, data):
    settings.MEDIA_ROOT = tmp_path  # a Factur-X PDF is kept as the invoice's PDF
    before = row_counts()
    result = import_einvoice(company, ("facture.xml", data))
    if result.status == "refused":
        assert result.reasons
        check_refused(before, "; ".join(result.reasons))
        return
    grown = row_counts()
    grown.subtract(before)
    expected = Counter({TABLES[kind]: n for kind, n in result.counts()["created"].items()})
    if result.customer_created and grown["ledger.Contact"] == 1:
        expected["ledger.Contact"] = 1  # a new customer gets the buyer's e-mail as contact
    assert +grown == expected
    assert ImportBatch.objects.get(pk=result.batch_id).status == ImportBatch.Status.DONE
