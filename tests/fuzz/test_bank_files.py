"""Bank statement readers (CAMT, CFONB 120, OFX, MT940) fuzzed: a file is either read into
statements a database can hold, or refused with a BankFileError in French whose line, when
given, is in the file. Never another exception.

Inputs: random bytes and text; records of each format built field by field with values
drawn from valid ones and hostile ones (structured but wrong); the real statements of
../shared/data/bank_statements damaged by mutations (tests/fuzz/fuzzing.py).
"""

from __future__ import annotations

import logging
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from relance.core.bank import BankFileError, StatementFile, read_statement_file
from tests.fuzz.fuzzing import FUZZ, HOSTILE, assert_clear, corpus, line_count, mutated

STATEMENTS = corpus("bank_statements")
BY_FORMAT = {
    "camt": [data for data in STATEMENTS if data.lstrip().startswith((b"<?xml", b"<Doc"))],
    "ofx": [data for data in STATEMENTS if b"<OFX>" in data.upper()],
    "mt940": [data for data in STATEMENTS if b":20:" in data and b":61:" in data],
    "cfonb": [data for data in STATEMENTS if data[:2] in (b"01", b"04", b"07")],
}


@pytest.fixture(autouse=True)
def quiet_mt940(caplog):
    """mt-940 logs every pattern it fails to match at ERROR level: thousands of lines here."""
    caplog.set_level(logging.CRITICAL, logger="mt940")


def read(data: bytes) -> StatementFile | None:
    """Read `data`; a refusal must be clear and point inside the file."""
    try:
        parsed = read_statement_file(data, "releve-fuzz")
    except BankFileError as error:
        assert_clear(str(error))
        if error.line is not None:
            assert 1 <= error.line <= line_count(data), (error.line, str(error))
        return None
    check_statements(parsed, data)
    return parsed


def check_statements(parsed: StatementFile, data: bytes) -> None:
    """What the import service relies on: typed, finite values and lines inside the file."""
    assert parsed.statements
    for statement in parsed.statements:
        assert len(statement.currency) == 3 and statement.currency.isalpha()
        for balance in (statement.opening_balance, statement.closing_balance):
            assert balance is None or (isinstance(balance, Decimal) and balance.is_finite())
        for line in statement.lines:
            assert isinstance(line.booked_on, date)
            assert isinstance(line.amount, Decimal) and line.amount.is_finite()
            assert len(line.currency) == 3 and line.currency.isalpha()
            assert 1 <= line.line <= line_count(data)


# --- generated inputs -------------------------------------------------------------------------

text_values = st.one_of(
    st.sampled_from([value.decode("latin-1") for value in HOSTILE]),
    st.text(max_size=20),
)


@FUZZ
@given(st.binary(max_size=4000))
def test_random_bytes_are_read_or_refused_clearly(data):
    read(data)


@FUZZ
@given(st.text(max_size=3000), st.sampled_from(["utf-8", "utf-16", "cp1252", "latin-1"]))
def test_random_text_is_read_or_refused_clearly(text, encoding):
    read(text.encode(encoding, errors="replace"))


def fixed(text: str, width: int, fill: str = " ", right: bool = False) -> str:
    text = text[:width]
    return text.rjust(width, fill) if right else text.ljust(width, fill)


@st.composite
def cfonb_record(draw, code: str) -> str:
    """A CFONB 120 record with each field valid or hostile."""

    def field(valid, width: int, right: bool = False) -> str:
        value = draw(st.one_of(valid, text_values))
        return fixed(value, width, "0" if right else " ", right)

    digits = st.integers(0, 10**13 - 1).map(lambda n: f"{n:013d}")
    sign = st.sampled_from("{ABCDEFGHI}JKLMNOPQR")
    ddmmyy = st.dates().map(lambda d: d.strftime("%d%m%y"))
    record = (
        code
        + field(st.just("30002"), 5)
        + field(st.just("0000"), 4)
        + field(st.just("00550"), 5)
        + field(st.sampled_from(["EUR", "USD", "   ", "XXX"]), 3)
        + field(st.sampled_from(["2", "0", "3", " "]), 1)
        + " "
        + field(st.just("0000123456F"), 11)
        + field(st.sampled_from(["  ", "A3", "05"]), 2)
        + field(ddmmyy, 6)
        + field(st.sampled_from(["  ", "01"]), 2)
        + field(ddmmyy, 6)
        + field(st.text(max_size=31), 31)
        + "  "
        + field(st.just("0000001"), 7)
        + "  "
        + field(st.tuples(digits, sign).map("".join), 14)
        + field(st.text(max_size=16), 16)
    )
    return record[:120]


