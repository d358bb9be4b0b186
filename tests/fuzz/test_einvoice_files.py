"""E-invoice readers (Factur-X PDF, CII, UBL) fuzzed: a file is either read into an invoice
the ledger can hold, or refused with an EInvoiceError listing French reasons. Never another
exception (lxml, pypdf, decimal internals).

Inputs: random bytes; CII and UBL documents built from a template whose business terms (BT-1
number, BT-2 date, BT-3 type, BT-5 currency, parties, totals) are drawn valid or hostile;
Factur-X PDFs embedding such documents or damaged real XML (written with the factur-x
package, XSD check off); the real files of ../shared/data/einvoices damaged by mutations.
"""

from __future__ import annotations

import io
import re
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from relance.core.einvoice import EInvoice, EInvoiceError, read_einvoice
from tests.fuzz.fuzzing import FUZZ, HOSTILE, assert_clear, corpus, mutated

# Damaged PDFs are large: hypothesis warns that printing them is expensive.
pytestmark = pytest.mark.filterwarnings("ignore:Generating overly large repr")
XML_FILES = corpus("einvoices", (".xml",))
PDF_FILES = corpus("einvoices", (".pdf",))


def read(data: bytes) -> EInvoice | None:
    try:
        invoice = read_einvoice(data, "facture-fuzz.xml")
    except EInvoiceError as error:
        assert error.reasons
        for reason in error.reasons:
            assert_clear(reason)
        return None
    check_invoice(invoice)
    return invoice


def check_invoice(invoice: EInvoice) -> None:
    """What the import relies on: a number, dates, finite amounts, a currency."""
    assert invoice.number.strip()
    assert isinstance(invoice.issued_on, date)
    assert invoice.due_on is None or isinstance(invoice.due_on, date)
    for amount in (invoice.total, invoice.amount_due):
        assert isinstance(amount, Decimal) and amount.is_finite()
    assert len(invoice.currency) == 3


# --- generated inputs -------------------------------------------------------------------------

hostile_text = st.sampled_from(
    [value.decode("latin-1") for value in HOSTILE if b"<" not in value and b"&" not in value]
)


def escaped(value: str) -> str:
    return value.replace("&", "&amp;").replace("<", "&lt;").replace("\x00", "")


def term(valid: st.SearchStrategy) -> st.SearchStrategy:
    return st.one_of(valid, hostile_text, st.text(max_size=12)).map(escaped)


amounts = st.decimals(-(10**13), 10**13, places=2, allow_nan=False).map(str)
TERMS = {
    "number": term(st.from_regex(r"\AF[0-9]{1,8}\Z")),
    "type": term(st.sampled_from(["380", "381", "384", "389", "751", "0"])),
    "day": term(st.dates().map(lambda day: day.strftime("%Y%m%d"))),
    "iso_day": term(st.dates().map(date.isoformat)),
    "currency": term(st.sampled_from(["EUR", "USD", "XXX", "eur"])),
    "siren": term(st.sampled_from(["123456782", "987654321", "000000000", "12345"])),
    "name": term(st.sampled_from(["LE CLIENT", "Société Générale", ""])),
    "total": term(amounts),
    "due": term(amounts),
}

CII = """<?xml version='1.0' encoding='UTF-8'?>
<rsm:CrossIndustryInvoice
 xmlns:ram="urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100"
 xmlns:rsm="urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100"
 xmlns:udt="urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100">
<rsm:ExchangedDocumentContext><ram:GuidelineSpecifiedDocumentContextParameter>
<ram:ID>urn:factur-x.eu:1p0:minimum</ram:ID></ram:GuidelineSpecifiedDocumentContextParameter>
</rsm:ExchangedDocumentContext>
<rsm:ExchangedDocument><ram:ID>{number}</ram:ID><ram:TypeCode>{type}</ram:TypeCode>
<ram:IssueDateTime><udt:DateTimeString format="102">{day}</udt:DateTimeString></ram:IssueDateTime>
</rsm:ExchangedDocument>
<rsm:SupplyChainTradeTransaction><ram:ApplicableHeaderTradeAgreement>
<ram:SellerTradeParty><ram:Name>LE FOURNISSEUR</ram:Name><ram:SpecifiedLegalOrganization>
<ram:ID schemeID="0002">123456782</ram:ID></ram:SpecifiedLegalOrganization>
<ram:PostalTradeAddress><ram:CountryID>FR</ram:CountryID></ram:PostalTradeAddress>
</ram:SellerTradeParty>
<ram:BuyerTradeParty><ram:Name>{name}</ram:Name><ram:SpecifiedLegalOrganization>
<ram:ID schemeID="0002">{siren}</ram:ID></ram:SpecifiedLegalOrganization></ram:BuyerTradeParty>
</ram:ApplicableHeaderTradeAgreement><ram:ApplicableHeaderTradeDelivery/>
<ram:ApplicableHeaderTradeSettlement><ram:InvoiceCurrencyCode>{currency}</ram:InvoiceCurrencyCode>
<ram:SpecifiedTradeSettlementHeaderMonetarySummation>
<ram:TaxBasisTotalAmount>{total}</ram:TaxBasisTotalAmount>
<ram:GrandTotalAmount>{total}</ram:GrandTotalAmount>
<ram:DuePayableAmount>{due}</ram:DuePayableAmount>
</ram:SpecifiedTradeSettlementHeaderMonetarySummation></ram:ApplicableHeaderTradeSettlement>
</rsm:SupplyChainTradeTransaction></rsm:CrossIndustryInvoice>
"""

