"""Rules shared by the CII and UBL readers: credit notes, signs of amounts, mandatory terms."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from relance.core.einvoice.records import EInvoice, EInvoiceError, Party
from relance.core.einvoice.xmlread import XmlReader
from relance.core.money import MoneyError, parse_currency

# UNTDID 1001 codes that EN 16931 lists as credit notes (BT-3); 381 is the usual one.
CREDIT_NOTE_CODES = frozenset(
    {"81", "83", "261", "262", "296", "308", "381", "396", "420", "458", "532"}
)


@dataclass(frozen=True)
class Totals:
    """The document-level amounts, signed as the XML writes them."""

    total: Decimal | None  # BT-112
    amount_due: Decimal | None  # BT-115
    total_without_tax: Decimal | None = None  # BT-109
    tax_total: Decimal | None = None  # BT-110, in the invoice currency


@dataclass(frozen=True)
class Heading:
    """Everything but the amounts, as read (values may be missing when reasons were noted)."""

    syntax: str
    profile: str
    number: str
    type_code: str
    is_credit_syntax: bool  # a UBL CreditNote document
    issued_on: date | None
    currency: str
    seller: Party
    buyer: Party
    due_on: date | None = None
    buyer_reference: str = ""
    order_reference: str = ""
    payment_reference: str = ""


def is_credit_note(type_code: str, is_credit_syntax: bool, total: Decimal) -> bool:
    """A credit note reduces what the buyer owes.

    It is one when its type code is a credit-note code (381...) or the document is a UBL
    CreditNote, and a negative grand total turns it the other way: an invoice 380 of -233.47
    (a correction by negative invoice) is a credit note, a credit note of -50 is a debit.
    """
    is_credit = type_code in CREDIT_NOTE_CODES or is_credit_syntax
    return is_credit != (total < 0)


def check_currency(reader: XmlReader, code: str) -> str:
    if not code:
        return ""
    try:
        return parse_currency(code)
    except MoneyError:
        reader.reasons.append(f"{reader.label} : BT-5 code devise inconnu '{code}'")
        # The file is refused anyway; the code must not reach the XPath predicates that pick
        # amounts by currencyID (a quote in it broke the expression).
        return ""


def make_invoice(reader: XmlReader, heading: Heading, totals: Totals) -> EInvoice:
    """The EInvoice, or EInvoiceError with every reason the reader collected.

    Amounts are turned so that the grand total is positive (see is_credit_note): a credit note
    of 233.47 and an invoice of -233.47 both give total 233.47, is_credit_note True.
    """
    if reader.reasons or heading.issued_on is None:
        raise EInvoiceError(reader.reasons or [f"{reader.label} : date de facture illisible"])
    assert totals.total is not None and totals.amount_due is not None
    sign = -1 if totals.total < 0 else 1
    due = sign * totals.amount_due
    warnings = list(reader.warnings)
    if due < 0:
        warnings.append(f"montant à payer négatif ({due} {heading.currency}) : trop-perçu à rendre")
    if heading.due_on is None and due > 0:
        warnings.append("aucune date d'échéance dans la facture")
    return EInvoice(
        syntax=heading.syntax,
        profile=heading.profile,
        number=heading.number,
        type_code=heading.type_code,
        is_credit_note=is_credit_note(heading.type_code, heading.is_credit_syntax, totals.total),
        issued_on=heading.issued_on,
        currency=heading.currency,
        total=sign * totals.total,
        amount_due=due,
        seller=heading.seller,
        buyer=heading.buyer,
        due_on=heading.due_on,
        total_without_tax=_signed(sign, totals.total_without_tax),
        tax_total=_signed(sign, totals.tax_total),
        buyer_reference=heading.buyer_reference,
        order_reference=heading.order_reference,
        payment_reference=heading.payment_reference,
        warnings=tuple(warnings),
    )


def _signed(sign: int, value: Decimal | None) -> Decimal | None:
    return None if value is None else sign * value
