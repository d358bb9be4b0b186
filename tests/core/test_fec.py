"""The FEC parser on the real ledgers of ../shared/data/fec and on small synthetic files.

Expected figures are computed here from the raw columns, independently of the parser."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from relance.core import fec
from relance.core.fec import FecError, JournalKind
from relance.core.records import ItemKind, PaymentMethod

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT.parent / "shared" / "data" / "fec" / "neolegal-fr__fec-reader"
FILE_1 = "0000000001FEC20220831.txt"  # wholesaler, 17 aux customers, lettering on 411
FILE_2 = "000000000FEC20231231.txt"  # restaurant, 22 columns, EcritureNum "0" everywhere
FILE_3 = "123456789FEC20500930.txt"  # CR CR LF line ends, 4 lines on 411 without CompAuxNum
FILES = [FILE_1, FILE_2, FILE_3]

HEADER = (
    "JournalCode|JournalLib|EcritureNum|EcritureDate|CompteNum|CompteLib|CompAuxNum|"
    "CompAuxLib|PieceRef|PieceDate|EcritureLib|Debit|Credit|EcritureLet|DateLet|ValidDate|"
    "Montantdevise|Idevise"
)


# --- reading the raw files independently of the parser ----------------------------------


def raw_rows(name: str) -> list[tuple[int, dict[str, str]]]:
    text = (DATA / name).read_bytes().decode("utf-8-sig")
    physical = re.split(r"\r\r\n|\r\n|\n|\r", text)
    names = physical[0].split("\t")
    return [
        (number, dict(zip(names, line.split("\t"), strict=True)))
        for number, line in enumerate(physical[1:], start=2)
        if line
    ]


def amount(text: str) -> Decimal:
    return Decimal(text.strip().replace(",", ".") or "0")


def customer_rows(name: str) -> list[tuple[int, dict[str, str]]]:
    return [(n, row) for n, row in raw_rows(name) if row["CompteNum"].startswith(("411", "416"))]


def customer_code(row: dict[str, str]) -> str:
    return row["CompAuxNum"].strip() or row["CompteNum"].strip()


def ledger_balances(name: str) -> dict[str, Decimal]:
    balances: dict[str, Decimal] = defaultdict(Decimal)
    for _, row in customer_rows(name):
        balances[customer_code(row)] += amount(row["Debit"]) - amount(row["Credit"])
    return dict(balances)


def record_balances(result: fec.FecResult) -> dict[str, Decimal]:
    balances: dict[str, Decimal] = defaultdict(Decimal)
    for item in result.items:
        balances[item.customer_code] += -item.amount if item.is_credit else item.amount
    for payment in result.payments:
        balances[payment.customer_code] -= payment.amount
    return dict(balances)


def parse_file(name: str) -> fec.FecResult:
    return fec.parse(fec.split_lines(fec.decode((DATA / name).read_bytes())))


@pytest.fixture(scope="module")
def results() -> dict[str, fec.FecResult]:
    return {name: parse_file(name) for name in FILES}


# --- real files ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name, lines, customers, items, payments, allocations",
    [
        (FILE_1, 5422, 17, 409, 129, 372),
        (FILE_2, 2102, 4, 23, 130, 0),
        (FILE_3, 10756, 1, 4, 0, 1),
    ],
)
def test_real_files_parse_without_rejections(
    results, name, lines, customers, items, payments, allocations
):
    result = results[name]
    assert result.rejections == []
    assert (
        result.lines,
        len(result.customers),
        len(result.items),
        len(result.payments),
        len(result.allocations),
    ) == (lines, customers, items, payments, allocations)


@pytest.mark.parametrize("name", FILES)
def test_customer_balances_equal_the_ledger_balances(results, name):
    assert record_balances(results[name]) == pytest.approx(ledger_balances(name))
    assert set(record_balances(results[name])) == set(ledger_balances(name))


@pytest.mark.parametrize("name", FILES)
def test_every_customer_line_becomes_exactly_one_record(results, name):
    result = results[name]
    lines = sorted([i.line for i in result.items] + [p.line for p in result.payments])
    assert lines == [
        n for n, row in customer_rows(name) if amount(row["Debit"]) or amount(row["Credit"])
    ]


@pytest.mark.parametrize(
    "name, expected",
    [
        (
            FILE_1,
            {
                "ANO": "opening",
                "VEN": "sales",
                "CRC": "treasury",
                "RCH": "treasury",
                "CH": "treasury",
                "ACH": "other",
                "OD": "other",
                "O.I": "other",
                "PA": "other",
            },
        ),
        # AD, "A Nouveaux Détaillés", keeps the original dates (2021-01-01 .. 2023-01-01).
        (
            FILE_2,
            {
                "AD": "opening",
                "ve": "sales",
                "bq": "treasury",
                "ca": "treasury",
                "ac": "other",
                "od": "other",
            },
        ),
        # VEN of a shop touches 707 and the cash/cheque accounts: still sales.
        (
            FILE_3,
            {
                "ANO": "opening",
                "VEN": "sales",
                "BNP": "treasury",
                "CAG": "treasury",
                "LCL": "treasury",
                "CA2": "treasury",
                "ACH": "other",
                "OD": "other",
                "ODE": "other",
                "ODR": "other",
                "INV": "other",
                "EX": "other",
            },
        ),
    ],
)
def test_journals_are_classified_by_the_accounts_they_touch(results, name, expected):
    assert {code.strip(): kind.value for code, kind in results[name].journals.items()} == expected


def test_lines_become_records_of_the_kind_their_journal_gives(results):
    kinds = Counter((i.kind, i.is_credit) for i in results[FILE_1].items)
    assert kinds == {
        (ItemKind.INVOICE, False): 391,
        (ItemKind.CREDIT_NOTE, True): 8,
        (ItemKind.OPENING, False): 7,
        (ItemKind.REFUND, False): 2,
        (ItemKind.ADJUSTMENT, True): 1,
    }
    methods = Counter(p.method for p in results[FILE_1].payments)
    assert methods == {PaymentMethod.TRANSFER: 86, PaymentMethod.CHEQUE: 43}
    assert Counter(p.method for p in results[FILE_2].payments)[PaymentMethod.CARD] == 128


@pytest.mark.parametrize("name", FILES)
def test_keys_and_item_numbers_are_unique(results, name):
    result = results[name]
    keys = [i.source_key for i in result.items] + [p.source_key for p in result.payments]
    assert len(set(keys)) == len(keys)
    assert all(re.fullmatch(r"fec:[0-9a-f]{20}", key) for key in keys)
    numbers = [i.number for i in result.items]
    assert len(set(numbers)) == len(numbers)


def test_lettering_allocates_what_each_group_can_settle(results):
    result = results[FILE_1]
    debits: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    credits: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    group_of_line = {}
    for number, row in customer_rows(FILE_1):
        if row["EcritureLet"].strip():
            group = (customer_code(row), row["EcritureLet"].strip())
            group_of_line[number] = group
            side = amount(row["Debit"]) - amount(row["Credit"])
            (debits if side > 0 else credits)[group] += abs(side)
    allocated: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    line_of_key = {r.source_key: r.line for r in [*result.items, *result.payments]}
    for allocation in result.allocations:
        allocated[group_of_line[line_of_key[allocation.debit_key]]] += allocation.amount
        assert (
            group_of_line[line_of_key[allocation.credit_key]]
            == group_of_line[line_of_key[allocation.debit_key]]
        )
    groups = set(debits) | set(credits)
    assert len(groups) == 134
    assert sum(1 for g in groups if debits[g] != credits[g]) == 15
    assert {g: allocated[g] for g in groups if allocated[g]} == {
        g: min(debits[g], credits[g]) for g in groups if min(debits[g], credits[g])
    }


@pytest.mark.parametrize("name", FILES)
def test_allocations_never_exceed_the_amounts(results, name):
    result = results[name]
    amounts = {r.source_key: r.amount for r in [*result.items, *result.payments]}
    used: Counter[str] = Counter()
    for allocation in result.allocations:
        assert allocation.amount > 0
        used[allocation.debit_key] += allocation.amount  # type: ignore[assignment]
        used[allocation.credit_key] += allocation.amount  # type: ignore[assignment]
    assert all(total <= amounts[key] for key, total in used.items())


def test_opening_line_settled_by_an_inventory_line_of_the_same_letter(results):
    result = results[FILE_3]
    (allocation,) = result.allocations
    assert allocation.amount == Decimal("2153.38")
    assert allocation.allocated_on == date(2022, 8, 30)  # DateLet
    assert {c.code: c.name for c in result.customers} == {"411100000": "CLIENTS"}


def test_due_date_comes_from_the_date_rglt_column(results):
    invoice = next(i for i in results[FILE_2].items if i.kind == ItemKind.INVOICE)
    assert invoice.due_on == date(2023, 1, 31)


# --- text ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, lines",
    [
        ("a\nb\n", ["a", "b"]),
        ("a\r\nb\r\n", ["a", "b"]),
        ("a\rb\r", ["a", "b"]),
        ("a\r\r\nb\r\r\nc", ["a", "b", "c"]),
        ("a\rb\r\nc\nd\r\r\ne", ["a", "b", "c", "d", "e"]),
        ("a\n\nb", ["a", "", "b"]),
        ("", []),
    ],
)
def test_splits_lines_on_any_line_end(text, lines):
    assert fec.split_lines(text) == lines


@pytest.mark.parametrize(
    "data, text",
    [
        ("\ufeffJournalCode é".encode(), "JournalCode é"),
        ("é €".encode("iso-8859-15"), "é €"),
        ("é € œ".encode("cp1252"), "é € œ"),
        (b"plain", "plain"),
    ],
)
def test_decodes_utf8_with_or_without_bom_else_latin9_or_cp1252(data, text):
    assert fec.decode(data) == text


UTF8_TAIL = (DATA / FILE_3).read_bytes()[:50_000] + "\r\ré\rfin".encode()
LATIN9 = b"JournalCode\tEcritureNum\r\n" * 3000 + "\ré\r\r\n€".encode("iso-8859-15")
CUT_UTF8 = b"abc\n" * 1000 + "é".encode()[:1]  # a truncated UTF-8 sequence at the very end


@pytest.mark.parametrize("data", [UTF8_TAIL, LATIN9, CUT_UTF8])
@pytest.mark.parametrize("size", [1, 2, 3, 7, 4096])
def test_reading_a_file_by_chunks_gives_the_same_lines(data, size):
    chunks = (data[i : i + size] for i in range(0, len(data), size))
    assert list(fec.iter_file_lines(chunks)) == fec.split_lines(fec.decode(data))
    assert list(fec.iter_lines(fec.decode(data), block=size)) == fec.split_lines(fec.decode(data))


@pytest.mark.parametrize(
    "text, expected",
    [
        ("20230131", date(2023, 1, 31)),
        ("2023-01-31", date(2023, 1, 31)),
        ("31/01/2023", date(2023, 1, 31)),
        (" 20230131 ", date(2023, 1, 31)),
        ("2023-01-31 00:00:00", date(2023, 1, 31)),
    ],
)
def test_reads_the_three_date_forms(text, expected):
    assert fec.parse_date(text) == expected


@pytest.mark.parametrize(
    "labels, method",
    [
        (("REMISE CHQ 8601210",), PaymentMethod.CHEQUE),
        (("Chèque n°12",), PaymentMethod.CHEQUE),
        (("PRLV SEPA ACME",), PaymentMethod.DIRECT_DEBIT),
        (("Prélèvement",), PaymentMethod.DIRECT_DEBIT),
        (("LCR 0415",), PaymentMethod.LCR),
        (("RECETTE CB",), PaymentMethod.CARD),
        (("Paiement carte",), PaymentMethod.CARD),
        (("RECETTE ESPECES",), PaymentMethod.CASH),
        (("VIR PROSOL SAS",), PaymentMethod.TRANSFER),
        (("ACME", "REMISES DE CHEQUES"), PaymentMethod.CHEQUE),
    ],
)
def test_guesses_the_payment_method_from_the_label(labels, method):
    assert fec.guess_method(*labels) == method


# --- synthetic files ----------------------------------------------------------------------


def row(
    journal="VE",
    num="1",
    on="20240110",
    account="411000",
    aux="C1",
    piece="F1",
    label="Facture",
    debit="100,00",
    credit="0,00",
    letter="",
    lettered_on="",
    journal_lib="Ventes",
    aux_lib="Client Un",
) -> str:
    return "|".join(
        [
            journal,
            journal_lib,
            num,
            on,
            account,
            "Clients",
            aux,
            aux_lib,
            piece,
            on,
            label,
            debit,
            credit,
            letter,
            lettered_on,
            on,
            "",
            "",
        ]
    )


def sale(num="1", piece="F1", total="120,00", **kwargs) -> list[str]:
    return [
        row(num=num, piece=piece, debit=total, **kwargs),
        row(num=num, piece=piece, account="706000", aux="", debit="0,00", credit=total),
    ]


def receipt(num="1", piece="", total="120,00", label="VIR CLIENT UN", **kwargs) -> list[str]:
    bank = dict(journal="BQ", journal_lib="Banque", num=num, piece=piece, label=label)
    return [
        row(**bank, debit="0,00", credit=total, **kwargs),
        row(**bank, account="512000", aux="", debit=total, credit="0,00"),
    ]


def test_pipe_separated_file_gives_invoices_and_payments():
    result = fec.parse([HEADER, *sale(), *receipt(num="2", total="50,00")])
    (item,) = result.items
    assert (item.kind, item.number, item.amount, item.due_on) == (
        ItemKind.INVOICE,
        "F1",
        Decimal("120.00"),
        date(2024, 2, 9),
    )
    (payment,) = result.payments
    assert (payment.amount, payment.method, payment.customer_code) == (
        Decimal("50.00"),
        PaymentMethod.TRANSFER,
        "C1",
    )
    assert result.customers[0].name == "Client Un"


def test_iso_8859_15_file_with_cr_line_ends():
    text = "\r".join([HEADER, *sale(aux_lib="Société Générale")]) + "\r"
    result = fec.parse(fec.split_lines(fec.decode(text.encode("iso-8859-15"))))
    assert result.rejections == []
    assert result.customers[0].name == "Société Générale"


def test_tab_file_with_columns_in_another_order_and_extra_ones():
    header = "Extra\tCredit\tDebit\tcomptenum \tEcritureDate\tEcritureNum\tJOURNALCODE\tCompAuxNum"
    lines = [
        header,
        "x\t0\t10.5\t411000\t2024-01-10\t1\tVE\tC9",
        "x\t10.5\t0\t706\t2024-01-10\t1\tVE\t",
    ]
    (item,) = fec.parse(lines).items
    assert (item.customer_code, item.amount, item.number) == ("C9", Decimal("10.5"), "VE-1-1")


def test_montant_and_sens_replace_debit_and_credit():
    lines = [
        "JournalCode;EcritureNum;EcritureDate;CompteNum;CompAuxNum;PieceRef;Montant;Sens",
        "VE;1;20240110;411000;C1;F1;120,00;D",
        "VE;1;20240110;706000;;F1;120,00;C",
        "VE;2;20240111;411000;C1;A1;20,00;C",
        "VE;2;20240111;706000;;A1;20,00;D",
    ]
    result = fec.parse(lines)
    assert [(i.kind, i.amount, i.is_credit) for i in result.items] == [
        (ItemKind.INVOICE, Decimal("120.00"), False),
        (ItemKind.CREDIT_NOTE, Decimal("20.00"), True),
    ]


def test_a_header_without_the_required_columns_is_refused():
    with pytest.raises(FecError, match="EcritureDate, Debit, Credit"):
        fec.parse(["JournalCode\tEcritureNum\tCompteNum\tMontant", "VE\t1\t411\t10"])


def test_a_binary_file_is_refused_with_the_line():
    lines = ["\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01", "\x00C\x00P7<F<2PFAFZUP"]  # a JPEG
    with pytest.raises(FecError, match="ligne 1 : caractère NUL"):
        fec.parse(lines)


def test_an_empty_file_is_refused():
    with pytest.raises(FecError, match="vide"):
        fec.parse([])


def test_a_bad_date_rejects_its_line_and_keeps_the_others():
    lines = [
        HEADER,
        *sale(),
        *sale(num="2", piece="F2"),
        row(num="3", piece="F3", on="20241345"),
        *sale(num="4", piece="F4"),
    ]
    result = fec.parse(lines)
    assert [(r.line, r.reason) for r in result.rejections] == [
        (6, "ligne 6 : date EcritureDate illisible '20241345'")
    ]
    assert [i.number for i in result.items] == ["F1", "F2", "F4"]


def test_bad_amounts_and_field_counts_are_rejected_with_their_line():
    lines = [
        HEADER,
        row(debit="12,3x"),
        row(account="706", aux="", piece="F1|extra"),
        *sale(num="2", piece="F2"),
        row(piece="F9") + "|",
        row(piece="F8") + "|oops",
    ]
    result = fec.parse(lines)
    assert [r.reason for r in result.rejections] == [
        "ligne 2 : montant Debit illisible '12,3x'",
        "ligne 3 : 19 champs au lieu de 18",
        "ligne 6 : 19 champs au lieu de 18",
        "ligne 7 : 19 champs au lieu de 18",
    ]
    assert [i.number for i in result.items] == ["F2"]


def test_lines_with_zero_amounts_are_ignored_not_rejected():
    result = fec.parse([HEADER, row(debit="0,00"), *sale()])
    assert (result.ignored, len(result.items), result.rejections) == (1, 1, [])


def test_a_customer_without_aux_account_is_the_account_itself():
    result = fec.parse([HEADER, row(account="4110042", aux="", aux_lib="", piece="F1")])
    assert [(c.code, c.name) for c in result.customers] == [("4110042", "Clients")]


def test_identical_lines_get_different_keys_and_numbers():
    result = fec.parse([HEADER, row(piece="RAN"), row(piece="RAN")])
    first, second = result.items
    assert first.source_key != second.source_key
    assert (first.number, second.number) == ("RAN-1-1", "RAN-1-2")


def test_the_same_entry_in_two_overlapping_files_gets_the_same_key():
    january = [HEADER, *sale(), *sale(num="2", piece="F2")]
    january_and_february = [
        HEADER,
        *sale(num="2", piece="F2"),
        *sale(num="3", piece="F3", on="20240210"),
        *sale(),
    ]
    keys_1 = {i.number: i.source_key for i in fec.parse(january).items}
    keys_2 = {i.number: i.source_key for i in fec.parse(january_and_february).items}
    assert keys_1["F1"] == keys_2["F1"] and keys_1["F2"] == keys_2["F2"]


def test_partial_lettering_allocates_what_matches_oldest_first():
    lines = [
        HEADER,
        *sale(piece="F1", total="100,00", letter="A"),
        *sale(num="2", piece="F2", total="80,00", letter="A", on="20240115"),
        *receipt(num="3", total="150,00", letter="A", on="20240201"),
    ]
    result = fec.parse(lines)
    f1, f2 = (i.source_key for i in result.items)
    (payment,) = result.payments
    assert [(a.debit_key, a.credit_key, a.amount, a.allocated_on) for a in result.allocations] == [
        (f1, payment.source_key, Decimal("100.00"), date(2024, 2, 1)),
        (f2, payment.source_key, Decimal("50.00"), date(2024, 2, 1)),
    ]


def test_lettering_letters_are_case_sensitive():
    lines = [HEADER, *sale(letter="aa"), *receipt(num="2", letter="AA")]
    assert fec.parse(lines).allocations == []


def opening(account="411000", aux="C1", debit="0,00", credit="0,00", lib="Reprise") -> str:
    return row(
        journal="AN",
        journal_lib=lib,
        piece="RAN",
        on="20240101",
        account=account,
        aux=aux,
        debit=debit,
        credit=credit,
    )


def test_opening_journal_lines_are_openings_and_credit_balances_are_credits():
    lines = [
        HEADER,
        opening(debit="100,00"),
        opening(aux="C2", credit="30,00"),
        opening(account="401", aux="", credit="170,00"),
        opening(account="512", aux="", debit="150,00"),
        opening(account="101", aux="", credit="50,00"),
        *sale(on="20240105"),
        *receipt(on="20240106"),
    ]
    result = fec.parse(lines)
    assert result.journals == {
        "AN": JournalKind.OPENING,
        "VE": JournalKind.SALES,
        "BQ": JournalKind.TREASURY,
    }
    assert [(i.kind, i.is_credit, i.number) for i in result.items] == [
        (ItemKind.OPENING, False, "RAN-1-1"),
        (ItemKind.OPENING, True, "RAN-1-2"),
        (ItemKind.INVOICE, False, "F1"),
    ]


@pytest.mark.parametrize(
    "lines, kind",
    [
        # Bank entries on the first day of a small export touch classes 4 and 5 only.
        ([opening(debit="10,00"), opening(account="512", aux="", credit="10,00")], "treasury"),
        (
            [
                opening(debit="10,00", lib="A nouveaux"),
                opening(account="512", aux="", credit="10,00", lib="A nouveaux"),
            ],
            "opening",
        ),
        ([opening(debit="10,00"), opening(account="706", aux="", credit="10,00")], "sales"),
        ([opening(debit="10,00"), opening(account="401", aux="", credit="10,00")], "other"),
    ],
)
def test_journal_kinds_on_a_single_day(lines, kind):
    assert fec.parse([HEADER, *lines, *sale(on="20240105")]).journals["AN"] == kind


def test_debits_in_a_treasury_journal_are_refunds():
    (item,) = fec.parse([HEADER, *receipt(total="-15,00")]).items  # a negative credit
    assert (item.kind, item.amount, item.is_credit) == (ItemKind.REFUND, Decimal("15.00"), False)


def test_an_unreadable_optional_date_rejects_its_line_and_a_blank_one_is_none():
    lines = [
        HEADER,
        row(piece="F1", letter="A", lettered_on="20241345"),
        row(piece="F2", letter="A", lettered_on=" "),
        row(piece="F3", letter="A", lettered_on="20240301"),
    ]
    result = fec.parse(lines)
    assert [r.reason for r in result.rejections] == ["ligne 2 : date DateLet illisible '20241345'"]
    assert [i.number for i in result.items] == ["F2", "F3"]


def test_a_foreign_currency_line_keeps_its_own_amount_and_side():
    lines = [
        HEADER,
        row(piece="F1").removesuffix("||") + "|150,00|usd",
        row(piece="A1", debit="0,00", credit="80,00").removesuffix("||") + "|95,5|USD",
        row(piece="F2").removesuffix("||") + "|12|XXX1",
    ]
    result = fec.parse(lines)
    assert [(i.amount, i.currency, i.is_credit) for i in result.items] == [
        (Decimal("150.00"), "USD", False),
        (Decimal("95.5"), "USD", True),
    ]
    assert [r.reason for r in result.rejections] == [
        "ligne 4 : devise ou montant en devise illisible (unknown currency 'XXX1')"
    ]


@pytest.mark.parametrize(
    "labels, method",
    [
        (("Règlement facture", "CHQ 123", "Banque"), PaymentMethod.CHEQUE),
        (("Règlement facture", "CHQ123", "Banque"), PaymentMethod.TRANSFER),
        (("ACHAT PRESTATION", "ESPACE", "CHARGES"), PaymentMethod.TRANSFER),
        (("ACHAT PRESTATION", "CB 1234"), PaymentMethod.CARD),
    ],
)
def test_guesses_the_method_from_the_first_label_naming_one_as_a_whole_word(labels, method):
    assert fec.guess_method(*labels) == method
