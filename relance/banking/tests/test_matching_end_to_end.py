"""End to end (issue 4 acceptance): invoices imported, a CAMT.053 statement that pays some
of them imported, matching run, dunning run: the payers get no reminder, the others do."""

from datetime import date
from decimal import Decimal

import pytest

from relance.banking.matching import run_matching
from relance.banking.services import import_einvoices, import_statement_file
from relance.core.matching import creditor_reference
from relance.dunning.models import Reminder
from relance.dunning.services import run_dunning, seed_default_scenarios
from relance.imports.services import import_file
from relance.ledger import services as ledger
from relance.ledger.models import Invoice

from .test_einvoices import document, reader_of

pytestmark = pytest.mark.django_db
RUN_ON = date(2026, 11, 23)
INVOICES = """N° facture;Code client;Nom client;Date;Date d'échéance;Montant TTC
FA2026-0000101;C1;Boulangerie Dupont;15/09/2026;15/10/2026;1200,00
FA2026-0000102;C2;Garage Martin;16/09/2026;16/10/2026;845,50
FA2026-0000103;C3;Pharmacie Lefèvre;17/09/2026;17/10/2026;300,00
FA2026-0000104;C3;Pharmacie Lefèvre;18/09/2026;18/10/2026;199,90
FA2026-0000105;C4;Menuiserie Girard;19/09/2026;19/10/2026;760,00
FA2026-0000106;C5;Transports Roux;20/09/2026;20/10/2026;1530,00
"""
PAYER_IBAN = {"C1": "FR7630004000031234567890143", "C2": "FR1420041010050500013M02606"}


def transfer(amount: str, name: str, iban: str = "", text: str = "", reference: str = "") -> str:
    """One booked credit transfer, camt.053.001.02."""
    iban_block = f"<DbtrAcct><Id><IBAN>{iban}</IBAN></Id></DbtrAcct>" if iban else ""
    structured = (
        f"<Strd><CdtrRefInf><Ref>{reference}</Ref></CdtrRefInf></Strd>" if reference else ""
    )
    return f"""
      <Ntry><Amt Ccy="EUR">{amount}</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts>BOOK</Sts>
        <BookgDt><Dt>2026-11-20</Dt></BookgDt><ValDt><Dt>2026-11-20</Dt></ValDt>
        <NtryDtls><TxDtls>
          <RltdPties><Dbtr><Nm>{name}</Nm></Dbtr>{iban_block}</RltdPties>
          <RmtInf><Ustrd>{text}</Ustrd>{structured}</RmtInf>
        </TxDtls></NtryDtls></Ntry>"""


def camt053(entries: list[tuple[str, str]]) -> bytes:
    """A statement opening at 10,000.00 whose closing balance adds the entries up."""
    closing = Decimal("10000.00") + sum(Decimal(amount) for amount, _ in entries)
    body = "".join(entry for _, entry in entries)
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02">
  <BkToCstmrStmt>
    <GrpHdr><MsgId>E2E-1</MsgId><CreDtTm>2026-11-21T06:00:00</CreDtTm></GrpHdr>
    <Stmt>
      <Id>STMT-2026-11-20</Id>
      <Acct><Id><IBAN>FR7630006000011234567890189</IBAN></Id><Ccy>EUR</Ccy></Acct>
      <Bal><Tp><CdOrPrtry><Cd>OPBD</Cd></CdOrPrtry></Tp><Amt Ccy="EUR">10000.00</Amt>
        <CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>2026-11-19</Dt></Dt></Bal>
      <Bal><Tp><CdOrPrtry><Cd>CLBD</Cd></CdOrPrtry></Tp><Amt Ccy="EUR">{closing}</Amt>
        <CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>2026-11-20</Dt></Dt></Bal>
      {body}
    </Stmt>
  </BkToCstmrStmt>
</Document>""".encode()


def statement_paying(invoices: dict[str, Invoice]) -> bytes:
    """C1 by its RF reference, C2 by a mangled number, C3 both invoices in one transfer;
    C4 and C5 pay nothing."""
    pharmacy = invoices["FA2026-0000103"].amount + invoices["FA2026-0000104"].amount
    entries = [
        ("1200.00", transfer("1200.00", "SARL BOULANGERIE DUPONT", PAYER_IBAN["C1"],
                             reference=creditor_reference("FA2026-0000101"))),
        ("845.50", transfer("845.50", "GARAGE MARTIN", PAYER_IBAN["C2"],
                            text="REGLEMENT FACT 2026 102")),
        (str(pharmacy), transfer(str(pharmacy), "PHARMACIE LEFEVRE",
                                 text="FACTURES 2026-103 ET 2026-104")),
    ]  # fmt: skip
    return camt053(entries)


def test_payers_found_in_the_bank_statement_get_no_reminder(tmp_path):
    company = ledger.create_company("ACME", "Acme SAS")
    invoices_csv = tmp_path / "factures.csv"
    invoices_csv.write_text(INVOICES, encoding="utf-8")
    imported = import_file(company, "invoices", invoices_csv)
    assert imported.created["invoices"] == 6, imported.as_json()
    invoices = {invoice.number: invoice for invoice in Invoice.objects.filter(company=company)}
    statement = tmp_path / "releve.xml"
    statement.write_bytes(statement_paying(invoices))

    report = import_statement_file(company, statement)
    assert report.created["bank_lines"] == 3

    matched = run_matching(company)
    assert sorted(o.customer for o in matched.applied) == ["C1", "C2", "C3"], matched.as_json()

    seed_default_scenarios(company)
    run_dunning(company, RUN_ON)

    reminded = set(
        Reminder.objects.filter(company=company).values_list("customer__code", flat=True)
    )
    assert reminded == {"C4", "C5"}
    open_numbers = set(
        Invoice.objects.filter(company=company, open_amount__gt=0).values_list("number", flat=True)
    )
    assert open_numbers == {"FA2026-0000105", "FA2026-0000106"}


def test_an_einvoice_rf_payment_reference_pays_it(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    company = ledger.create_company("ACME", "Acme SAS", siren="999999998")
    reference = "RF18 5390 0754 7034"
    reader = reader_of(**{"f.xml": document(number="2026/77", payment_reference=reference)})
    (result,) = import_einvoices(company, [("f.xml", b"<xml/>")], reader=reader)
    bill = Invoice.objects.get(pk=result.invoice_id)
    assert bill.payment_reference == reference
    statement = tmp_path / "releve.xml"
    statement.write_bytes(
        camt053([("1200.00", transfer("1200.00", "SCI DES LILAS", reference="RF18539007547034"))])
    )
    import_statement_file(company, statement)

    run_matching(company)

    bill.refresh_from_db()
    assert bill.open_amount == 0
