"""OASIS UBL 2.1 Invoice and CreditNote (EN 16931, PEPPOL BIS Billing 3.0, French CTC)."""

from __future__ import annotations

from relance.core.einvoice.figures import Heading, Totals, check_currency, make_invoice
from relance.core.einvoice.parties import OF, PartyFacts, build_party
from relance.core.einvoice.records import EInvoice, Party
from relance.core.einvoice.schemas import schema_errors
from relance.core.einvoice.xmlread import Element, XmlReader, local_name, namespace

_OASIS = "urn:oasis:names:specification:ubl:schema:xsd:"
INVOICE_NAMESPACE = _OASIS + "Invoice-2"
CREDIT_NOTE_NAMESPACE = _OASIS + "CreditNote-2"
NAMESPACES = {
    "cac": _OASIS + "CommonAggregateComponents-2",
    "cbc": _OASIS + "CommonBasicComponents-2",
}
TOTALS = "cac:LegalMonetaryTotal"


def is_ubl(root: Element) -> bool:
    return namespace(root) in {INVOICE_NAMESPACE, CREDIT_NOTE_NAMESPACE}


def read_ubl(root: Element) -> EInvoice:
    """An EInvoice from a UBL 2.1 Invoice or CreditNote, checked against the UBL 2.1 XSD."""
    is_credit_syntax = local_name(root) == "CreditNote"
    label = "UBL 2.1 " + ("CreditNote" if is_credit_syntax else "Invoice")
    reader = XmlReader(root, NAMESPACES, label)
    reader.reasons += schema_errors(
        root, "ubl-creditnote" if is_credit_syntax else "ubl-invoice", label
    )
    heading = _heading(reader, is_credit_syntax)
    return make_invoice(reader, heading, _totals(reader, heading.currency))


def _heading(reader: XmlReader, is_credit_syntax: bool) -> Heading:
    type_code = reader.required_text(
        "cbc:CreditNoteTypeCode" if is_credit_syntax else "cbc:InvoiceTypeCode",
        "BT-3 type de document",
    )
    currency = reader.required_text("cbc:DocumentCurrencyCode", "BT-5 devise")
    return Heading(
        syntax="ubl",
        profile=reader.text("cbc:CustomizationID"),
        number=reader.required_text("cbc:ID", "BT-1 numéro de facture"),
        type_code=type_code,
        is_credit_syntax=is_credit_syntax,
        issued_on=reader.required_date("cbc:IssueDate", "BT-2 date de facture"),
        currency=check_currency(reader, currency),
        seller=_party(reader, "cac:AccountingSupplierParty/cac:Party", "vendeur", "BT-27"),
        buyer=_party(reader, "cac:AccountingCustomerParty/cac:Party", "acheteur", "BT-44"),
        # BT-9: cbc:DueDate on an Invoice; a CreditNote has it in its payment means.
        due_on=reader.date("cbc:DueDate", "BT-9 date d'échéance")
        or reader.date("cac:PaymentMeans/cbc:PaymentDueDate", "BT-9 date d'échéance"),
        buyer_reference=reader.text("cbc:BuyerReference"),
        order_reference=reader.text("cac:OrderReference/cbc:ID"),
        payment_reference=reader.text("cac:PaymentMeans/cbc:PaymentID"),
    )


def _totals(reader: XmlReader, currency: str) -> Totals:
    # BT-110 is the cac:TaxTotal in the invoice currency; BT-111 repeats it in the accounting one.
    tax = f"cac:TaxTotal/cbc:TaxAmount[@currencyID='{currency}']"
    return Totals(
        total=reader.required_amount(f"{TOTALS}/cbc:TaxInclusiveAmount", "BT-112 total TTC"),
        amount_due=reader.required_amount(f"{TOTALS}/cbc:PayableAmount", "BT-115 montant à payer"),
        total_without_tax=reader.amount(f"{TOTALS}/cbc:TaxExclusiveAmount", "BT-109 total HT"),
        tax_total=reader.amount(tax, "BT-110 total TVA"),
    )


def _party(reader: XmlReader, path: str, role: str, term: str) -> Party:
    party = reader.find(path)
    if party is None:
        reader.missing(path, f"{term} {role}")
        return Party(name="")
    facts = PartyFacts(role=role)
    # BT-27/BT-44 is the registration name; the trading name (BT-28/BT-45) stands in for it.
    facts.name = reader.text("cac:PartyLegalEntity/cbc:RegistrationName", party) or reader.text(
        "cac:PartyName/cbc:Name", party
    )
    if not facts.name:
        reader.missing("cac:PartyLegalEntity/cbc:RegistrationName", f"{term} nom {OF[role]}", party)
    ids = "cbc:EndpointID | cac:PartyIdentification/cbc:ID | cac:PartyLegalEntity/cbc:CompanyID"
    facts.ids = [(e.get("schemeID", ""), (e.text or "").strip()) for e in reader.all(ids, party)]
    facts.vat_numbers = reader.texts(
        "cac:PartyTaxScheme[cac:TaxScheme/cbc:ID='VAT']/cbc:CompanyID", party
    )
    facts.email = reader.text("cbc:EndpointID[@schemeID='EM']", party) or reader.text(
        "cac:Contact/cbc:ElectronicMail", party
    )
    address = reader.find("cac:PostalAddress", party)
    if address is not None:
        lines = "cbc:StreetName | cbc:AdditionalStreetName | cac:AddressLine/cbc:Line"
        facts.address_lines = reader.texts(lines, address)
        facts.postal_code = reader.text("cbc:PostalZone", address)
        facts.city = reader.text("cbc:CityName", address)
        facts.country = reader.text("cac:Country/cbc:IdentificationCode", address)
    built, warnings = build_party(facts)
    reader.warnings += warnings
    return built
