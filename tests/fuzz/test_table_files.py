"""CSV and XLSX tables fuzzed through the reader and the row parser: a file is either read, each
bad row rejected with its line number and a French reason, or refused as a whole with an
ImportFileError (or a MappingError for its columns) in French. Never another exception.

Inputs: random bytes; CSV tables of every import kind with the headers Relance recognises
(plus unknown ones), cells drawn valid or hostile, any delimiter, quoting and encoding;
workbooks written by openpyxl with cells of every type (text, numbers, NaN, dates, times,
booleans, formulas) and extra or empty sheets, then also damaged byte by byte; the CSV files
of ../shared/data (bank exports, SIRENE extracts) damaged by mutations.
"""

from __future__ import annotations

import csv
import io
import math
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import Workbook

from relance.core import tabular
from relance.core.records import Rejection
from relance.core.tabular_words import SYNONYMS
from relance.imports.readers import read_table
from relance.imports.report import ImportFileError
from tests.fuzz.fuzzing import FUZZ, HOSTILE, assert_clear, corpus, line_count, mutated

KINDS = ("customers", "contacts", "invoices", "payments")
CSV_FILES = corpus("", (".csv",))


def parse_table(path: Path, kind: str) -> list | None:
    """Read and parse `path` as `kind`; a refusal must be clear."""
    try:
        source = read_table(path)
        mapping = tabular.detect_mapping(kind, source.headers)
        records = list(tabular.parse_rows(kind, source.rows, mapping, currency="EUR"))
    except (ImportFileError, tabular.MappingError) as error:
        assert_clear(str(error))
        return None
    check_records(records, path.read_bytes())
    return records


def check_records(records: list, data: bytes) -> None:
    last = line_count(data)
    for record in records:
        assert 2 <= record.line <= last, record
        if isinstance(record, Rejection):
            assert_clear(record.reason)
            continue
        for name in ("amount", "credit_limit"):
            value = getattr(record, name, None)
            assert value is None or (isinstance(value, Decimal) and value.is_finite())


@pytest.fixture
def table_path(tmp_path) -> Path:
    return tmp_path / "table"


def written(path: Path, data: bytes, suffix: str) -> Path:
    target = path.with_suffix(suffix)
    target.write_bytes(data)
    return target


# --- generated inputs -------------------------------------------------------------------------

hostile = st.sampled_from([value.decode("latin-1") for value in HOSTILE])
CELLS = st.one_of(
    hostile,
    st.text(max_size=12),
    st.sampled_from(["C001", "F2024-001", "Dupont SA", "EUR", "virement", "facture", "avoir"]),
    st.sampled_from(["15/01/2024", "2024-02-30", "31.12.2023", "20240101", "1 234,56"]),
    st.decimals(-(10**13), 10**13, places=3, allow_nan=False).map(str),
)


def headers(kind: str) -> st.SearchStrategy:
    """Some of the headers each field of `kind` is known by, and strangers, in any order."""
    known = sorted(SYNONYMS[kind])  # the headers as compared (accents and case aside)
    return st.lists(st.one_of(st.sampled_from(known), st.text(max_size=8)), min_size=1, max_size=9)


@st.composite
def csv_table(draw, kind: str) -> bytes:
    names = draw(headers(kind))
    out = io.StringIO()
    writer = csv.writer(
        out,
        delimiter=draw(st.sampled_from(";,\t|")),
        quoting=draw(st.sampled_from([csv.QUOTE_MINIMAL, csv.QUOTE_ALL, csv.QUOTE_NONNUMERIC])),
    )
    writer.writerow(names)
    for _ in range(draw(st.integers(0, 8))):
        writer.writerow(draw(st.lists(CELLS, max_size=len(names) + 2)))
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "cp1252", "utf-16"]))
    return out.getvalue().encode(encoding, errors="replace")


@FUZZ
@given(st.binary(max_size=3000), st.sampled_from(KINDS))
def test_random_bytes_are_read_or_refused_clearly(table_path, data, kind):
    parse_table(written(table_path, data, ".csv"), kind)


@FUZZ
@given(st.sampled_from(KINDS).flatmap(lambda kind: st.tuples(st.just(kind), csv_table(kind))))
def test_csv_tables_with_wrong_cells_are_read_row_by_row_or_refused(table_path, drawn):
    kind, data = drawn
    parse_table(written(table_path, data, ".csv"), kind)


