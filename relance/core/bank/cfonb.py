"""CFONB 120: the French bank statement ("relevé de compte 120 caractères", ETEBAC).

One record per line, 120 characters, positions 1-based as in the CFONB brochure:
- 01 old balance and 07 new balance: bank 3-7, branch 12-16, currency 17-19, decimals 20,
  account 22-32, date 35-40 (DDMMYY), amount 91-104.
- 04 movement: internal code 8-11, interbank operation code 33-34 (the CFONB table, e.g. "A3"
  SEPA direct debit returned), booking date 35-40, rejection reason 41-42, value date 43-48,
  label 49-79, entry number 82-88, amount 91-104, reference 105-120.
- 05 complement of the 04 before it: qualifier 46-48, information 49-118. The SEPA qualifiers
  (CFONB "évolution du relevé 120 pour le SCT/SDD") read here: LIB, LCC, LC2 free text; LCS
  structured remittance; NPY/IPY payer name/id; NBE/IBE beneficiary name/id; RCN end-to-end id
  (35 characters, then the purpose code); REF the operation's reference. Others are ignored.

Amounts are 13 digits and a "signed overpunch" last character: "{" and A-I are +0..+9,
"}" and J-R are -0..-9, with the number of decimals of position 20 (blank: 2).

A statement runs from a 01 to the 07 of the same account; the bank code may differ between the
two (some banks write another code on the 07), so the account number is the key. A blank
currency (old LCL files) takes the currency of the movements, else EUR.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal

from relance.core.identifiers import IdentifierError, clean_iban
from relance.core.money import MoneyError, parse_currency
from relance.core.textlines import split_lines

from .records import BankFileError, BankLine, BankStatement, StatementFile

WIDTH = 120
FORMAT = "cfonb120"
_POSITIVE = {"{": 0, **{chr(ord("A") + n): n + 1 for n in range(9)}}
_NEGATIVE = {"}": 0, **{chr(ord("J") + n): n + 1 for n in range(9)}}
# CFONB interbank operation codes of returned items (rejets, impayés, retours de fonds).
RETURN_CODES = frozenset(
    ["03", "10", "12", "26", "27", "33", "38", "98", "A3", "A4", "B3", "B4", "C3"]
)


@dataclass
class _Movement:
    line: int
    record: str
    currency: str
    amount: Decimal
    details: dict[str, list[str]] = field(default_factory=dict)


@dataclass
class _Statement:
    line: int
    account: str
    account_number: str
    currency: str
    decimals: int
    opening_on: date
    opening_balance: Decimal
    lines: list[BankLine] = field(default_factory=list)
    movement: _Movement | None = None


def read_cfonb(text: str) -> StatementFile:
    """Statements of a CFONB 120 file; any structural problem raises BankFileError."""
    reader = _Reader()
    for number, record in _records(text):
        reader.read(number, record)
    return StatementFile(FORMAT, tuple(reader.finish()))


def _records(text: str) -> list[tuple[int, str]]:
    lines = split_lines(text)
    if len(lines) == 1 and len(lines[0]) > WIDTH and len(lines[0]) % WIDTH == 0:
        # Some banks send the records back to back, without line breaks.
        lines = [lines[0][start : start + WIDTH] for start in range(0, len(lines[0]), WIDTH)]
    records = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        if len(line) > WIDTH:
            raise BankFileError(
                f"enregistrement de {len(line)} caractères au lieu de {WIDTH} (CFONB 120)", number
            )
        # Trailing blanks are often trimmed by the bank or a mail client.
        records.append((number, line.ljust(WIDTH)))
    return records


class _Reader:
    def __init__(self) -> None:
        self.statements: list[BankStatement] = []
        self.current: _Statement | None = None

    def read(self, number: int, record: str) -> None:
        code = record[:2]
        if code == "01":
            self._open(number, record)
        elif code == "04":
            self._movement(number, record)
        elif code == "05":
            self._complement(number, record)
        elif code == "07":
            self._close(number, record)
        else:
            raise BankFileError(
                f"code d'enregistrement {code!r} inconnu (01, 04, 05 ou 07 attendu)", number
            )

    def finish(self) -> list[BankStatement]:
        if self.current is not None:
            raise BankFileError(
                f"le relevé du compte {self.current.account} ouvert ligne {self.current.line} "
                "n'a pas de nouveau solde (07) à la fin du fichier"
            )
        if not self.statements:
            raise BankFileError("aucun relevé dans le fichier CFONB")
        return self.statements

    def _open(self, number: int, record: str) -> None:
        if self.current is not None:
            raise BankFileError(
                "nouveau solde initial (01) alors que le relevé ouvert ligne "
                f"{self.current.line} n'a pas de nouveau solde (07)",
                number,
            )
        decimals = _decimals(number, record)
        self.current = _Statement(
            line=number,
            account=f"{record[2:7]} {record[11:16]} {record[21:32]}",
            account_number=record[21:32],
            currency=record[16:19].strip(),
            decimals=decimals,
            opening_on=_date(number, record[34:40], "date du solde initial"),
            opening_balance=_amount(number, record[90:104], decimals),
        )

    def _statement_for(self, number: int, record: str, what: str) -> _Statement:
        current = self.current
        if current is None:
            raise BankFileError(f"{what} sans solde initial (01) avant lui", number)
        if record[21:32] != current.account_number:
            raise BankFileError(
                f"{what} du compte {record[21:32].strip()} dans le relevé du compte "
                f"{current.account_number.strip()} ouvert ligne {current.line}",
                number,
            )
        return current

    def _movement(self, number: int, record: str) -> None:
        current = self._statement_for(number, record, "enregistrement 04")
        self._flush(current)
        currency = _currency(number, record[16:19]) if record[16:19].strip() else ""
        current.currency = current.currency or currency
        amount = _amount(number, record[90:104], _decimals(number, record))
        current.movement = _Movement(number, record, currency, amount)

    def _complement(self, number: int, record: str) -> None:
        current = self.current
        if current is None or current.movement is None:
            raise BankFileError("complément 05 sans mouvement (04) avant lui", number)
        self._statement_for(number, record, "complément 05")
        qualifier = record[45:48]
        current.movement.details.setdefault(qualifier, []).append(record[48:118])

    def _close(self, number: int, record: str) -> None:
        current = self._statement_for(number, record, "nouveau solde (07)")
        self._flush(current)
        decimals = _decimals(number, record)
        currency = _currency(number, current.currency or record[16:19].strip() or "EUR")
        self.statements.append(
            BankStatement(
                account=current.account,
                currency=currency,
                lines=tuple(
                    line if line.currency else _with_currency(line, currency)
                    for line in current.lines
                ),
                opening_on=current.opening_on,
                opening_balance=current.opening_balance,
                closing_on=_date(number, record[34:40], "date du nouveau solde"),
                closing_balance=_amount(number, record[90:104], decimals),
                line=current.line,
            )
        )
        self.current = None

    def _flush(self, current: _Statement) -> None:
        if current.movement is not None:
            current.lines.append(_bank_line(current.movement))
            current.movement = None


def _with_currency(line: BankLine, currency: str) -> BankLine:
    return replace(line, currency=currency)


def _bank_line(movement: _Movement) -> BankLine:
    record, number, details = movement.record, movement.line, movement.details
    amount = movement.amount
    name_keys = ("NPY", "NBE") if amount > 0 else ("NBE", "NPY")
    id_keys = ("IPY", "IBE") if amount > 0 else ("IBE", "IPY")
    texts = [record[48:79].strip()] + [
        text.strip() for key in ("LIB", "LCC", "LC2") for text in details.get(key, [])
    ]
    code = record[32:34]
    return BankLine(
        line=number,
        booked_on=_date(number, record[34:40], "date d'opération"),
        value_on=_date(number, record[42:48], "date de valeur"),
        amount=amount,
        currency=movement.currency,
        counterparty_name=_first(details, name_keys),
        counterparty_iban=_iban(_first(details, id_keys)),
        remittance=" ".join(text for text in texts if text),
        structured_reference=_first(details, ("LCS",)),
        end_to_end_id=_first(details, ("RCN",), width=35),
        bank_reference=_first(details, ("REF",)) or _reference(record),
        bank_code=code.strip(),
        is_return=code in RETURN_CODES or bool(record[40:42].strip(" 0")),
    )


def _first(details: dict[str, list[str]], keys: tuple[str, ...], width: int = 70) -> str:
    for key in keys:
        for text in details.get(key, []):
            if text[:width].strip():
                return text[:width].strip()
    return ""


def _iban(text: str) -> str:
    """An identifier qualifier (IPY, IBE) holds an IBAN only for some banks."""
    if not text:
        return ""
    try:
        return clean_iban(text.split()[0])
    except IdentifierError:
        return ""


def _reference(record: str) -> str:
    entry = record[81:88].strip()
    return record[104:120].strip() or (entry if entry.strip("0") else "")


def _decimals(number: int, record: str) -> int:
    digit = record[19]
    if digit == " ":
        return 2
    if not digit.isdecimal():  # not isdigit: int() refuses "²", which isdigit accepts
        raise BankFileError(f"nombre de décimales illisible {digit!r} (position 20)", number)
    return int(digit)


def _currency(number: int, text: str) -> str:
    try:
        return parse_currency(text)
    except MoneyError:
        raise BankFileError(f"devise inconnue {text!r} (positions 17-19)", number) from None


def _amount(number: int, text: str, decimals: int) -> Decimal:
    """'0000000001904}' with 2 decimals is -190.40."""
    digits, last = text[:-1], text[-1:]
    if last in _POSITIVE:
        sign, unit = 1, _POSITIVE[last]
    elif last in _NEGATIVE:
        sign, unit = -1, _NEGATIVE[last]
    else:
        sign, unit = 0, 0
    if not sign or not digits.isdecimal():
        raise BankFileError(f"montant illisible {text!r} (positions 91-104)", number)
    return sign * Decimal(f"{digits}{unit}").scaleb(-decimals)


def _date(number: int, text: str, what: str) -> date:
    """DDMMYY; years 00-69 are 2000-2069 (CFONB files started in the 1980s)."""
    if not text.isdecimal():
        raise BankFileError(f"{what} illisible {text!r} (JJMMAA attendu)", number)
    day, month, year = int(text[:2]), int(text[2:4]), int(text[4:])
    try:
        return date(year + (2000 if year < 70 else 1900), month, day)
    except ValueError:
        raise BankFileError(f"{what} impossible {text!r} (JJMMAA attendu)", number) from None
