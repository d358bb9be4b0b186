"""`relance notice preview` and amounts_for: JSON, text, errors, the three debtor regimes.

Figures by hand with the rates of the data migration (2026 H1: ECB 2.15 %, legal rate 2.62 %;
2026 H2, provisional: the same). Interest = principal x rate x days / 365.
"""

import json
from datetime import UTC, date, datetime
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from relance.dunning.models import Reminder, ReminderItem
from relance.ledger import services as ledger
from relance.legal.models import HalfYearRate
from relance.legal.services import amounts_for, interest_rate_for

pytestmark = pytest.mark.django_db
AS_OF = date(2026, 6, 30)


@pytest.fixture
def company():
    return ledger.create_company("LEX", "Lex SAS")


def customer(company, code="C1", **fields):
    return ledger.create_customer(company, code=code, name=f"Client {code}", **fields)


def invoice(company, debtor, number, amount, due_on, **fields):
    return ledger.record_invoice(company, debtor, number=number, amount=Decimal(amount),
                                 issued_on=date(2026, 1, 2), due_on=due_on, **fields)  # fmt: skip


def preview(*args):
    out = _call("preview", "--company", "LEX", "--date", AS_OF.isoformat(), *args)
    return json.loads(out) if "json" in args else out


def _call(*args):
    out = StringIO()
    call_command("notice", *args, stdout=out)
    return out.getvalue()


def test_prints_the_overdue_invoices_of_a_business_with_interest_and_indemnity(company):
    debtor = customer(company)
    # 31 January to 30 June 2026 = 150 days at 2.15 + 10 = 12.15 %:
    # 1200 x 12.15 % x 150 / 365 = 21870 / 365 = 59.9178 -> 59.92
    invoice(company, debtor, "F1", "1200.00", date(2026, 1, 31))
    # 31 May to 30 June = 30 days: 500 x 12.15 % x 30 / 365 = 1822.5 / 365 = 4.9932 -> 4.99
    invoice(company, debtor, "F2", "500.00", date(2026, 5, 31))
    invoice(company, debtor, "F3", "800.00", date(2026, 7, 31))  # not yet due: not listed
    invoice(company, debtor, "AV1", "100.00", date(2026, 1, 31), kind="credit_note",
            is_credit=True)  # fmt: skip

    assert preview("--customer", "C1", "--format", "json") == {
        "customer": "C1",
        "date": "2026-06-30",
        "items": [
            {"invoice": "F1", "principal": "1200.00", "days_late": 150, "interest": "59.92",
             "indemnity": "40.00"},
            {"invoice": "F2", "principal": "500.00", "days_late": 30, "interest": "4.99",
             "indemnity": "40.00"},
        ],
        "total_principal": "1700.00",
        "total_interest": "64.91",
        "total_indemnity": "80.00",
        "total": "1844.91",
    }  # fmt: skip


def test_a_contractual_rate_under_the_floor_is_raised_to_it(company):
    company.late_interest_rate = Decimal("5")
    company.save()
    invoice(company, customer(company), "F1", "1200.00", date(2026, 1, 31))
    # 3 x 2.62 = 7.86 %: 1200 x 7.86 % x 150 / 365 = 14148 / 365 = 38.7616 -> 38.76
    assert preview("--customer", "C1", "--format", "json")["total_interest"] == "38.76"


def test_a_public_buyer_owes_ecb_plus_8_points_and_the_indemnity(company):
    invoice(company, customer(company, payer_profile="administrative"), "F1", "1200.00",
            date(2026, 1, 31))  # fmt: skip
    # 10.15 %: 1200 x 10.15 % x 150 / 365 = 18270 / 365 = 50.0548 -> 50.05
    result = preview("--customer", "C1", "--format", "json")
    assert (result["total_interest"], result["total_indemnity"]) == ("50.05", "40.00")