@st.composite
def cfonb_file(draw) -> bytes:
    """Old balance, movements, complements and new balance records in any order."""
    codes = draw(st.lists(st.sampled_from(["01", "04", "05", "07", "02", "  "]), max_size=8))
    records = [draw(cfonb_record(code)) for code in ["01", *codes, "07"]]
    return "\r\n".join(records).encode("latin-1", errors="replace")


@FUZZ
@given(cfonb_file())
def test_cfonb_records_built_from_wrong_fields_are_read_or_refused(data):
    read(data)


@st.composite
def mt940_text(draw) -> str:
    amount = st.one_of(st.from_regex(r"\A[0-9]{1,12},[0-9]{0,2}\Z"), text_values)
    day = st.one_of(st.dates().map(lambda d: d.strftime("%y%m%d")), text_values)
    mark = st.sampled_from(["C", "D", "RC", "RD", "X", ""])
    code = st.sampled_from(["NTRF", "NMSC", "FCHG", "N", "", "ÿÿÿÿ"])
    body = [
        f":20:{draw(text_values)}",
        f":25:{draw(st.sampled_from(['NL34ABNA0244839393', 'FR7630002005500000123456F89']))}",
        f":28C:{draw(text_values)}",
        f":60F:{draw(mark)}{draw(day)}EUR{draw(amount)}",
    ]
    for _ in range(draw(st.integers(0, 4))):
        body.append(f":61:{draw(day)}{draw(mark)}{draw(amount)}{draw(code)}{draw(text_values)}")
        body.append(f":86:{draw(text_values)}")
    body.append(f":62F:{draw(mark)}{draw(day)}{draw(text_values)}{draw(amount)}")
    return "\n".join(draw(st.permutations(body)) if draw(st.booleans()) else body)


@FUZZ
@given(mt940_text())
def test_mt940_tags_with_wrong_values_are_read_or_refused(text):
    read(text.encode("utf-8"))


@st.composite
def ofx_text(draw) -> str:
    value = st.one_of(st.from_regex(r"\A-?[0-9]{1,8}[.,][0-9]{2}\Z"), text_values)
    day = st.one_of(st.dates().map(lambda d: d.strftime("%Y%m%d")), text_values)
    transactions = "".join(
        f"<STMTTRN><TRNTYPE>{draw(text_values)}<DTPOSTED>{draw(day)}<TRNAMT>{draw(value)}"
        f"<FITID>{draw(text_values)}<NAME>{draw(text_values)}</STMTTRN>"
        for _ in range(draw(st.integers(0, 3)))
    )
    closer = draw(st.sampled_from(["</STMTRS>", "", "</BANKTRANLIST>", "</OFX>"]))
    return (
        "OFXHEADER:100\nDATA:OFXSGML\nVERSION:102\n\n<OFX><BANKMSGSRSV1><STMTTRNRS><STMTRS>"
        f"<CURDEF>{draw(st.sampled_from(['EUR', 'eur', '', 'ZZZ']))}"
        f"<BANKACCTFROM><ACCTID>{draw(text_values)}</BANKACCTFROM>"
        f"<BANKTRANLIST>{transactions}</BANKTRANLIST>"
        f"<LEDGERBAL><BALAMT>{draw(value)}<DTASOF>{draw(day)}</LEDGERBAL>"
        f"{closer}</STMTTRNRS></BANKMSGSRSV1></OFX>"
    )


@FUZZ
@given(ofx_text())
def test_ofx_elements_with_wrong_values_are_read_or_refused(text):
    read(text.encode("cp1252", errors="replace"))


def xml_text(value: str) -> str:
    return value.replace("&", "&amp;").replace("<", "&lt;")


@st.composite
def camt_xml(draw) -> str:
    version = draw(st.sampled_from(["02", "04", "08", "01", "52"]))
    value = st.one_of(st.from_regex(r"\A-?[0-9]{1,15}(\.[0-9]{1,5})?\Z"), text_values)
    day = st.one_of(st.dates().map(date.isoformat), text_values)
    indicator = st.sampled_from(["CRDT", "DBIT", "", "XXXX"])

    def amount() -> str:
        currency = draw(st.sampled_from(["EUR", "USD", "", "eur"]))
        return f'<Amt Ccy="{currency}">{xml_text(draw(value))}</Amt>'

    def balance(code: str) -> str:
        return (
            f"<Bal><Tp><CdOrPrtry><Cd>{code}</Cd></CdOrPrtry></Tp>{amount()}"
            f"<CdtDbtInd>{draw(indicator)}</CdtDbtInd><Dt><Dt>{xml_text(draw(day))}</Dt></Dt></Bal>"
        )

    entries = "".join(
        f"<Ntry>{amount()}<CdtDbtInd>{draw(indicator)}</CdtDbtInd>"
        f"<Sts>{draw(st.sampled_from(['BOOK', 'PDNG', '']))}</Sts>"
        f"<BookgDt><Dt>{xml_text(draw(day))}</Dt></BookgDt>"
        + "".join(
            f"<NtryDtls><TxDtls>{amount() if draw(st.booleans()) else ''}"
            f"<RmtInf><Ustrd>{xml_text(draw(text_values))}</Ustrd></RmtInf></TxDtls></NtryDtls>"
            for _ in range(draw(st.integers(0, 2)))
        )
        + "</Ntry>"
        for _ in range(draw(st.integers(0, 3)))
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.{version}">'
        "<BkToCstmrStmt><Stmt><Id>S1</Id><Acct><Id><IBAN>FR7630002005500000123456F89</IBAN>"
        f"</Id></Acct>{balance('OPBD')}{balance('CLBD')}{entries}</Stmt></BkToCstmrStmt>"
        "</Document>"
    )


