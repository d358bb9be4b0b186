"""Payment matching: which open items each bank line pays (lettrage des règlements)."""

from __future__ import annotations

from collections.abc import Sequence

from stdnum import iso11649

from .bank.records import BankLine
from .matching_records import Candidate, CustomerHint, LineMatch, MatchPolicy, OpenItem, Share

__all__ = [
    "Candidate",
    "CustomerHint",
    "LineMatch",
    "MatchPolicy",
    "OpenItem",
    "Share",
    "creditor_reference",
    "match_lines",
]

DEFAULT_POLICY = MatchPolicy()  # frozen, so one shared default is safe


def creditor_reference(text: str) -> str:
    """The ISO 11649 creditor reference ("RF" + 2 check digits + up to 21 letters or digits)
    of an invoice number; separators are dropped.

    Example: "FA-2024-0001" -> "RF27FA20240001"; "539007547034" -> "RF18539007547034"."""
    body = "".join(char for char in text.upper() if char.isascii() and char.isalnum())
    if not body or len(body) > 21:
        raise ValueError(f"référence impossible pour '{text}' (1 à 21 lettres ou chiffres)")
    # ISO 7064 MOD 97-10 over body + "RF00", letters as 10..35, like an IBAN.
    digits = "".join(str(int(char, 36)) for char in body + "RF00")
    reference = f"RF{98 - int(digits) % 97:02d}{body}"
    iso11649.validate(reference)
    return reference


def match_lines(
    lines: Sequence[tuple[int, BankLine]],
    items: Sequence[OpenItem],
    customers: Sequence[CustomerHint],
    policy: MatchPolicy = DEFAULT_POLICY,
) -> list[LineMatch]:
    """Candidates for each (line id, bank line), in line order. Work in progress: no
    candidates yet."""
    return [LineMatch(line_id, (), False) for line_id, _ in lines]
