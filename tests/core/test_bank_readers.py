"""Bank statement readers: concrete figures from real files of each format, and the error
paths on small synthetic files."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pytest

from relance.core.bank import BankFileError, BankLine, read_statement_file

CORPUS = "bank_statements"


def read(shared_data, path):
    return read_statement_file((shared_data / CORPUS / path).read_bytes(), path)


def first_line(shared_data, path) -> BankLine:
    return read(shared_data, path).statements[0].lines[0]


# --- CFONB 120 ---------------------------------------------------------------------------


def test_cfonb_reads_balances_and_the_sepa_details_of_05_records(shared_data):
    result = read(shared_data, "pennylane-hq__cfonb/example.txt")
    statement = result.statements[0]
    assert (statement.account, statement.currency) == ("15589 00000 98765432100", "EUR")
    assert (statement.opening_on, statement.opening_balance) == (
        date(2019, 5, 15),
        Decimal("-190.40"),
    )
    assert (statement.closing_on, statement.closing_balance) == (
        date(2019, 5, 16),
        Decimal("-241.21"),
    )
    assert statement.lines[0] == BankLine(
        line=3,
        booked_on=date(2019, 5, 16),
        value_on=date(2019, 5, 16),
        amount=Decimal("-32.21"),
        currency="EUR",
        counterparty_name="INTERNET SFR",  # NPY: the only name given
        remittance="PRLV SEPA TEST CABINET MENSUEAUHTR13133 MENSUEAUHTR13DUP",
        end_to_end_id="OTHER REFERENCE",  # RCN, its first 35 characters
        bank_reference="REFERENCE",  # REF
        bank_code="B1",
    )


def test_cfonb_marks_a_returned_sepa_direct_debit(shared_data):
    line = read(shared_data, "pennylane-hq__cfonb/example.txt").statements[1].lines[0]
    assert (line.amount, line.bank_code, line.is_return) == (Decimal("97.49"), "A3", True)
    assert line.remittance == "PRLV SEPA GROUPAMA CEN P051928612   22793301700040"


def cfonb(*records: str) -> bytes:
    return "\r\n".join(record.ljust(120) for record in records).encode("latin-1")


OPEN = "0130004    00012EUR2 00012345678  010326" + " " * 50 + "0000000010000{"
MOVE = "0430004    00012EUR2 00012345678 5020326  020326VIR SEPA ÉLÉONORE SARL" + " " * 12
CLOSE = "0730004    00012EUR2 00012345678  030326" + " " * 50 + "0000000012345{"


def test_cfonb_reads_latin1_crlf_and_overpunch_amounts():
    move = MOVE.ljust(90) + "0000000002345{" + "FAC-2026-001"
    complement = "0530004    00012EUR2 00012345678 5020326     LCSRF18539007547034"
    result = read_statement_file(cfonb(OPEN, move, complement, CLOSE))
    (line,) = result.statements[0].lines
    assert (line.amount, line.remittance) == (Decimal("234.50"), "VIR SEPA ÉLÉONORE SARL")
    assert (line.structured_reference, line.bank_reference) == ("RF18539007547034", "FAC-2026-001")
    assert result.statements[0].balance_gap() == Decimal("0")


@pytest.mark.parametrize(
    "records, message",
    [
        ((OPEN, MOVE.ljust(90) + "00000000023X5{", CLOSE), "ligne 2 : montant illisible"),
        ((OPEN, MOVE.ljust(90) + "00000000023451", CLOSE), "ligne 2 : montant illisible"),
        (
            (OPEN, MOVE.replace("020326VIR", "310226VIR").ljust(90) + "0000000000000{", CLOSE),
            "ligne 2 : date de valeur impossible '310226'",
        ),
        ((OPEN, OPEN.replace("00012345678", "99999999999")), "ligne 2 : nouveau solde initial"),
        (
            (OPEN, CLOSE.replace("00012345678", "99999999999")),
            "ligne 2 : nouveau solde (07) du compte 99999999999 dans le relevé du compte",
        ),
        ((OPEN,), "n'a pas de nouveau solde (07) à la fin du fichier"),
        ((OPEN, "0830004" + " " * 113, CLOSE), "ligne 2 : code d'enregistrement '08' inconnu"),
    ],
)
def test_cfonb_refuses_a_broken_file_with_the_line(records, message):
    with pytest.raises(BankFileError, match=re.escape(message)):
        read_statement_file(cfonb(*records))


def test_cfonb_refuses_records_of_another_width():
    data = "\n".join(record.ljust(130) for record in (OPEN, CLOSE)).encode()
    with pytest.raises(BankFileError, match="130 caractères"):
        read_statement_file(data)


# --- CAMT -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path, booked_on, amount, name, iban, reference, end_to_end, bank_reference",
    [
        (
            "sebastienrousseau__bankstatementparser/camt.053.001.02.xml",
            date(2010, 10, 18),
            Decimal("105678.50"),
            "MUELLER",
            "",
            "",
            "MUELL/FINP/RA12345",
            "AAAASESS-FP-CN_98765/01",
        ),
        (
            "genkgo__camt/camt053.v3.xml",
            date(2014, 12, 31),
            Decimal("8.85"),
            "NAME NAME",
            "NL56AGDH9619008421",
            "4654654654654654",
            "",
            "XXXXXXXXXXXXXXXXXXXXXXEUR",
        ),
        (
            "genkgo__camt/camt053.v4.xml",
            date(2014, 12, 31),
            Decimal("8.85"),
            "NAME NAME",
            "NL56AGDH9619008421",
            "4654654654654654",
            "",
            "AAAASESS-FP-CN_98765/01",
        ),
        (
            "genkgo__camt/camt053.v8.xml",
            date(2014, 12, 31),
            Decimal("8.85"),
            "NAME NAME",
            "NL56AGDH9619008421",
            "4654654654654654",
            "MUELL/FINP/RA12345",
            "AAAASESS-FP-CN_98765/01",
        ),
    ],
)
def test_camt053_first_line_of_each_version(
    shared_data, path, booked_on, amount, name, iban, reference, end_to_end, bank_reference
):
    line = first_line(shared_data, path)
    assert (line.booked_on, line.amount, line.counterparty_name) == (booked_on, amount, name)
    assert (line.counterparty_iban, line.structured_reference) == (iban, reference)
    assert (line.end_to_end_id, line.bank_reference) == (end_to_end, bank_reference)


def test_camt053_debit_takes_the_creditor_and_the_remittance(shared_data):
    result = read(shared_data, "OCA__bank-statement-import/test-camt053")
    statement = result.statements[0]
    assert (statement.account, statement.opening_balance) == (
        "NL77ABNA0574908765",
        Decimal("15568.27"),
    )
    line = statement.lines[0]
    assert (line.amount, line.counterparty_name) == (Decimal("-754.25"), "INSURANCE COMPANY TESTX")
    assert line.counterparty_iban == "NL46ABNA0499998748"
    assert line.remittance == "Insurance policy 857239PERIOD 01.01.2014 - 31.12.2014"
    assert line.bank_code == "PMNT/RDDT/ESDD"


def test_camt053_batch_is_split_when_its_details_add_up(shared_data):
    lines = read(shared_data, "OCA__bank-statement-import/test-camt053").statements[0].lines
    assert [line.amount for line in lines[1:3]] == [Decimal("-564.05"), Decimal("-100.00")]


def test_camt054_batch_whose_details_do_not_add_up_stays_one_line(shared_data):
    # Three CHF details of 3.10 + 3.20 + 3.20 under one SEK 200000 entry: kept whole.
    result = read(shared_data, "genkgo__camt/camt054.v8.xml")
    (line,) = result.statements[0].lines
    assert (line.amount, line.currency, line.counterparty_name) == (Decimal("-200000"), "SEK", "")
    assert line.remittance.startswith("Unstructured Remittance Information V1 ")
    assert line.bank_reference == "ACSR160617103200001"
    assert result.statements[0].balance_gap() is None


@pytest.mark.parametrize(
    "xml, message",
    [
        (
            b"<Document xmlns='urn:iso:std:iso:20022:tech:xsd:camt.053.001.02'><BkToCstmrStmt>",
            "XML mal formé",
        ),
        (
            b"<Document xmlns='urn:iso:std:iso:20022:tech:xsd:pain.001.001.03'/>",
            "format de relevé non reconnu",
        ),
        (
            b"<Document xmlns='urn:iso:std:iso:20022:tech:xsd:camt.053.001.10'/>",
            "version camt.053.001.10 non prise en charge",
        ),
    ],
)
def test_camt_refuses_what_it_cannot_read(xml, message):
    with pytest.raises(BankFileError, match=message):
        read_statement_file(xml)


def test_camt_amount_that_is_not_an_amount_is_refused_with_its_line(shared_data):
    data = (shared_data / CORPUS / "genkgo__camt/camt053.v8.xml").read_bytes()
    with pytest.raises(BankFileError, match=r"ligne 111 : montant illisible '8,85'"):
        read_statement_file(data.replace(b'"EUR">8.85<', b'"EUR">8,85<'))


# --- OFX --------------------------------------------------------------------------------


def test_ofx_reads_the_transaction_and_the_ledger_balance(shared_data):
    statement = read(shared_data, "jseutter__ofxparse/bank_medium.ofx").statements[0]
    assert (statement.currency, statement.closing_balance) == ("CAD", Decimal("382.34"))
    assert statement.opening_balance is None and statement.balance_gap() is None
    line = statement.lines[0]
    assert (line.booked_on, line.amount, line.counterparty_name) == (
        date(2009, 4, 1),
        Decimal("-6.60"),
        "MCDONALD'S #112",
    )
    assert (line.remittance, line.bank_reference, line.bank_code) == (
        "POS MERCHANDISE;MCDONALD'S #112",
        "0000123456782009040100001",
        "POS",
    )


def test_ofx_with_several_accounts_gives_several_statements(shared_data):
    result = read(shared_data, "jseutter__ofxparse/multiple_accounts.ofx")
    assert [s.account for s in result.statements] == ["9100", "9200"]
    assert [s.closing_balance for s in result.statements] == [Decimal("111"), Decimal("222")]


# --- MT940 ------------------------------------------------------------------------------


def test_mt940_german_structured_details(shared_data):
    line = first_line(shared_data, "WoLpH__mt940/betterplace/sepa_snippet.sta")
    assert (line.booked_on, line.value_on, line.amount) == (
        date(2007, 9, 4),
        date(2007, 9, 7),
        Decimal("50990.05"),
    )
    assert (line.counterparty_name, line.counterparty_iban) == (
        "KARL KAUFMANN",
        "DE14508800500194785000",
    )
    assert line.remittance == "Verw CTSc-01 BC-PPP TFNr 22 004"
    assert line.end_to_end_id == "EndToEndId TFNR 22 004 00001"


def test_mt940_swift_keywords_of_86(shared_data):
    result = read(shared_data, "OCA__bank-statement-import/test-ing.940")
    statement = result.statements[0]
    assert (statement.account, statement.opening_balance, statement.closing_balance) == (
        "NL77INGB0574908765",
        Decimal("662.23"),
        Decimal("564.35"),
    )
    line = statement.lines[0]
    assert (line.amount, line.counterparty_iban) == (Decimal("1.56"), "NL32INGB0000012345")
    assert (line.counterparty_name, line.end_to_end_id) == (
        "ING BANK NV INZAKE WEB",
        "EV12341REP1231456T1234",
    )
    assert (line.remittance, line.bank_reference) == ("EV10001REP1000000T1000", "00000000001")


# --- detection --------------------------------------------------------------------------


def test_unknown_content_says_which_formats_are_accepted():
    with pytest.raises(BankFileError, match="format de relevé non reconnu .relevé.csv.") as raised:
        read_statement_file(b"Date;Libelle;Montant\n01/03/2026;VIR;12,50\n", "relevé.csv")
    assert "CFONB 120" in str(raised.value) and "MT940" in str(raised.value)


def test_empty_file_is_refused():
    with pytest.raises(BankFileError, match="vide"):
        read_statement_file(b"\xef\xbb\xbf  \r\n")


def test_detection_ignores_the_file_name_and_a_bom(shared_data):
    data = (shared_data / CORPUS / "pennylane-hq__cfonb/example.txt").read_bytes()
    assert read_statement_file(b"\xef\xbb\xbf" + data, "releve.xml").format == "cfonb120"
