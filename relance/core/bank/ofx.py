"""OFX 1.x (SGML) and 2.x (XML) bank and credit-card statements.

ofxtools' tag parser turns the body (SGML with unclosed data elements, or XML) into an element
tree; the mapping below reads that tree itself instead of ofxtools' typed models, which refuse
files banks really send (a bank id of 10 digits, several BANKTRANLIST, blank lines before the
header) for reasons that do not matter here.

- One statement per STMTRS or CCSTMTRS (several accounts in one file: several statements);
  account = ACCTID, currency = CURDEF.
- STMTTRN: DTPOSTED (booking date), DTAVAIL (value date), TRNAMT (signed), FITID (bank
  reference), NAME or PAYEE/NAME (counterparty), BANKACCTTO/ACCTID (its account), MEMO
  (remittance), TRNTYPE (bank code), CURRENCY/CURSYM when the movement is in another currency.
- LEDGERBAL is the closing balance. OFX has no opening balance (deriving one from the closing
  balance and the movements would make the check always pass), so `opening_balance` stays
  None and `balance_gap()` is None.
- A server error (STATUS with SEVERITY ERROR and no statement) is reported with its message.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import date
from decimal import Decimal, InvalidOperation

from ofxtools.Parser import ParseError, TreeBuilder

from relance.core.money import MoneyError, parse_currency

from .records import BankFileError, BankLine, BankStatement, StatementFile

FORMAT = "ofx"
_START = re.compile(r"<OFX>", re.IGNORECASE)
_POSITION = re.compile(r"position=\[(\d+):")
_AMOUNT = re.compile(r"[+-]?(\d+([.,]\d*)?|[.,]\d+)$")
_STATEMENTS = ("STMTRS", "CCSTMTRS")


def read_ofx(text: str) -> StatementFile:
    """Statements of an OFX file (text already decoded)."""
    start = _START.search(text)
    if start is None:
        raise BankFileError("fichier OFX sans élément <OFX>")
    root = _tree(text, start.start())
    lines = _Lines(text, root)
    found = [element for element in root.iter() if element.tag in _STATEMENTS]
    if not found:
        _raise_server_error(root)
        raise BankFileError("aucun relevé (STMTRS ou CCSTMTRS) dans le fichier OFX")
    return StatementFile(FORMAT, tuple(_statement(element, lines) for element in found))


def _tree(text: str, offset: int) -> ET.Element:
    builder = TreeBuilder()
    try:
        builder.feed(text[offset:])
        root: ET.Element = builder.close()
    except ParseError as error:
        position = _POSITION.search(str(error))
        line = text.count("\n", 0, offset + int(position.group(1))) + 1 if position else None
        reason = str(error).split(" - position")[0]
        raise BankFileError(f"OFX mal formé : {reason[:200]}", line) from None
    except (AssertionError, IndexError, ValueError) as error:
        raise BankFileError(f"OFX mal formé : balises mal imbriquées ({error})") from None
    except ET.ParseError:
        # ElementTree's own error (ofxtools' is another class): a second top-level element,
        # e.g. an aggregate closed too early so that what follows stands outside <OFX>.
        raise BankFileError(
            "OFX mal formé : balises mal imbriquées (du contenu après la fin de l'élément <OFX>)"
        ) from None
    return root


class _Lines:
    """Line of each element of a few tags, found by counting their opening tags in order."""

    def __init__(self, text: str, root: ET.Element) -> None:
        self.lines: dict[int, int] = {}
        for tag in (*_STATEMENTS, "STMTTRN", "LEDGERBAL"):
            starts = [m.start() for m in re.finditer(f"<{tag}>", text, re.IGNORECASE)]
            for element, position in zip(root.iter(tag), starts, strict=False):
                self.lines[id(element)] = text.count("\n", 0, position) + 1

    def of(self, element: ET.Element) -> int:
        return self.lines.get(id(element), 0)


def _raise_server_error(root: ET.Element) -> None:
    for status in root.iter("STATUS"):
        if _text(status, "SEVERITY").upper() == "ERROR":
            raise BankFileError(
                "la banque a répondu une erreur au lieu d'un relevé : code "
                f"{_text(status, 'CODE')} {_text(status, 'MESSAGE')}".rstrip()
            )


def _statement(element: ET.Element, lines: _Lines) -> BankStatement:
    line = lines.of(element)
    currency = _currency(_text(element, "CURDEF"), "CURDEF", line)
    balance = element.find("LEDGERBAL")
    if balance is None:
        raise BankFileError("relevé OFX sans solde LEDGERBAL", line)
    balance_line = lines.of(balance) or line
    return BankStatement(
        account=_text(element, "BANKACCTFROM/ACCTID") or _text(element, "CCACCTFROM/ACCTID"),
        currency=currency,
        lines=tuple(_line(trn, currency, lines.of(trn) or line) for trn in element.iter("STMTTRN")),
        closing_on=_date(_text(balance, "DTASOF"), "DTASOF", balance_line),
        closing_balance=_amount(_text(balance, "BALAMT"), "BALAMT", balance_line),
        reference=_text(element, "BANKTRANLIST/DTEND"),
        line=line,
    )


def _line(trn: ET.Element, currency: str, line: int) -> BankLine:
    fitid = _text(trn, "FITID")
    where = f"transaction {fitid} : " if fitid else "transaction : "

    def required_date(tag: str) -> date:
        return _date(_text(trn, tag), tag, line, where)

    own_currency = _text(trn, "CURRENCY/CURSYM") or _text(trn, "ORIGCURRENCY/CURSYM")
    return BankLine(
        line=line,
        booked_on=required_date("DTPOSTED"),
        value_on=required_date("DTAVAIL") if _text(trn, "DTAVAIL") else None,
        amount=_amount(_text(trn, "TRNAMT"), "TRNAMT", line, where),
        currency=_currency(own_currency, "CURSYM", line) if own_currency else currency,
        counterparty_name=_text(trn, "NAME") or _text(trn, "PAYEE/NAME"),
        counterparty_iban=_text(trn, "BANKACCTTO/ACCTID"),
        remittance=_text(trn, "MEMO"),
        bank_reference=fitid,
        bank_code=_text(trn, "TRNTYPE"),
    )


def _text(element: ET.Element, path: str) -> str:
    found = element.find(path)
    return (found.text or "").strip() if found is not None else ""


def _currency(text: str, tag: str, line: int) -> str:
    if not text:
        raise BankFileError(f"devise {tag} absente ou vide", line)
    try:
        return parse_currency(text)
    except MoneyError:
        raise BankFileError(f"devise {tag} inconnue {text!r}", line) from None


def _amount(text: str, tag: str, line: int, where: str = "") -> Decimal:
    """'-12.50'; French banks also write '-12,50'."""
    if not text:
        raise BankFileError(f"{where}montant {tag} absent ou vide", line)
    if not _AMOUNT.match(text):
        raise BankFileError(f"{where}montant {tag} illisible {text!r}", line)
    try:
        return Decimal(text.replace(",", "."))
    except InvalidOperation:
        raise BankFileError(f"{where}montant {tag} illisible {text!r}", line) from None


def _date(text: str, tag: str, line: int, where: str = "") -> date:
    """YYYYMMDD[HHMMSS[.XXX][[-5:EST]]]: the day as the bank wrote it."""
    if not text:
        raise BankFileError(f"{where}date {tag} absente ou vide", line)
    digits = text[:8]
    try:
        if not digits.isdigit() or len(digits) < 8:
            raise ValueError(text)
        return date(int(digits[:4]), int(digits[4:6]), int(digits[6:8]))
    except ValueError:
        raise BankFileError(f"{where}date {tag} illisible {text!r} (AAAAMMJJ)", line) from None
