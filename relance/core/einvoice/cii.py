"""UN/CEFACT Cross Industry Invoice: Factur-X / ZUGFeRD 2 / XRechnung CII, and ZUGFeRD 1.0.

ZUGFeRD 1.0 (rsm:CrossIndustryDocument, 2014) names its containers differently but keeps the
same elements inside them, so one reader serves both through a `Layout`.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from relance.core.einvoice.figures import Heading, Totals, check_currency, make_invoice
from relance.core.einvoice.parties import OF, PartyFacts, build_party
from relance.core.einvoice.records import EInvoice, Party
from relance.core.einvoice.schemas import schema_errors
from relance.core.einvoice.xmlread import Element, XmlReader, namespace

_UNECE = "urn:un:unece:uncefact:data:standard:"
CII_NAMESPACE = _UNECE + "CrossIndustryInvoice:100"
ZUGFERD1_NAMESPACE = "urn:ferd:CrossIndustryDocument:invoice:1p0"


@dataclass(frozen=True)
class Layout:
    namespaces: dict[str, str]
    context: str
    document: str
    agreement: str
    settlement: str
    summation: str
    order_id: str


CII = Layout(
    namespaces={
        "rsm": CII_NAMESPACE,
        "ram": _UNECE + "ReusableAggregateBusinessInformationEntity:100",
        "udt": _UNECE + "UnqualifiedDataType:100",
    },
    context="rsm:ExchangedDocumentContext",
    document="rsm:ExchangedDocument",
    agreement="rsm:SupplyChainTradeTransaction/ram:ApplicableHeaderTradeAgreement",
    settlement="rsm:SupplyChainTradeTransaction/ram:ApplicableHeaderTradeSettlement",
    summation="ram:SpecifiedTradeSettlementHeaderMonetarySummation",
    order_id="ram:IssuerAssignedID",
)
ZUGFERD1 = Layout(
    namespaces={
        "rsm": ZUGFERD1_NAMESPACE,
        "ram": _UNECE + "ReusableAggregateBusinessInformationEntity:12",
        "udt": _UNECE + "UnqualifiedDataType:15",
    },
    context="rsm:SpecifiedExchangedDocumentContext",
    document="rsm:HeaderExchangedDocument",
    agreement="rsm:SpecifiedSupplyChainTradeTransaction/ram:ApplicableSupplyChainTradeAgreement",
    settlement="rsm:SpecifiedSupplyChainTradeTransaction/ram:ApplicableSupplyChainTradeSettlement",
    summation="ram:SpecifiedTradeSettlementMonetarySummation",
    order_id="ram:ID",
)

# Factur-X profile (the end of the guideline id, BT-24) -> schema key and name in messages.
FACTURX_PROFILES = {
    "minimum": "MINIMUM",
    "basicwl": "BASIC WL",
    "basic": "BASIC",
    "en16931": "EN16931",
    "extended": "EXTENDED",
}


def cii_schema(guideline: str) -> tuple[str, str]:
    """The XSD key and the label for a CII guideline id (BT-24).

    Factur-X / ZUGFeRD 2 profiles have their own XSD; other EN 16931 CIIs (XRechnung...) use the
    EN16931 one, extensions ('#conformant#') the EXTENDED one; an unknown or French CTC id
    is checked against the complete UN/CEFACT CII D22B schema.
    """
    last = guideline.rsplit(":", 1)[-1].lower()
    if "extended-ctc-fr" in guideline:
        return "cii-d22b", "CII EXTENDED-CTC-FR"
    if last in FACTURX_PROFILES:
        return last, f"Factur-X {FACTURX_PROFILES[last]}"
    if "#conformant#" in guideline or last == "extended":
        return "extended", "Factur-X EXTENDED"
    if guideline.startswith("urn:cen.eu:en16931:2017"):
        return "en16931", "Factur-X EN16931"
    return "cii-d22b", "CII D22B"


def read_cii(root: Element, syntax: str) -> EInvoice:
    """An EInvoice from a CrossIndustryInvoice or a ZUGFeRD 1.0 CrossIndustryDocument."""
    layout = ZUGFERD1 if namespace(root) == ZUGFERD1_NAMESPACE else CII
    reader = XmlReader(root, layout.namespaces, "CII")
    guideline = reader.required_text(
        f"{layout.context}/ram:GuidelineSpecifiedDocumentContextParameter/ram:ID", "BT-24 profil"
    )
    if layout is ZUGFERD1:
        key, reader.label = "zugferd1", "ZUGFeRD 1.0 " + guideline.rsplit(":", 1)[-1].upper()
    else:
        key, reader.label = cii_schema(guideline)
        if reader.label == "CII D22B" and guideline:
            reader.warnings.append(f"profil CII inconnu '{guideline}' : vérifié par le schéma D22B")
    reader.reasons[:0] = schema_errors(root, key, reader.label)
    heading = _heading(reader, layout, syntax, guideline)
    return make_invoice(reader, heading, _totals(reader, layout, heading.currency))


def _heading(reader: XmlReader, layout: Layout, syntax: str, guideline: str) -> Heading:
    document, agreement, settlement = layout.document, layout.agreement, layout.settlement
    currency = reader.required_text(f"{settlement}/ram:InvoiceCurrencyCode", "BT-5 devise")
    due_path = "ram:SpecifiedTradePaymentTerms/ram:DueDateDateTime/udt:DateTimeString"
    return Heading(
        syntax=syntax,
        profile=guideline,
        number=reader.required_text(f"{document}/ram:ID", "BT-1 numéro de facture"),
        type_code=reader.required_text(f"{document}/ram:TypeCode", "BT-3 type de document"),
        is_credit_syntax=False,
        issued_on=reader.required_date(
            f"{document}/ram:IssueDateTime/udt:DateTimeString", "BT-2 date de facture"
        ),
        currency=check_currency(reader, currency),
        seller=_party(reader, f"{agreement}/ram:SellerTradeParty", "vendeur", "BT-27"),
        buyer=_party(reader, f"{agreement}/ram:BuyerTradeParty", "acheteur", "BT-44"),
        due_on=reader.date(f"{settlement}/{due_path}", "BT-9 date d'échéance"),
        buyer_reference=reader.text(f"{agreement}/ram:BuyerReference"),
        order_reference=reader.text(
            f"{agreement}/ram:BuyerOrderReferencedDocument/{layout.order_id}"
        ),
        payment_reference=reader.text(f"{settlement}/ram:PaymentReference"),
    )


def _totals(reader: XmlReader, layout: Layout, currency: str) -> Totals:
    path = f"{layout.settlement}/{layout.summation}"
    # BT-110 in the invoice currency; BT-111 (in the accounting currency) has its own currencyID.
    tax = f"{path}/ram:TaxTotalAmount[not(@currencyID) or @currencyID='{currency}']"
    total = reader.required_amount(f"{path}/ram:GrandTotalAmount", "BT-112 total TTC")
    if layout is ZUGFERD1 and reader.find(f"{path}/ram:DuePayableAmount") is None:
        amount_due = _zugferd1_amount_due(reader, path, total)
    else:
        amount_due = reader.required_amount(
            f"{path}/ram:DuePayableAmount", "BT-115 montant à payer"
        )
    return Totals(
        total=total,
        amount_due=amount_due,
        total_without_tax=reader.amount(f"{path}/ram:TaxBasisTotalAmount", "BT-109 total HT"),
        tax_total=reader.amount(tax, "BT-110 total TVA"),
    )


def _zugferd1_amount_due(reader: XmlReader, path: str, total: Decimal | None) -> Decimal | None:
    """ZUGFeRD 1.0 BASIC has no DuePayableAmount: what is due is the total less prepayments."""
    prepaid = reader.amount(f"{path}/ram:TotalPrepaidAmount", "BT-113 acomptes") or Decimal(0)
    reader.warnings.append("montant à payer absent (ZUGFeRD 1.0) : total TTC moins les acomptes")
    return None if total is None else total - prepaid


def _party(reader: XmlReader, path: str, role: str, term: str) -> Party:
    party = reader.find(path)
    facts = PartyFacts(role=role)
    if party is None:
        reader.missing(path, f"{term} {role}")
        return Party(name="")
    facts.name = reader.required_text("ram:Name", f"{term} nom {OF[role]}", party)
    facts.ids = [
        (element.get("schemeID", ""), (element.text or "").strip())
        for element in reader.all("ram:GlobalID | ram:SpecifiedLegalOrganization/ram:ID", party)
    ]
    facts.vat_numbers = reader.texts("ram:SpecifiedTaxRegistration/ram:ID[@schemeID='VA']", party)
    # BT-34/BT-49 electronic address when it is an email, else the contact's email (BT-43/BT-58).
    facts.email = reader.text(
        "ram:URIUniversalCommunication/ram:URIID[@schemeID='EM']", party
    ) or reader.text("ram:DefinedTradeContact/ram:EmailURIUniversalCommunication/ram:URIID", party)
    address = reader.find("ram:PostalTradeAddress", party)
    if address is not None:
        facts.address_lines = reader.texts("ram:LineOne | ram:LineTwo | ram:LineThree", address)
        facts.postal_code = reader.text("ram:PostcodeCode", address)
        facts.city = reader.text("ram:CityName", address)
        facts.country = reader.text("ram:CountryID", address)
    built, warnings = build_party(facts)
    reader.warnings += warnings
    return built
