"""Reading CSV and XLSX tables, and the 1,000-invoice file of the acceptance criteria."""

from collections.abc import Iterator
from datetime import date, datetime

import pytest
from openpyxl import Workbook

from relance.core import tabular
from relance.core.records import ItemRecord, Rejection
from relance.imports.readers import cell_text, read_table
from relance.imports.report import ImportFileError


def write(tmp_path, content: bytes, name="table.csv"):
    path = tmp_path / name
    path.write_bytes(content)
    return path


@pytest.mark.parametrize(
    ("content", "encoding"),
    [
        ('Société;Montant\n"Dupont; fils";1 234,50\nÉlise;12\n', "cp1252"),
        ('Société;Montant\n"Dupont; fils";1 234,50\nÉlise;12\n', "utf-8"),
        ('Société;Montant\n"Dupont; fils";1 234,50\nÉlise;12\n', "utf-8-sig"),
        ('Société;Montant\r\n"Dupont; fils";1 234,50\r\nÉlise;12\r\n', "utf-16"),
        (
            'Société,Montant\n"Dupont; fils",1 234,50\nÉlise,12\n'.replace(
                "1 234,50", '"1 234,50"'
            ),
            "utf-8",
        ),
        ('Société\tMontant\n"Dupont; fils"\t1 234,50\nÉlise\t12\n', "utf-8"),
        ('Société|Montant\n"Dupont; fils"|1 234,50\nÉlise|12\n', "cp1252"),
    ],
)
def test_reads_csv_in_any_usual_encoding_and_delimiter(tmp_path, content, encoding):
    source = read_table(write(tmp_path, content.encode(encoding)))
    assert source.headers == ["Société", "Montant"]
    assert list(source.rows) == [(2, ["Dupont; fils", "1 234,50"]), (3, ["Élise", "12"])]


def test_line_numbers_are_those_of_the_file(tmp_path):
    content = 'Nom;Adresse\n\nA;"1 rue X\nBâtiment B"\n;;\n  ;\nB;2 rue Y\n'
    source = read_table(write(tmp_path, content.encode()))
    assert isinstance(source.rows, Iterator)
    assert list(source.rows) == [(3, ["A", "1 rue X\nBâtiment B"]), (7, ["B", "2 rue Y"])]


def test_a_non_utf8_byte_far_into_the_file_switches_to_cp1252(tmp_path):
    content = b"Nom;Ville\n" + b"Dupont;Paris\n" * 10000 + "Zoé;Orléans\n".encode("cp1252")
    rows = list(read_table(write(tmp_path, content)).rows)
    assert rows[-1] == (10002, ["Zoé", "Orléans"])


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"", "table.csv", "fichier vide"),
        (b"\n \r\n\n", "table.csv", "fichier vide"),
        (bytes(range(256)) * 10, "table.csv", "ni un CSV ni un fichier XLSX"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "table.xls", "Excel 97-2003"),
        (b"PK\x03\x04garbage", "table.xlsx", "fichier XLSX illisible"),
    ],
)
def test_refuses_what_is_not_a_table(tmp_path, content, name, message):
    with pytest.raises(ImportFileError, match=message):
        read_table(write(tmp_path, content, name))


def test_refuses_a_file_without_header(tmp_path):
    with pytest.raises(ImportFileError, match="aucune ligne d'en-tête"):
        read_table(write(tmp_path, b";;;\n;;\n"))


# --- XLSX -----------------------------------------------------------------------------------


def test_reads_the_first_sheet_of_a_workbook_as_text(tmp_path):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["N° facture", "Date", "Montant", "Payé le", "Qté", "Litige"])
    sheet.append(["F1", datetime(2024, 1, 31), 1234.5, None, 12, False])
    sheet.append([None, None, None])
    sheet.append(["F2", date(2024, 2, 29), 0.1 + 0.2, datetime(2024, 3, 1, 10, 30), 12.0, True])
    sheet.append(["F3", datetime(2024, 3, 1), 1e-7, None, 10**15, None])
    workbook.create_sheet("Autre").append(["ignored"])
    path = tmp_path / "table.xlsx"
    workbook.save(path)
    source = read_table(path)
    assert source.headers == ["N° facture", "Date", "Montant", "Payé le", "Qté", "Litige"]
    assert list(source.rows) == [
        (2, ["F1", "2024-01-31", "1234.5", "", "12", "non"]),
        (4, ["F2", "2024-02-29", "0.3", "2024-03-01 10:30:00", "12", "oui"]),
        (5, ["F3", "2024-03-01", "0.0000001", "", "1000000000000000", ""]),
    ]


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (None, ""),
        ("abc", "abc"),
        (12, "12"),
        (12.0, "12"),
        (-3.25, "-3.25"),
        (1e21, "1" + "0" * 21),
        (19.99 * 3, "59.97"),
        (date(2024, 1, 2), "2024-01-02"),
        (datetime(2024, 1, 2, 0, 0), "2024-01-02"),
    ],
)
def test_cell_text(value, text):
    assert cell_text(value) == text


