"""E-invoice readers: full figures of representative real files, and every way a file is refused.

Figures below were read from the XML by hand (see the comments for where each one sits).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from relance.core.einvoice import EInvoice, EInvoiceError, Party, read_einvoice
from relance.core.einvoice.figures import is_credit_note
from relance.core.einvoice.schemas import load_schema, translate

AKR = "einvoices/akretion__factur-x/"
FNFE = "einvoices/ZUGFeRD__corpus/ZUGFeRDv2/{}/FNFE-factur-x-examples/{}.pdf"
CEN = "einvoices/ConnectingEurope__eInvoicing-EN16931/"
MINIMUM = AKR + "xml/factur-x-minimum.xml"

AKRETION_SELLER = Party(
    name="LE FOURNISSEUR",
    siren="123456782",
    siret="12345678200077",
    vat_number="FR11123456782",
    email="moi@seller.com",
    address="35 rue d'ici, Seller line 2, Seller line 3",
    postal_code="75018",
    city="PARIS",
    country="FR",
)
AKRETION_BUYER = Party(
    name="LE CLIENT",
    siren="987654321",
    vat_number="FR05987654321",
    email="me@buyer.com",
    address="MON ADRESSE LIGNE 1, Buyer line 2, Buyer line 3",
    postal_code="06000",
    city="MA VILLE",
    country="FR",
)
FNFE_SELLER = Party(
    name="Au bon moulin",
    siren="999999998",
    siret="99999999800010",
    vat_number="FR11999999998",
    address="1242 chemin de l'olive",
    postal_code="84340",
    city="Malaucène",
    country="FR",
)
FNFE_BUYER = Party(
    name="Ma jolie boutique",
    siren="787878784",
    siret="78787878400035",
    vat_number="FR19787878784",
    address="35 rue de la République",
    postal_code="69001",
    city="Lyon",
    country="FR",
)


def read(shared_data: Path, name: str) -> EInvoice:
    return read_einvoice((shared_data / name).read_bytes(), Path(name).name)


def refusal(data: bytes, name: str = "") -> tuple[str, ...]:
    with pytest.raises(EInvoiceError) as refused:
        read_einvoice(data, name)
    return refused.value.reasons


# --- full figures of representative files ---------------------------------------------------


def test_factur_x_en16931_xml_gives_every_figure(shared_data):
    invoice = read(shared_data, AKR + "xml/factur-x-en16931.xml")
    assert invoice == EInvoice(
        syntax="cii",
        profile="urn:cen.eu:en16931:2017",
        number="F20260023",
        type_code="380",
        is_credit_note=False,
        issued_on=date(2026, 1, 31),
        currency="EUR",
        total=Decimal("104.90"),
        amount_due=Decimal("104.90"),
        seller=AKRETION_SELLER,
        buyer=AKRETION_BUYER,
        due_on=date(2026, 3, 2),
        total_without_tax=Decimal("100.00"),
        tax_total=Decimal("4.90"),
        buyer_reference="SERVEXEC",
        order_reference="PO201925478",
        payment_reference="F20260023BUYER",
        warnings=(
            "acheteur : N° de TVA invalide : FR 05 987 654 321 (clé de contrôle fausse)",
            "acheteur : SIREN invalide : 987654321 (clé de contrôle fausse)",
        ),
    )


def test_factur_x_pdf_is_read_from_its_embedded_xml(shared_data):
    invoice = read(shared_data, AKR + "pdf/invoice_EN16931.pdf")
    assert (invoice.syntax, invoice.profile, invoice.number) == (
        "factur-x",
        "urn:cen.eu:en16931:2017",
        "F20260023",
    )
    assert (invoice.seller.siret, invoice.buyer.name, invoice.amount_due) == (
        "12345678200077",
        "LE CLIENT",
        Decimal("104.90"),
    )


@pytest.mark.parametrize(
    "name, profile, due_on",
    [
        ("Facture_FR_MINIMUM", "urn:factur-x.eu:1p0:minimum", None),
        ("Facture_FR_BASICWL", "urn:factur-x.eu:1p0:basicwl", date(2017, 12, 13)),
    ],
)
def test_fnfe_pdfs_of_the_minimum_and_basic_wl_profiles(shared_data, name, profile, due_on):
    invoice = read(shared_data, FNFE.format("correct", name))
    assert (invoice.syntax, invoice.profile, invoice.number, invoice.issued_on) == (
        "factur-x",
        profile,
        "FA-2017-0010",
        date(2017, 11, 13),
    )
    # 671.15 TTC, 201.00 prepaid, 470.15 due; FR seller and buyer (SIRET under scheme 0002).
    assert (invoice.total, invoice.amount_due, invoice.tax_total, invoice.due_on) == (
        Decimal("671.15"),
        Decimal("470.15"),
        Decimal("46.25"),
        due_on,
    )
    if due_on:
        assert (invoice.seller, invoice.buyer) == (FNFE_SELLER, FNFE_BUYER)
    else:  # MINIMUM has no addresses but the country
        assert (invoice.seller.siret, invoice.buyer.siren, invoice.buyer.country) == (
            "99999999800010",
            "787878784",
            "FR",
        )
    assert invoice.payment_reference == ("FA-2017-0010" if due_on else "")
    assert invoice.order_reference == "PO445"


@pytest.mark.parametrize(
    "name, profile",
    [
        # Factur-X 1.0 wrote the BASIC id with ':' where later versions write '#...#urn:'.
        ("Facture_FR_BASIC", "urn:cen.eu:en16931:2017:compliant:factur-x.eu:1p0:basic"),
        ("Facture_FR_EN16931", "urn:cen.eu:en16931:2017"),
    ],
)
def test_fnfe_pdfs_of_the_basic_and_en16931_profiles(shared_data, name, profile):
    invoice = read(shared_data, FNFE.format("fail", name))
    assert (invoice.profile, invoice.total, invoice.amount_due, invoice.due_on) == (
        profile,
        Decimal("671.15"),
        Decimal("470.15"),
        date(2017, 12, 13),
    )
    assert invoice.buyer.siren == "787878784"


def test_extended_profile_reads_the_buyer_siret_of_scheme_0009(shared_data):
    invoice = read(shared_data, AKR + "xml/factur-x-extended.xml")
    assert invoice.profile.endswith("urn:factur-x.eu:1p0:extended")
    # GlobalID schemeID="0009" 98765432100029: wrong check digit, kept and warned.
    assert invoice.buyer.siret == "98765432100029"
    assert "acheteur : SIRET invalide : 98765432100029 (clé de contrôle fausse)" in (
        invoice.warnings
    )


def test_ubl_invoice_gives_every_figure(shared_data):
    invoice = read(shared_data, AKR + "xml/ubl-21-en16931.xml")
    assert invoice == EInvoice(
        syntax="ubl",
        profile="urn:cen.eu:en16931:2017",
        number="F124212",
        type_code="380",
        is_credit_note=False,
        issued_on=date(2026, 6, 17),
        currency="EUR",
        total=Decimal("308.03"),
        amount_due=Decimal("208.03"),
        seller=Party(
            name="Au bon moulin",  # RegistrationName, not the trading name
            siren="999999998",
            siret="99999999800019",
            vat_number="FR11999999998",
            email="commercial@aubonmoulin.com",
            address="1242 chemin de l'olive, Lieu dit des senteurs, ZAC du Mont Ventoux",
            postal_code="84340",
            city="Malaucène",
            country="FR",
        ),
        buyer=Party(
            name="Ma jolie boutique SARL",
            siren="787878784",
            siret="78787878400018",
            vat_number="FR19787878784",
            email="laetita.durand@jolieboutique.com",
            address="35 rue de la République, La presqu'île",
            postal_code="69001",
            city="Lyon",
            country="FR",
        ),
        due_on=date(2026, 7, 16),
        total_without_tax=Decimal("273.00"),
        tax_total=Decimal("35.03"),
        buyer_reference="120943",
        order_reference="PO1242",
        payment_reference="2026-06-17 00:00:00",
    )


def test_ubl_credit_note_is_a_credit_note(shared_data):
    invoice = read(shared_data, CEN + "ubl/ubl-tc434-creditnote1.xml")
    assert (invoice.number, invoice.type_code, invoice.is_credit_note) == (
        "018304 / 28865",
        "381",
        True,
    )
    assert (invoice.total, invoice.amount_due, invoice.tax_total, invoice.due_on) == (
        Decimal("100.11"),
        Decimal("100.11"),
        Decimal("0.00"),
        None,
    )
    assert (invoice.seller.name, invoice.seller.vat_number, invoice.buyer.email) == (
        "My Supplier Company",
        "BE0000000196",
        "pete.smith@mycustomercompany.be",
    )
    assert (invoice.buyer_reference, invoice.payment_reference) == (
        "018304 / 28865",
        "010676609538",
    )
    assert "aucune date d'échéance dans la facture" in invoice.warnings


@pytest.mark.parametrize("name", ["cii/CII_example5.xml", "ubl/ubl-tc434-example5.xml"])
def test_tax_total_is_the_one_in_the_invoice_currency(shared_data, name):
    invoice = read(shared_data, CEN + name)
    # DKK invoice, VAT also stated in EUR (TaxCurrencyCode) for the accounts: 675.00 DKK.
    assert (invoice.currency, invoice.tax_total, invoice.total_without_tax) == (
        "DKK",
        Decimal("675.00"),
        Decimal("4000"),
    )
    assert (invoice.amount_due, invoice.order_reference, invoice.payment_reference) == (
        Decimal("2337.5"),
        "PO4711",
        "Payref1",
    )


def test_negative_invoice_becomes_a_credit_note_with_positive_amounts(shared_data):
    name = "einvoices/OpenPEPPOL__peppol-bis-invoice-3/peppol-bis3/"
    invoice = read(shared_data, name + "base-negative-inv-correction.xml")
    assert (invoice.type_code, invoice.is_credit_note, invoice.total, invoice.amount_due) == (
        "380",
        True,
        Decimal("1656.25"),
        Decimal("1656.25"),
    )
    assert invoice.total_without_tax == Decimal("1325.00")


def test_zugferd_1_basic_without_amount_due_is_total_less_prepayments(shared_data):
    invoice = read(shared_data, AKR + "xml/zugferd-basic.xml")
    assert (invoice.profile, invoice.amount_due, invoice.seller.name) == (
        "urn:ferd:CrossIndustryDocument:invoice:1p0:basic",
        Decimal("235.62"),
        "Lieferant GmbH",
    )
    assert "montant à payer absent (ZUGFeRD 1.0) : total TTC moins les acomptes" in (
        invoice.warnings
    )


def test_overpaid_invoice_keeps_a_negative_amount_due_and_says_so(shared_data):
    name = "einvoices/ZUGFeRD__corpus/XML-Rechnung/CII/EN16931_Einfach_negativePaymentDue.cii.xml"
    invoice = read(shared_data, name)
    assert (invoice.is_credit_note, invoice.total, invoice.amount_due) == (
        False,
        Decimal("529.87"),
        Decimal("-529.87"),
    )
    assert "montant à payer négatif (-529.87 EUR) : trop-perçu à rendre" in invoice.warnings


# --- refusals ------------------------------------------------------------------------------


def test_a_pdf_without_embedded_xml_is_refused(shared_data):
    # A real PDF (a CFONB specification) with no invoice attached.
    data = (
        shared_data / "bank_statements/ebics-api__cfonb-php/EvolutionRelevComptes.pdf"
    ).read_bytes()
    assert refusal(data, "releve.pdf") == (
        "ce PDF ne contient pas de facture électronique (aucun XML Factur-X/ZUGFeRD embarqué)",
    )


def test_a_damaged_pdf_is_refused():
    (reason,) = refusal(b"%PDF-1.7\n garbage", "f.pdf")
    assert reason.startswith("PDF illisible ou endommagé")


@pytest.mark.parametrize(
    "data, reason",
    [
        (b"", "« a.pdf » est vide"),
        (b"  \n", "« a.pdf » est vide"),
        (b"Facture 12;100,00\n", "« a.pdf » n'est ni un PDF ni un XML"),
        (b"<Invoice><cbc:ID>1</Invoice>", "XML mal formé (ligne 1)"),
    ],
)
def test_files_that_are_not_einvoices_are_refused(data, reason):
    (refused,) = refusal(data, "a.pdf")
    assert refused.startswith(reason)


def test_an_xml_that_is_not_an_invoice_is_refused(shared_data):
    camt = (
        shared_data / "bank_statements/sebastienrousseau__bankstatementparser/camt.053.001.02.xml"
    )
    assert refusal(camt.read_bytes()) == (
        "ce XML n'est pas une facture électronique (élément racine Document au lieu de "
        "CrossIndustryInvoice pour Factur-X/CII ou Invoice/CreditNote pour UBL)",
    )


def line_of(text: str, fragment: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), 1) if fragment in line)


def test_every_problem_is_reported_at_once_with_its_line(shared_data):
    text = (shared_data / MINIMUM).read_text()
    broken = (
        text.replace("<ram:DuePayableAmount>104.90</ram:DuePayableAmount>", "")
        .replace("<ram:Name>LE CLIENT</ram:Name>", "")
        .replace(">20260131<", ">20261331<")
        .replace("<ram:InvoiceCurrencyCode>EUR<", "<ram:InvoiceCurrencyCode>EUX<")
        .replace("<ram:GrandTotalAmount>104.90<", "<ram:GrandTotalAmount>104,90<")
    )
    summation = line_of(broken, "<ram:SpecifiedTradeSettlementHeaderMonetarySummation>")
    buyer = line_of(broken, "<ram:BuyerTradeParty>")
    grand = line_of(broken, "<ram:GrandTotalAmount>")
    issued = line_of(broken, "20261331")
    assert refusal(broken.encode()) == (
        # libxml2 names the element found where Name was due, and checks no further there.
        f"schéma Factur-X MINIMUM : élément SpecifiedLegalOrganization non prévu à cet endroit "
        f"(attendu : Name) (ligne {buyer + 2})",
        f"schéma Factur-X MINIMUM : valeur '104,90' invalide pour élément GrandTotalAmount "
        f"(type xs:decimal) (ligne {grand})",
        f"schéma Factur-X MINIMUM : élément DuePayableAmount manquant dans "
        f"SpecifiedTradeSettlementHeaderMonetarySummation (ligne {summation})",
        f"Factur-X MINIMUM : BT-2 date de facture illisible '20261331', date attendue "
        f"(élément DateTimeString, ligne {issued})",
        "Factur-X MINIMUM : BT-5 code devise inconnu 'EUX'",
        f"Factur-X MINIMUM : BT-44 nom de l'acheteur manquant (élément Name, ligne {buyer})",
        f"Factur-X MINIMUM : BT-112 total TTC illisible '104,90', montant attendu "
        f"(élément GrandTotalAmount, ligne {grand})",
        f"Factur-X MINIMUM : BT-115 montant à payer manquant "
        f"(élément DuePayableAmount, ligne {summation})",
    )


def test_an_unexpected_element_is_named_with_its_line(shared_data):
    data = (shared_data / FNFE.format("fail", "Avoir_FR_type381_MINIMUM")).read_bytes()
    assert refusal(data) == (
        "schéma Factur-X MINIMUM : élément InvoiceReferencedDocument non prévu à cet endroit "
        "(ligne 54)",
    )


def test_a_ubl_invoice_without_payable_amount_or_buyer_is_refused(shared_data):
    text = (shared_data / AKR / "xml/ubl-21-en16931.xml").read_text()
    start, end = (
        text.index("<cac:AccountingCustomerParty>"),
        text.index("</cac:AccountingCustomerParty>"),
    )
    broken = text[:start] + text[end + len("</cac:AccountingCustomerParty>") :]
    broken = broken.replace('<cbc:PayableAmount currencyID="EUR">208.03</cbc:PayableAmount>', "")
    reasons = refusal(broken.encode())
    assert [r.split(" (ligne")[0] for r in reasons] == [
        # libxml2 stops checking the content of Invoice at its first error.
        "schéma UBL 2.1 Invoice : élément TaxRepresentativeParty non prévu à cet endroit "
        "(attendu : AccountingCustomerParty)",
        "UBL 2.1 Invoice : BT-44 acheteur manquant (élément AccountingCustomerParty, ligne 2)",
        "UBL 2.1 Invoice : BT-115 montant à payer manquant (élément PayableAmount, ligne 229)",
    ]


def test_an_xml_with_a_doctype_is_refused_and_its_entities_never_resolved(shared_data):
    text = (shared_data / MINIMUM).read_text()
    doctype = '<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/hostname">]>\n'
    data = text.replace("<rsm:CrossIndustryInvoice", doctype + "<rsm:CrossIndustryInvoice", 1)
    assert refusal(data.replace("LE CLIENT", "LE CLIENT&e;").encode()) == (
        "XML refusé : il déclare un DOCTYPE, qu'aucune facture électronique n'utilise",
    )


# --- rules ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "type_code, is_credit_syntax, total, expected",
    [
        ("380", False, Decimal("10"), False),
        ("381", False, Decimal("10"), True),
        ("261", False, Decimal("10"), True),
        ("384", False, Decimal("10"), False),  # corrected invoice, positive: a debit
        ("384", False, Decimal("-10"), True),
        ("380", False, Decimal("-10"), True),  # negative invoice: a credit
        ("381", False, Decimal("-10"), False),  # negative credit note: a debit
        ("381", True, Decimal("10"), True),
        ("380", True, Decimal("10"), True),  # a UBL CreditNote whatever its code
    ],
)
def test_what_makes_a_credit_note(type_code, is_credit_syntax, total, expected):
    assert is_credit_note(type_code, is_credit_syntax, total) is expected


def test_each_schema_is_loaded_once():
    assert load_schema("minimum") is load_schema("minimum")


@pytest.mark.parametrize(
    "message, french",
    [
        (
            "Element '{urn:x}Foo': Missing child element(s). Expected is ( {urn:x}Bar ).",
            "élément Bar manquant dans Foo",
        ),
        (
            "Element '{urn:x}Foo': This element is not expected. Expected is one of "
            "( {urn:x}A, {urn:x}B ).",
            "élément Foo non prévu à cet endroit (attendu : A, B)",
        ),
        (
            "Element '{urn:x}Foo': This element is not expected.",
            "élément Foo non prévu à cet endroit",
        ),
        (
            "Element '{urn:x}Foo', attribute 'format': [facet 'enumeration'] The value '999' "
            "is not an element of the set {'102'}.",
            "valeur '999' hors de la liste autorisée pour attribut format de l'élément Foo",
        ),
        ("Something else entirely.", "Something else entirely."),
    ],
)
def test_schema_messages_are_told_in_french(message, french):
    assert translate(message) == french
