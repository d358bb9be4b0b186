"""OFX 1.x (SGML) and 2.x (XML) statements."""

from __future__ import annotations

from .records import BankFileError, StatementFile


def read_ofx(text: str) -> StatementFile:
    raise BankFileError("OFX : lecture pas encore écrite")
