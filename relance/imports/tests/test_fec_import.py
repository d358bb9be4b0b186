"""Importing the real FEC ledgers of ../shared/data/fec end to end into the database."""

import re
from collections import defaultdict
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from relance.imports.services import import_file
from relance.ledger import services as ledger
from relance.ledger.models import Customer

TODAY = date(2026, 11, 23)
FILES = ["0000000001FEC20220831.txt", "000000000FEC20231231.txt", "123456789FEC20500930.txt"]
pytestmark = pytest.mark.django_db


@pytest.fixture
def company():
    return ledger.create_company("FEC", "Grossiste SAS")


def fec_path(shared_data: Path, name: str) -> Path:
    return shared_data / "fec" / "neolegal-fr__fec-reader" / name


def ledger_balances(path: Path) -> dict[str, Decimal]:
    """Debit - credit per customer over the 411/416 lines, read straight from the columns."""
    lines = re.split(r"\r\r\n|\r\n|\n|\r", path.read_bytes().decode("utf-8-sig"))
    names = lines[0].split("\t")
    balances: dict[str, Decimal] = defaultdict(Decimal)
    for line in filter(None, lines[1:]):
        row = dict(zip(names, line.split("\t"), strict=True))
        if row["CompteNum"].startswith(("411", "416")):
            code = row["CompAuxNum"].strip() or row["CompteNum"].strip()
            balances[code] += Decimal(row["Debit"].replace(",", ".") or "0") - Decimal(
                row["Credit"].replace(",", ".") or "0"
            )
    return dict(balances)


@pytest.mark.parametrize("name", FILES)
def test_each_customer_owes_its_ledger_balance_after_import(company, shared_data, name):
    path = fec_path(shared_data, name)
    report = import_file(company, "fec", path)
    assert report.rejected == []
    positions = {
        c.code: ledger.position_of(c, TODAY, "EUR").balance
        for c in Customer.objects.filter(company=company)
    }
    assert positions == ledger_balances(path)


@pytest.mark.parametrize("name", FILES)
def test_importing_the_same_file_again_creates_nothing(company, shared_data, name):
    path = fec_path(shared_data, name)
    first = import_file(company, "fec", path)
    assert sum(first.created.values()) > 0
    second = import_file(company, "fec", path)
    assert sum(second.created.values()) == 0
    assert second.rejected == []