@FUZZ
@given(camt_xml())
def test_camt_elements_with_wrong_values_are_read_or_refused(text):
    read(text.encode("utf-8", errors="replace"))


# --- mutated real files -----------------------------------------------------------------------


@FUZZ
@given(mutated(BY_FORMAT["camt"]))
def test_damaged_real_camt_files_are_read_or_refused(data):
    read(data)


@FUZZ
@given(mutated(BY_FORMAT["cfonb"]))
def test_damaged_real_cfonb_files_are_read_or_refused(data):
    read(data)


@FUZZ
@given(mutated(BY_FORMAT["ofx"]))
def test_damaged_real_ofx_files_are_read_or_refused(data):
    read(data)


@FUZZ
@given(mutated(BY_FORMAT["mt940"]))
def test_damaged_real_mt940_files_are_read_or_refused(data):
    read(data)


def test_every_format_has_real_files_to_damage():
    assert {name: len(files) >= 3 for name, files in BY_FORMAT.items()} == dict.fromkeys(
        BY_FORMAT, True
    )


# --- what the fuzzing found, kept as examples -------------------------------------------------


def refusal(data: bytes) -> BankFileError:
    with pytest.raises(BankFileError) as caught:
        read_statement_file(data, "releve.txt")
    assert_clear(str(caught.value))
    return caught.value


def test_ofx_content_after_the_end_of_ofx_is_refused():
    # ElementTree's ParseError escaped: an aggregate closed early leaves a second root.
    data = b"OFXHEADER:100\n\n<OFX><SIGNONMSGSRSV1></SIGNONMSGSRSV1></OFX><BANKMSGSRSV1>"
    assert "après la fin de l'élément <OFX>" in str(refusal(data))


MT940 = ":20:S1\n:25:NL34ABNA0244839393\n:28C:1\n{body}:62F:C240103EUR115,00\n"


def test_an_mt940_movement_without_its_type_code_is_refused_not_merged_into_the_next():
    # mt-940 merged it into the next :61: (a movement lost), then a zip() raised ValueError.
    body = ":60F:C240101EUR100,00\n:61:240102C10,00\n:61:240103C5,00NTRFREF\n"
    error = refusal(MT940.format(body=body).encode())
    assert error.line == 5
    assert error.reason == "mouvement :61: sans code d'opération (ex. NTRF) : '240102C10,00'"


def test_an_mt940_movement_before_the_opening_balance_is_refused():
    # Its currency, taken from the opening balance, was None: the import then failed.
    body = ":61:240102C15,00NTRFREF\n:60F:C240101EUR100,00\n"
    error = refusal(MT940.format(body=body).encode())
    assert error.line == 4 and "avant le solde initial" in error.reason


def test_cfonb_fields_with_superscript_digits_are_refused_with_their_position():
    # isdigit() accepted "²", then int() and Decimal() raised ValueError and InvalidOperation.
    opening = "0130002    00550EUR2 00001234567  010124" + " " * 50 + "0000000010000{" + " " * 16
    refused = opening[:19] + "²" + opening[20:]
    error = refusal(refused.encode("utf-8"))
    assert error.line == 1 and "position 20" in error.reason


def test_an_mt940_balance_whose_currency_is_not_three_letters_is_refused():
    # mt-940 reads any three characters: "\x00UR" reached the database (PostgreSQL refuses
    # NUL in text) as the statement's currency.
    body = ":60F:C240101\x00UR100,00\n:61:240102C15,00NTRFREF\n"
    error = refusal(MT940.format(body=body).encode())
    assert (
        error.line == 4
        and error.reason == "devise illisible '\\x00UR' (trois lettres attendues, ex. EUR)"
    )


def test_an_mt940_closing_balance_in_another_currency_is_refused():
    body = ":60F:C240101EUR100,00\n:61:240102C15,00NTRFREF\n"
    text = MT940.format(body=body).replace(":62F:C240103EUR", ":62F:C240103USD")
    error = refusal(text.encode())
    assert error.line == 6 and "solde final (USD) différente" in error.reason
