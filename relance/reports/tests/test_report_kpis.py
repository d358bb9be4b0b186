"""`relance report kpis` on a small ledger computed by hand, portfolios and currencies.

As of 31 March 2026, company KPI (EUR):
    C1 (collector's portfolio): F1 6,000 issued 1 Mar due 31 Mar, not due;
        F2 3,000 issued 15 Jan due 14 Feb: 45 days past due (31-60); paid 1,000 on 10 Mar.
        F0 1,000 issued 2 Jan due 1 Feb, paid in full on 20 Feb (49 days to pay, 19 late).
    C2: F3 2,000 issued 1 Feb due 3 Mar: 28 days past due (1-30); a 500 credit note issued
        20 Mar (open) settles it first: 1-30 1,500.
    C3 (USD): U1 9,999 — never added to the EUR figures.
    Outstanding 6,000 + 2,000 + 1,500 = 9,500 (F2 3,000 - 1,000 paid = 2,000);
    overdue 2,000 + 1,500 = 3,500; not due 6,000.
    Sales of the last 90 days (31 Dec, 31 Mar]: 1,000 + 3,000 + 2,000 + 6,000 - 500 = 11,500
    -> DSO 9,500 / 11,500 x 90 = 74.3; best possible 6,000 / 11,500 x 90 = 47.0; ADD 27.4
    (74.35 - 46.96 = 27.39).
    Countback: (28 Feb, 31 Mar] sales 5,500 (6,000 - 500), 31 days; (31 Jan, 28 Feb] 2,000,
    28 days; (31 Dec, 31 Jan] 4,000, 31 days: 9,500 - 5,500 - 2,000 = 2,000
    -> 31 + 28 + 2,000 / 4,000 x 31 = 74.5.
    CEI over (28 Feb, 31 Mar]: opening as of 28 Feb = F1 not issued, F2 3,000, F3 2,000 = 5,000;
    sales 5,500; closing 9,500; closing not due 6,000
    -> (5,000 + 5,500 - 9,500) / (5,000 + 5,500 - 6,000) x 100 = 1,000 / 4,500 = 22.2 %.
    Paid in the last 90 days: F0 only -> 49.0 days to pay, 19.0 days late.
"""

import json
from datetime import date
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from relance.ledger import services as ledger
from relance.ledger.models import Customer
from relance.reports import services
from relance.team.models import Membership, Role
from relance.web.tests.factories import make_member

pytestmark = pytest.mark.django_db
AS_OF = date(2026, 3, 31)


def invoice(company, debtor, number, amount, issued_on, due_on, currency="EUR", **fields):
    return ledger.record_invoice(
        company, debtor, number=number, amount=Decimal(amount), issued_on=issued_on,
        due_on=due_on, currency=currency, **fields,
    )  # fmt: skip


def pay(company, debtor, item, amount, on):
    payment = ledger.record_payment(
        company, customer=debtor, amount=Decimal(amount), received_on=on, currency="EUR"
    )
    ledger.allocate(item, Decimal(amount), on, payment=payment)


@pytest.fixture
def company():
    company = ledger.create_company("KPI", "Indicateurs SAS")
    collector = make_member(company, Role.COLLECTOR, "kpi-collector")
    c1 = ledger.create_customer(company, code="C1", name="Client Un", collector=collector)
    c2 = ledger.create_customer(company, code="C2", name="Client Deux")
    c3 = ledger.create_customer(company, code="C3", name="Client Trois")
    f0 = invoice(company, c1, "F0", "1000", date(2026, 1, 2), date(2026, 2, 1))
    pay(company, c1, f0, "1000", date(2026, 2, 20))
    invoice(company, c1, "F1", "6000", date(2026, 3, 1), date(2026, 3, 31))
    f2 = invoice(company, c1, "F2", "3000", date(2026, 1, 15), date(2026, 2, 14))
    pay(company, c1, f2, "1000", date(2026, 3, 10))
    invoice(company, c2, "F3", "2000", date(2026, 2, 1), date(2026, 3, 3))
    invoice(company, c2, "A1", "500", date(2026, 3, 20), date(2026, 3, 20),
            kind="credit_note", is_credit=True)  # fmt: skip
    invoice(company, c3, "U1", "9999", date(2026, 3, 1), date(2026, 3, 1), currency="USD")
    return company


def report(*args):
    out = StringIO()
    call_command("report", "kpis", "--company", "KPI", *args, stdout=out)
    return out.getvalue()


def test_json_has_the_figures_computed_by_hand(company):
    result = json.loads(report("--as-of", "2026-03-31", "--format", "json"))
    assert result == {
        "as_of": "2026-03-31",
        "currency": "EUR",
        "outstanding": "9500.00",
        "overdue": "3500.00",
        "not_due": "6000.00",
        "aging": {
            "not_due": "6000.00",
            "1-30": "1500.00",
            "31-60": "2000.00",
            "61-90": "0.00",
            "91-180": "0.00",
            "180+": "0.00",
        },
        "dso_simple": 74.3,
        "dso_countback": 74.5,
        "best_possible_dso": 47.0,
        "add": 27.4,
        "cei": 22.2,
        "avg_days_to_pay": 49.0,
        "avg_days_late": 19.0,
    }


def test_other_currencies_are_reported_on_their_own(company):
    result = json.loads(report("--as-of", "2026-03-31", "--currency", "usd", "--format", "json"))
    assert (result["currency"], result["outstanding"], result["overdue"]) == (
        "USD",
        "9999.00",
        "9999.00",
    )
    assert result["dso_simple"] == 90.0  # 9,999 / 9,999 x 90
    assert result["avg_days_to_pay"] is None  # nothing paid: undefined, not zero


def test_as_of_a_past_date_puts_back_what_was_paid_later(company):
    result = json.loads(report("--as-of", "2026-02-28", "--format", "json"))
    # F1 not issued yet; F2 3,000 (due 14 Feb: 14 days), F3 2,000 not due (due 3 Mar).
    assert (result["outstanding"], result["overdue"], result["not_due"]) == (
        "5000.00",
        "3000.00",
        "2000.00",
    )


def test_text_table_in_french(company):
    text = report("--as-of", "2026-03-31")
    assert "KPI — Indicateurs SAS, au 31/03/2026 (EUR)" in text
    assert "9 500,00" in text and "Balance âgée" in text
    assert "74,3 j" in text and "22,2 %" in text
    assert "Autres devises : USD" in text


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--company", "NOPE"], "société inconnue : NOPE"),
        (["--company", "KPI", "--as-of", "31/03/2026"], "date invalide"),
        (["--company", "KPI", "--currency", "XYZ"], "unknown currency"),
    ],
)
def test_errors_are_clear(company, args, message):
    with pytest.raises(CommandError, match=message):
        call_command("report", "kpis", *args, stdout=StringIO())


def test_a_portfolio_counts_only_its_customers(company):
    membership = Membership.objects.get(company=company, role=Role.COLLECTOR)
    portfolio = Customer.objects.filter(company=company, collector=membership.user)
    kpis = services.kpis_as_of(company, AS_OF, "EUR", portfolio)
    assert kpis.aging.outstanding == Decimal("8000.00")  # C1: 6,000 + 2,000
    assert kpis.sales == Decimal("10000.00")  # F0, F1, F2
    board = services.dashboard(company, AS_OF, "EUR", portfolio)
    assert [d.customer.code for d in board.debtors] == ["C1"]
    assert board.currencies == ["EUR", "USD"]
    assert len(board.evolution) == 12 and board.evolution[-1].outstanding == Decimal("8000.00")
