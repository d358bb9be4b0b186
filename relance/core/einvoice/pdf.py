"""Factur-X / ZUGFeRD PDFs: the invoice is the XML file embedded in the PDF/A-3."""

from __future__ import annotations

from facturx import get_xml_from_pdf

from relance.core.einvoice.records import EInvoiceError

NO_XML = "ce PDF ne contient pas de facture électronique (aucun XML Factur-X/ZUGFeRD embarqué)"


def extract_xml(data: bytes) -> bytes:
    """The embedded Factur-X/ZUGFeRD/XRechnung XML, or EInvoiceError saying why there is none.

    The XML is taken without the package's own XSD check, which would silently skip an invalid
    XML: Relance validates it afterwards and reports every schema error instead.
    """
    try:
        _, xml = get_xml_from_pdf(data, check_xsd=False)
    except Exception as error:  # pypdf raises many kinds of errors on a damaged PDF
        raise EInvoiceError([f"PDF illisible ou endommagé ({error})"]) from None
    if not xml:
        raise EInvoiceError([NO_XML])
    assert isinstance(xml, bytes)
    return xml
