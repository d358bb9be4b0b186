"""Keys that survive how payers write things: invoice numbers, customer names, references.

Every key is computed once per item or customer when the index is built, and once per bank
line, so that finding what a line names is a few dictionary look-ups, never a scan.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator

from stdnum import iso11649

# Words that say nothing about who pays: legal forms, bank jargon, French small words.
_LEGAL_FORMS = (
    "SA SAS SASU SARL EURL SCI SNC SCEA SCP SELARL EARL GAEC EI EIRL SCOP STE SOCIETE ETS "
    "ETABLISSEMENTS CIE GMBH LTD SPA BV"
)
_NOISE_WORDS = (
    "DE DU DES LA LE LES ET EN AU AUX A L D POUR PAR SUR "
    "VIR VIREMENT SEPA SCT RECU EMIS INST INSTANTANE REF REFERENCE RGLT REGLEMENT REGL "
    "PAIEMENT PAYMENT FACT FACTURE FACTURES FAC FA FAS INV INVOICE NO NUM N DOSSIER CLIENT "
    "CHQ CHEQUE REMISE PRLV WEB MOTIF ECHEANCE SOLDE ACOMPTE FROM"
)
LEGAL_FORMS = frozenset(_LEGAL_FORMS.split())
NOISE_WORDS = frozenset(_NOISE_WORDS.split())
_NON_ALNUM = re.compile(r"[^A-Z0-9]+")
_DIGIT_RUN = re.compile(r"\d+(?:[ \-/._]\d+)*")
_DIGITS = re.compile(r"\d+")
_RF = re.compile(r"RF\d\d[A-Z0-9]{1,21}")
MAX_GROUPS = 3  # digit groups of the remittance combined into one number key


def ascii_upper(text: str) -> str:
    """'Société Générale' -> 'SOCIETE GENERALE'."""
    if text.isascii():
        return text.upper()
    decomposed = unicodedata.normalize("NFKD", text)
    return decomposed.encode("ascii", "ignore").decode().upper()


def compact(text: str) -> str:
    """Letters and digits only, upper case: 'fa-2024/001' -> 'FA2024001'."""
    return _NON_ALNUM.sub("", ascii_upper(text))


def name_tokens(name: str) -> tuple[str, ...]:
    """Significant words of a name: 'SARL Boulangerie Dupont & Fils' -> BOULANGERIE DUPONT FILS."""
    words = _NON_ALNUM.split(ascii_upper(name))
    return tuple(
        word
        for word in words
        if len(word) > 1
        and word not in LEGAL_FORMS
        and word not in NOISE_WORDS
        and not any(char.isdigit() for char in word)
    )


def _group_keys(groups: list[str]) -> Iterator[str]:
    """Keys of one number written as digit groups: all digits without leading zeros, the
    groups without their own leading zeros (joined, and joined with '-')."""
    joined = "".join(groups).lstrip("0")
    if joined:
        yield joined
    if len(groups) > 1:
        stripped = [group.lstrip("0") or "0" for group in groups]
        yield "".join(stripped)
        yield "-".join(stripped)


def number_keys(number: str) -> frozenset[str]:
    """Keys of an invoice number: 'FA2024-0001234' -> {'20240001234', '20241234', '2024-1234'}.

    A payer who writes '2024 1234', 'fa 2024-001234' or '20240001234' hits one of them; the
    letters (FA, FAC, F...) are ignored because payers drop or change them."""
    return frozenset(_group_keys(_DIGITS.findall(number)))


def text_number_keys(text: str) -> set[str]:
    """Keys of every number a remittance text may hold: each run of digit groups separated
    by one space, dash, slash, dot or underscore, and its sub-runs of up to three groups.

    Example: 'FACT 2024 0001234 ET 1240' -> keys of '2024', '0001234', '2024 0001234', '1240'."""
    keys: set[str] = set()
    for run in _DIGIT_RUN.finditer(ascii_upper(text)):
        groups = _DIGITS.findall(run.group())
        for start in range(len(groups)):
            for end in range(start + 1, min(start + MAX_GROUPS, len(groups)) + 1):
                keys.update(_group_keys(groups[start:end]))
    return keys


def creditor_references(*texts: str) -> set[str]:
    """Valid ISO 11649 references ('RF18 5390 0754 7034' -> 'RF18539007547034') in texts;
    a mistyped one fails its check digits and is dropped."""
    found: set[str] = set()
    for text in texts:
        if "RF" not in text.upper():
            continue
        squeezed = ascii_upper(text).replace(" ", "")
        for match in _RF.finditer(squeezed):
            found.update(_valid_prefixes(match.group()))
    return found


def _valid_prefixes(token: str) -> Iterator[str]:
    """Valid references at the start of `token`: the remittance may glue the next words to
    it once spaces are dropped; only those equal to an item's reference will count."""
    for end in range(len(token), 4, -1):
        if iso11649.is_valid(token[:end]):
            yield token[:end]


def compact_iban(text: str) -> str:
    return compact(text)
