"""Seller and buyer: French company identifiers found in any of the places an invoice puts them.

An identifier that fails its check digit is kept as written and reported as a warning: the
invoice is still owed, and the accountant decides whether the customer file is right.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from relance.core.einvoice.records import Party
from relance.core.identifiers import IdentifierError, clean_siren, clean_siret, clean_vat

# ISO 6523 ICD schemes (EN 16931 BT-29/BT-30/BT-46/BT-47): 0002 = SIREN, 0009 = SIRET.
SIREN_SCHEME = "0002"
SIRET_SCHEME = "0009"
_DIGITS = re.compile(r"\D")
OF = {"vendeur": "du vendeur", "acheteur": "de l'acheteur"}
SHAPES: dict[Callable[[str], str], re.Pattern[str]] = {
    clean_siren: re.compile(r"\d{9}"),
    clean_siret: re.compile(r"\d{14}"),
    clean_vat: re.compile(r"[A-Z]{2}[0-9A-Z]{2,13}"),
}


@dataclass
class PartyFacts:
    """What the XML says about a party, before identifiers are cleaned."""

    role: str  # "vendeur" or "acheteur", used in warnings
    name: str = ""
    ids: list[tuple[str, str]] = field(default_factory=list)  # (scheme, value), scheme may be ""
    vat_numbers: list[str] = field(default_factory=list)
    email: str = ""
    address_lines: list[str] = field(default_factory=list)
    postal_code: str = ""
    city: str = ""
    country: str = ""


def build_party(facts: PartyFacts) -> tuple[Party, list[str]]:
    """The Party, and a warning per identifier that fails its format or check digit.

    SIRET: an id with scheme 0009, or a 14-digit id with scheme 0002 (the FNFE samples put the
    SIRET there). SIREN: a 9-digit id with scheme 0002, else the first 9 digits of the SIRET,
    else the French VAT number (FRkk + SIREN); the first candidate that passes its check wins.
    Ids without a scheme count only for a French party (FR country or FR VAT number).
    """
    warnings: list[str] = []
    sirens, sirets = _candidates(facts)
    vat = _first_valid(facts.vat_numbers, clean_vat, facts.role, warnings)
    if vat.startswith("FR") and len(vat) == 13:
        sirens.append(vat[4:])
    siret = _first_valid(sirets, clean_siret, facts.role, warnings)
    siren = _first_valid(sirens, clean_siren, facts.role, warnings)
    party = Party(
        name=facts.name,
        siren=siren,
        siret=siret,
        vat_number=vat,
        email=facts.email,
        address=", ".join(line for line in facts.address_lines if line),
        postal_code=facts.postal_code,
        city=facts.city,
        country=facts.country.upper(),
    )
    return party, warnings


def _candidates(facts: PartyFacts) -> tuple[list[str], list[str]]:
    is_french = facts.country.upper() == "FR" or any(
        v.upper().replace(" ", "").startswith("FR") for v in facts.vat_numbers
    )
    sirens: list[str] = []
    sirets: list[str] = []
    for scheme, value in facts.ids:
        digits = _DIGITS.sub("", value)
        if scheme not in {SIREN_SCHEME, SIRET_SCHEME} and not (scheme == "" and is_french):
            continue
        if scheme == SIRET_SCHEME or len(digits) == 14:
            sirets.append(value)
        elif scheme == SIREN_SCHEME or len(digits) == 9:
            sirens.append(value)
    sirens += [_DIGITS.sub("", s)[:9] for s in sirets]
    return sirens, sirets


def _first_valid(
    values: list[str], clean: Callable[[str], str], role: str, warnings: list[str]
) -> str:
    """The first value that passes `clean`; else the first one of the right shape, warned.

    A value of the right shape whose check digit is wrong is kept (the invoice says so); one
    that is not even shaped like the identifier (FR23342 as a SIREN) is dropped.
    """
    first_error = ""
    for value in values:
        try:
            return clean(value)
        except IdentifierError as error:
            first_error = first_error or str(error)
        except ValueError:
            # identifiers._clean calls stdnum's compact() outside its try, and compact() of a VAT
            # number with an unknown country prefix raises stdnum's own error.
            first_error = first_error or f"identifiant non vérifiable : {value} (pays inconnu)"
    if not values:
        return ""
    warnings.append(f"{role} : {first_error}")
    shape = SHAPES[clean]
    compact = (_compact(v) for v in values)
    return next((value for value in compact if shape.fullmatch(value)), "")


def _compact(value: str) -> str:
    return re.sub(r"[\s.\-]", "", value).upper()
