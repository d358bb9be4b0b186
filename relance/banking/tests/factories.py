"""Bank statements built by hand, and a reader that returns them whatever the bytes."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from relance.core.bank.records import BankLine, BankStatement, StatementFile

IBAN = "FR7630006000011234567890189"


def bank_line(day: int, amount: str, remittance: str = "", **fields) -> BankLine:
    fields.setdefault("line", day)
    return BankLine(
        booked_on=date(2026, 11, day),
        amount=Decimal(amount),
        currency=fields.pop("currency", "EUR"),
        remittance=remittance,
        **fields,
    )


def statement(
    lines: list[BankLine],
    *,
    opening: str | None = "1000.00",
    closing: str | None = None,
    first_day: int | None = None,
    last_day: int | None = None,
    **fields,
) -> BankStatement:
    """A statement whose closing balance adds up unless `closing` says otherwise."""
    moved = sum((line.amount for line in lines), Decimal(0))
    if closing is None and opening is not None:
        closing = str(Decimal(opening) + moved)
    days = [line.booked_on.day for line in lines] or [1]
    return BankStatement(
        account=fields.pop("account", IBAN),
        currency=fields.pop("currency", "EUR"),
        lines=tuple(lines),
        opening_on=date(2026, 11, first_day or min(days)),
        opening_balance=None if opening is None else Decimal(opening),
        closing_on=date(2026, 11, last_day or max(days)),
        closing_balance=None if closing is None else Decimal(closing),
        **fields,
    )


def reader_of(*statements: BankStatement, file_format: str = "camt.053.001.02"):
    parsed = StatementFile(format=file_format, statements=tuple(statements))
    return lambda data, name: parsed
