"""FEC (Fichier des Écritures Comptables, LPF art. A47 A-1): the receivables view of a ledger.

The parser reads decoded text lines (the header first) and turns every line on a customer
account into exactly one record, so that for each customer the sum of its items (debit +,
credit -) minus its payments equals the ledger's own balance of that account.

Text: `decode`, `split_lines`, `iter_lines` and `iter_file_lines` (from relance.core.textlines,
re-exported here) read UTF-8 with or without BOM, cp1252 or ISO-8859-15, and LF, CRLF, CR or
the "\\r\\r\\n" some Windows tools write, even mixed in one file.

Columns are found by header name (case-insensitive, trimmed), in any order, extra columns
allowed; the separator is whichever of tab, pipe or semicolon the header holds most.
`Montant` + `Sens` (D/C) replaces `Debit` + `Credit` in some exports.

Heuristics (codes differ between companies, so journals are judged by the accounts touched):
- Customer accounts: 411 (clients) and 416 (clients douteux). 413 (effets à recevoir) and
  419 (avances reçues) are left out: they are not open items a reminder can ask for.
  The customer is CompAuxNum/CompAuxLib, or the account itself when CompAuxNum is empty.
- Entries are (JournalCode, EcritureNum, EcritureDate); in a journal where EcritureNum holds
  one single value over several dates (an export writing "0" everywhere), PieceRef is added.
- Opening journal: touches no class 6 or 7 account, and either its JournalLib says
  "nouveau", or all its entries are dated on or before the first date of every other journal
  (detailed à-nouveaux keep the original dates of the open items they carry forward) and it
  touches at least three of the classes 1 to 5 (a bank journal touches 4 and 5 only).
- Otherwise each entry is a sales entry when it touches 70x, else a treasury entry when it
  touches 511/512/514/53x, else other; the journal takes the kind most of its entries have.
- A line on a customer account becomes: sales debit -> INVOICE, sales credit -> CREDIT_NOTE,
  treasury credit -> payment (method guessed from EcritureLib, then JournalLib), treasury
  debit -> REFUND, opening -> OPENING, anything else -> ADJUSTMENT. Lines with a zero
  amount are counted in `ignored`.
- Item numbers: PieceRef when unique among the items of the file, else
  "{PieceRef or JournalCode}-{EcritureNum}-{n}". Due date: DateRglt when the column exists,
  else issued_on + payment_days.
- Lettering: lines of one customer sharing a non-empty EcritureLet form a group; credits are
  allocated to debits oldest first, never more than is open on either side, so an unbalanced
  (partial) group leaves the rest open. Letters are kept as written: some tools write
  lowercase letters for partial lettering, so "aa" and "AA" are different groups.
- Only customer lines are checked in full; other lines are checked for their field count and
  EcritureDate (a broken line may hide a customer line), never for their amounts.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import MISSING, dataclass, field, replace
from dataclasses import fields as dataclass_fields
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from functools import lru_cache
from operator import itemgetter
from typing import TypeVar

from .money import MoneyError, parse_amount, parse_currency
from .records import (
    AllocationRecord,
    CustomerRecord,
    ItemKind,
    ItemRecord,
    PaymentMethod,
    PaymentRecord,
    Rejection,
)
from .textlines import decode, iter_file_lines, iter_lines, split_lines

CUSTOMER_ACCOUNTS = ("411", "416")
TREASURY_ACCOUNTS = ("511", "512", "514", "53")
SALES_ACCOUNTS = ("70",)
REQUIRED = ("JournalCode", "EcritureNum", "EcritureDate", "CompteNum")
AMOUNTS = (("Debit", "Credit"), ("Montant", "Sens"))
ZERO = Decimal(0)
__all__ = [
    "FecError",
    "FecHeader",
    "FecResult",
    "JournalKind",
    "decode",
    "guess_method",
    "iter_file_lines",
    "iter_lines",
    "parse",
    "parse_date",
    "read_header",
    "split_fields",
    "split_lines",
]


class FecError(ValueError):
    """A file that cannot be read as a FEC at all; nothing is produced."""


class JournalKind(StrEnum):
    SALES = "sales"
    TREASURY = "treasury"
    OPENING = "opening"
    OTHER = "other"


@dataclass(frozen=True)
class FecResult:
    """Records from the customer lines; `lines` counts the non-blank lines after the header."""

    customers: list[CustomerRecord]
    items: list[ItemRecord]
    payments: list[PaymentRecord]
    allocations: list[AllocationRecord]
    rejections: list[Rejection]
    lines: int
    ignored: int = 0
    journals: dict[str, JournalKind] = field(default_factory=dict)


# --- header -----------------------------------------------------------------------------


@dataclass(frozen=True)
class FecHeader:
    """Column names as written, the separator, and where each (lower-cased) name sits."""

    names: list[str]
    separator: str
    positions: dict[str, int]

    def index(self, name: str) -> int | None:
        return self.positions.get(name.lower())


def read_header(line: str) -> FecHeader:
    """The header line: separator detected among tab, pipe and semicolon."""
    line = line.removeprefix("\ufeff")
    separator = max(("\t", "|", ";"), key=line.count)
    names = [name.strip() for name in line.split(separator)]
    positions: dict[str, int] = {}
    for index, name in enumerate(names):
        positions.setdefault(name.lower(), index)
    return FecHeader(names, separator, positions)


def split_fields(line: str, header: FecHeader) -> list[str]:
    return line.split(header.separator)


def _check_header(header: FecHeader) -> None:
    missing = [name for name in REQUIRED if header.index(name) is None]
    if not any(all(header.index(n) is not None for n in pair) for pair in AMOUNTS):
        missing += [n for n in AMOUNTS[0] if header.index(n) is None]
    if missing:
        raise FecError(
            "colonnes obligatoires absentes de l'en-tête FEC : "
            + ", ".join(missing)
            + f" (colonnes lues : {', '.join(header.names)})"
        )


# --- fields -----------------------------------------------------------------------------

_DATE = re.compile(r"(\d{4})-?(\d{2})-?(\d{2})$|(\d{2})/(\d{2})/(\d{4})$")


def parse_date(text: str) -> date:
    """YYYYMMDD, YYYY-MM-DD or DD/MM/YYYY, optionally followed by a time."""
    raw = text.strip().split(" ")[0].split("T")[0]
    match = _DATE.match(raw)
    if not match:
        raise ValueError(text)
    y, m, d, d2, m2, y2 = match.groups()
    return date(int(y or y2), int(m or m2), int(d or d2))


def _amount(text: str) -> Decimal:
    """Fast path for the usual '1234,56'; money.parse_amount for anything fancier."""
    raw = text.strip()
    if not raw:
        return ZERO
    try:
        value = Decimal(raw.replace(",", "."))
    except InvalidOperation:
        return parse_amount(raw)
    if not value.is_finite():
        raise MoneyError(text)
    return value


def _canonical(value: Decimal) -> str:
    return format(value.normalize(), "f") if value else "0"


_METHODS = (
    (re.compile(r"\b(CHQ|CHEQUES?|CH)\b"), PaymentMethod.CHEQUE),
    (re.compile(r"\b(PRLV|PRELEV\w*)"), PaymentMethod.DIRECT_DEBIT),
    (re.compile(r"\bLCR\b"), PaymentMethod.LCR),
    (re.compile(r"\b(CB|CARTES?)\b"), PaymentMethod.CARD),
    (re.compile(r"\b(ESP|ESPECES)\b"), PaymentMethod.CASH),
)
# Every word above starts with one of these: most labels ("Règlement facture", a PieceRef)
# hold none, and one search of this prefix-only pattern is cheaper than the five in order.
_MAYBE_METHOD = re.compile("C[HBA]|PR|LCR|ESP")
_ACCENTS = str.maketrans("ÉÈÊË", "EEEE")


def guess_method(*labels: str) -> PaymentMethod:
    """Payment method from the first label that names one; a transfer otherwise."""
    for label in labels:
        method = _method_in(label)
        if method is not None:
            return method
    return PaymentMethod.TRANSFER


@lru_cache(maxsize=4096)  # EcritureLib and JournalLib repeat over thousands of payments
def _method_in(label: str) -> PaymentMethod | None:
    text = label.upper()
    if not text.isascii():
        text = text.translate(_ACCENTS)
    if not _MAYBE_METHOD.search(text):
        return None
    return next((method for pattern, method in _METHODS if pattern.search(text)), None)


# --- pass 1: read every line ------------------------------------------------------------


@dataclass(slots=True)
class _Line:
    """A customer line, parsed; `amount` is debit - credit (in `currency`)."""

    number: int
    key: str
    journal: str
    entry_num: str
    entry_on: date
    customer_code: str
    customer_name: str
    piece_ref: str
    piece_on: date | None
    label: str
    amount: Decimal
    currency: str
    letter: str
    lettered_on: date | None
    due_on: date | None


@dataclass(slots=True)
class _Journal:
    label: str
    first_on: date
    last_on: date
    first_num: str
    flags: int = 0  # account flags of all its lines
    has_many_nums: bool = False

    def touches_class(self, digit: int) -> bool:
        return bool(self.flags & 1 << (8 + digit))


class _Columns:
    """Positions of the columns the parser reads (None: absent)."""

    def __init__(self, header: FecHeader) -> None:
        ix = header.index
        self.count = len(header.names)
        self.journal, self.num = ix("JournalCode") or 0, ix("EcritureNum") or 0
        self.date, self.account = ix("EcritureDate") or 0, ix("CompteNum") or 0
        self.journal_lib, self.account_lib = ix("JournalLib"), ix("CompteLib")
        self.aux, self.aux_lib = ix("CompAuxNum"), ix("CompAuxLib")
        self.piece, self.piece_date, self.label = ix("PieceRef"), ix("PieceDate"), ix("EcritureLib")
        self.debit, self.credit = ix("Debit"), ix("Credit")
        self.montant, self.sens = ix("Montant"), ix("Sens")
        self.letter, self.letter_date = ix("EcritureLet"), ix("DateLet")
        self.due_date = ix("DateRglt")
        self.amount_currency, self.currency = ix("Montantdevise"), ix("Idevise")
        self.use_sens = self.debit is None or self.credit is None
        # Absent optional columns point one past the end, where an empty field is appended.
        texts = (
            self.journal,
            self.num,
            self.account,
            self.aux,
            self.aux_lib,
            self.account_lib,
            self.piece,
            self.label,
            self.letter,
            self.currency,
            self.amount_currency,
        )
        self.texts = itemgetter(*(self.count if index is None else index for index in texts))
        dates = (self.piece_date, self.letter_date, self.due_date)
        self.dates = [self.count if index is None else index for index in dates]
        self.date_texts = itemgetter(*self.dates)


def _get(fields: list[str], index: int | None) -> str:
    return fields[index].strip() if index is not None else ""


_SALES, _TREASURY, _CUSTOMER = 1, 2, 4  # account flags; bit 8 + n: touches class n


def _account_flags(account: str) -> int:
    # isdecimal, not isdigit: int() refuses "¹", which isdigit accepts.
    flags = 1 << (8 + int(account[0])) if account[:1].isdecimal() else 0
    if account.startswith(SALES_ACCOUNTS):
        flags |= _SALES
    elif account.startswith(TREASURY_ACCOUNTS):
        flags |= _TREASURY
    return flags | (_CUSTOMER if account.startswith(CUSTOMER_ACCOUNTS) else 0)


class _Reader:
    """Pass 1: the accounts each entry touches, and a `_Line` for every customer line.

    The per-line work is kept to a split and a few dictionary look-ups (dates and account
    flags are cached): a FEC of millions of lines mostly holds lines of other accounts."""

    def __init__(self, header: FecHeader, currency: str) -> None:
        self.cols = _Columns(header)
        self.separator = header.separator
        self.currency = currency
        # (JournalCode, EcritureNum, EcritureDate, PieceRef) as written -> account flags
        self.entries: dict[tuple[str, str, str, str], int] = {}
        self.journals: dict[str, _Journal] = {}  # by JournalCode as written
        self.customer_lines: list[_Line] = []
        self.rejections: list[Rejection] = []
        self.lines = self.ignored = 0
        self.dates: dict[str, date] = {}  # EcritureDate as written
        self.iso_dates: dict[str, str] = {}  # the same, as source keys write them
        self.optional_dates: dict[str, date | None] = {}  # PieceDate, DateLet, DateRglt
        self._flags: dict[str, int] = {}
        self._occurrences: dict[str, int] = {}

    def read_all(self, numbered: Iterable[tuple[int, str]]) -> None:
        cols, separator, count = self.cols, self.separator, self.cols.count
        entries, dates, flags_of = self.entries, self.dates, self._flags
        piece = cols.piece if cols.piece is not None else cols.journal
        for number, text in numbered:
            fields = text.split(separator)
            if len(fields) != count:
                self._bad_count(number, text, len(fields))
                continue
            self.lines += 1
            if fields[cols.date] not in dates and not self._known_date(number, fields[cols.date]):
                continue
            flags = flags_of.get(fields[cols.account])
            if flags is None:
                flags = flags_of[fields[cols.account]] = _account_flags(
                    fields[cols.account].strip()
                )
            key = (fields[cols.journal], fields[cols.num], fields[cols.date], fields[piece])
            known = entries.get(key)
            if known is None:
                known = self._new_entry(key, fields)
            entries[key] = known | flags
            if flags & _CUSTOMER:
                self._read_customer(number, fields)

    def _bad_count(self, number: int, text: str, count: int) -> None:
        if text and not text.isspace():  # blank lines are skipped, not counted
            self.lines += 1
            self._reject(number, f"{count} champs au lieu de {self.cols.count}")

    def _known_date(self, number: int, text: str) -> bool:
        try:
            on = self.dates[text] = parse_date(text)
        except ValueError:
            self._reject(number, f"date EcritureDate illisible '{text}'")
            return False
        self.iso_dates[text] = on.isoformat()
        return True

    def _new_entry(self, key: tuple[str, str, str, str], fields: list[str]) -> int:
        """Journal statistics move once per entry, not once per line."""
        on = self.dates[key[2]]
        stats = self.journals.get(key[0])
        if stats is None:
            label = _get(fields, self.cols.journal_lib)
            self.journals[key[0]] = _Journal(label, on, on, key[1])
            return 0
        if on < stats.first_on:
            stats.first_on = on
        elif on > stats.last_on:
            stats.last_on = on
        if not stats.has_many_nums and key[1] != stats.first_num:
            stats.has_many_nums = True
        return 0

    def _reject(self, number: int, reason: str) -> None:
        self.rejections.append(Rejection(line=number, reason=f"ligne {number} : {reason}"))

    def _read_customer(self, number: int, fields: list[str]) -> None:
        try:
            debit, credit = self._debit_credit(fields)
        except ValueError as error:
            return self._reject(number, str(error))
        if not debit and not credit:
            self.ignored += 1
            return
        fields.append("")  # where the absent optional columns point (see _Columns.texts)
        texts = map(str.strip, self.cols.texts(fields))
        journal, num, account, aux, aux_lib, account_lib, piece, label, letter, *foreign = texts
        try:
            piece_on, lettered_on, due_on = self._optional_dates(fields)
            amount, currency = self._currency_amount(foreign, debit - credit)
        except ValueError as error:
            return self._reject(number, self._field_error(fields, error))
        code, name = (aux, aux_lib) if aux else (account, account_lib)
        entry_on = fields[self.cols.date]
        key = self._key(
            f"{journal}\x1f{num}\x1f{self.iso_dates[entry_on]}\x1f{account}\x1f{aux}\x1f{piece}"
            f"\x1f{label}\x1f{_canonical(debit)}\x1f{_canonical(credit)}"
        )
        self.customer_lines.append(
            _Line(
                number,
                key,
                journal,
                num,
                self.dates[entry_on],
                code,
                name,
                piece,
                piece_on,
                label,
                amount,
                currency,
                letter,
                lettered_on,
                due_on,
            )
        )

    def _optional_dates(self, fields: list[str]) -> list[date | None]:
        """PieceDate, DateLet, DateRglt; each text is parsed once (dates repeat a lot)."""
        texts, cache = self.cols.date_texts(fields), self.optional_dates
        try:
            return [cache[text] for text in texts]
        except KeyError:
            for text in texts:
                if text not in cache:
                    cache[text] = parse_date(text) if text.strip() else None
            return [cache[text] for text in texts]

    def _debit_credit(self, fields: list[str]) -> tuple[Decimal, Decimal]:
        cols = self.cols
        if not cols.use_sens:
            return (
                self._money(fields, cols.debit, "Debit"),
                self._money(fields, cols.credit, "Credit"),
            )
        value = self._money(fields, cols.montant, "Montant")
        sens = _get(fields, cols.sens).upper()[:1]
        if sens not in ("D", "C", "+", "-"):
            raise ValueError(f"sens '{_get(fields, cols.sens)}' illisible (attendu D ou C)")
        return (value, ZERO) if sens in ("D", "+") else (ZERO, value)

    @staticmethod
    def _money(fields: list[str], index: int | None, name: str) -> Decimal:
        text = fields[index] if index is not None else ""
        try:
            return _amount(text)
        except MoneyError:
            raise ValueError(f"montant {name} illisible '{text.strip()}'") from None

    def _currency_amount(self, foreign: list[str], amount: Decimal) -> tuple[Decimal, str]:
        code, text = foreign  # Idevise, Montantdevise
        if not code or not text or parse_currency(code) == self.currency:
            return amount, self.currency
        # Foreign-currency line: the amount in that currency, with the side of the line.
        value = abs(_amount(text))
        return (value if amount > 0 else -value), parse_currency(code)

    def _field_error(self, fields: list[str], error: Exception) -> str:
        if isinstance(error, MoneyError):
            return f"devise ou montant en devise illisible ({error})"
        for name, index in zip(("PieceDate", "DateLet", "DateRglt"), self.cols.dates, strict=True):
            text = fields[index]
            if text.strip() and text not in self.optional_dates:
                return f"date {name} illisible '{text.strip()}'"
        return str(error)

    def _key(self, text: str) -> str:
        """Same line, same key, in any export that contains it; repeats get a counter."""
        count = self._occurrences[text] = self._occurrences.get(text, 0) + 1
        text += f"\x1f{count}"
        return "fec:" + hashlib.sha1(text.encode()).hexdigest()[:20]


# --- pass 2: journals -------------------------------------------------------------------


def _journals(reader: _Reader) -> dict[str, _Journal]:
    """Journals by trimmed code (" OD" and "OD" are one journal), with the flags of their
    lines, and flags per entry; PieceRef only splits entries where EcritureNum is no key."""
    journals: dict[str, _Journal] = {}
    for raw_code, raw in reader.journals.items():
        stats = journals.setdefault(raw_code.strip(), raw)
        stats.first_on, stats.last_on = (
            min(stats.first_on, raw.first_on),
            max(stats.last_on, raw.last_on),
        )
        stats.has_many_nums = (
            stats.has_many_nums
            or raw.has_many_nums
            or (raw.first_num.strip() != stats.first_num.strip())
        )
    return journals


def classify_journals(reader: _Reader) -> dict[str, JournalKind]:
    """Kind of each journal from the accounts its entries touch (see the module docstring)."""
    journals = _journals(reader)
    votes: dict[str, Counter[JournalKind]] = defaultdict(Counter)
    # Entries are tallied by (journal, flags) first: a few distinct pairs, many entries.
    for (code, flags), count in Counter(_merged_entries(journals, reader.entries)).items():
        journals[code].flags |= flags
        votes[code][_entry_kind(flags)] += count
    kinds = {}
    for code, stats in journals.items():
        others = [j.first_on for c, j in journals.items() if c != code]
        if _is_opening(stats, others):
            kinds[code] = JournalKind.OPENING
        else:
            kinds[code] = max(votes[code].items(), key=lambda v: (v[1], v[0] != "other"))[0]
    return kinds


def _merged_entries(
    journals: dict[str, _Journal], entries: dict[tuple[str, str, str, str], int]
) -> list[tuple[str, int]]:
    """(journal, flags) per entry."""
    merged: dict[tuple[str, str, str, str], int] = {}
    reliable = {code: j.has_many_nums or j.first_on == j.last_on for code, j in journals.items()}
    for (raw_code, num, on, piece), flags in entries.items():
        code = raw_code.strip()
        key = (code, num.strip(), on, "" if reliable[code] else piece.strip())
        merged[key] = merged.get(key, 0) | flags
    return [(key[0], flags) for key, flags in merged.items()]


def _entry_kind(flags: int) -> JournalKind:
    if flags & _SALES:
        return JournalKind.SALES
    return JournalKind.TREASURY if flags & _TREASURY else JournalKind.OTHER


def _is_opening(stats: _Journal, others: list[date]) -> bool:
    """No income statement account, and either said so or first and broad (classes 1-5)."""
    if stats.touches_class(6) or stats.touches_class(7):
        return False
    is_first = bool(others) and stats.last_on <= min(others)
    breadth = sum(1 for digit in range(1, 6) if stats.touches_class(digit))
    return "nouveau" in stats.label.lower() or (is_first and breadth >= 3)


# --- pass 3: records --------------------------------------------------------------------


@dataclass
class _Builder:
    kinds: dict[str, JournalKind]
    payment_days: int
    journal_labels: dict[str, str]
    customers: dict[str, CustomerRecord] = field(default_factory=dict)
    items: list[ItemRecord] = field(default_factory=list)
    payments: list[PaymentRecord] = field(default_factory=list)
    numbers: dict[str, str] = field(default_factory=dict)  # source key -> item number

    def __post_init__(self) -> None:
        self.payment_delay = timedelta(days=self.payment_days)

    def add(self, line: _Line) -> None:
        self._customer(line)
        kind = self.kinds.get(line.journal, JournalKind.OTHER)
        if kind == JournalKind.TREASURY and line.amount < 0:
            self.payments.append(self._payment(line))
        else:
            self.items.append(self._item(line, _item_kind(kind, line.amount > 0)))

    def _customer(self, line: _Line) -> None:
        known = self.customers.get(line.customer_code)
        if known is None:
            self.customers[line.customer_code] = CustomerRecord(
                line=line.number, code=line.customer_code, name=line.customer_name
            )
        elif not known.name and line.customer_name:
            self.customers[line.customer_code] = replace(known, name=line.customer_name)

    def _payment(self, line: _Line) -> PaymentRecord:
        method = guess_method(line.label, line.piece_ref, self.journal_labels.get(line.journal, ""))
        return _record(
            PaymentRecord,
            {
                "line": line.number,
                "source_key": line.key,
                "customer_code": line.customer_code,
                "received_on": line.entry_on,
                "amount": -line.amount,
                "currency": line.currency,
                **_OPTIONAL[PaymentRecord],
                "method": method,
                "reference": line.piece_ref,
                "label": line.label,
                "customer_name": line.customer_name,
            },
        )

    def _item(self, line: _Line, kind: ItemKind) -> ItemRecord:
        issued_on = line.piece_on or line.entry_on
        due_on = line.due_on or issued_on + self.payment_delay
        return _record(
            ItemRecord,
            {
                "line": line.number,
                "source_key": line.key,
                "customer_code": line.customer_code,
                "number": self.numbers[line.key],
                "kind": kind,
                "issued_on": issued_on,
                "due_on": due_on,
                "amount": abs(line.amount),
                "currency": line.currency,
                **_OPTIONAL[ItemRecord],
                "is_credit": line.amount < 0,
                "customer_name": line.customer_name,
                "label": line.label,
            },
        )


R = TypeVar("R", ItemRecord, PaymentRecord, AllocationRecord)


def _record(cls: type[R], values: dict[str, object]) -> R:
    """A frozen record made without its generated __init__ (2.3 µs a record, 0.8 µs this way,
    on lines that cost about 7 µs in all); `values` holds every field, in order, checked
    already. The same technique as relance.core.tabular._build."""
    record = object.__new__(cls)
    object.__setattr__(record, "__dict__", values)
    return record


# Optional fields and their defaults; required fields come first in a dataclass, so a dict
# of the required values, then these, then the optional values set keeps the field order.
_OPTIONAL: dict[type, dict[str, object]] = {
    cls: {f.name: f.default for f in dataclass_fields(cls) if f.default is not MISSING}
    for cls in (ItemRecord, PaymentRecord)
}


def _item_kind(journal: JournalKind, is_debit: bool) -> ItemKind:
    if journal == JournalKind.SALES:
        return ItemKind.INVOICE if is_debit else ItemKind.CREDIT_NOTE
    if journal == JournalKind.TREASURY:
        return ItemKind.REFUND
    return ItemKind.OPENING if journal == JournalKind.OPENING else ItemKind.ADJUSTMENT


def number_items(lines: list[_Line]) -> dict[str, str]:
    """PieceRef when it names one item only, else '{PieceRef or JournalCode}-{EcritureNum}-{n}'."""
    uses = Counter(line.piece_ref for line in lines)
    taken = {ref for ref, count in uses.items() if count == 1 and ref}
    numbers, counters = {}, Counter[str]()
    for line in lines:
        if line.piece_ref and uses[line.piece_ref] == 1:
            numbers[line.key] = line.piece_ref
            continue
        stem = f"{line.piece_ref or line.journal}-{line.entry_num}"
        number = ""
        while not number or number in taken:
            counters[stem] += 1
            number = f"{stem}-{counters[stem]}"
        taken.add(number)
        numbers[line.key] = number
    return numbers


# --- pass 4: lettering ------------------------------------------------------------------


def allocate_lettering(lines: list[_Line], payment_keys: set[str]) -> list[AllocationRecord]:
    """Lettered lines of one customer settle each other, oldest credit to oldest debit."""
    groups: dict[tuple[str, str, str], list[_Line]] = defaultdict(list)
    for line in lines:
        if line.letter:
            groups[(line.customer_code, line.currency, line.letter)].append(line)
    allocations: list[AllocationRecord] = []
    for group in groups.values():
        allocations += _allocate_group(group, payment_keys)
    return allocations


def _line_date(line: _Line, payment_keys: set[str]) -> date:
    return line.entry_on if line.key in payment_keys else (line.piece_on or line.entry_on)


def _allocate_group(group: list[_Line], payment_keys: set[str]) -> list[AllocationRecord]:
    # Oldest first: (date, line number, line), where numbers are unique so lines never compare.
    aged = sorted([(_line_date(line, payment_keys), line.number, line) for line in group])
    debits = [line for _, _, line in aged if line.amount > 0]
    credits = [line for _, _, line in aged if line.amount < 0]
    lettered = [line.lettered_on for line in group if line.lettered_on]
    on = max(lettered) if lettered else aged[-1][0]
    allocations: list[AllocationRecord] = []
    opens = [line.amount for line in debits]
    index = 0
    for credit in credits:
        left = -credit.amount
        while left and index < len(debits):
            amount = min(left, opens[index])
            allocations.append(_allocation(debits[index].key, credit.key, amount, on))
            left -= amount
            opens[index] -= amount
            index += 0 if opens[index] else 1
    return allocations


def _allocation(debit_key: str, credit_key: str, amount: Decimal, on: date) -> AllocationRecord:
    return _record(
        AllocationRecord,
        {"debit_key": debit_key, "credit_key": credit_key, "amount": amount, "allocated_on": on},
    )


# --- the whole file ---------------------------------------------------------------------


def parse(lines: Iterable[str], *, currency: str = "EUR", payment_days: int = 30) -> FecResult:
    """Customers, items, payments and allocations from the lines of a FEC (header first).

    Raises FecError when the header lacks a required column."""
    numbered = _text_only(enumerate(lines, start=1))
    first = next(numbered, None)
    if first is None or not first[1].strip():
        raise FecError("fichier FEC vide : la première ligne doit être l'en-tête des colonnes")
    header = read_header(first[1])
    _check_header(header)
    return _read(header, numbered, parse_currency(currency), payment_days)


def _text_only(numbered: Iterable[tuple[int, str]]) -> Iterator[tuple[int, str]]:
    """A text export never holds a NUL character: such a file is binary (a PDF, an image, a
    spreadsheet sent as a FEC) and is refused whole, not read as garbage."""
    for number, line in numbered:
        if "\x00" in line:
            raise FecError(f"ligne {number} : caractère NUL, ce n'est pas un FEC en texte")
        yield number, line


def _read(
    header: FecHeader, numbered: Iterable[tuple[int, str]], currency: str, payment_days: int
) -> FecResult:
    """Parsing proper; the reader and its lines are freed on return. The caller may pause the
    cyclic garbage collector meanwhile: parsing makes no reference cycles (see
    relance.imports.services)."""
    reader = _Reader(header, currency)
    reader.read_all(numbered)
    return _build(reader, payment_days)


def _build(reader: _Reader, payment_days: int) -> FecResult:
    kinds = classify_journals(reader)
    labels = {code.strip(): stats.label for code, stats in reader.journals.items()}
    builder = _Builder(kinds, payment_days, labels)
    lines = reader.customer_lines
    item_lines = [line for line in lines if not _is_payment(kinds, line)]
    builder.numbers = number_items(item_lines)
    for line in lines:
        builder.add(line)
    payment_keys = {payment.source_key for payment in builder.payments}
    return FecResult(
        customers=list(builder.customers.values()),
        items=builder.items,
        payments=builder.payments,
        allocations=allocate_lettering(lines, payment_keys),
        rejections=reader.rejections,
        lines=reader.lines,
        ignored=reader.ignored,
        journals=kinds,
    )


def _is_payment(kinds: dict[str, JournalKind], line: _Line) -> bool:
    return kinds.get(line.journal) == JournalKind.TREASURY and line.amount < 0
