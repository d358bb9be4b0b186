"""The FEC parser fuzzed: a file is either read, each bad line rejected with its line number and
a French reason, or refused as a whole with a FecError in French. Never another exception.

Inputs: random bytes; FEC tables built from the official columns (LPF art. A47 A-1), some
left out or shuffled, with fields drawn valid or hostile; windows of the real FEC files of
../shared/data/fec (the header and 200 lines from the start, the middle and the end, so that
sales, treasury and lettering lines are all reached) damaged by mutations.
"""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from relance.core import fec
from relance.core.records import Rejection
from tests.fuzz.fuzzing import FUZZ, HOSTILE, assert_clear, corpus, line_count, mutated

WINDOW = 200


def windows(data: bytes) -> list[bytes]:
    """The header and WINDOW lines from the start, the middle and the end of a ledger."""
    header, *lines = data.split(b"\n")
    starts = (0, max(len(lines) // 2 - WINDOW // 2, 0), max(len(lines) - WINDOW, 0))
    return [b"\n".join([header, *lines[start : start + WINDOW]]) for start in starts]


SAMPLES = [window for data in corpus("fec", (".txt",)) for window in windows(data)]
COLUMNS = [
    "JournalCode",
    "JournalLib",
    "EcritureNum",
    "EcritureDate",
    "CompteNum",
    "CompteLib",
    "CompAuxNum",
    "CompAuxLib",
    "PieceRef",
    "PieceDate",
    "EcritureLib",
    "Debit",
    "Credit",
    "EcritureLet",
    "DateLet",
    "ValidDate",
    "Montantdevise",
    "Idevise",
    "DateRglt",
]


def parse(data: bytes) -> fec.FecResult | None:
    try:
        result = fec.parse(fec.iter_file_lines([data]))
    except fec.FecError as error:
        assert_clear(str(error))
        return None
    check_result(result, data)
    return result


def check_result(result: fec.FecResult, data: bytes) -> None:
    """Rejections point at a line of the body; records carry finite, non-negative amounts."""
    last = line_count(data)
    for rejection in result.rejections:
        assert isinstance(rejection, Rejection)
        assert 2 <= rejection.line <= last, rejection
        assert_clear(rejection.reason)
    for item in result.items:
        assert isinstance(item.amount, Decimal) and item.amount.is_finite() and item.amount > 0
        assert item.due_on is not None and item.issued_on is not None
    for payment in result.payments:
        assert isinstance(payment.amount, Decimal) and payment.amount.is_finite()
    for allocation in result.allocations:
        assert allocation.amount > 0


# --- generated inputs -------------------------------------------------------------------------

hostile = st.sampled_from([value.decode("latin-1") for value in HOSTILE if b"\n" not in value])
FIELD_VALUES = {
    "JournalCode": st.sampled_from(["VE", "BQ", "AN", "OD", ""]),
    "JournalLib": st.sampled_from(["Ventes", "Banque", "A nouveaux", ""]),
    "EcritureNum": st.integers(0, 30).map(str),
    "EcritureDate": st.dates().map(lambda day: day.strftime("%Y%m%d")),
    "CompteNum": st.sampled_from(["411000", "41100000", "416000", "512000", "706000", "445710"]),
    "CompAuxNum": st.sampled_from(["C001", "C002", "", "CLIENT-ÉLISE"]),
    "CompAuxLib": st.sampled_from(["Dupont SA", "Élise & Fils", ""]),
    "PieceRef": st.sampled_from(["F001", "F002", "RG1", ""]),
    "Debit": st.decimals(0, 10**9, places=2, allow_nan=False).map(
        lambda d: str(d).replace(".", ",")
    ),
    "Credit": st.decimals(0, 10**9, places=2, allow_nan=False).map(
        lambda d: str(d).replace(".", ",")
    ),
    "EcritureLet": st.sampled_from(["A", "AA", "aa", ""]),
    "DateRglt": st.dates().map(lambda day: day.strftime("%Y%m%d")),
}


@st.composite
def fec_table(draw) -> bytes:
    columns = draw(st.lists(st.sampled_from(COLUMNS), min_size=3, max_size=len(COLUMNS)))
    if draw(st.booleans()):
        columns = list(dict.fromkeys(COLUMNS + columns))  # every column, maybe twice-named
    separator = draw(st.sampled_from(["\t", "|", ";"]))

    def value(column: str) -> str:
        valid = FIELD_VALUES.get(column, st.text(max_size=10))
        return draw(st.one_of(valid, hostile, st.text(max_size=8)))

    rows = [
        separator.join(value(column) for column in columns) for _ in range(draw(st.integers(0, 12)))
    ]
    text = "\n".join([separator.join(columns), *rows])
    return text.encode(draw(st.sampled_from(["utf-8", "utf-8-sig", "cp1252"])), errors="replace")


@FUZZ
@given(st.binary(max_size=3000))
def test_random_bytes_are_read_or_refused_clearly(data):
    parse(data)


@FUZZ
@given(fec_table())
def test_fec_tables_with_wrong_fields_are_read_line_by_line_or_refused(data):
    parse(data)


# --- mutated real files -----------------------------------------------------------------------


@FUZZ
@given(mutated(SAMPLES))
def test_damaged_real_fec_files_are_read_line_by_line_or_refused(data):
    parse(data)


# --- what the fuzzing found, kept as examples -------------------------------------------------


def test_an_account_number_starting_with_a_superscript_digit_is_not_a_crash():
    # "¹".isdigit() is True but int("¹") raises ValueError: the whole file crashed.
    header = "\t".join(COLUMNS[:13])
    line = "VE\tVentes\t1\t20240105\t¹11000\t\tC1\tDupont\tF1\t\tFacture\t100,00\t0,00"
    result = parse(f"{header}\n{line}\n".encode())
    assert result is not None and result.items == []
