"""E-invoice readers: Factur-X / ZUGFeRD PDFs, CII XML and UBL 2.1 XML, into one EInvoice.

    >>> invoice = read_einvoice(pdf_bytes, "F2026-0023.pdf")
    >>> invoice.number, invoice.amount_due, invoice.due_on, invoice.buyer.siren

Every document is validated against its official XSD (bundled with the factur-x package) and
the EN 16931 terms Relance needs (BT-1 number, BT-2 issue date, BT-3 type, BT-5 currency,
BT-27/BT-44 seller and buyer names, BT-112 total, BT-115 amount due) are checked; any problem
refuses the file with EInvoiceError listing every reason, in French.
"""

from __future__ import annotations

from relance.core.einvoice.cii import CII_NAMESPACE, ZUGFERD1_NAMESPACE, read_cii
from relance.core.einvoice.pdf import extract_xml
from relance.core.einvoice.records import EInvoice, EInvoiceError, Party
from relance.core.einvoice.ubl import is_ubl, read_ubl
from relance.core.einvoice.xmlread import local_name, namespace, parse_xml

__all__ = ["EInvoice", "EInvoiceError", "Party", "read_einvoice"]

_BOM = b"\xef\xbb\xbf"


def read_einvoice(data: bytes, name: str = "") -> EInvoice:
    """Read one e-invoice file; `name` (the file name) only makes messages clearer."""
    if b"%PDF-" in data[:1024]:
        xml, syntax = extract_xml(data), "factur-x"
    elif data.removeprefix(_BOM).lstrip().startswith(b"<"):
        xml, syntax = data, "cii"
    else:
        raise EInvoiceError([_not_an_einvoice(data, name)])
    root = parse_xml(xml)
    if is_ubl(root):
        return read_ubl(root)
    if namespace(root) in {CII_NAMESPACE, ZUGFERD1_NAMESPACE}:
        return read_cii(root, syntax)
    raise EInvoiceError(
        [
            f"ce XML n'est pas une facture électronique (élément racine {local_name(root)} "
            "au lieu de CrossIndustryInvoice pour Factur-X/CII ou Invoice/CreditNote pour UBL)"
        ]
    )


def _not_an_einvoice(data: bytes, name: str) -> str:
    file = f"« {name} »" if name else "ce fichier"
    if not data.strip():
        return f"{file} est vide"
    return f"{file} n'est ni un PDF ni un XML : ce n'est pas une facture électronique"
