"""Tables (CSV, XLSX) of customers, contacts, invoices and payments turned into records.

A table is a header and rows of text cells (relance.imports.readers reads the files). A
`Mapping` says which column holds which field: detected from the headers (French and English,
accents, case and punctuation ignored) or given in a TOML file:

    date_format = "%d/%m/%Y"      # optional; default: ISO, DD/MM/YYYY, DD-MM-YYYY, DD.MM.YYYY
    decimal_separator = ","       # optional; default: guessed per cell
    detect = true                 # optional; false: only the columns listed below
    [columns]
    number = "N° pièce"           # a header of the file, or a 1-based column index
    amount = 7
    [defaults]
    currency = "USD"              # used when the column is absent or the cell is empty
    payment_days = 45

`parse_rows` yields one record or one Rejection per row and never raises for a bad row.

Decisions:
- An invoice amount below zero is a credit note (its amount is stored positive) unless the
  row says it is an invoice ("facture"), which is rejected; a credit note may be written
  positive or negative. A zero amount is rejected.
- Without a due date, an invoice is due `payment_days` after its date (the mapping's
  default, else the company's); a credit note is due on its date.
- Amounts with more than two decimals (other than trailing zeros) are rejected, never rounded.
- An unknown payment method becomes "other": the payment matters more than how it came.
- The second occurrence of an invoice number in a file is rejected, whatever its customer
  (the number is the item's identity, `inv:<number>`).
"""

from __future__ import annotations

import functools
import hashlib
import tomllib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, fields
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any, TypeVar

from relance.core import identifiers
from relance.core.money import CENT, CURRENCIES, MoneyError, parse_amount, parse_currency
from relance.core.records import (
    ContactRecord,
    CustomerRecord,
    ItemKind,
    ItemRecord,
    PayerProfile,
    PaymentMethod,
    PaymentRecord,
    Rejection,
)
from relance.core.tabular_words import COUNTRIES, LABELS, SYNONYMS, VALUES, normalise, plain

Record = CustomerRecord | ContactRecord | ItemRecord | PaymentRecord

FIELDS: dict[str, tuple[str, ...]] = {
    "customers": (
        "code",
        "name",
        "siren",
        "siret",
        "vat_number",
        "is_consumer",
        "payer_profile",
        "language",
        "credit_limit",
        "email",
        "phone",
        "address",
        "postal_code",
        "city",
        "country",
    ),
    "contacts": (
        "customer_code",
        "name",
        "role",
        "email",
        "phone",
        "mobile",
        "address",
        "postal_code",
        "city",
        "country",
        "preferred_channel",
    ),
    "invoices": (
        "customer_code",
        "customer_name",
        "number",
        "kind",
        "issued_on",
        "due_on",
        "amount",
        "amount_excl_tax",
        "currency",
        "po_reference",
        "paid_on",
        "paid_amount",
        "disputed",
        "payment_days",
    ),
    "payments": (
        "customer_code",
        "customer_name",
        "received_on",
        "amount",
        "currency",
        "method",
        "reference",
        "invoice_number",
    ),
}
REQUIRED: dict[str, tuple[str, ...]] = {
    "customers": ("code", "name"),
    "contacts": ("customer_code", "name"),
    # due_on falls back to issued_on + payment_days, so it is never missing.
    "invoices": ("customer_code", "number", "issued_on", "amount"),
    "payments": ("customer_code", "received_on", "amount"),
}
MAX_AMOUNT = Decimal("1e12")  # the ledger stores 14 digits, 2 of them decimals
MAX_LENGTH = {"code": 40, "customer_code": 40, "number": 60}


class MappingError(ValueError):
    """A mapping that cannot be used: bad TOML, unknown field, column not in the file."""


class Invalid(ValueError):
    """A cell that cannot be understood; the message is the rejection reason."""


@dataclass(frozen=True)
class Mapping:
    """Where each field is: `columns` maps a field to a 0-based column index of the file."""

    kind: str
    columns: dict[str, int]
    defaults: dict[str, str] = field(default_factory=dict)
    date_format: str | None = None
    decimal_separator: str | None = None
    missing: list[str] = field(default_factory=list)


