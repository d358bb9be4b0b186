"""Paying by bank transfer: the company's IBAN and BIC, the amount, what to quote, and the EPC
QR code carrying the same data (relance.core.epc builds the payload, segno draws it).

What to quote is what bank matching recognises first: for one invoice its ISO 11649 creditor
reference (the e-invoice's own RF reference when it has one, else the one built from its
number); for several, a remittance text naming them. The QR code is shown on the debtor's
page and printed on letters and statements (relance.letters).

Why segno.make and not segno.helpers.make_epc_qr: the helper picks a Latin character set
when it can and trims trailing zeros from amounts; Relance always writes version 002 in UTF-8
with the cents ("EUR120.50"), so it builds the payload itself and only asks segno to draw it
(error correction level M, as EPC069-12 asks).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

import segno
from stdnum import iso11649

from relance.core import epc
from relance.core.matching import creditor_reference

log = logging.getLogger(__name__)
MAX_VERSION = 13  # EPC069-12: the code stays readable by every banking app


@dataclass(frozen=True)
class TransferDetails:
    """What the payer types, or scans: every field of the bank transfer block."""

    name: str
    iban: str  # grouped by four, as people read it
    bic: str
    amount: Decimal
    currency: str
    reference: str
    text: str
    qr: str  # an SVG data URI, "" when no QR code can be drawn

    @property
    def iban_compact(self) -> str:
        return self.iban.replace(" ", "")


def details_for(
    company, invoices: Sequence, prefix: str = "Factures", amount: Decimal | None = None
) -> TransferDetails | None:
    """The transfer that pays `invoices` (their open amounts, or `amount`), None when the
    company has no IBAN. `prefix` starts the remittance text naming several invoices."""
    if not company.iban:
        return None
    debit = [invoice for invoice in invoices if not invoice.is_credit]
    if amount is None:
        amount = sum((invoice.open_amount for invoice in debit), Decimal(0))
    currency = debit[0].currency if debit else company.currency
    reference = reference_of(debit[0]) if len(debit) == 1 else ""
    numbers = [invoice.number for invoice in debit]
    text = "" if reference else epc.invoices_text(numbers, prefix)
    return TransferDetails(
        name=company.name,
        iban=" ".join(company.iban[i : i + 4] for i in range(0, len(company.iban), 4)),
        bic=company.bic,
        amount=amount,
        currency=currency,
        reference=reference,
        text=text,
        qr=qr_for(company, amount, currency, reference, numbers, prefix),
    )


def qr_for(company, amount, currency, reference: str, numbers, prefix: str = "Factures") -> str:
    """The EPC QR code (SVG data URI) paying `amount` to the company, quoting `reference`,
    else a text naming the invoice `numbers`; "" when it cannot be drawn (no IBAN, not in
    euros, nothing to pay). Letters and statements print it too (relance.letters)."""
    if not company.iban:
        return ""
    transfer = epc.Transfer(
        name=epc.fit_name(company.name),
        iban=company.iban,
        amount=amount,
        currency=currency,
        bic=company.bic,
        reference=reference,
        text="" if reference else epc.invoices_text(list(numbers), prefix),
    )
    return qr_data_uri(transfer)


def reference_of(invoice) -> str:
    """The ISO 11649 reference to quote for one invoice ("" when none can be made)."""
    own = invoice.payment_reference.replace(" ", "").upper()
    if own.startswith("RF") and iso11649.is_valid(own):
        return own
    try:
        return creditor_reference(invoice.number)
    except ValueError:
        return ""


def qr_code(transfer: epc.Transfer) -> segno.QRCode | None:
    """The EPC QR code of a transfer, None (logged) when the transfer cannot be encoded: a
    currency other than the euro, an amount of zero, an invalid IBAN."""
    try:
        payload = epc.payload(transfer)
    except epc.EpcError as error:
        log.info("no EPC QR code: %s", error)
        return None
    code = segno.make(payload, error="m", boost_error=False, micro=False, encoding="utf-8")
    return code if code.version <= MAX_VERSION else None


def qr_data_uri(transfer: epc.Transfer) -> str:
    """The QR code as an SVG data URI, for a web page or a PDF; "" when there is none."""
    code = qr_code(transfer)
    return code.svg_data_uri(scale=4, border=4) if code is not None else ""