UBL = """<?xml version="1.0" encoding="UTF-8"?>
<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
 xmlns:cac="urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
 xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2">
<cbc:CustomizationID>urn:cen.eu:en16931:2017</cbc:CustomizationID>
<cbc:ID>{number}</cbc:ID><cbc:IssueDate>{iso_day}</cbc:IssueDate>
<cbc:DueDate>{iso_day}</cbc:DueDate><cbc:InvoiceTypeCode>{type}</cbc:InvoiceTypeCode>
<cbc:DocumentCurrencyCode>{currency}</cbc:DocumentCurrencyCode>
<cac:AccountingSupplierParty><cac:Party><cac:PartyLegalEntity>
<cbc:RegistrationName>LE FOURNISSEUR</cbc:RegistrationName>
<cbc:CompanyID schemeID="0002">123456782</cbc:CompanyID></cac:PartyLegalEntity></cac:Party>
</cac:AccountingSupplierParty>
<cac:AccountingCustomerParty><cac:Party><cac:PartyLegalEntity>
<cbc:RegistrationName>{name}</cbc:RegistrationName>
<cbc:CompanyID schemeID="0002">{siren}</cbc:CompanyID></cac:PartyLegalEntity></cac:Party>
</cac:AccountingCustomerParty>
<cac:LegalMonetaryTotal>
<cbc:LineExtensionAmount currencyID="EUR">{total}</cbc:LineExtensionAmount>
<cbc:TaxExclusiveAmount currencyID="EUR">{total}</cbc:TaxExclusiveAmount>
<cbc:TaxInclusiveAmount currencyID="EUR">{total}</cbc:TaxInclusiveAmount>
<cbc:PayableAmount currencyID="EUR">{due}</cbc:PayableAmount>
</cac:LegalMonetaryTotal></Invoice>
"""


@st.composite
def document(draw, template: str) -> bytes:
    values = {name: draw(strategy) for name, strategy in TERMS.items()}
    return template.format(**values).encode("utf-8", errors="replace")


@FUZZ
@given(st.binary(max_size=3000))
def test_random_bytes_are_refused_clearly(data):
    read(data)


@FUZZ
@given(st.one_of(document(CII), document(UBL)))
def test_documents_with_wrong_business_terms_are_read_or_refused(data):
    read(data)


def factur_x(xml: bytes) -> bytes:
    """A PDF carrying `xml` as its factur-x.xml attachment, whatever the XML holds (the
    factur-x package would refuse to write a broken one)."""
    from pypdf import PdfWriter

    writer, out = PdfWriter(), io.BytesIO()
    writer.add_blank_page(width=595, height=842)
    writer.add_attachment("factur-x.xml", xml)
    writer.write(out)
    return out.getvalue()


@FUZZ
@given(st.one_of(document(CII), mutated(XML_FILES)))
def test_factur_x_pdfs_carrying_wrong_or_damaged_xml_are_read_or_refused(xml):
    read(factur_x(xml))


# --- mutated real files -----------------------------------------------------------------------


@FUZZ
@given(mutated(XML_FILES))
def test_damaged_real_cii_and_ubl_files_are_read_or_refused(data):
    read(data)


@FUZZ
@given(mutated(PDF_FILES))
def test_damaged_real_factur_x_pdfs_are_read_or_refused(data):
    read(data)


# --- what the fuzzing found, kept as examples -------------------------------------------------


def test_a_currency_code_with_a_quote_is_refused_not_injected_into_xpath():
    values = {name: "" for name in TERMS} | {"number": "F1", "day": "20260131"}
    data = CII.format(**values | {"currency": "'", "total": "10.00", "due": "10.00"})
    with pytest.raises(EInvoiceError) as caught:
        read_einvoice(data.encode(), "f.xml")
    assert "BT-5 code devise inconnu '''" in str(caught.value)


def test_a_pdf_broken_inside_its_object_tree_is_refused_without_python_internals():
    # pypdf raised AttributeError ("'NoneType' object has no attribute 'get_object'"), and
    # the message showed it to the user.
    data = re.sub(rb"/EF <<\s*/F \d+ \d+ R", b"/EF << /F null", factur_x(XML_FILES[0]))
    with pytest.raises(EInvoiceError) as caught:
        read_einvoice(data, "f.pdf")
    assert list(caught.value.reasons) == ["PDF illisible ou endommagé"]