# --- mappings ---------------------------------------------------------------------------------


def _check_kind(kind: str) -> None:
    if kind not in FIELDS:
        raise MappingError(f"type d'import inconnu : {kind!r} (attendu : {', '.join(FIELDS)})")


def detect_mapping(kind: str, headers: list[str]) -> Mapping:
    """Map the file's headers to fields: exact field names first, then the best synonym.

    >>> detect_mapping("invoices", ["N° facture", "Client", "Date", "Échéance", "Montant TTC"]
    ...                ).columns
    {'number': 0, 'issued_on': 2, 'due_on': 3, 'amount': 4, 'customer_name': 1}
    """
    _check_kind(kind)
    columns = _detect(kind, headers, {})
    return Mapping(kind=kind, columns=columns, missing=_missing(kind, columns, {}))


def _detect(kind: str, headers: list[str], taken: dict[str, int]) -> dict[str, int]:
    """Assign free columns to free fields, best-ranked synonym first; one column, one field."""
    ranks = SYNONYMS[kind]
    candidates = []
    for index, header in enumerate(headers):
        exact = header.strip().lower()
        if exact in FIELDS[kind]:
            candidates.append((-1, index, exact))
        for name, rank in ranks.get(normalise(header), ()):
            candidates.append((rank, index, name))
    columns = dict(taken)
    used = set(taken.values())
    for _, index, name in sorted(candidates):
        if name not in columns and index not in used:
            columns[name] = index
            used.add(index)
    return columns


def _missing(kind: str, columns: dict[str, int], defaults: dict[str, str]) -> list[str]:
    return [name for name in REQUIRED[kind] if name not in columns and name not in defaults]


def load_mapping(kind: str, toml_text: str, headers: list[str]) -> Mapping:
    """Read a TOML mapping (see the module docstring); the fields it leaves out are detected
    from the headers unless `detect = false`."""
    _check_kind(kind)
    try:
        document = tomllib.loads(toml_text)
    except tomllib.TOMLDecodeError as error:
        raise MappingError(f"fichier de correspondance illisible : {error}") from None
    unknown = set(document) - {"columns", "defaults", "date_format", "decimal_separator", "detect"}
    if unknown:
        raise MappingError(f"clé inconnue dans le fichier de correspondance : {sorted(unknown)}")
    columns = _columns(kind, _table(document, "columns"), headers)
    if document.get("detect", True) is not False:
        columns = _detect(kind, headers, columns)
    mapping = Mapping(
        kind=kind,
        columns=columns,
        defaults=_defaults(kind, _table(document, "defaults")),
        date_format=_date_format(document.get("date_format")),
        decimal_separator=_separator(document.get("decimal_separator")),
    )
    _check_defaults(mapping)
    mapping.missing.extend(_missing(kind, columns, mapping.defaults))
    return mapping


def _table(document: dict[str, Any], name: str) -> dict[str, Any]:
    table = document.get(name, {})
    if not isinstance(table, dict):
        raise MappingError(f"[{name}] doit être une table")
    return table


def _check_field(kind: str, name: str, section: str) -> None:
    if name not in FIELDS[kind]:
        raise MappingError(
            f"champ inconnu dans [{section}] : {name!r} "
            f"(champs possibles : {', '.join(FIELDS[kind])})"
        )


def _columns(kind: str, table: dict[str, Any], headers: list[str]) -> dict[str, int]:
    columns = {}
    for name, source in table.items():
        _check_field(kind, name, "columns")
        columns[name] = _column_index(name, source, headers)
    return columns


def _column_index(name: str, source: object, headers: list[str]) -> int:
    if isinstance(source, int) and not isinstance(source, bool):
        if 1 <= source <= len(headers):
            return source - 1
        raise MappingError(
            f"colonne {source} hors du fichier pour {name} (le fichier a {len(headers)} colonnes)"
        )
    if not isinstance(source, str):
        raise MappingError(f"colonne de {name} : un nom d'en-tête ou un numéro est attendu")
    stripped = [header.strip() for header in headers]
    if source.strip() in stripped:
        return stripped.index(source.strip())
    keys = [normalise(header) for header in headers]
    if normalise(source) in keys:
        return keys.index(normalise(source))
    raise MappingError(
        f"colonne introuvable pour {name} : {source!r} "
        f"(colonnes du fichier : {', '.join(stripped)})"
    )


