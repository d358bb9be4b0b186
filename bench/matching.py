"""python -m bench --matching-only: accuracy and speed of payment matching, no database.

Generated statements: `relance.demo.statements` writes 50,000 labelled bank lines against
a portfolio of 100,000 customers and 300,000 open items (seed given); `match_lines` runs
once over all of them, timed from the raw inputs (index building included). A sure
(automatic) match is right when its customer and its shares (item and amount) are exactly
the truth; precision = right / automatic, recall = right / lines that pay our items.

FEC ground truth (../shared/data/fec/*.txt, read with relance.core.fec):
- payments: the 411 credit lines of bank-journal entries, i.e. entries of a treasury
  journal (JournalCode, EcritureNum, EcritureDate) that also hold a 512 line (cheque
  remittances to 511 are left out, as the task defines bank payments by 512);
- each becomes a BankLine: amount = the 411 credit, booked on EcritureDate, remittance =
  EcritureLib, no counterparty name or IBAN (a FEC has neither);
- truth: the invoices the parser's lettering allocates to that payment (lines of one
  customer sharing an EcritureLet, oldest credit to oldest debit); payments with no
  lettering have no truth and are counted apart;
- open items at a date: every debit item on a 411 account (invoices, à-nouveaux,
  adjustments) issued on or before it, less what credits dated strictly before it settled
  (per the same lettering); customers: the 411 auxiliary accounts and their CompAuxLib;
- match_lines runs once per booking date, with that day's payments in file order;
- an automatic match is right when its customer is right and its items are exactly the
  invoices lettered with the payment (amounts are not compared: when one letter holds
  several payments the parser's oldest-first split of amounts is a convention, not a fact).
"""

from __future__ import annotations

import time
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

from relance.core.bank.records import BankLine
from relance.core.fec import FecResult, iter_file_lines, parse, read_header, split_fields
from relance.core.matching import CustomerHint, LineMatch, OpenItem, match_lines
from relance.core.records import ItemRecord
from relance.demo.statements import LabelledLine, portfolio, statement

ROOT = Path(__file__).resolve().parent.parent
FEC_FOLDER = ROOT.parent / "shared" / "data" / "fec"
SIZE = (100_000, 300_000, 50_000)  # customers, open items, bank lines (DESIGN.md)
TARGET_PRECISION, TARGET_AUTOMATIC, TARGET_SECONDS = 0.995, 0.90, 60.0


@dataclass
class Score:
    lines: int = 0  # bank lines given to match_lines
    paying: int = 0  # lines with a known truth (they pay items of ours)
    automatic: int = 0
    right: int = 0
    right_customer: int = 0
    unknown_automatic: int = 0  # automatic matches of lines whose truth is unknown

    def row(self) -> dict:
        return {
            "lines": self.lines,
            "paying": self.paying,
            "automatic": self.automatic,
            "right": self.right,
            "unknown_automatic": self.unknown_automatic,
            "precision": self.right / self.automatic if self.automatic else None,
            "customer_precision": self.right_customer / self.automatic if self.automatic else None,
            "recall": self.right / self.paying if self.paying else None,
            "automatic_share_of_paying": self._share(),
            "automatic_share_of_all": self.automatic / self.lines if self.lines else None,
        }

    def _share(self) -> float | None:
        return self.automatic / self.paying if self.paying else None


def run(seed: int = 1) -> dict:
    generated = _generated(seed)
    fec = [_fec(path) for path in sorted(FEC_FOLDER.glob("*/*.txt"))]
    result = {"generated": generated, "fec": [row for row in fec if row]}
    _print(result)
    return result


# --- generated statements ---------------------------------------------------------------


def _generated(seed: int) -> dict:
    customers, items, lines = SIZE
    open_items, hints = portfolio(customers, items, seed=seed)
    labelled = statement(open_items, hints, lines, seed=seed + 1)
    started = time.perf_counter()
    matches = match_lines(
        [(number, labelled_line.line) for number, labelled_line in enumerate(labelled)],
        open_items,
        hints,
    )
    seconds = time.perf_counter() - started
    score = Score(lines=len(labelled))
    for labelled_line, match in zip(labelled, matches, strict=True):
        _score_generated(score, labelled_line, match)
    return {"customers": customers, "items": items, "seconds": seconds, **score.row()}


def _score_generated(score: Score, truth: LabelledLine, match: LineMatch) -> None:
    score.paying += truth.customer_id is not None
    if not match.is_sure:
        return
    score.automatic += 1
    best = match.candidates[0]
    shares = {(share.item_id, share.amount) for share in best.shares}
    if best.customer_id == truth.customer_id:
        score.right_customer += 1
        score.right += shares == {(share.item_id, share.amount) for share in truth.shares}


# --- FEC ground truth -------------------------------------------------------------------


