"""French and European identifiers and phone numbers, cleaned to their canonical form.

Each `clean_*` returns the compact form or raises IdentifierError saying why.
"""

from __future__ import annotations

from types import ModuleType

import phonenumbers
from stdnum import bic, iban
from stdnum.eu import vat
from stdnum.exceptions import (
    InvalidChecksum,
    InvalidComponent,
    InvalidFormat,
    InvalidLength,
)
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.fr import siren, siret


class IdentifierError(ValueError):
    """An identifier that fails its format or check digit."""


REASONS: list[tuple[type[StdnumError], str]] = [
    (InvalidChecksum, "clé de contrôle fausse"),
    (InvalidLength, "longueur incorrecte"),
    (InvalidFormat, "format incorrect"),
    (InvalidComponent, "composant invalide"),
]


def _reason(error: StdnumError) -> str:
    return next((text for kind, text in REASONS if isinstance(error, kind)), "invalide")


def _clean(module: ModuleType, value: str, label: str) -> str:
    try:  # compact() itself refuses some values (a VAT number of no known country)
        compact = str(module.compact(value))
        module.validate(compact)
    except StdnumError as error:
        raise IdentifierError(f"{label} invalide : {value} ({_reason(error)})") from None
    return compact


def clean_siren(value: str) -> str:
    return _clean(siren, value, "SIREN")


def clean_siret(value: str) -> str:
    return _clean(siret, value, "SIRET")


def clean_vat(value: str) -> str:
    return _clean(vat, value, "N° de TVA")


def clean_iban(value: str) -> str:
    return _clean(iban, value, "IBAN")


def clean_bic(value: str) -> str:
    return _clean(bic, value, "BIC")


def clean_phone(value: str, region: str = "FR") -> str:
    """Return the number in E.164 (+33612345678); an empty value stays empty."""
    if not value.strip():
        return ""
    try:
        number = phonenumbers.parse(value, region)
    except phonenumbers.NumberParseException:
        raise IdentifierError(f"numéro de téléphone illisible : {value}") from None
    if not phonenumbers.is_valid_number(number):
        raise IdentifierError(f"numéro de téléphone invalide : {value}")
    return str(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164))
