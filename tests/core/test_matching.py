"""Payment matching: one case per rule, each a bank line against a small portfolio."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import pytest
from stdnum import iso11649

from relance.core.bank.records import BankLine
from relance.core.matching import (
    CustomerHint,
    LineMatch,
    OpenItem,
    creditor_reference,
    match_lines,
)
from relance.core.matching_text import name_tokens, number_keys, text_number_keys

D = Decimal
DUPONT, MARTIN, LEROY, PETIT = 1, 2, 3, 4
ITEMS = [
    # id, customer, number, open amount
    (11, DUPONT, "FA2024-0001234", "1200.00"),
    (12, DUPONT, "FA2024-0001240", "300.00"),
    (13, DUPONT, "FA2024-0001250", "455.10"),
    (21, MARTIN, "FA2024-0002001", "980.00"),
    (22, MARTIN, "FA2024-0002002", "640.00"),
    (31, LEROY, "FA2024-0003001", "640.00"),
    (41, PETIT, "FA2024-0004001", "2000.00"),
    (42, PETIT, "FAC-77", "75.00", "USD"),
]
CUSTOMERS = [
    CustomerHint(DUPONT, "SARL Boulangerie Dupont"),
    CustomerHint(MARTIN, "Plomberie Martin", ibans=("FR7630006000011234567890189",)),
    CustomerHint(LEROY, "Électricité Leroy SAS"),
    CustomerHint(PETIT, "Imprimerie Petit"),
]


def _items() -> list[OpenItem]:
    items = []
    for id_, customer_id, number, amount, *currency in ITEMS:
        items.append(
            OpenItem(
                id_,
                customer_id,
                number,
                D(amount),
                currency[0] if currency else "EUR",
                date(2024, 3, 1) + (date(2024, 1, id_ % 28 + 1) - date(2024, 1, 1)),
                date(2024, 2, 1),
                creditor_reference(number) if id_ == 13 else "",
            )
        )
    return items


def line(amount: str, currency: str = "EUR", **fields: object) -> BankLine:
    return BankLine(1, date(2024, 4, 2), D(amount), currency, **fields)  # type: ignore[arg-type]


def best(lines: list[BankLine]) -> list[LineMatch]:
    return match_lines(list(enumerate(lines, start=1)), _items(), CUSTOMERS)


@dataclass(frozen=True)
class Case:
    name: str
    line: BankLine
    customer_id: int
    shares: dict[int, str]
    is_sure: bool
    reasons: tuple[str, ...]
    fee: str = "0"
    unallocated: str = "0"


CASES = [
    Case(
        "reference",
        line("455.10", structured_reference="RF55 FA20 2400 0125 0"),
        DUPONT,
        {13: "455.10"},
        True,
        ("reference", "amount"),
    ),
    Case(
        "reference built from a number without stored reference",
        line("1200.00", structured_reference=creditor_reference("FA2024-0001234")),
        DUPONT,
        {11: "1200.00"},
        True,
        ("reference", "amount"),
    ),
    Case(
        "mangled number: spaces, no prefix, no leading zeros",
        line("1200.00", remittance="VIR REGLT FACT 2024 1234"),
        DUPONT,
        {11: "1200.00"},
        True,
        ("number", "amount"),
    ),
    Case(
        "mangled number: lower case, dash, leading zeros",
        line("980.00", remittance="fa2024-002001 merci"),
        MARTIN,
        {21: "980.00"},
        True,
        ("number", "amount"),
    ),
    Case(
        "amount and name, no number",
        line("2000.00", counterparty_name="IMPRIMERIE PETIT", remittance="VIREMENT"),
        PETIT,
        {41: "2000.00"},
        True,
        ("name", "amount"),
    ),
    Case(
        "combination of one customer's items",
        line("1500.00", counterparty_name="BOULANGERIE DUPONT SARL"),
        DUPONT,
        {11: "1200.00", 12: "300.00"},
        True,
        ("name", "combination"),
    ),
    Case(
        "learned IBAN and amount",
        line("640.00", counterparty_iban="FR76 3000 6000 0112 3456 7890 189"),
        MARTIN,
        {22: "640.00"},
        True,
        ("iban", "amount"),
    ),
    Case(
        "partial payment with a certain number",
        line("500.00", counterparty_name="BOULANGERIE DUPONT", remittance="ACOMPTE FA2024-0001234"),
        DUPONT,
        {11: "500.00"},
        True,
        ("number", "name", "partial"),
    ),
    Case(
        "partial payment, number only: proposed",
        line("500.00", remittance="ACOMPTE FA2024-0001234"),
        DUPONT,
        {11: "500.00"},
        False,
        ("number", "partial"),
    ),
    Case(
        "grouped payment naming its invoices",
        line("1500.00", remittance="FACT 2024-1234 2024-1240"),
        DUPONT,
        {11: "1200.00", 12: "300.00"},
        True,
        ("number", "amount"),
    ),
    Case(
        "overpayment",
        line("460.00", structured_reference=creditor_reference("FA2024-0001250")),
        DUPONT,
        {13: "455.10"},
        True,
        ("reference", "overpayment"),
        unallocated="4.90",
    ),
    Case(
        "bank fees deducted",
        line("1185.50", remittance="FA2024-0001234"),
        DUPONT,
        {11: "1200.00"},
        True,
        ("number", "fee"),
        fee="14.50",
    ),
    Case(
        "ambiguous amount: proposed, not sure",
        line("640.00", remittance="REGLEMENT"),
        MARTIN,
        {22: "640.00"},
        False,
        ("amount",),
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_explains_the_line(case: Case) -> None:
    (match,) = best([case.line])
    first = match.candidates[0]
    if case.name.startswith("ambiguous"):
        assert {c.customer_id for c in match.candidates} == {MARTIN, LEROY}
    else:
        assert first.customer_id == case.customer_id
        assert {s.item_id: s.amount for s in first.shares} == {
            k: D(v) for k, v in case.shares.items()
        }
        assert first.reasons == case.reasons
    assert match.is_sure is case.is_sure
    assert first.fee == D(case.fee)
    assert first.unallocated == D(case.unallocated)


def test_several_payments_of_one_invoice_never_pay_more_than_is_open() -> None:
    text = {"counterparty_name": "BOULANGERIE DUPONT", "remittance": "FA2024-0001234"}
    first, second, third = best(
        [line("400.00", **text), line("800.00", **text), line("50", **text)]
    )
    assert first.is_sure and first.candidates[0].reasons[-1] == "partial"
    assert second.is_sure and second.candidates[0].reasons[-1] == "amount"
    assert second.candidates[0].shares[0].amount == D("800.00")
    # Nothing of FA2024-0001234 is left: the third line is not applied to it.
    assert all(s.item_id != 11 for c in third.candidates for s in c.shares)


@pytest.mark.parametrize(
    "bank_line",
    [
        line("-1200.00", remittance="FA2024-0001234"),
        line("1200.00", remittance="FA2024-0001234", is_return=True),
        line("0.00", remittance="FA2024-0001234"),
    ],
    ids=["money out", "return", "zero"],
)
def test_only_money_in_is_matched(bank_line: BankLine) -> None:
    assert best([bank_line]) == [LineMatch(1, (), False)]


def test_an_item_is_never_matched_in_another_currency() -> None:
    (usd_line,) = best([line("75.00", "USD", remittance="FAC-77 PETIT")])
    (eur_line,) = best([line("75.00", remittance="FAC-77", counterparty_name="IMPRIMERIE PETIT")])
    assert usd_line.candidates[0].shares[0].item_id == 42
    assert all(s.item_id != 42 for c in eur_line.candidates for s in c.shares)


def test_unrelated_money_in_is_not_applied() -> None:
    (refund,) = best([line("318.22", counterparty_name="DGFIP", remittance="REMBT TVA 12345")])
    assert not refund.is_sure


def test_a_mistyped_reference_is_not_a_reference() -> None:
    reference = creditor_reference("FA2024-0001250")
    wrong = reference[:-1] + ("1" if reference[-1] != "1" else "2")
    (match,) = best([line("455.10", structured_reference=wrong)])
    assert "reference" not in match.candidates[0].reasons


@pytest.mark.parametrize(
    ("number", "reference"),
    [("FA-2024-0001", "RF27FA20240001"), ("539007547034", "RF18539007547034")],
)
def test_creditor_reference_is_valid_iso_11649(number: str, reference: str) -> None:
    assert creditor_reference(number) == reference
    assert iso11649.is_valid(reference)


def test_creditor_reference_refuses_what_does_not_fit() -> None:
    with pytest.raises(ValueError):
        creditor_reference("--")
    with pytest.raises(ValueError):
        creditor_reference("X" * 22)


@pytest.mark.parametrize(
    "written",
    ["FA2024-0001234", "fa 2024 0001234", "2024-1234", "20240001234", "FAC 2024/01234"],
)
def test_a_mangled_number_shares_a_key_with_the_item(written: str) -> None:
    assert number_keys("FA2024-0001234") & text_number_keys(f"REGLEMENT {written} MERCI")


def test_names_lose_legal_forms_accents_and_punctuation() -> None:
    assert name_tokens("S.A.R.L. Électricité  Leroy & Fils, SAS") == (
        "ELECTRICITE",
        "LEROY",
        "FILS",
    )