def _defaults(kind: str, table: dict[str, Any]) -> dict[str, str]:
    defaults = {}
    for name, value in table.items():
        _check_field(kind, name, "defaults")
        if isinstance(value, bool):
            defaults[name] = "oui" if value else "non"
        elif isinstance(value, str | int | float | date):
            defaults[name] = str(value)
        else:
            raise MappingError(f"valeur par défaut de {name} : texte ou nombre attendu")
    return defaults


def _date_format(value: object) -> str | None:
    if value is None:
        return None
    sample = date(2024, 12, 31)
    try:
        if not isinstance(value, str) or _strptime(sample.strftime(value), value) != sample:
            raise ValueError
    except ValueError:
        raise MappingError(f'date_format invalide : {value!r} (exemple : "%d/%m/%Y")') from None
    return value


def _separator(value: object) -> str | None:
    if value is None or value in {",", "."}:
        return value
    raise MappingError(f'decimal_separator invalide : {value!r} ("," ou ".")')


def _check_defaults(mapping: Mapping) -> None:
    """A default is parsed like a cell, once, so that a bad one fails the mapping, not
    every row."""
    cells = _Cells(mapping, currency="EUR")
    for name, value in mapping.defaults.items():
        convert = cells.converters.get(name)
        if convert is None:
            continue
        try:
            convert(value)
        except (Invalid, ValueError) as error:
            raise MappingError(f"valeur par défaut de {name} : {error}") from None


# --- cells ------------------------------------------------------------------------------------


def _strptime(text: str, fmt: str) -> date:
    return datetime.strptime(text, fmt).date()


def _parse_date10(text: str) -> date:
    if text[4] == "-":
        return date.fromisoformat(text)
    if text[2] == text[5] and text[2] in "/.-" and text.isascii():
        return date(int(text[6:]), int(text[3:5]), int(text[:2]))
    return _split_date(text)


def _parse_date(text: str) -> date:
    """ISO (also with a time, as Excel writes it), DD/MM/YYYY, DD-MM-YYYY, DD.MM.YYYY, YY."""
    if len(text) == 10:  # the usual cases first, without splitting
        return _parse_date10(text)
    if len(text) > 10 and text[4] == "-" and text[7] == "-":
        value = date.fromisoformat(text[:10])
        if text[10] not in " T":
            raise ValueError(text)
        return value
    return _split_date(text.split(" ", 1)[0])


def _split_date(text: str) -> date:
    for separator in "/.-":
        parts = text.split(separator)
        if len(parts) == 3:
            break
    else:
        raise ValueError(text)
    if len(parts[0]) == 4:
        parts.reverse()  # YYYY/MM/DD
    day, month, year = (int(part) for part in parts)
    if len(parts[2]) == 2:
        year += 2000
    elif len(parts[2]) != 4:
        raise ValueError(text)
    return date(year, month, day)


def _date_parser(name: str, fmt: str | None) -> Callable[[str], date]:
    label = LABELS[name]

    def parse(text: str) -> date:
        try:
            value = _parse_date(text) if fmt is None else _strptime(text, fmt)
        except ValueError:
            raise Invalid(f"{label} illisible : {text!r}") from None
        if not 1900 <= value.year <= 2199:
            raise Invalid(f"{label} hors limites : {text!r}")
        return value

    # A file holds few distinct dates (a year of business days), each on many rows.
    return functools.lru_cache(maxsize=4096)(parse)


