"""What a bank statement file says, whatever its format (CAMT, CFONB 120, OFX, MT940).

Parsers return a `StatementFile` or raise `BankFileError`; they never touch the database.
Amounts are signed from the account holder's side: a customer paying us is positive, money
leaving the account (a rejected direct debit taken back, bank fees) is negative.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal


class BankFileError(ValueError):
    """A statement file that cannot be imported; `line` is the 1-based line (or XML element
    line) where the problem was found, when there is one."""

    def __init__(self, reason: str, line: int | None = None) -> None:
        super().__init__(f"ligne {line} : {reason}" if line else reason)
        self.reason = reason
        self.line = line


@dataclass(frozen=True)
class BankLine:
    """One movement on the account (ligne de relevé)."""

    line: int  # where it starts in the source file, for messages
    booked_on: date
    amount: Decimal
    currency: str
    value_on: date | None = None
    counterparty_name: str = ""
    counterparty_iban: str = ""
    remittance: str = ""  # unstructured remittance text (libellé, Ustrd, :86:, MEMO...)
    structured_reference: str = ""  # creditor reference, e.g. ISO 11649 "RF18 5390 0754 7034"
    end_to_end_id: str = ""
    bank_reference: str = ""  # the bank's own id for the movement (AcctSvcrRef, FITID, ...)
    bank_code: str = ""  # transaction code as the format gives it (CFONB op code, BkTxCd, GVC)
    is_return: bool = False  # a rejected direct debit, unpaid LCR or returned transfer


@dataclass(frozen=True)
class BankStatement:
    """One statement of one account: balances (when the format has them) and its lines."""

    account: str  # IBAN when known, else the bank's account identifier
    currency: str
    lines: tuple[BankLine, ...]
    opening_on: date | None = None
    opening_balance: Decimal | None = None
    closing_on: date | None = None
    closing_balance: Decimal | None = None
    reference: str = ""  # the statement's own id or sequence number
    line: int = 1

    def balance_gap(self) -> Decimal | None:
        """Opening + movements - closing: zero for a consistent statement, None when the
        file carries no balances to check."""
        if self.opening_balance is None or self.closing_balance is None:
            return None
        moved = sum((bank_line.amount for bank_line in self.lines), Decimal(0))
        return self.opening_balance + moved - self.closing_balance


@dataclass(frozen=True)
class StatementFile:
    """A whole file: its detected format (e.g. "camt.053.001.02", "cfonb120", "ofx", "mt940")
    and its statements in file order."""

    format: str
    statements: tuple[BankStatement, ...]
