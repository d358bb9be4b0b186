"""`relance match --company CODE [--format json]`."""

import json
from datetime import date
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from relance.ledger import services as ledger

from .factories import stored_line

pytestmark = pytest.mark.django_db


@pytest.fixture
def company():
    company = ledger.create_company("ACME", "Acme SAS")
    dupont = ledger.create_customer(company, code="C1", name="Boulangerie Dupont")
    for number, amount in (("FA2026-0001234", "1200.00"), ("F-9", "437.19")):
        ledger.record_invoice(company, dupont, number=number, amount=Decimal(amount),
                              issued_on=date(2026, 10, 1), due_on=date(2026, 10, 31))  # fmt: skip
    return company


def run(*args) -> str:
    out = StringIO()
    call_command("match", *args, stdout=out)
    return out.getvalue()


def test_prints_each_line_as_json(company):
    sure = stored_line(company, "1200.00", "FACT 2026 1234", counterparty_name="BOULANGERIE DUPONT")
    maybe = stored_line(company, "437.19", "VIREMENT")
    alone = stored_line(company, "12.00", "INTERETS")
    stored_line(company, "-15.00", "IMPAYE", is_return=True)

    result = json.loads(run("--company", "ACME", "--format", "json"))

    assert result["lines"] == 4
    (applied,) = result["applied"]
    assert applied["bank_line"] == sure.pk and applied["date"] == "2026-11-20"
    assert (applied["amount"], applied["customer"], applied["invoices"]) == (
        "1200.00",
        "C1",
        ["FA2026-0001234"],
    )
    assert float(applied["confidence"]) >= 0.95 and "number" in applied["reasons"]
    assert [(p["bank_line"], p["invoices"]) for p in result["proposed"]] == [(maybe.pk, ["F-9"])]
    assert [u["bank_line"] for u in result["unmatched"]] == [alone.pk]
    assert len(result["returns"]) == 1 and result["returns"][0]["customer"] is None


def test_prints_counts(company):
    stored_line(company, "1200.00", "FACT 2026 1234", counterparty_name="BOULANGERIE DUPONT")
    assert run("--company", "ACME") == (
        "1 ligne(s) examinée(s) : 1 rapprochée(s) automatiquement, 0 proposée(s), "
        "0 sans correspondance, 0 rejet(s)\n"
    )
    assert run("--company", "ACME").startswith("0 ligne(s)")


def test_unknown_company_is_an_error(company):
    with pytest.raises(CommandError):
        run("--company", "NOPE")