# --- the acceptance file --------------------------------------------------------------------

HEADER = "Code client;Client;N° facture;Date facture;Échéance;Montant TTC;Devise"
BROKEN = {  # data row index -> (the broken line, the reason it is rejected)
    17: (
        "C017;Dupont;F00017;31/02/2024;31/03/2024;100,00;EUR",
        "date de facture illisible : '31/02/2024'",
    ),
    101: (
        "C101;Dupont;F00101;15/03/2024;15/02/2024;100,00;EUR",
        "échéance antérieure à la date de facture : '15/02/2024'",
    ),
    222: ("C222;Dupont;F00222;15/03/2024;15/04/2024;100,00;EUX", "devise inconnue : 'EUX'"),
    333: ("C333;Dupont;;15/03/2024;15/04/2024;100,00;EUR", "numéro de facture manquant"),
    444: (
        "C444;Dupont;F00010;15/03/2024;15/04/2024;100,00;EUR",
        "numéro de facture en double (déjà ligne 13)",
    ),
    555: ("C555;Dupont;F00555;15/03/2024;15/04/2024;douze;EUR", "montant illisible : 'douze'"),
    666: ("C666;Dupont;F00666;15/03/2024;15/04/2024;0,00;EUR", "montant négatif ou nul : '0,00'"),
    777: (";Dupont;F00777;15/03/2024;15/04/2024;100,00;EUR", "code client manquant"),
    888: (
        "C888;Dupont;F00888;15/03/2024;15/04/2024;100,125;EUR",
        "montant avec plus de deux décimales : '100,125'",
    ),
    999: (
        "C999;Dupont;F00999;15/03/2024;32/04/2024;100,00;EUR",
        "date d'échéance illisible : '32/04/2024'",
    ),
}


def acceptance_file(tmp_path):
    """1,000 invoices, 10 of them broken; a blank line and a two-line name on the way, so the
    line numbers are not simply the row numbers."""
    lines, expected = [HEADER], []
    for index in range(1000):
        if index == 5:
            lines.append("")
        if index in BROKEN:
            line, reason = BROKEN[index]
            file_line = "\n".join(lines).count("\n") + 2
            expected.append(Rejection(line=file_line, reason=reason))
        elif index == 20:
            line = 'C020;"Dupont\net fils";F00020;15/03/2024;15/04/2024;"1 234,50";EUR'
        else:
            line = f"C{index:03d};Client {index};F{index:05d};15/03/2024;;{index + 1},50;EUR"
        lines.append(line)
    path = tmp_path / "factures.csv"
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("cp1252"))
    return path, expected


def test_a_thousand_invoices_with_ten_broken_lines(tmp_path):
    path, expected = acceptance_file(tmp_path)
    source = read_table(path)
    mapping = tabular.detect_mapping("invoices", source.headers)
    assert mapping.missing == []
    results = list(
        tabular.parse_rows("invoices", source.rows, mapping, currency="EUR", payment_days=30)
    )
    records = [r for r in results if isinstance(r, ItemRecord)]
    rejections = [r for r in results if isinstance(r, Rejection)]
    assert len(records) == 990
    assert rejections == expected
    # Row 10 is F00010 at line 13 (a blank line comes before it), so the duplicate points there.
    assert next(r for r in records if r.number == "F00010").line == 13
    assert next(r for r in records if r.number == "F00020").customer_name == "Dupont\net fils"
    assert {r.due_on for r in records} == {date(2024, 4, 14), date(2024, 4, 15)}