def _fec(path: Path) -> dict | None:
    with path.open("rb") as handle:
        lines = list(iter_file_lines(iter(lambda: handle.read(1 << 16), b"")))
    result = parse(lines)
    bank_lines = _bank_entry_lines(lines)
    payments = [p for p in result.payments if p.line in bank_lines]
    if not payments:
        return None
    keys = {item.source_key: number for number, item in enumerate(result.items, start=1)}
    codes = {customer.code: number for number, customer in enumerate(result.customers, 1)}
    truth = defaultdict(set)  # payment source key -> item ids
    for allocation in result.allocations:
        if allocation.debit_key in keys:
            truth[allocation.credit_key].add(keys[allocation.debit_key])
    hints = [CustomerHint(codes[c.code], c.name or c.code) for c in result.customers]
    score = Score()
    by_day = defaultdict(list)
    for payment in payments:
        by_day[payment.received_on].append(payment)
    for on, day in sorted(by_day.items()):
        items = _open_on(result, on, keys, codes)
        lines_ = [
            (n, BankLine(p.line, on, p.amount, p.currency, remittance=p.label))
            for n, p in enumerate(day)
        ]
        for payment, match in zip(day, match_lines(lines_, items, hints), strict=True):
            _score_fec(
                score, truth.get(payment.source_key, set()), codes[payment.customer_code], match
            )
            score.lines += 1
    return {"file": path.name, "payments_512": len(payments), **score.row()}


def _bank_entry_lines(lines: list[str]) -> set[int]:
    """Line numbers (1-based, header = 1) of the lines of entries that touch a 512 account."""
    header = read_header(lines[0])
    journal, num, on, account = (
        header.index(name) for name in ("JournalCode", "EcritureNum", "EcritureDate", "CompteNum")
    )
    entries: dict[tuple[str, str, str], list[int]] = defaultdict(list)
    banked = set()
    for number, text in enumerate(lines[1:], start=2):
        fields = split_fields(text, header)
        if len(fields) <= max(journal or 0, num or 0, on or 0, account or 0):
            continue
        key = (fields[journal or 0].strip(), fields[num or 0].strip(), fields[on or 0].strip())
        entries[key].append(number)
        if fields[account or 0].strip().startswith("512"):
            banked.add(key)
    return {number for key in banked for number in entries[key]}


def _open_on(
    result: FecResult, on: date, keys: dict[str, int], codes: dict[str, int]
) -> list[OpenItem]:
    credit_dates = {p.source_key: p.received_on for p in result.payments}
    credit_dates.update({i.source_key: i.issued_on for i in result.items if i.is_credit})
    settled: dict[str, Decimal] = defaultdict(Decimal)
    for allocation in result.allocations:
        if credit_dates.get(allocation.credit_key, on) < on:
            settled[allocation.debit_key] += allocation.amount
    return [
        _open_item(item, item.amount - settled[item.source_key], keys, codes)
        for item in result.items
        if not item.is_credit and item.issued_on <= on and item.amount > settled[item.source_key]
    ]


def _open_item(
    item: ItemRecord, left: Decimal, keys: dict[str, int], codes: dict[str, int]
) -> OpenItem:
    return OpenItem(
        keys[item.source_key],
        codes[item.customer_code],
        item.number,
        left,
        item.currency,
        item.due_on,
        item.issued_on,
    )


def _score_fec(score: Score, truth: set[int], customer_id: int, match: LineMatch) -> None:
    """Payments without lettering (or lettered with nothing but other credits: what they
    paid was carried forward in the à-nouveau balance) have no truth: their automatic
    matches are counted apart, not as errors nor as right."""
    if not truth:
        score.unknown_automatic += match.is_sure
        return
    score.paying += 1
    if not match.is_sure:
        return
    score.automatic += 1
    best = match.candidates[0]
    if best.customer_id == customer_id:
        score.right_customer += 1
        score.right += {share.item_id for share in best.shares} == truth


# --- table ------------------------------------------------------------------------------


def _print(result: dict) -> None:
    generated = result["generated"]
    rows = [
        *_accuracy("generated", generated),
        ("generated: automatic share of all lines", _pct(generated["automatic_share_of_all"]), ""),
        (
            f"time: {generated['lines']:,} lines x {generated['items']:,} items",
            f"{generated['seconds']:.1f} s",
            f"seconds, not minutes (< {TARGET_SECONDS:.0f} s)",
        ),
    ]
    for fec in result["fec"]:
        name = "FEC " + fec["file"].removesuffix(".txt")
        rows.append((f"{name}: 512 payments / with truth", f"{fec['lines']} / {fec['paying']}", ""))
        if fec["paying"]:
            rows += _accuracy(name, fec)
            rows.append((f"{name}: automatic, no truth", str(fec["unknown_automatic"]), ""))
    print(f"\n{'matching':<52} {'measured':>20}  target")
    print("-" * 90)
    for label, measured, target in rows:
        print(f"{label:<52} {measured:>20}  {target}")


def _accuracy(name: str, row: dict) -> list[tuple[str, str, str]]:
    right, automatic, paying = row["right"], row["automatic"], row["paying"]
    return [
        (f"{name}: precision", f"{_pct(row['precision'])} ({right}/{automatic})", "≥ 99.5 %"),
        (f"{name}: recall", f"{_pct(row['recall'])} ({right}/{paying})", ""),
        (f"{name}: automatic share", f"{_pct(row['automatic_share_of_paying'])}", "≥ 90 %"),
    ]


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{100 * value:.2f} %"


if __name__ == "__main__":
    run()
