"""The EPC QR code payload (EPC069-12 version 002): its lines, and every limit it refuses."""

from decimal import Decimal

import pytest

from relance.core.epc import (
    MAX_NAME,
    MAX_TEXT,
    EpcError,
    Transfer,
    fit_name,
    invoices_text,
    payload,
    problems,
)
from relance.core.matching import creditor_reference

IBAN = "FR7630006000011234567890189"
RF = "RF18539007547034"  # ISO 11649's own example


def transfer(**fields) -> Transfer:
    values = {"name": "Acme SAS", "iban": IBAN, "amount": Decimal("123.45")}
    return Transfer(**{**values, **fields})


@pytest.mark.parametrize(
    ("fields", "lines"),
    [
        (
            {"reference": RF},
            ["BCD", "002", "1", "SCT", "", "Acme SAS", IBAN, "EUR123.45", "", RF],
        ),
        (
            {"text": "Factures F1 F2", "bic": "AGRIFRPP"},
            [
                "BCD",
                "002",
                "1",
                "SCT",
                "AGRIFRPP",
                "Acme SAS",
                IBAN,
                "EUR123.45",
                "",
                "",
                "Factures F1 F2",
            ],
        ),  # fmt: skip
        (  # spaces as people type them are compacted, cents always written
            {
                "iban": "FR76 3000 6000 0112 3456 7890 189",
                "reference": "RF18 5390 0754 7034",
                "amount": Decimal("10"),
            },
            ["BCD", "002", "1", "SCT", "", "Acme SAS", IBAN, "EUR10.00", "", RF],
        ),  # fmt: skip
        (  # no remittance at all: the trailing empty lines are left out
            {"amount": Decimal("0.01")},
            ["BCD", "002", "1", "SCT", "", "Acme SAS", IBAN, "EUR0.01"],
        ),
        (
            {"amount": Decimal("999999999.99"), "name": "Société Générale d'Électricité"},
            [
                "BCD",
                "002",
                "1",
                "SCT",
                "",
                "Société Générale d'Électricité",
                IBAN,
                "EUR999999999.99",
            ],
        ),  # fmt: skip
    ],
)
def test_the_payload_has_the_twelve_lines_of_version_002_in_utf8(fields, lines):
    assert payload(transfer(**fields)).split("\n") == lines


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"name": ""}, "nom du bénéficiaire manquant"),
        ({"name": "x" * (MAX_NAME + 1)}, "nom du bénéficiaire trop long (71 caractères"),
        ({"iban": "FR7630006000011234567890188"}, "IBAN invalide"),
        ({"bic": "NOPE"}, "BIC invalide"),
        ({"amount": Decimal("0")}, "entre 0.01 et 999999999.99"),
        ({"amount": Decimal("-5.00")}, "entre 0.01 et 999999999.99"),
        ({"amount": Decimal("1000000000.00")}, "entre 0.01 et 999999999.99"),
        ({"amount": Decimal("12.345")}, "deux décimales au plus"),
        ({"currency": "USD"}, "en euros, pas en USD"),
        ({"reference": RF, "text": "Facture F1"}, "s'excluent"),
        ({"reference": "RF19539007547034"}, "référence ISO 11649 invalide"),
        ({"text": "x" * (MAX_TEXT + 1)}, "libellé trop long (141 caractères"),
        ({"text": "ligne\nsuivante"}, "retour à la ligne"),
        ({"name": "é" * 70, "text": "é" * 140}, "plus de 331 octets"),
    ],
)
def test_a_transfer_outside_the_limits_is_refused_with_the_reason(fields, message):
    with pytest.raises(EpcError) as raised:
        payload(transfer(**fields))
    assert message in str(raised.value)
    assert str(raised.value).startswith("QR code de virement impossible")


def test_the_limits_themselves_are_accepted():
    assert not problems(transfer(name="x" * MAX_NAME, text="y" * MAX_TEXT))
    longest = creditor_reference("A" * 21)  # 25 characters, the most ISO 11649 allows
    assert len(longest) == 25 and not problems(transfer(reference=longest))


@pytest.mark.parametrize(
    ("name", "fitted"),
    [
        ("Acme  SAS ", "Acme SAS"),
        ("Menuiserie " * 7, "Menuiserie " * 5 + "Menuiserie"),  # 76 characters -> 65
        ("x" * 80, "x" * 70),  # no space to cut at
    ],
)
def test_a_long_name_is_cut_after_its_last_whole_word(name, fitted):
    assert fit_name(name) == fitted
    assert len(fit_name(name)) <= MAX_NAME


def test_the_invoices_text_names_only_whole_numbers_within_140_characters():
    assert invoices_text(["F1", "F2"]) == "Factures F1 F2"
    numbers = [f"FA-2026-{n:05d}" for n in range(20)]
    text = invoices_text(numbers)
    assert len(text) <= MAX_TEXT and text.endswith(numbers[8]) and numbers[9] not in text
    assert invoices_text([]) == ""
