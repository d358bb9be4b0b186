"""Immutable records that parsers produce and import services store.

Parsers (CSV, XLSX, FEC, and later bank files and e-invoices) turn lines into these records
plus a list of Rejection; they never touch the database. `line` is the 1-based line of the
source file (the header is line 1) so that every problem can be pointed at.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum


class PayerProfile(StrEnum):
    """The seven payer profiles of DESIGN.md; each has its own default scenario."""

    GOOD = "good"
    NEGLIGENT = "negligent"
    BAD = "bad"
    INSOLVENT = "insolvent"
    ADMINISTRATIVE = "administrative"
    DISPUTE_PRONE = "dispute_prone"
    AUTOMATIC = "automatic"


class ItemKind(StrEnum):
    """What a receivable document is. Credit notes are on the credit side, the others on the
    debit side unless `is_credit` says otherwise (an opening entry may be a credit balance)."""

    INVOICE = "invoice"
    CREDIT_NOTE = "credit_note"
    OPENING = "opening"  # à-nouveau: balance brought forward from the previous year
    ADJUSTMENT = "adjustment"  # opérations diverses on the customer account
    REFUND = "refund"  # money paid back to the customer, or a payment returned unpaid


class PaymentMethod(StrEnum):
    TRANSFER = "transfer"
    CARD = "card"
    CHEQUE = "cheque"
    DIRECT_DEBIT = "direct_debit"
    LCR = "lcr"  # lettre de change relevé
    CASH = "cash"
    OTHER = "other"


@dataclass(frozen=True)
class Rejection:
    """A line that was not imported, and why."""

    line: int
    reason: str


@dataclass(frozen=True)
class CustomerRecord:
    line: int
    code: str
    name: str
    siren: str = ""
    siret: str = ""
    vat_number: str = ""
    is_consumer: bool | None = None
    payer_profile: PayerProfile | None = None
    language: str = ""
    credit_limit: Decimal | None = None
    email: str = ""
    phone: str = ""
    address: str = ""
    postal_code: str = ""
    city: str = ""
    country: str = ""


@dataclass(frozen=True)
class ContactRecord:
    line: int
    customer_code: str
    name: str
    role: str = "billing"
    email: str = ""
    phone: str = ""
    mobile: str = ""
    address: str = ""
    postal_code: str = ""
    city: str = ""
    country: str = ""
    preferred_channel: str = ""


@dataclass(frozen=True)
class ItemRecord:
    """An invoice, credit note or other entry on a customer account; `amount` is positive."""

    line: int
    source_key: str
    customer_code: str
    number: str
    kind: ItemKind
    issued_on: date
    due_on: date
    amount: Decimal
    currency: str
    is_credit: bool = False
    customer_name: str = ""
    amount_excl_tax: Decimal | None = None
    po_reference: str = ""
    label: str = ""
    paid_on: date | None = None
    paid_amount: Decimal | None = None
    is_disputed: bool = False


@dataclass(frozen=True)
class PaymentRecord:
    line: int
    source_key: str
    customer_code: str
    received_on: date
    amount: Decimal
    currency: str
    method: PaymentMethod = PaymentMethod.TRANSFER
    reference: str = ""
    label: str = ""
    customer_name: str = ""
    invoice_number: str = ""


@dataclass(frozen=True)
class AllocationRecord:
    """Money from a payment or credit item (`credit_key`) settling a debit item (`debit_key`).

    Keys are the `source_key` of the records they link."""

    debit_key: str
    credit_key: str
    amount: Decimal
    allocated_on: date
