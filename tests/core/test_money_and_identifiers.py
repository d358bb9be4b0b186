import re
from decimal import Decimal

import pytest

from relance.core import identifiers
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
    assert Money(Decimal("1.10"), "EUR") + Money(Decimal("2"), "EUR") == Money(
        Decimal("3.10"), "EUR"
    )
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


@pytest.mark.parametrize(
    ("clean", "value", "expected"),
    [
        ("clean_siren", "732 829 320", "732829320"),
        ("clean_siret", "732 829 320 00074", "73282932000074"),
        ("clean_vat", "FR 44 732829320", "FR44732829320"),
        ("clean_iban", "FR76 3000 6000 0112 3456 7890 189", "FR7630006000011234567890189"),
        ("clean_phone", "01 42 68 53 00", "+33142685300"),
        ("clean_phone", "+44 20 7946 0958", "+442079460958"),
        ("clean_phone", "", ""),
    ],
)
def test_identifiers_come_out_in_canonical_form(clean, value, expected):
    assert getattr(identifiers, clean)(value) == expected


@pytest.mark.parametrize(
    ("clean", "value", "reason"),
    [
        ("clean_siren", "732829321", "SIREN invalide : 732829321 (clé de contrôle fausse)"),
        ("clean_siren", "73282932", "longueur incorrecte"),
        ("clean_iban", "FR7630006000011234567890188", "clé de contrôle fausse"),
        ("clean_vat", "ZZ123", "N° de TVA invalide : ZZ123 (composant invalide)"),
        ("clean_phone", "01 02", "numéro de téléphone invalide"),
        ("clean_phone", "abc", "illisible"),
    ],
)
def test_bad_identifiers_say_why_in_french(clean, value, reason):
    with pytest.raises(identifiers.IdentifierError, match=re.escape(reason)):
        getattr(identifiers, clean)(value)