def _amount_parser(name: str, separator: str | None) -> Callable[[str], Decimal]:
    label = LABELS[name]

    def parse(text: str) -> Decimal:
        # Fast paths for plain "1234.56" and "1234,56" of at most 12 characters, which need
        # no further check; everything else goes to money.parse_amount. isdecimal, not
        # isdigit: Decimal() refuses "²", which isdigit accepts.
        body = text[1:] if text[:1] == "-" else text
        if len(body) <= 12:
            if separator != "," and body.replace(".", "", 1).isdecimal():
                point = body.find(".")
                if point < 0 or len(body) - point <= 3:
                    return Decimal(text)
            elif separator != "." and body.replace(",", "", 1).isdecimal():
                point = body.find(",")
                if point < 0 or len(body) - point <= 3:
                    return Decimal(text.replace(",", "."))
        try:
            value = parse_amount(text, separator)
        except (MoneyError, ArithmeticError):
            raise Invalid(f"{label} illisible : {text!r}") from None
        exponent = value.as_tuple().exponent
        if isinstance(exponent, int) and exponent < -2 and value != value.quantize(CENT):
            raise Invalid(f"{label} avec plus de deux décimales : {text!r}")
        if abs(value) >= MAX_AMOUNT:
            raise Invalid(f"{label} trop grand : {text!r}")
        return value

    return parse


def _currency(text: str) -> str:
    code = text.upper()
    if code in CURRENCIES:
        return code
    try:
        return parse_currency(text)
    except MoneyError:
        raise Invalid(f"devise inconnue : {text!r}") from None


def _choice(name: str) -> Callable[[str], str]:
    """A cell with a closed list of values, in French or English (see tabular_words.VALUES)."""
    label, values = LABELS[name], VALUES[name]

    def parse(text: str) -> str:
        value = values.get(plain(text))
        if value is None:
            raise Invalid(f"{label} inconnu(e) : {text!r}")
        return value

    return parse


def _email(text: str) -> str:
    local, at, domain = text.partition("@")
    if not local or not at or "." not in domain.strip(".") or " " in text or "@" in domain:
        raise Invalid(f"e-mail invalide : {text!r}")
    return text


def _identifier(name: str, clean: Callable[[str], str]) -> Callable[[str], str]:
    def parse(text: str) -> str:
        try:
            return clean(text)
        except identifiers.IdentifierError:
            raise Invalid(f"{LABELS[name]} invalide : {text!r}") from None

    return parse


def _country(text: str) -> str:
    if len(text) == 2 and text.isalpha():
        return text.upper()
    code = COUNTRIES.get(plain(text))
    if code is None:
        raise Invalid(f"pays inconnu : {text!r} (code à deux lettres attendu, ex. FR)")
    return code


def _payment_days(text: str) -> str:
    if not text.isdecimal() or int(text) > 366:
        raise Invalid(f"délai de paiement illisible : {text!r}")
    return text


class _Cells:
    """Picks a row's cells by field, applies the defaults and converts them."""

    def __init__(self, mapping: Mapping, currency: str) -> None:
        self.pairs = sorted(mapping.columns.items(), key=lambda pair: pair[1])
        self.present = set(mapping.columns) | set(mapping.defaults)
        self.defaults = {"currency": currency, **mapping.defaults}
        self.dates = {
            name: _date_parser(name, mapping.date_format)
            for name in ("issued_on", "due_on", "paid_on", "received_on")
        }
        self.amounts = {
            name: _amount_parser(name, mapping.decimal_separator)
            for name in ("amount", "amount_excl_tax", "paid_amount", "credit_limit")
        }
        self.converters: dict[str, Callable[[str], object]] = {
            **self.dates,
            **self.amounts,
            "currency": _currency,
            "email": _email,
            "siren": _identifier("siren", identifiers.clean_siren),
            "siret": _identifier("siret", identifiers.clean_siret),
            "vat_number": _identifier("vat_number", identifiers.clean_vat),
            "payment_days": _payment_days,
            **{name: _choice(name) for name in VALUES},
            "country": _country,
        }

    def texts(self, cells: list[str]) -> dict[str, str]:
        """The stripped text of each mapped field; empty or absent cells take the default."""
        texts = {}
        try:
            for name, index in self.pairs:
                texts[name] = cells[index].strip()
        except IndexError:  # a short row: its missing cells (those after, by index) are empty
            pass
        for name, value in self.defaults.items():
            if not texts.get(name):
                texts[name] = value
        return texts


