"""Money: Decimal amounts with a currency; parsing of amounts as accountants write them."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

# ISO 4217 active codes (the ones a European creditor meets in practice are all here).
# fmt: off
CURRENCIES = frozenset([
    "AED", "AFN", "ALL", "AMD", "ANG", "AOA", "ARS", "AUD", "AWG", "AZN", "BAM", "BBD", "BDT",
    "BGN", "BHD", "BIF", "BMD", "BND", "BOB", "BRL", "BSD", "BTN", "BWP", "BYN", "BZD", "CAD",
    "CDF", "CHF", "CLP", "CNY", "COP", "CRC", "CUP", "CVE", "CZK", "DJF", "DKK", "DOP", "DZD",
    "EGP", "ERN", "ETB", "EUR", "FJD", "FKP", "GBP", "GEL", "GHS", "GIP", "GMD", "GNF", "GTQ",
    "GYD", "HKD", "HNL", "HTG", "HUF", "IDR", "ILS", "INR", "IQD", "IRR", "ISK", "JMD", "JOD",
    "JPY", "KES", "KGS", "KHR", "KMF", "KPW", "KRW", "KWD", "KYD", "KZT", "LAK", "LBP", "LKR",
    "LRD", "LSL", "LYD", "MAD", "MDL", "MGA", "MKD", "MMK", "MNT", "MOP", "MRU", "MUR", "MVR",
    "MWK", "MXN", "MYR", "MZN", "NAD", "NGN", "NIO", "NOK", "NPR", "NZD", "OMR", "PAB", "PEN",
    "PGK", "PHP", "PKR", "PLN", "PYG", "QAR", "RON", "RSD", "RUB", "RWF", "SAR", "SBD", "SCR",
    "SDG", "SEK", "SGD", "SHP", "SLE", "SOS", "SRD", "SSP", "STN", "SVC", "SYP", "SZL", "THB",
    "TJS", "TMT", "TND", "TOP", "TRY", "TTD", "TWD", "TZS", "UAH", "UGX", "USD", "UYU", "UZS",
    "VES", "VND", "VUV", "WST", "XAF", "XCD", "XOF", "XPF", "YER", "ZAR", "ZMW", "ZWL",
])
# fmt: on

CENT = Decimal("0.01")
_SPACES = re.compile(r"[\s\u00a0\u202f']")


class MoneyError(ValueError):
    """An amount or currency that cannot be understood."""


def parse_currency(text: str) -> str:
    """Return the ISO 4217 code, upper-cased, or raise MoneyError."""
    code = text.strip().upper()
    if code in {"€", "EURO", "EUROS"}:
        return "EUR"
    if code not in CURRENCIES:
        raise MoneyError(f"unknown currency {text!r}")
    return code


def parse_amount(text: str, decimal_separator: str | None = None) -> Decimal:
    """Parse '1 234,56', '1,234.56', '-12.5', '(12,50)' or '12,50 €' into a Decimal.

    With no separator given, the last of ',' or '.' is the decimal one when followed by
    one to three digits at the end... unless both appear, where the last one wins.
    """
    raw = text.strip()
    if not raw:
        raise MoneyError("empty amount")
    negative = raw.startswith("(") and raw.endswith(")")
    cleaned = _SPACES.sub("", raw.strip("()").replace("€", ""))
    if cleaned.endswith("-"):
        negative, cleaned = True, cleaned[:-1]
    separator = decimal_separator or _guess_separator(cleaned)
    thousands = "." if separator == "," else ","
    cleaned = cleaned.replace(thousands, "").replace(separator, ".")
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise MoneyError(f"not an amount: {text!r}") from None
    if not value.is_finite():
        raise MoneyError(f"not an amount: {text!r}")
    return -value if negative else value


def _guess_separator(text: str) -> str:
    comma, dot = text.rfind(","), text.rfind(".")
    if comma > dot:
        # '1,234' alone is ambiguous; French exports write decimals with a comma, so trust it.
        return ","
    return "."


def round_money(value: Decimal) -> Decimal:
    """Round to the cent, half up: the one place where amounts are rounded."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Money:
    """An amount in one currency; arithmetic refuses to mix currencies."""

    amount: Decimal
    currency: str

    def _check(self, other: Money) -> None:
        if other.currency != self.currency:
            raise MoneyError(f"cannot mix {self.currency} and {other.currency}")

    def __add__(self, other: Money) -> Money:
        self._check(other)
        return Money(self.amount + other.amount, self.currency)

    def __sub__(self, other: Money) -> Money:
        self._check(other)
        return Money(self.amount - other.amount, self.currency)

    def __neg__(self) -> Money:
        return Money(-self.amount, self.currency)
