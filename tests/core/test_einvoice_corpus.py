"""Every file of ../shared/data/einvoices is either read with the figures it states or refused.

Expected figures were written from the XML itself (the PDFs' embedded factur-x.xml was read
with `facturx.get_xml_from_pdf`), not copied from the reader's output. A new file in the
corpus fails `test_the_table_names_every_file_of_the_corpus` until it is added here.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from relance.core.einvoice import EInvoiceError, read_einvoice

CORPUS = "einvoices"


@dataclass(frozen=True)
class Read:
    """The file is read; these are the figures it states (amounts turned positive)."""

    number: str
    issued_on: date
    currency: str
    total: str
    amount_due: str
    buyer: str
    due_on: date | None = None
    type_code: str = "380"
    is_credit_note: bool = False
    buyer_siren: str = ""
    buyer_vat: str = ""


@dataclass(frozen=True)
class Refused:
    """The file is refused with a reason containing `fragment`."""

    fragment: str


# FNFE-MPE Factur-X 1.0 samples: one invoice per destination, in several profiles.
FNFE_FR = Read(
    "FA-2017-0010",
    date(2017, 11, 13),
    "EUR",
    "671.15",
    "470.15",
    "Ma jolie boutique",
    buyer_siren="787878784",
    buyer_vat="FR19787878784",
)
FNFE_DOM = Read(
    "FA-2017-0009",
    date(2017, 11, 5),
    "EUR",
    "530.75",
    "383.75",
    "Hôtel Saint Denis",
    buyer_siren="343434346",
    buyer_vat="FR90343434346",
)
FNFE_UE = Read(
    "FA-2017-0008",
    date(2017, 11, 3),
    "EUR",
    "2076.76",
    "1453.76",
    "Me gusta olive",
    buyer_vat="ESA12345674",
)
FNFE_CREDIT = Read(
    "AV-2017-0005",
    date(2017, 11, 16),
    "EUR",
    "233.47",
    "233.47",
    "Ma jolie boutique",
    due_on=date(2017, 11, 16),
    type_code="381",
    is_credit_note=True,
    buyer_siren="787878784",
    buyer_vat="FR19787878784",
)
# akretion's invoice F20260023 in each Factur-X profile (and as a PDF).
AKRETION = Read(
    "F20260023",
    date(2026, 1, 31),
    "EUR",
    "104.90",
    "104.90",
    "LE CLIENT",
    due_on=date(2026, 3, 2),
    buyer_siren="987654321",  # fails its check digit: kept, with a warning
    buyer_vat="FR05987654321",
)
AKRETION_UBL = Read(
    "F124212",
    date(2026, 6, 17),
    "EUR",
    "308.03",
    "208.03",
    "Ma jolie boutique SARL",
    due_on=date(2026, 7, 16),
    buyer_siren="787878784",
    buyer_vat="FR19787878784",
)
# FeRD's "Einfach" invoice 471102, in CII and UBL.
FERD = Read("471102", date(2018, 3, 5), "EUR", "529.87", "529.87", "Kunden AG Mitte")
FERD_DUE = replace(FERD, due_on=date(2019, 3, 5))
# CEN TC434 examples, each in CII and UBL.
TC434_1 = Read("12115118", date(2015, 1, 9), "EUR", "250.33", "250.33", "ODIN 59", date(2015, 1, 9))
TC434_2 = Read(
    "TOSL108",
    date(2013, 6, 30),
    "NOK",
    "1801.78",
    "801.78",
    "The Buyercompany",
    date(2013, 7, 20),
    buyer_vat="NO987654321MVA",
)
TC434_3 = Read(
    "TOSL108", date(2013, 4, 10), "DKK", "1125", "1125", "Buyercompany ltd", date(2013, 5, 10)
)
TC434_4 = Read(
    "TOSL110", date(2013, 4, 10), "DKK", "4675", "4675", "Buyercompany ltd", date(2013, 5, 10)
)
TC434_5 = replace(TC434_4, amount_due="2337.50", buyer_vat="DK16356607")
TC434_CREDIT = Read(
    "018304 / 28865",
    date(2019, 9, 23),
    "EUR",
    "100.11",
    "100.11",
    "My Customer Company",
    type_code="381",
    is_credit_note=True,
    buyer_vat="BE0000000295",
)
PEPPOL = Read(
    "Snippet1",
    date(2017, 11, 13),
    "EUR",
    "1656.25",
    "1656.25",
    "Buyer Official Name",
    date(2017, 12, 1),
    buyer_vat="SE4598375937",  # buyer SIREN 'FR23342' is not shaped like one: dropped
)

FNFE = "ZUGFeRD__corpus/ZUGFeRDv2/{}/FNFE-factur-x-examples/{}.pdf"
FERD_CII = "ZUGFeRD__corpus/XML-Rechnung/CII/EN16931_{}.cii.xml"
FERD_UBL = "ZUGFeRD__corpus/XML-Rechnung/UBL/EN16931_{}.ubl.xml"
CEN = "ConnectingEurope__eInvoicing-EN16931/{}"
BIS3 = "OpenPEPPOL__peppol-bis-invoice-3/peppol-bis3/{}.xml"
AKR = "akretion__factur-x/{}"
MINIMUM_CREDIT_NOTE = "schéma Factur-X MINIMUM : élément InvoiceReferencedDocument non prévu"

EXPECTED: dict[str, Read | Refused] = {
    # FNFE "correct" folder: MINIMUM carries no due date (BT-9 is not in that profile).
    FNFE.format("correct", "Facture_FR_MINIMUM"): FNFE_FR,
    FNFE.format("correct", "Facture_FR_BASICWL"): replace(FNFE_FR, due_on=date(2017, 12, 13)),
    FNFE.format("correct", "Facture_DOM_MINIMUM"): FNFE_DOM,
    FNFE.format("correct", "Facture_DOM_BASICWL"): replace(FNFE_DOM, due_on=date(2017, 12, 5)),
    FNFE.format("correct", "Facture_UE_MINIMUM"): FNFE_UE,
    # FNFE "fail" folder: they break schematron rules, which Relance does not run; the XSD of
    # MINIMUM has no InvoiceReferencedDocument, so the two MINIMUM credit notes are refused.
    FNFE.format("fail", "Facture_FR_BASIC"): replace(FNFE_FR, due_on=date(2017, 12, 13)),
    FNFE.format("fail", "Facture_FR_EN16931"): replace(FNFE_FR, due_on=date(2017, 12, 13)),
    FNFE.format("fail", "Facture_DOM_BASIC"): replace(FNFE_DOM, due_on=date(2017, 12, 5)),
    FNFE.format("fail", "Facture_DOM_EN16931"): replace(FNFE_DOM, due_on=date(2017, 12, 5)),
    FNFE.format("fail", "Facture_UE_BASIC"): replace(FNFE_UE, due_on=date(2017, 12, 3)),
    FNFE.format("fail", "Facture_UE_EN16931"): replace(FNFE_UE, due_on=date(2017, 12, 3)),
    # Credit notes typed 380 with negative totals (-233.47) are credit notes all the same.
    FNFE.format("fail", "Avoir_FR_type380_BASIC"): replace(FNFE_CREDIT, type_code="380"),
    FNFE.format("fail", "Avoir_FR_type380_EN16931"): replace(FNFE_CREDIT, type_code="380"),
    FNFE.format("fail", "Avoir_FR_type380_MINIMUM"): Refused(MINIMUM_CREDIT_NOTE),
    FNFE.format("fail", "Avoir_FR_type381_BASICWL"): FNFE_CREDIT,
    FNFE.format("fail", "Avoir_FR_type381_EN16931"): FNFE_CREDIT,
    FNFE.format("fail", "Avoir_FR_type381_MINIMUM"): Refused(MINIMUM_CREDIT_NOTE),
    "ZUGFeRD__corpus/XML-Rechnung/FX/EN16931_Einfach_DueDate.pdf": FERD_DUE,
    FERD_CII.format("Einfach"): FERD,
    FERD_CII.format("Einfach_DueDate"): FERD_DUE,
    # Prepaid twice the total: the seller owes 529.87 back.
    FERD_CII.format("Einfach_negativePaymentDue"): replace(FERD, amount_due="-529.87"),
    FERD_CII.format("SEPA_Prenotification"): FERD,
    # 389 is a self-billed invoice (Gutschrift in German), not a credit note.
    FERD_CII.format("Gutschrift"): replace(FERD, type_code="389", buyer_vat="DE136695976"),
    FERD_CII.format("Rabatte"): Read(
        "471102", date(2018, 6, 5), "EUR", "215.07", "165.07", "Kunden AG Mitte"
    ),
    FERD_CII.format("1_Teilrechnung"): Read(
        "471102", date(2018, 6, 5), "EUR", "197.65", "147.65", "Kunden AG Mitte"
    ),
    FERD_CII.format("2_Teilrechnung"): Read(
        "471113", date(2018, 6, 13), "EUR", "23.54", "23.54", "Kunden AG Mitte"
    ),
    # A corrected invoice (384) of -8.79: a credit.
    FERD_CII.format("Rechnungskorrektur"): Read(
        "RK21012345",
        date(2018, 9, 16),
        "EUR",
        "8.79",
        "8.79",
        "MUSTER-KUNDE GMBH",
        type_code="384",
        is_credit_note=True,
    ),
    FERD_UBL.format("Einfach"): FERD,
    FERD_UBL.format("Einfach_DueDate"): FERD_DUE,
    FERD_UBL.format("SEPA_Prenotification"): FERD,
    FERD_UBL.format("Gutschrift"): replace(FERD, type_code="389", buyer_vat="DE136695976"),
    "ZUGFeRD__corpus/XML-Rechnung/UBL/ubl-tc434-creditnote1.xml": TC434_CREDIT,
    CEN.format("cii/CII_example1.xml"): TC434_1,
    CEN.format("cii/CII_example2.xml"): TC434_2,
    CEN.format("cii/CII_business_example_01.xml"): TC434_2,
    CEN.format("cii/CII_example3.xml"): TC434_3,
    CEN.format("cii/CII_example4.xml"): TC434_4,
    CEN.format("cii/CII_example5.xml"): TC434_5,
    # A D16B CII that declares the ZUGFeRD 1.0 COMFORT guideline: checked against CII D22B.
    CEN.format("cii/CII_business_example_02.xml"): Read(
        "INV000013",
        date(2013, 8, 25),
        "EUR",
        "11.90",
        "11.90",
        "Buyercompany ltd",
        date(2013, 5, 10),  # before the issue date, as the file says
    ),
    CEN.format("ubl/ubl-tc434-example1.xml"): TC434_1,
    CEN.format("ubl/guide-example1.xml"): TC434_1,
    CEN.format("ubl/ubl-tc434-example2.xml"): TC434_2,
    CEN.format("ubl/ubl-tc434-example3.xml"): replace(
        TC434_3, total="2005.00", amount_due="2005.00", buyer_vat="NO987654321MVA"
    ),
    CEN.format("ubl/ubl-tc434-example4.xml"): TC434_4,
    CEN.format("ubl/ubl-tc434-example5.xml"): TC434_5,
    CEN.format("ubl/ubl-tc434-creditnote1.xml"): TC434_CREDIT,
    BIS3.format("base-example"): PEPPOL,
    BIS3.format("base-creditnote-correction"): replace(
        PEPPOL, due_on=None, type_code="381", is_credit_note=True
    ),
    # An invoice of -1656.25 correcting base-example: a credit.
    BIS3.format("base-negative-inv-correction"): replace(
        PEPPOL, number="Correction1", is_credit_note=True
    ),
    BIS3.format("Allowance-example"): replace(PEPPOL, total="7125", amount_due="6125.00"),
    BIS3.format("Vat-category-S"): replace(PEPPOL, total="8550", amount_due="8550"),
    BIS3.format("vat-category-E"): Read(
        "Vat-Z", date(2018, 8, 30), "GBP", "1200.00", "1200.00", "The Buyercompany"
    ),
    AKR.format("pdf/invoice_EN16931.pdf"): AKRETION,
    AKR.format("xml/factur-x-minimum.xml"): replace(AKRETION, due_on=None, buyer_vat=""),
    AKR.format("xml/factur-x-basicwl.xml"): AKRETION,
    AKR.format("xml/factur-x-basic.xml"): AKRETION,
    AKR.format("xml/factur-x-en16931.xml"): AKRETION,
    AKR.format("xml/factur-x-extended.xml"): AKRETION,
    AKR.format("xml/ubl-21-en16931.xml"): AKRETION_UBL,
    AKR.format("xml/ubl-21-extended-ctc-fr.xml"): AKRETION_UBL,
    # ZUGFeRD 1.0 (2014). BASIC has no DuePayableAmount: due = total less prepayments (none).
    AKR.format("xml/zugferd-basic.xml"): Read(
        "471102", date(2013, 3, 5), "EUR", "235.62", "235.62", "Kunden AG Mitte"
    ),
    AKR.format("xml/zugferd-comfort.xml"): Read(
        "471102",
        date(2013, 3, 5),
        "EUR",
        "529.87",
        "529.87",
        "Kunden AG Mitte",
        date(2013, 4, 4),
    ),
    # Not an invoice: the licence of akretion's samples; it stands for any non-XML file.
    AKR.format("LICENSE.txt"): Refused("« LICENSE.txt » n'est ni un PDF ni un XML"),
}


def corpus_files(root: Path) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()}


def test_the_table_names_every_file_of_the_corpus(shared_data: Path) -> None:
    files = corpus_files(shared_data / CORPUS)
    assert sorted(files - set(EXPECTED)) == [], "new files: add them to EXPECTED"
    assert sorted(set(EXPECTED) - files) == [], "files gone from the corpus"


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_corpus_file_is_read_or_refused_as_expected(shared_data: Path, name: str) -> None:
    data = (shared_data / CORPUS / name).read_bytes()
    expected = EXPECTED[name]
    if isinstance(expected, Refused):
        with pytest.raises(EInvoiceError) as refused:
            read_einvoice(data, Path(name).name)
        assert any(expected.fragment in reason for reason in refused.value.reasons), (
            refused.value.reasons
        )
        return
    invoice = read_einvoice(data, Path(name).name)
    assert normal(
        Read(
            number=invoice.number,
            issued_on=invoice.issued_on,
            currency=invoice.currency,
            total=str(invoice.total),
            amount_due=str(invoice.amount_due),
            buyer=invoice.buyer.name,
            due_on=invoice.due_on,
            type_code=invoice.type_code,
            is_credit_note=invoice.is_credit_note,
            buyer_siren=invoice.buyer.siren,
            buyer_vat=invoice.buyer.vat_number,
        )
    ) == normal(expected)


def normal(figures: Read) -> Read:
    """Amounts compared as numbers: 2337.5 in the CII is 2337.50 in the UBL."""
    return replace(
        figures,
        total=str(Decimal(figures.total).normalize()),
        amount_due=str(Decimal(figures.amount_due).normalize()),
    )