def _required(texts: dict[str, str], name: str) -> str:
    value = texts.get(name, "")
    if not value:
        raise Invalid(f"{LABELS[name]} {'manquante' if name in _FEMININE else 'manquant'}")
    if len(value) > MAX_LENGTH.get(name, 200):
        raise Invalid(f"{LABELS[name]} trop long : {value!r}")
    return value


_FEMININE = {"issued_on", "due_on", "received_on", "paid_on"}

R = TypeVar("R")


def _build(cls: type[R], values: dict[str, object]) -> R:
    """Make a frozen record without its generated __init__, which alone costs more than the
    rest of a row (2.3 µs of the 3 µs budget). Every field is validated before this point."""
    record = object.__new__(cls)
    attributes = _DEFAULTS[cls].copy()
    attributes.update(values)
    object.__setattr__(record, "__dict__", attributes)
    return record


def _made(cls: type[R], values: dict[str, object]) -> R:
    """Like _build, with `values` already holding every field."""
    record = object.__new__(cls)
    object.__setattr__(record, "__dict__", values)
    return record


_DEFAULTS: dict[type, dict[str, object]] = {
    cls: {f.name: f.default for f in fields(cls)}
    for cls in (CustomerRecord, ContactRecord, ItemRecord, PaymentRecord)
}


# --- rows -------------------------------------------------------------------------------------


def parse_rows(
    kind: str,
    rows: Iterable[tuple[int, list[str]]],
    mapping: Mapping,
    *,
    currency: str,
    payment_days: int = 30,
) -> Iterator[Record | Rejection]:
    """One record or one Rejection per (line, cells) row, in order; never raises for a row."""
    _check_kind(kind)
    parse = _PARSERS[kind](_Cells(mapping, currency), payment_days)
    for line, cells in rows:
        try:
            yield parse(line, cells)
        except Invalid as error:
            yield Rejection(line=line, reason=str(error))


def _optional(cells: _Cells, texts: dict[str, str], names: Iterable[str]) -> dict[str, object]:
    """Convert the optional fields present in the row; absent ones keep the record default."""
    values: dict[str, object] = {}
    converters = cells.converters
    for name in names:
        text = texts.get(name)
        if text:
            convert = converters.get(name)
            values[name] = convert(text) if convert else text
    return values


def _contact_details(values: dict[str, object], phones: Iterable[str]) -> None:
    """Normalise phone numbers for the row's country (E.164)."""
    country = values.get("country")
    region = country if isinstance(country, str) and len(country) == 2 else "FR"
    for name in phones:
        text = values.get(name)
        if isinstance(text, str):
            try:
                values[name] = identifiers.clean_phone(text, region)
            except identifiers.IdentifierError:
                raise Invalid(f"{LABELS[name]} invalide : {text!r}") from None


_CUSTOMER_OPTIONAL = FIELDS["customers"][2:]


def _customer_parser(cells: _Cells, payment_days: int) -> Callable[[int, list[str]], Record]:
    def parse(line: int, row: list[str]) -> Record:
        texts = cells.texts(row)
        values = _optional(cells, texts, _CUSTOMER_OPTIONAL)
        values.update(line=line, code=_required(texts, "code"), name=_required(texts, "name"))
        if "is_consumer" in values:
            values["is_consumer"] = values["is_consumer"] == "oui"
        if "payer_profile" in values:
            values["payer_profile"] = PayerProfile(str(values["payer_profile"]))
        _check_siret(values)
        _check_not_negative(values, "credit_limit")
        _contact_details(values, ("phone",))
        return _build(CustomerRecord, values)

    return parse


def _check_siret(values: dict[str, object]) -> None:
    siren, siret = values.get("siren"), values.get("siret")
    if isinstance(siret, str):
        if siren is None:
            values["siren"] = siret[:9]
        elif siret[:9] != siren:
            raise Invalid(f"SIRET {siret} d'une autre entreprise que le SIREN {siren}")