def test_a_consumer_owes_interest_only_from_the_formal_notice(company):
    debtor = customer(company, is_consumer=True)
    item = invoice(company, debtor, "F1", "1200.00", date(2026, 1, 31))
    before = preview("--customer", "C1", "--format", "json")
    assert before["items"][0] == {
        "invoice": "F1", "principal": "1200.00", "days_late": 150, "interest": "0.00",
        "indemnity": "0.00",
    }  # fmt: skip

    notice = Reminder.objects.create(
        company=company, customer=debtor, level=5, step_name="Mise en demeure",
        channel="registered_letter", escalation="formal_notice", currency="EUR",
        amount=item.amount, overdue_amount=item.amount, status=Reminder.Status.SENT,
        planned_on=date(2026, 5, 31), sent_at=datetime(2026, 5, 31, 9, tzinfo=UTC),
    )  # fmt: skip
    ReminderItem.objects.create(reminder=notice, invoice=item, open_amount=item.amount)
    # From 1 June to 30 June = 30 days at the legal rate 2.62 % (a company's claim):
    # 1200 x 2.62 % x 30 / 365 = 943.2 / 365 = 2.5841 -> 2.58; still no indemnity.
    after = preview("--customer", "C1", "--format", "json")
    assert (after["total_interest"], after["total_indemnity"]) == ("2.58", "0.00")


def test_text_format_is_a_french_table(company):
    invoice(company, customer(company), "F1", "1200.00", date(2026, 1, 31))
    text = preview("--customer", "C1")
    assert "C1 — Client C1, au 30/06/2026 (EUR)" in text
    assert "Facture  Échéance" in text
    assert "1 200,00" in text and "59,92" in text and "40,00" in text
    assert "Total dû : 1 299,92 EUR" in text
    assert "Taux appliqué, 1er semestre 2026 : 12,15 %" in text


def test_text_format_says_when_nothing_is_overdue(company):
    customer(company)
    assert "Aucune facture échue." in preview("--customer", "C1")


def test_provisional_rates_are_flagged(company):
    invoice(company, customer(company), "F1", "1200.00", date(2026, 6, 15))
    text = _call("preview", "--company", "LEX", "--customer", "C1", "--date", "2026-07-15")
    assert "Attention : taux provisoires, à confirmer (2e semestre 2026)." in text


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--company", "NOPE", "--customer", "C1"), "société inconnue : NOPE"),
        (("--company", "LEX", "--customer", "NOPE"), "client inconnu dans la société LEX : NOPE"),
    ],
)
def test_unknown_company_or_customer_is_a_clear_error(company, args, message):
    customer(company)
    with pytest.raises(CommandError, match=message):
        _call("preview", *args, "--format", "json")


def test_missing_rates_name_the_half_year(company):
    # Due in 2023: no row in the table and none shipped for its second half-year.
    invoice(company, customer(company), "F1", "1200.00", date(2023, 10, 31))
    with pytest.raises(CommandError, match=r"taux manquants pour le 2e semestre 2023"):
        preview("--customer", "C1", "--format", "json")


def test_a_half_year_lost_from_the_table_falls_back_to_the_shipped_rates(company):
    invoice(company, customer(company), "F1", "1200.00", date(2026, 1, 31))
    before = preview("--customer", "C1", "--format", "json")
    HalfYearRate.objects.filter(year=2026, half=1).update(ecb_rate=Decimal("3.15"))
    edited = preview("--customer", "C1", "--format", "json")
    assert edited["total_interest"] != before["total_interest"]  # the table's row wins
    HalfYearRate.objects.filter(year=2026, half=1).delete()
    assert preview("--customer", "C1", "--format", "json") == before  # the shipped rates


def test_amounts_for_takes_reminder_lines_and_skips_credits(company):
    debtor = customer(company)
    lines = [
        invoice(company, debtor, "F1", "1200.00", date(2026, 1, 31)),
        invoice(company, debtor, "AV1", "100.00", date(2026, 1, 31), kind="credit_note",
                is_credit=True),
    ]  # fmt: skip
    result = amounts_for(debtor, lines, AS_OF)
    assert [(i.number, i.interest, i.indemnity) for i in result.items] == [
        ("F1", Decimal("59.92"), Decimal("40.00"))
    ]
    assert interest_rate_for(debtor, AS_OF) == Decimal("12.15")
