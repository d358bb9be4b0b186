"""SWIFT MT940 customer statements, read per statement with the `mt-940` package.

- The file is cut into statements at each `:20:` line (SWIFT `{1:...}{4:` block headers,
  `-}` trailers and bank banners such as `:940:` are left out). Each statement needs an
  opening balance (:60F: or :60M:) and a closing balance (:62F: or :62M:).
- :61: gives the value date (YYMMDD), the booking date (MMDD, its year guessed by mt-940), the
  signed amount (RC/RD reversals are returns, with their true sign), the transaction type
  (bank code), the customer reference and the bank reference (after //). Some banks (ASN,
  SNS) write a customer reference longer than SWIFT's 16 characters: the line is then read
  with mt-940's relaxed pattern for such banks.
- :86: is read three ways: German structured fields (?20-?29 purpose with SEPA keys EREF/
  SVWZ, ?31 IBAN, ?32/?33 name), parsed by mt-940; SWIFT-style keywords (/EREF/, /CNTP/,
  /NAME/, /IBAN/, /REMI/, /RTRN/...) used by Dutch and other banks; else free text, which
  becomes the remittance.
- MT942 (interim report, :34F:/:13D: and no balances) is refused: its movements are
  provisional and come back in the end-of-day MT940 with the balances.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import InvalidOperation
from typing import Any

import mt940 as mt940_lib

from relance.core.identifiers import IdentifierError, clean_iban
from relance.core.textlines import split_lines

from .records import BankFileError, BankLine, BankStatement, StatementFile

FORMAT = "mt940"

_TAG = re.compile(r"^:(\d\d[A-Z]?|NS):")
_SINGLE_LINE_TAGS = re.compile(r"^:(6[0245][FM]?|28C?|25|20):")
_SWIFT_KEYS = (
    "EREF|CNTP|REMI|NAME|IBAN|BIC|TRTP|MARF|CSID|BENM|ORDP|PREF|RTRN|ISDT|ADDR|ULTC|ULTD|"
    "PURP|SVCL|ULTB|ULTD|CREF|ACCW|BUSP|OCMT|CHGS|EXCH|CDTRREF|CDTRREFTP|CD|SEQT"
)
_KEYWORD = re.compile(rf"/({_SWIFT_KEYS})/")
_ACCOUNT_WITH_CURRENCY = re.compile(r"([A-Z]{2}\d\d[A-Z0-9]{11,30}?) ?[A-Z]{3}$")
_UNKNOWN_IDS = frozenset(["", "NOTPROVIDED", "NONREF"])
_CURRENCY = re.compile(r"[A-Z]{3}")


@dataclass(frozen=True)
class _Block:
    line: int  # of its :20:
    lines: list[tuple[int, str]]

    @property
    def text(self) -> str:
        return "\n".join(text for _, text in self.lines)


class _Unreadable(RuntimeError):
    """A tag mt-940 matched but that cannot be read as it is; args as mt-940's own error
    (message, tag, value), the message in French."""


class _StatementLine(mt940_lib.tags.Statement):
    """:61: by the SWIFT pattern, else by the one for over-long customer references; the
    supplementary details may run over several lines (ING)."""

    relaxed = mt940_lib.tags.StatementGLS()

    def parse(self, transactions: Any, value: str) -> dict[str, str | None]:
        first, _, rest = value.partition("\n")
        if "\n" in rest:
            value = f"{first}\n{' '.join(rest.split())}"
        if self.re.match(value) is None:
            result = dict(self.relaxed.parse(transactions, value))
        else:
            result = dict(super().parse(transactions, value))
        if not result.get("id"):
            # mt-940 merges a :61: without its type code (SWIFT 4!c, e.g. NTRF) into the next
            # :61:, which would lose a movement: refuse the line instead.
            raise _Unreadable("mouvement :61: sans code d'opération (ex. NTRF)", self, value)
        return result


class _StatementNumber(mt940_lib.tags.StatementNumber):
    """:28C: is only kept as a reference; some banks break it over two lines."""

    pattern = r"(?P<statement_number>[^/]*)(/(?P<sequence_number>.*))?"
    RE_FLAGS = re.DOTALL


_TAGS: dict[int | str, mt940_lib.tags.Tag] = {61: _StatementLine(), 28: _StatementNumber()}


def read_mt940(text: str) -> StatementFile:
    """Statements of an MT940 file (text already decoded)."""
    blocks = _blocks(split_lines(text))
    return StatementFile(FORMAT, tuple(_statement(block) for block in blocks))


def _blocks(lines: list[str]) -> list[_Block]:
    blocks: list[_Block] = []
    for number, raw in enumerate(lines, start=1):
        line = raw.rstrip()
        if line.startswith(":20:"):
            blocks.append(_Block(number, []))
        elif not blocks:
            if line.startswith(":61:"):
                raise BankFileError("mouvement :61: hors relevé (aucun :20: avant lui)", number)
            continue
        if _is_envelope(line):
            continue
        blocks[-1].lines.append((number, line))
    if not blocks:
        raise BankFileError("aucun relevé (:20:) dans le fichier MT940")
    return [_trimmed(block) for block in blocks]


def _is_envelope(line: str) -> bool:
    """SWIFT block headers and trailers, and the banner some banks write."""
    return line.startswith(("{", "-}")) or line.strip() in {"", "-", "}", ":940:"}


def _trimmed(block: _Block) -> _Block:
    """Drop the banner lines of the next message that follow a final balance."""
    last_tag = max(i for i, (_, text) in enumerate(block.lines) if _TAG.match(text))
    if _SINGLE_LINE_TAGS.match(block.lines[last_tag][1]):
        return _Block(block.line, block.lines[: last_tag + 1])
    return block


def _statement(block: _Block) -> BankStatement:
    parsed = _parse(block)
    data = parsed.data
    if any(text.startswith((":34F:", ":13D:", ":13:")) for _, text in block.lines) and not (
        _balance(data, "opening")
    ):
        raise BankFileError(
            "MT942 (relevé intrajournalier) non pris en charge : ses mouvements sont "
            "provisoires et reviennent dans le MT940 de fin de journée avec les soldes ; "
            "importez le MT940",
            block.line,
        )
    opening = _required_balance(data, "opening", ":60F: ou :60M:", block)
    closing = _required_balance(data, "closing", ":62F: ou :62M:", block)
    # mt-940 takes any three characters as the currency, and gives the movements the
    # opening balance's.
    currency = _currency(opening.amount.currency, _tag_line(block, ":60"))
    if _currency(closing.amount.currency, _tag_line(block, ":62")) != currency:
        raise BankFileError(
            f"devise du solde final ({closing.amount.currency}) différente de celle du solde "
            f"initial ({currency})",
            _tag_line(block, ":62"),
        )
    numbers = [number for number, text in block.lines if text.startswith(":61:")]
    if len(numbers) != len(parsed.transactions):
        raise BankFileError(
            f"{len(numbers)} mouvements :61: dans le relevé mais {len(parsed.transactions)} "
            "lisibles",
            block.line,
        )
    lines = [
        _line(transaction.data, number)
        for transaction, number in zip(parsed.transactions, numbers, strict=True)
    ]
    return BankStatement(
        account=_account(str(data.get("account_identification") or "")),
        currency=currency,
        lines=tuple(lines),
        opening_on=_date(opening.date),
        opening_balance=opening.amount.amount,
        closing_on=_date(closing.date),
        closing_balance=closing.amount.amount,
        reference=str(data.get("transaction_reference") or "").strip(),
        line=block.line,
    )


def _currency(code: str, number: int) -> str:
    """SWIFT 3!a: three letters. Not checked against today's ISO 4217 list: old statements
    in Deutsche Mark (DEM) are real files too."""
    if not _CURRENCY.fullmatch(code):
        raise BankFileError(f"devise illisible {code!r} (trois lettres attendues, ex. EUR)", number)
    return code


def _tag_line(block: _Block, tag: str) -> int:
    """The line of the first field of `block` starting with `tag` (e.g. ":62")."""
    return next((number for number, text in block.lines if text.startswith(tag)), block.line)


def _account(text: str) -> str:
    """:25: as written, less the currency some banks append to the IBAN ("NL34...393 EUR")."""
    match = _ACCOUNT_WITH_CURRENCY.match(text.strip())
    return match.group(1) if match else text.strip()


def _parse(block: _Block) -> Any:
    transactions = mt940_lib.models.Transactions(tags=_TAGS, options=mt940_lib.Options.all())
    try:
        transactions.parse(block.text)
    except RuntimeError as error:
        value = str(error.args[2]) if len(error.args) > 2 else ""
        reason = error.args[0] if isinstance(error, _Unreadable) else "champ MT940 illisible"
        raise BankFileError(f"{reason} : {value[:60]!r}", _line_of(block, value)) from None
    except (ValueError, InvalidOperation, KeyError) as error:
        raise BankFileError(f"relevé MT940 illisible : {error}", block.line) from None
    return transactions


def _line_of(block: _Block, value: str) -> int:
    first = value.split("\n")[0]
    return next((n for n, text in block.lines if first and first in text), block.line)


def _balance(data: dict[str, Any], kind: str) -> Any:
    return data.get(f"final_{kind}_balance") or data.get(f"intermediate_{kind}_balance")


def _required_balance(data: dict[str, Any], kind: str, tags: str, block: _Block) -> Any:
    balance = _balance(data, kind)
    if balance is None:
        what = "initial" if kind == "opening" else "final"
        reference = str(data.get("transaction_reference") or "").strip()
        raise BankFileError(f"relevé :20:{reference} sans solde {what} ({tags})", block.line)
    return balance


def _date(value: date) -> date:
    return date(value.year, value.month, value.day)


def _line(data: dict[str, Any], number: int) -> BankLine:
    if not data["amount"].currency:
        # mt-940 takes a movement's currency from the opening balance read before it.
        raise BankFileError(
            "mouvement :61: placé avant le solde initial (:60F: ou :60M:) qui donne sa devise",
            number,
        )
    details = _details(data)
    value_on = _date(data["date"])
    entry_on = data.get("entry_date")
    customer_reference = str(data.get("customer_reference") or "").strip()
    return BankLine(
        line=number,
        booked_on=_date(entry_on) if isinstance(entry_on, date) else value_on,
        value_on=value_on,
        amount=data["amount"].amount,
        currency=_currency(data["amount"].currency, number),
        counterparty_name=details.get("name", ""),
        counterparty_iban=details.get("iban") or _iban(str(data.get("extra_details") or "")),
        remittance=details.get("remittance", ""),
        structured_reference=details.get("reference", ""),
        end_to_end_id=details.get("end_to_end", ""),
        bank_reference=str(data.get("bank_reference") or "").strip()
        or ("" if customer_reference.upper() in _UNKNOWN_IDS else customer_reference),
        bank_code=str(data.get("id") or "").strip(),
        is_return=str(data.get("status", "")).startswith("R") or "return" in details,
    )


def _details(data: dict[str, Any]) -> dict[str, str]:
    raw = str(data.get("transaction_details") or "")
    if raw:
        flat = "".join(raw.split("\n"))
        if _KEYWORD.search(flat):
            return _keyword_details(flat)
        return {"remittance": " ".join(" ".join(raw.split("\n")).split())}
    return _german_details(data)


def _german_details(data: dict[str, Any]) -> dict[str, str]:
    """Fields mt-940 took out of a German structured :86: (?20-?29, ?31, ?32/?33)."""

    def field(key: str) -> str:
        return " ".join(str(data.get(key) or "").split())

    end_to_end = field("end_to_end_reference")
    return {
        "name": field("applicant_name"),
        "iban": _iban(field("applicant_iban") or field("gvc_applicant_iban")),
        "remittance": field("purpose") or field("posting_text"),
        "end_to_end": "" if end_to_end.upper() in _UNKNOWN_IDS else end_to_end,
        **({"return": "1"} if field("return_debit_notes") else {}),
    }


def _keyword_details(flat: str) -> dict[str, str]:
    """'/EREF/x/CNTP/NL32INGB0000012345/INGBNL2A/J.Janssen/AMSTERDAM/REMI/USTD//text/'."""
    parts = _KEYWORD.split(flat)
    values: dict[str, str] = {}
    for key, value in zip(parts[1::2], parts[2::2], strict=True):
        values.setdefault(key, value.strip("/ "))
    counterparty = values.get("CNTP", "").split("/")
    name = values.get("NAME") or (counterparty[2] if len(counterparty) > 2 else "")
    remittance = values.get("REMI", "")
    structured = ""
    if remittance.startswith("STRD/"):
        structured, remittance = remittance.split("/")[-1], ""
    end_to_end = values.get("EREF", "")
    result = {
        "name": name.strip(),
        "iban": _iban(values.get("IBAN", "") or counterparty[0]),
        "remittance": remittance.removeprefix("USTD//").removeprefix("USTD/").strip("/ "),
        "reference": structured,
        "end_to_end": "" if end_to_end.upper() in _UNKNOWN_IDS else end_to_end,
    }
    return {**result, **({"return": "1"} if "RTRN" in values else {})}


def _iban(text: str) -> str:
    candidate = text.strip().split(" ")[0] if text.strip() else ""
    if not candidate:
        return ""
    try:
        return clean_iban(candidate)
    except IdentifierError:
        return ""
