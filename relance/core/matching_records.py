"""What payment matching takes and gives: open items, customer hints, and the candidate
allocations of each bank line. Re-exported by relance.core.matching (import from there)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal


@dataclass(frozen=True)
class OpenItem:
    """An open invoice (or other debit item) of a customer; `open_amount` is what is still due."""

    id: int
    customer_id: int
    number: str
    open_amount: Decimal  # positive
    currency: str
    due_on: date
    issued_on: date
    reference: str = ""  # ISO 11649 creditor reference printed on our reminders ("RF..."), or ""


@dataclass(frozen=True)
class CustomerHint:
    """What identifies a customer in a bank line: its name and the IBANs it paid from."""

    id: int
    name: str
    ibans: tuple[str, ...] = ()  # counterparty IBANs learned from earlier matches
    credit: Decimal = Decimal(0)  # unallocated payments/credit notes on the account (unused)


@dataclass(frozen=True)
class Share:
    """The part of a bank line applied to one open item."""

    item_id: int
    amount: Decimal


@dataclass(frozen=True)
class Candidate:
    """One way to explain a bank line: shares of the customer's items, plus what is left
    as credit (`unallocated`) and the bank fees the payer deducted (`fee`, written off)."""

    customer_id: int
    shares: tuple[Share, ...]  # empty: customer identified but no item (kept as credit)
    unallocated: Decimal
    fee: Decimal
    confidence: Decimal  # 0..1
    reasons: tuple[str, ...]  # "reference", "number", "amount", "combination", "iban",
    # "name", "partial", "fee", "overpayment"


@dataclass(frozen=True)
class LineMatch:
    """The candidates for one bank line, best first; `is_sure`: apply the first one now."""

    line_id: int
    candidates: tuple[Candidate, ...]
    is_sure: bool


@dataclass(frozen=True)
class MatchPolicy:
    """Thresholds of matching; the defaults aim at >= 99.5 % precision of sure matches."""

    sure_confidence: Decimal = Decimal("0.95")
    max_fee: Decimal = Decimal("30")  # a payer may deduct up to this in bank fees
    max_combination: int = 4  # items combined to explain one amount
    sure_margin: Decimal = Decimal("0.05")  # the runner-up must be this much less sure
    max_candidates: int = 3  # candidates kept per line
    combination_pool: int = 24  # oldest open items of a customer searched for a combination
    name_threshold: int = 85  # rapidfuzz score (0-100) for a customer name to count
    name_margin: int = 5  # the best name must beat the next customer's by this much
