"""What makes a bank line (and a statement) the same one in two files. Pure Python.

A line is known by its bank reference when the format gives one (CAMT AcctSvcrRef, OFX
FITID, ...), else by its content: account, booking date, amount, currency and remittance
text. Two identical movements on the same day (two card payments of 12,50 to the same shop)
are told apart by their rank among the identical lines of their statement, so a statement
imported twice, or two overlapping statements, give the same keys for the same lines.

Limit: two statements of one account for the same day (intraday statements, no bank
reference) each holding one identical movement would take them for one line.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from decimal import Decimal

from relance.core.bank.records import BankLine, BankStatement

# MT940 writes NONREF when there is no reference: it identifies nothing.
NO_REFERENCE = {"", "NONREF", "NOTPROVIDED"}


def _digest(*parts: object) -> str:
    text = "\x1f".join("" if part is None else str(part) for part in parts)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _money(amount: Decimal | None) -> str:
    return "" if amount is None else format(amount.quantize(Decimal("0.01")), "f")


def normalised_account(account: str) -> str:
    return "".join(account.split()).upper()


def _line_key(account: str, line: BankLine) -> tuple[str, ...]:
    reference = line.bank_reference.strip()
    if reference.upper() in NO_REFERENCE:
        identity = ("txt", " ".join(line.remittance.split()).upper())
    else:
        identity = ("ref", reference)
    return (account, line.booked_on.isoformat(), _money(line.amount), line.currency, *identity)


def line_fingerprints(statement: BankStatement) -> list[str]:
    """One key per line of the statement, in order; equal lines get ranks 1, 2, 3..."""
    account = normalised_account(statement.account)
    ranks: Counter[tuple[str, ...]] = Counter()
    keys = []
    for line in statement.lines:
        key = _line_key(account, line)
        ranks[key] += 1
        keys.append(_digest(*key, ranks[key]))
    return keys


def statement_fingerprint(statement: BankStatement, line_keys: list[str]) -> str:
    """The statement's account, reference, period, balances and lines."""
    return _digest(
        normalised_account(statement.account),
        statement.currency,
        statement.reference.strip(),
        statement.opening_on,
        _money(statement.opening_balance),
        statement.closing_on,
        _money(statement.closing_balance),
        _digest(*sorted(line_keys)),
    )