XLSX_VALUES = st.one_of(
    CELLS,
    st.none(),
    st.booleans(),
    st.integers(-(10**15), 10**15),
    st.floats(allow_nan=True, allow_infinity=True),
    st.datetimes(min_value=datetime(1900, 3, 1), max_value=datetime(9999, 1, 1)),
    st.dates(min_value=date(1900, 3, 1)),
    st.times(),
    st.sampled_from(["=1/0", "=SUM(A1:A2)", "#DIV/0!", "=A1"]),
)


def clean_for_openpyxl(value: object) -> object:
    """openpyxl refuses control characters in text and NaN/infinity are written as text."""
    if isinstance(value, str):
        return "".join(char for char in value if char >= " " or char in "\t\n")
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, time) and value.tzinfo is not None:
        return value.replace(tzinfo=None)
    return value


def saved(book: Workbook) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@st.composite
def workbook(draw, kind: str) -> bytes:
    book = Workbook()
    sheet = book.active
    if draw(st.booleans()):
        sheet = book.create_sheet("Factures", 0)  # the first sheet is the one read
    names = draw(headers(kind))
    sheet.append([clean_for_openpyxl(name) for name in names])
    for _ in range(draw(st.integers(0, 6))):
        row = draw(st.lists(XLSX_VALUES, max_size=len(names) + 2))
        sheet.append([clean_for_openpyxl(value) for value in row])
    return saved(book)


@FUZZ
@given(st.sampled_from(KINDS).flatmap(lambda kind: st.tuples(st.just(kind), workbook(kind))))
def test_workbooks_with_cells_of_every_type_are_read_row_by_row_or_refused(table_path, drawn):
    kind, data = drawn
    parse_table(written(table_path, data, ".xlsx"), kind)


def invoice_workbook(sheets: int) -> bytes:
    """A good invoice workbook; openpyxl stamps the time, so each is made once per run and
    hypothesis damages the same bytes while it shrinks."""
    book = Workbook()
    for number in range(1, sheets):
        book.create_sheet(f"Feuille {number}")
    sheet = book.worksheets[0]
    sheet.append(["Code client", "Client", "N° facture", "Date facture", "Échéance", "Montant TTC"])
    sheet.append(["C1", "Dupont SA", "F1", date(2024, 1, 15), datetime(2024, 2, 14), 1200.5])
    sheet.append(["C2", "Élise & Fils", 2, "15/01/2024", None, "=1/0"])
    sheet.append([3, True, "F3", 45321, time(10, 30), Decimal("99.99")])
    return saved(book)


WORKBOOKS = [invoice_workbook(1), invoice_workbook(3)]


@FUZZ
@given(mutated(WORKBOOKS))
def test_damaged_workbooks_are_read_or_refused(table_path, data):
    parse_table(written(table_path, data, ".xlsx"), "invoices")


# --- mutated real files -----------------------------------------------------------------------


@FUZZ
@given(mutated(CSV_FILES), st.sampled_from(KINDS))
def test_damaged_real_csv_files_are_read_row_by_row_or_refused(table_path, data, kind):
    parse_table(written(table_path, data, ".csv"), kind)


# --- what the fuzzing found, kept as examples -------------------------------------------------


def test_a_byte_windows_1252_does_not_define_is_refused_in_french(table_path):
    # The message showed Python's "'charmap' codec can't decode byte 0x8d in position 0".
    path = written(table_path, "Code;Nom\nC1;Dupont\nC2;Zoé\x8d\n".encode("latin-1"), ".csv")
    with pytest.raises(ImportFileError) as caught:
        list(read_table(path).rows)
    message = str(caught.value)
    assert message.startswith("ligne 3 illisible : l'octet 0x8D n'existe pas en Windows-1252")


def test_a_workbook_with_a_corrupt_compressed_sheet_is_refused_in_french(table_path):
    # zlib.error escaped the reader ("Error -3 while decompressing data").
    data = bytearray(WORKBOOKS[0])
    sheet = data.index(b"xl/worksheets/sheet1.xml") + len(b"xl/worksheets/sheet1.xml")
    data[sheet + 10 : sheet + 40] = bytes(range(30))
    with pytest.raises(ImportFileError) as caught:
        list(read_table(written(table_path, bytes(data), ".xlsx")).rows)
    assert "fichier endommagé ou incomplet" in str(caught.value)
