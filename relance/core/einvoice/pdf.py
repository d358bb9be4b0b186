"""Factur-X / ZUGFeRD PDFs: the invoice is the XML file embedded in the PDF/A-3."""

from __future__ import annotations

from facturx import get_xml_from_pdf
from pypdf.errors import PyPdfError

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
        # pypdf's own errors say what is wrong ("startxref not found"); the others (an
        # AttributeError deep in a broken object tree) would only show Python internals.
        detail = f" ({error})" if isinstance(error, PyPdfError) else ""
        raise EInvoiceError([f"PDF illisible ou endommagé{detail}"]) from None
    if not xml:
        raise EInvoiceError([NO_XML])
    assert isinstance(xml, bytes)
    return xml
