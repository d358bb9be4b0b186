"""SWIFT MT940 statements."""

from __future__ import annotations

from .records import BankFileError, StatementFile


def read_mt940(text: str) -> StatementFile:
    raise BankFileError("MT940 : lecture pas encore écrite")