def _check_not_negative(values: dict[str, object], name: str) -> None:
    value = values.get(name)
    if isinstance(value, Decimal) and value < 0:
        raise Invalid(f"{LABELS[name]} négatif : {value}")


_CONTACT_OPTIONAL = FIELDS["contacts"][2:]


def _contact_parser(cells: _Cells, payment_days: int) -> Callable[[int, list[str]], Record]:
    def parse(line: int, row: list[str]) -> Record:
        texts = cells.texts(row)
        values = _optional(cells, texts, _CONTACT_OPTIONAL)
        values.update(
            line=line,
            customer_code=_required(texts, "customer_code"),
            name=_required(texts, "name"),
        )
        _contact_details(values, ("phone", "mobile"))
        return _build(ContactRecord, values)

    return parse


_INVOICE_OPTIONAL = ("customer_name", "amount_excl_tax", "po_reference", "paid_on", "paid_amount")


class _InvoiceParser:
    """Invoices and credit notes; remembers the numbers seen to reject duplicates."""

    def __init__(self, cells: _Cells, payment_days: int) -> None:
        # Everything a row needs is bound here once: an import runs this at 200k rows/s.
        self.cells, self.texts = cells, cells.texts
        self.term = timedelta(days=payment_days)
        self.seen: dict[str, int] = {}
        self.issued_on, self.due_on = cells.dates["issued_on"], cells.dates["due_on"]
        self.amount = cells.amounts["amount"]
        self.optional = [name for name in _INVOICE_OPTIONAL if name in cells.present]
        self.has_extras = bool({"disputed", "paid_on", "paid_amount"} & cells.present)

    def __call__(self, line: int, row: list[str]) -> Record:
        texts = self.texts(row)
        number, code = texts.get("number", ""), texts.get("customer_code", "")
        if not number or not code or len(number) > 60 or len(code) > 40:
            _required(texts, "number"), _required(texts, "customer_code")
        seen = self.seen
        if number in seen:
            raise Invalid(f"numéro de facture en double (déjà ligne {seen[number]})")
        values = _DEFAULTS[ItemRecord].copy()
        if self.optional:
            values.update(_optional(self.cells, texts, self.optional))
        values["line"] = line
        values["source_key"] = "inv:" + number
        values["number"] = number
        values["customer_code"] = code
        currency = texts["currency"]
        values["currency"] = currency if currency in CURRENCIES else _currency(currency)
        self._dates_and_amount(texts, values)
        if self.has_extras:
            _check_disputed_and_paid(self.cells, texts, values)
        seen[number] = line
        return _made(ItemRecord, values)

    def _dates_and_amount(self, texts: dict[str, str], values: dict[str, object]) -> None:
        issued_on = self.issued_on(texts.get("issued_on") or _required(texts, "issued_on"))
        amount = self.amount(texts.get("amount") or _required(texts, "amount"))
        kind_text = texts.get("kind")
        kind = (
            _INVOICE
            if not kind_text and amount > _ZERO
            else _item_kind(kind_text or "", amount, texts["amount"])
        )
        is_credit = kind is _CREDIT_NOTE
        due_text = texts.get("due_on")
        if due_text:
            due_on = self.due_on(due_text)
            if due_on < issued_on:
                raise Invalid(f"échéance antérieure à la date de facture : {due_text!r}")
        elif is_credit:
            due_on = issued_on
        else:
            days = texts.get("payment_days")
            due_on = issued_on + (timedelta(days=int(_payment_days(days))) if days else self.term)
        values["kind"] = kind
        values["is_credit"] = is_credit
        values["issued_on"] = issued_on
        values["due_on"] = due_on
        values["amount"] = abs(amount)
        excl_tax = values.get("amount_excl_tax")
        if excl_tax is not None:
            assert isinstance(excl_tax, Decimal)
            values["amount_excl_tax"] = excl_tax = abs(excl_tax)
            if excl_tax > abs(amount):
                raise Invalid(f"montant HT supérieur au montant TTC : {texts['amount_excl_tax']!r}")


