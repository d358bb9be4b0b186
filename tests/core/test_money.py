from decimal import Decimal

import pytest

from relance.core.ledger import account_position
from relance.core.money import Money, MoneyError, parse_amount, parse_currency, round_money


@pytest.mark.parametrize(
    ("text", "separator", "expected"),
    [
        ("1234,56", None, "1234.56"),
        ("1 234,56", None, "1234.56"),
        ("1\u202f234,56 €", None, "1234.56"),
        ("1,234.56", None, "1234.56"),
        ("1.234,56", None, "1234.56"),
        ("-12.5", None, "-12.5"),
        ("(12,50)", None, "-12.50"),
        ("12,50-", None, "-12.50"),
        ("0,00", None, "0.00"),
        ("1.234", ",", "1234"),
        ("1,234", ".", "1234"),
    ],
)
def test_parses_amounts_as_accountants_write_them(text, separator, expected):
    assert parse_amount(text, separator) == Decimal(expected)


@pytest.mark.parametrize("text", ["", "douze", "1,2,3.4.5", "NaN", "Infinity"])
def test_refuses_what_is_not_an_amount(text):
    with pytest.raises(MoneyError):
        parse_amount(text)


def test_currency_codes_are_checked():
    assert parse_currency(" eur ") == "EUR"
    assert parse_currency("€") == "EUR"
    with pytest.raises(MoneyError, match="EUX"):
        parse_currency("EUX")


def test_money_refuses_to_mix_currencies():
    assert Money(Decimal("1.10"), "EUR") + Money(Decimal("2"), "EUR") == Money(Decimal("3.10"), "EUR")
    with pytest.raises(MoneyError):
        Money(Decimal(1), "EUR") + Money(Decimal(1), "USD")


def test_rounds_half_up_to_the_cent():
    assert round_money(Decimal("2.675")) == Decimal("2.68")
    assert round_money(Decimal("-2.675")) == Decimal("-2.68")


@pytest.mark.parametrize(
    ("open_debit", "open_credit", "unallocated", "overdue_debit", "balance", "overdue"),
    [
        ("1000", "100", "50", "600", "850", "450"),
        ("1000", "0", "0", "0", "1000", "0"),
        ("100", "300", "0", "100", "-200", "0"),
        ("500", "0", "0", "500", "500", "500"),
        ("500", "0", "600", "500", "-100", "0"),
    ],
)
def test_position_nets_credits_against_the_oldest_debt(
    open_debit, open_credit, unallocated, overdue_debit, balance, overdue
):
    position = account_position(
        Decimal(open_debit), Decimal(open_credit), Decimal(unallocated), Decimal(overdue_debit)
    )
    assert position.balance == Decimal(balance)
    assert position.overdue == Decimal(overdue)
