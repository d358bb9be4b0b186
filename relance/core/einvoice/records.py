"""What an e-invoice says, whatever its syntax (Factur-X PDF, CII XML, UBL XML).

Readers return an `EInvoice` or raise `EInvoiceError` with every reason found; they never touch
the database.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal


class EInvoiceError(ValueError):
    """A file that is not an importable e-invoice, with each reason (schema errors included)."""

    def __init__(self, reasons: list[str] | tuple[str, ...]) -> None:
        super().__init__("; ".join(reasons))
        self.reasons = tuple(reasons)


@dataclass(frozen=True)
class Party:
    """Seller or buyer as the invoice identifies it."""

    name: str
    siren: str = ""
    siret: str = ""
    vat_number: str = ""
    email: str = ""
    address: str = ""
    postal_code: str = ""
    city: str = ""
    country: str = ""


@dataclass(frozen=True)
class EInvoice:
    """An invoice or credit note: the figures Relance needs to chase it."""

    syntax: str  # "factur-x", "cii" or "ubl"
    profile: str  # guideline id, e.g. "urn:cen.eu:en16931:2017"
    number: str
    type_code: str  # UNTDID 1001: 380 invoice, 381 credit note, ...
    is_credit_note: bool
    issued_on: date
    currency: str
    total: Decimal  # grand total including VAT
    amount_due: Decimal  # what remains to pay (total - prepaid); positive for credit notes too
    seller: Party
    buyer: Party
    due_on: date | None = None
    total_without_tax: Decimal | None = None
    tax_total: Decimal | None = None
    buyer_reference: str = ""
    order_reference: str = ""
    payment_reference: str = ""  # remittance information the seller asks the buyer to quote
    warnings: tuple[str, ...] = ()  # accepted, but worth telling (e.g. no due date given)