# Bound once: an enum member lookup costs as much as a dict lookup and a row makes several.
_INVOICE, _CREDIT_NOTE, _ZERO = ItemKind.INVOICE, ItemKind.CREDIT_NOTE, Decimal(0)


def _item_kind(text: str, amount: Decimal, amount_text: str) -> ItemKind:
    """Negative amounts are credit notes unless the row says "facture" (module docstring)."""
    if not text:
        if amount > 0:
            return ItemKind.INVOICE
        if amount < 0:
            return ItemKind.CREDIT_NOTE
    if not amount:
        raise Invalid(f"montant négatif ou nul : {amount_text!r}")
    kind = ItemKind(_choice("kind")(text))
    if kind is ItemKind.INVOICE and amount < 0:
        raise Invalid(
            f"montant négatif ou nul : {amount_text!r} (pour un avoir, indiquez le type « avoir »)"
        )
    return kind


def _check_disputed_and_paid(
    cells: _Cells, texts: dict[str, str], values: dict[str, object]
) -> None:
    if texts.get("disputed"):
        values["is_disputed"] = cells.converters["disputed"](texts["disputed"]) == "oui"
    if values["paid_on"] is not None or values["paid_amount"] is not None:
        _check_paid(values)


def _check_paid(values: dict[str, object]) -> None:
    """A paid invoice brings its payment: paid_amount defaults to the amount."""
    paid_on, paid = values.get("paid_on"), values.get("paid_amount")
    if paid_on is None:
        raise Invalid(f"montant réglé sans date de règlement : {paid}")
    amount = values["amount"]
    assert isinstance(amount, Decimal)
    if paid is None:
        values["paid_amount"] = amount
    elif not isinstance(paid, Decimal) or paid <= 0:
        raise Invalid(f"montant réglé négatif ou nul : {paid}")
    elif paid > amount:
        raise Invalid(f"montant réglé supérieur au montant : {paid} > {amount}")


_PAYMENT_OPTIONAL = ("customer_name", "reference", "invoice_number")


class _PaymentParser:
    """Payments; their key hashes what identifies them, plus a counter for identical ones."""

    def __init__(self, cells: _Cells, payment_days: int) -> None:
        self.cells = cells
        self.occurrences: dict[str, int] = {}
        self.received_on = cells.dates["received_on"]
        self.amount = cells.amounts["amount"]

    def __call__(self, line: int, row: list[str]) -> Record:
        texts = self.cells.texts(row)
        values = _optional(self.cells, texts, _PAYMENT_OPTIONAL)
        amount = self.amount(_required(texts, "amount"))
        if amount <= 0:
            raise Invalid(f"montant négatif ou nul : {texts['amount']!r}")
        method_text = texts.get("method", "")
        method = PaymentMethod(
            VALUES["method"].get(plain(method_text), "other") if method_text else "transfer"
        )
        values.update(
            line=line,
            customer_code=_required(texts, "customer_code"),
            received_on=self.received_on(_required(texts, "received_on")),
            amount=amount,
            currency=_currency(texts["currency"]),
            method=method,
        )
        values["source_key"] = self._key(values)
        return _build(PaymentRecord, values)

    def _key(self, values: dict[str, object]) -> str:
        amount = values["amount"]
        assert isinstance(amount, Decimal) and isinstance(values["received_on"], date)
        identity = "\x1f".join(
            [
                str(values["customer_code"]),
                values["received_on"].isoformat(),
                str(amount.quantize(CENT)),
                str(values["currency"]),
                str(values.get("reference", "")),
                str(values["method"]),
            ]
        )
        digest = hashlib.sha1(identity.encode(), usedforsecurity=False).hexdigest()
        count = self.occurrences[digest] = self.occurrences.get(digest, 0) + 1
        return f"pay:{digest}:{count}"


_PARSERS: dict[str, Callable[[_Cells, int], Callable[[int, list[str]], Record]]] = {
    "customers": _customer_parser,
    "contacts": _contact_parser,
    "invoices": _InvoiceParser,
    "payments": _PaymentParser,
}
