"""Bank statement files (CAMT.053/054, CFONB 120, OFX, MT940) read into `StatementFile`s.

`read_statement_file(data, name)` detects the format from the content and returns the
statements; every problem is a `BankFileError` in French, with its line when there is one.
Balances are returned as the bank wrote them: the import service, not the parser, refuses a
statement whose `balance_gap()` is not zero.
"""

from .detect import read_statement_file
from .records import BankFileError, BankLine, BankStatement, StatementFile

__all__ = ["BankFileError", "BankLine", "BankStatement", "StatementFile", "read_statement_file"]
