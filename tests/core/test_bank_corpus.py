"""Every bank statement file of ../shared/data/bank_statements is either read, with its balances
checked, or refused with a clear reason; a new file in the corpus fails until it is listed here.

Non-zero gaps are the files' own: hand-made fixtures whose closing balance does not follow from
their movements (checked by hand for abnamro.sta and triodos.sta, and by an independent sum of
the :61: lines for every MT940 listed). The import service refuses them; the parser reports.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from relance.core.bank import BankFileError, read_statement_file

CORPUS = "bank_statements"
# Not statements: specifications, licences, code tables, bank CSV exports (another importer).
SKIPPED_SUFFIXES = (".pdf", ".csv")
SKIPPED_NAMES = ("LICENSE",)

# path -> (format, number of statements, number of lines, {statement index: gap != 0})
READ: dict[str, tuple[str, int, int, dict[int, Decimal]]] = {
    "OCA__bank-statement-import/test-camt053": ("camt.053.001.02", 1, 4, {0: Decimal("434.16")}),
    "OCA__bank-statement-import/test-camt053-no-ntry": ("camt.053.001.04", 1, 0, {}),
    "OCA__bank-statement-import/test-camt054": ("camt.054.001.04", 1, 1, {}),
    "OCA__bank-statement-import/test-ing.940": ("mt940", 1, 8, {}),
    "OCA__bank-statement-import/test-rabo.swi": ("mt940", 4, 2, {}),
    "OCA__bank-statement-import/test_ofx.ofx": ("ofx", 2, 4, {}),
    "OCA__bank-statement-import/test_ofx_iban.ofx": ("ofx", 2, 4, {}),
    "WoLpH__mt940/ASNB/0708271685_09022020_164516.940.txt": ("mt940", 31, 8, {}),
    "WoLpH__mt940/betterplace/sepa_mt9401.sta": ("mt940", 26, 97, {}),
    "WoLpH__mt940/betterplace/sepa_snippet.sta": ("mt940", 2, 11, {1: Decimal("-300.08")}),
    "WoLpH__mt940/cmxl/mt940.sta": ("mt940", 3, 16, {}),
    "WoLpH__mt940/jejik/abnamro.sta": (
        "mt940",
        2,
        10,
        {0: Decimal("2038.00"), 1: Decimal("1002.60")},
    ),
    "WoLpH__mt940/jejik/ing.sta": ("mt940", 1, 7, {0: Decimal("-49.06")}),
    "WoLpH__mt940/jejik/knab.sta": ("mt940", 2, 3, {1: Decimal("-4500.00")}),
    "WoLpH__mt940/jejik/postfinance.sta": ("mt940", 2, 4, {1: Decimal("-0.2")}),
    "WoLpH__mt940/jejik/rabobank-iban.sta": ("mt940", 2, 4, {}),
    "WoLpH__mt940/jejik/rabobank.sta": (
        "mt940",
        4,
        5,
        {0: Decimal("-1135.93"), 2: Decimal("-236.56")},
    ),
    "WoLpH__mt940/jejik/sns.sta": ("mt940", 2, 2, {}),
    "WoLpH__mt940/jejik/triodos.sta": ("mt940", 1, 2, {0: Decimal("-111.40")}),
    "WoLpH__mt940/mBank/mt940.sta": ("mt940", 1, 3, {}),
    "WoLpH__mt940/sberbank/171011_01234945.sta": ("mt940", 1, 3, {}),
    "WoLpH__mt940/self-provided/raiffeisen-cmi.sta": ("mt940", 1, 7, {0: Decimal("-1123264")}),
    "akretion__python-cfonb/bank_statement.cfo": ("cfonb120", 1, 4, {0: Decimal("-13871.06")}),
    "ebics-api__cfonb-php/cfonb.120-simple-test.txt": ("cfonb120", 1, 0, {}),
    "genkgo__camt/camt053.v2.all-balance-types.xml": (
        "camt.053.001.02",
        1,
        1,
        {0: Decimal("5.82")},
    ),
    # genkgo's fixtures: opening 18.15 EUR, closing 27.00 SEK debit, one credit of 8.85 EUR.
    "genkgo__camt/camt053.v2.minimal.xml": ("camt.053.001.02", 1, 1, {0: Decimal("54")}),
    "genkgo__camt/camt053.v2.multi.statement.xml": ("camt.053.001.02", 2, 2, {}),
    "genkgo__camt/camt053.v2.with-party-ids.xml": ("camt.053.001.02", 1, 1, {0: Decimal("54")}),
    "genkgo__camt/camt053.v3.xml": ("camt.053.001.03", 1, 1, {0: Decimal("54")}),
    "genkgo__camt/camt053.v4.xml": ("camt.053.001.04", 1, 1, {0: Decimal("54")}),
    "genkgo__camt/camt053.v8.xml": ("camt.053.001.08", 1, 1, {0: Decimal("54")}),
    "genkgo__camt/camt054.v2.xml": ("camt.054.001.02", 1, 1, {}),
    "genkgo__camt/camt054.v4.xml": ("camt.054.001.04", 1, 1, {}),
    "genkgo__camt/camt054.v8.xml": ("camt.054.001.08", 1, 1, {}),
    "jseutter__ofxparse/anzcc.ofx": ("ofx", 1, 1, {}),
    "jseutter__ofxparse/bank_medium.ofx": ("ofx", 1, 3, {}),
    "jseutter__ofxparse/checking.ofx": ("ofx", 1, 3, {}),
    "jseutter__ofxparse/multiple_accounts.ofx": ("ofx", 2, 0, {}),
    "jseutter__ofxparse/suncorp.ofx": ("ofx", 1, 1, {}),
    "pennylane-hq__cfonb/example.txt": ("cfonb120", 2, 6, {}),
    "sebastienrousseau__bankstatementparser/camt.053.001.02.xml": ("camt.053.001.02", 1, 3, {}),
    "sebastienrousseau__bankstatementparser/golden/camt053_multicurrency.xml": (
        "camt.053.001.02",
        2,
        3,
        {},
    ),
    "silarhi__cfonb-parser/non-strict-test.txt": ("cfonb120", 8, 5, {}),
    "silarhi__cfonb-parser/test-unused-parts.txt": ("cfonb120", 8, 0, {}),
}

# path -> fragment of the BankFileError message
REFUSED: dict[str, str] = {
    "OCA__bank-statement-import/camt053": "ligne 7 : relevé sans solde de clôture (CLBD)",
    "OCA__bank-statement-import/test-sns.940": "ligne 60 : relevé :20:0000000000 sans solde final",
    "WoLpH__mt940/mBank/mt942.sta": "MT942 (relevé intrajournalier) non pris en charge",
    "WoLpH__mt940/self-provided/gv_codes.sta": "sans solde final (:62F: ou :62M:)",
    "WoLpH__mt940/self-provided/mt942.sta": "MT942 (relevé intrajournalier) non pris en charge",
    "WoLpH__mt940/self-provided/sparkassen.sta": "ligne 1 : mouvement :61: hors relevé",
    "ebics-api__cfonb-php/cfonb.240-complex-test.txt": "fichier CFONB 240",
    "genkgo__camt/camt052.v2.xml": "camt.052 (relevé intrajournalier) non pris en charge",
    "genkgo__camt/camt053.v2.wrong.xml": "aucun relevé (Stmt)",
    "jseutter__ofxparse/bank_small.ofx": "aucun relevé (STMTRS ou CCSTMTRS)",
    "jseutter__ofxparse/error_message.ofx": "code 2000 General Server Error",
    "jseutter__ofxparse/fail_nice/date_missing.ofx": "date DTPOSTED absente ou vide",
    "jseutter__ofxparse/fail_nice/decimal_error.ofx": "date DTPOSTED illisible '201120000000'",
    "jseutter__ofxparse/fail_nice/empty_balance.ofx": "ligne 37 : montant BALAMT absent ou vide",
    "jseutter__ofxparse/ofx-v102-empty-tags.ofx": "devise CURDEF absente ou vide",
    "pennylane-hq__cfonb/end_of_statement_without_beginning.txt": (
        "ligne 9 : nouveau solde (07) sans solde initial (01)"
    ),
    "pennylane-hq__cfonb/invalid_date.txt": "ligne 1 : date du solde initial illisible '  CART'",
    "pennylane-hq__cfonb/new_statement_without_previous_ended.txt": (
        "ligne 6 : nouveau solde initial (01) alors que le relevé ouvert ligne 1"
    ),
    # A lone movement, meant by its source to test an operation parser: not a statement.
    "pennylane-hq__cfonb/operation.txt": "ligne 1 : enregistrement 04 sans solde initial (01)",
    "pennylane-hq__cfonb/operation_already_defined.txt": "ligne 1 : enregistrement 04 sans",
    "pennylane-hq__cfonb/operation_detail_without_operation.txt": (
        "ligne 3 : complément 05 sans mouvement (04)"
    ),
    "pennylane-hq__cfonb/operation_out_of_statement.txt": "ligne 1 : enregistrement 04 sans",
    "pennylane-hq__cfonb/operation_unstarted.txt": "ligne 1 : complément 05 sans mouvement",
    "sebastienrousseau__bankstatementparser/golden/camt053_duplicate_same_day.xml": (
        "ligne 8 : relevé sans solde d'ouverture (OPBD ou PRCD)"
    ),
}

# Any other file left out, with its reason.
SKIPPED: dict[str, str] = {}


def corpus_files(root: Path) -> set[str]:
    return {
        path.relative_to(root).as_posix()
        for path in root.rglob("*")
        if path.is_file()
        and not path.name.endswith(SKIPPED_SUFFIXES)
        and path.name not in SKIPPED_NAMES
    }


def test_every_corpus_file_is_listed(shared_data):
    files = corpus_files(shared_data / CORPUS)
    listed = set(READ) | set(REFUSED) | set(SKIPPED)
    assert sorted(files - listed) == [], "new files in the corpus: list them in a table"
    assert sorted(listed - files) == [], "listed files missing from the corpus"


@pytest.mark.parametrize("path", sorted(READ))
def test_reads_the_file_with_its_balances(shared_data, path):
    expected_format, statements, lines, gaps = READ[path]
    result = read_statement_file((shared_data / CORPUS / path).read_bytes(), path)
    assert result.format == expected_format
    assert len(result.statements) == statements
    assert sum(len(statement.lines) for statement in result.statements) == lines
    has_balances = not expected_format.startswith(("ofx", "camt.054"))
    for index, statement in enumerate(result.statements):
        expected = gaps.get(index, Decimal(0)) if has_balances else None
        assert statement.balance_gap() == expected, f"statement {index}"


@pytest.mark.parametrize("path", sorted(REFUSED))
def test_refuses_the_file_with_a_reason(shared_data, path):
    with pytest.raises(BankFileError) as raised:
        read_statement_file((shared_data / CORPUS / path).read_bytes(), path)
    assert REFUSED[path] in str(raised.value)
