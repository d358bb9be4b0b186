"""Who the demo customers are: names, addresses, SIREN/SIRET/VAT numbers, contacts.

Pure functions over a `random.Random` passed in, so that a seed gives the same people.
"""

from __future__ import annotations

import random
import unicodedata
from typing import NamedTuple

from stdnum import luhn

from . import words


class Identity(NamedTuple):
    name: str
    siren: str
    siret: str
    vat_number: str
    is_consumer: bool
    address: str
    postal_code: str
    city: str
    domain: str


class Person(NamedTuple):
    role: str
    name: str
    email: str
    phone: str
    mobile: str


def siren_from(digits: int) -> str:
    """SIREN = 8 digits + Luhn check digit (INSEE)."""
    body = f"{digits:08d}"
    return body + luhn.calc_check_digit(body)


def siret_from(siren: str, nic: int) -> str:
    """SIRET = SIREN + 4-digit establishment number (NIC) + Luhn check digit on all 14."""
    body = f"{siren}{nic:04d}"
    return body + luhn.calc_check_digit(body)


def vat_from(siren: str) -> str:
    """French VAT number: FR + key + SIREN, key = (12 + 3 * (SIREN mod 97)) mod 97."""
    return f"FR{(12 + 3 * (int(siren) % 97)) % 97:02d}{siren}"


class SirenSequence:
    """Distinct SIRENs that look random: an affine bijection of the customer index modulo 10^8."""

    def __init__(self, rng: random.Random) -> None:
        self.step = rng.randrange(10_000_001, 99_999_999, 2)
        while self.step % 5 == 0:  # coprime to 10^8, so no two indexes share a SIREN
            self.step += 2
        self.offset = rng.randrange(10**8)

    def __call__(self, index: int) -> str:
        digits = (self.offset + self.step * index) % 10**8
        if digits // 10 == 35600000:  # La Poste's SIREN has its own SIRET rule: skip it
            digits += 100
        return siren_from(digits)


def slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(c if c.isalnum() else "-" for c in ascii_text.lower()).strip("-")[:40]


def company_name(rng: random.Random) -> str:
    family = rng.choice(words.FAMILY_NAMES)
    trade = rng.choice(words.TRADES)
    pattern = rng.randrange(6)
    if pattern == 0:
        return f"{trade} {family}"
    if pattern == 1:
        return f"{trade} {family} {rng.choice(words.SUFFIXES)}"
    if pattern == 2:
        return f"{trade} {rng.choice(words.PLACES)} {rng.choice(words.LEGAL_FORMS)}"
    if pattern == 3:
        return f"{rng.choice(words.LEGAL_FORMS)} {family} {rng.choice(words.SUFFIXES)}"
    if pattern == 4:
        return f"{trade} {family} {rng.choice(words.LEGAL_FORMS)}"
    return f"{family} {trade}"


def person_name(rng: random.Random) -> str:
    return f"{rng.choice(words.FIRST_NAMES)} {rng.choice(words.FAMILY_NAMES)}"


def street_address(rng: random.Random) -> tuple[str, str, str]:
    postal_code, city = rng.choice(words.TOWNS)
    number, kind = rng.randint(1, 180), rng.choice(words.STREET_TYPES)
    return f"{number} {kind} {rng.choice(words.STREET_NAMES)}", postal_code, city


def phone(rng: random.Random, mobile: bool = False) -> str:
    """A French number in E.164 that libphonenumber accepts as valid."""
    prefix = rng.choice(words.MOBILE_PREFIXES if mobile else words.LANDLINE_PREFIXES)
    return f"+33{prefix}{rng.randrange(10**7):07d}"


def identity(rng: random.Random, index: int, sirens: SirenSequence, is_consumer: bool) -> Identity:
    street, postal_code, city = street_address(rng)
    if is_consumer:
        name = person_name(rng)
        domain = rng.choice(words.EMAIL_DOMAINS)
        return Identity(name, "", "", "", True, street, postal_code, city, domain)
    name = company_name(rng)
    siren = sirens(index)
    siret = siret_from(siren, rng.choice((10, 11, 12, 13, 14, 15, 17, 18, 21, 24, 28, 35)))
    return Identity(
        name, siren, siret, vat_from(siren), False, street, postal_code, city, f"{slug(name)}.fr"
    )


def contacts(rng: random.Random, who: Identity) -> list[Person]:
    """A billing contact and an accounting contact; a consumer is their own only contact."""
    if who.is_consumer:
        first, _, last = who.name.partition(" ")
        email = f"{slug(first)}.{slug(last)}{rng.randrange(100)}@{who.domain}"
        return [Person("billing", who.name, email, "", phone(rng, mobile=True))]
    billing = person_name(rng)
    first, _, last = billing.partition(" ")
    return [
        Person(
            "billing",
            billing,
            f"{slug(first)[0]}.{slug(last)}@{who.domain}",
            phone(rng),
            # Most billing contacts give a mobile: SMS steps reach them, the others fail
            # with "aucun numéro de mobile" for the collector to complete the file.
            phone(rng, mobile=True) if rng.random() < 0.85 else "",
        ),
        Person("accounting", person_name(rng), f"comptabilite@{who.domain}", phone(rng), ""),
    ]
