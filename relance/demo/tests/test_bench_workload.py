"""The benchmark's files (bench/workload.py) are valid FEC and CSV for the importers."""

import csv
from collections import defaultdict
from datetime import date
from decimal import Decimal

from bench.workload import CSV_COLUMNS, FEC_COLUMNS, write_files
from relance.demo.generator import PortfolioSpec

SPEC = PortfolioSpec(
    customers=60, invoices=900, today=date(2026, 3, 1), seed=5, months=24, open_share=0.3
)


def amount(text: str) -> Decimal:
    return Decimal(text.replace(",", "."))


def test_fec_entries_balance_and_lettered_groups_are_settled(tmp_path):
    workload = write_files(SPEC, tmp_path / "fec.txt", tmp_path / "invoices.csv")
    with workload.fec_path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    assert list(rows[0]) == list(FEC_COLUMNS)
    assert len(rows) == workload.fec_lines
    entries, letters = defaultdict(Decimal), defaultdict(Decimal)
    for row in rows:
        entries[row["EcritureNum"]] += amount(row["Debit"]) - amount(row["Credit"])
        if row["EcritureLet"]:
            assert row["CompteNum"] == "411000" and row["DateLet"]
            letters[row["CompAuxNum"], row["EcritureLet"]] += amount(row["Debit"]) - amount(
                row["Credit"]
            )
    assert all(total == 0 for total in entries.values())
    assert letters and all(total == 0 for total in letters.values())


def test_csv_lists_every_invoice(tmp_path):
    workload = write_files(SPEC, tmp_path / "fec.txt", tmp_path / "invoices.csv")
    with workload.csv_path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle, delimiter=";"))
    assert tuple(rows[0]) == CSV_COLUMNS
    assert len(rows) - 1 == workload.csv_lines == 900
    assert all(row[2].startswith("FA") and amount(row[5]) > 0 for row in rows[1:])
