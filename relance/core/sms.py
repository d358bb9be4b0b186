"""SMS arithmetic: which encoding a text needs, how many segments it takes, what it costs,
and how to make it fit.

A text whose every character is in the GSM 03.38 (3GPP TS 23.038) default alphabet travels
as GSM-7: 160 characters in one SMS, 153 per segment once it is split (the other 7 carry the
concatenation header). The characters of the extension table (€ [ ] { } ^ ~ | \\ and the form
feed) take two places, an escape and the character, and the pair is never split across
segments. Any other character (ê, â, ô, û, ç, ë, ï, emoji...) forces UCS-2 for the whole
message: 70 UTF-16 code units in one SMS, 67 per segment, an emoji taking two units that are
never split either.

Worked example: "Merci de régler 1 200,00 €" is GSM-7 (é is in the basic table, € counts
twice), 27 places, one segment; "Vous êtes en retard" is UCS-2 (ê is not), 19 units, one
segment; 200 GSM-7 characters take two segments (153 + 47).
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from decimal import Decimal

import phonenumbers

# 3GPP TS 23.038, 6.2.1: the 128 characters of the default alphabet (0x1B, the escape to the
# extension table, is not a character of its own). Ç (0x09) is the capital: ç is not in it.
GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
# 3GPP TS 23.038, 6.2.1.1: the extension table, each sent as ESC + character (two septets).
GSM7_EXTENSION = frozenset("\f^{}\\[]~|€")

# Typography a French text picks up (money formatting, word processors) that has a plain
# GSM-7 equivalent with the same meaning. Letters are never replaced: "dû" stays "dû".
_PLAIN = str.maketrans(
    {
        "\u00a0": " ",  # no-break space (money: "1 200,00 €")
        "\u202f": " ",  # narrow no-break space (before ; : ! ? in French typography)
        "\u2009": " ",  # thin space
        "\u2019": "'",
        "\u2018": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u00ab": '"',
        "\u00bb": '"',
        "\u2013": "-",
        "\u2014": "-",
        "\u2026": "...",
    }
)


_SENTENCE_END = re.compile(r"[.!?](?=\s+[A-ZÀ-ÖØ-Þ])")


class Encoding(enum.Enum):
    GSM7 = "GSM-7"
    UCS2 = "UCS-2"


# (places in a single SMS, places per segment of a split message)
_CAPACITY = {Encoding.GSM7: (160, 153), Encoding.UCS2: (70, 67)}


@dataclass(frozen=True)
class Estimate:
    """What a text costs before it is sent: encoding, places used, segments, price."""

    encoding: Encoding
    length: int  # septets for GSM-7, UTF-16 code units for UCS-2
    segments: int
    cost: Decimal


def encoding_of(text: str) -> Encoding:
    """GSM-7 when every character is in the basic or extension table, else UCS-2."""
    allowed = GSM7_BASIC | GSM7_EXTENSION
    return Encoding.GSM7 if all(char in allowed for char in text) else Encoding.UCS2


def _places(char: str, encoding: Encoding) -> int:
    if encoding is Encoding.GSM7:
        return 2 if char in GSM7_EXTENSION else 1
    return 2 if ord(char) > 0xFFFF else 1  # outside the BMP: a UTF-16 surrogate pair


def length(text: str) -> int:
    """Places the text takes in its encoding (extension characters and emoji count two)."""
    encoding = encoding_of(text)
    return sum(_places(char, encoding) for char in text)


def split(text: str) -> list[str]:
    """The segments the text is sent in; a two-place character is never cut in half.

    An empty text is no segment at all."""
    encoding = encoding_of(text)
    single, per_segment = _CAPACITY[encoding]
    if sum(_places(char, encoding) for char in text) <= single:
        return [text] if text else []
    parts: list[str] = []
    current, used = "", 0
    for char in text:
        places = _places(char, encoding)
        if used + places > per_segment:
            parts.append(current)
            current, used = "", 0
        current, used = current + char, used + places
    parts.append(current)
    return parts


def segments(text: str) -> int:
    """How many SMS the text is billed as (0 for an empty text)."""
    return len(split(text))


def estimate(text: str, unit_cost: Decimal) -> Estimate:
    """Encoding, length, segments and cost (segments x the provider's price per SMS)."""
    count = segments(text)
    return Estimate(encoding_of(text), length(text), count, unit_cost * count)


def plain_punctuation(text: str) -> str:
    """Typographic spaces, quotes, dashes and the ellipsis replaced by their GSM-7 equivalents,
    so that a non-breaking space in an amount does not halve what one SMS holds."""
    return text.translate(_PLAIN)


def fit(text: str, max_segments: int, *, keep: str = "") -> str:
    """The text (then `keep`, a link say, after a space) when it fits in `max_segments`;
    otherwise its longest beginning that fits with `keep` still whole at the end: whole
    sentences when the first one fits, else cut between words and marked "..." ("…" when
    the message is UCS-2 anyway).

    Example: fit("Merci de votre règlement rapide", 1) is the text itself;
    fit("Bonjour " * 30, 1) is 19 "Bonjour" and "..." (154 places).
    Raises ValueError when even `keep` alone does not fit."""
    whole = _join(text, keep)
    if segments(whole) <= max_segments:
        return whole
    for end in _sentence_ends(text):
        if segments(_join(text[:end], keep)) <= max_segments:
            return _join(text[:end], keep)
    for cut in _cuts(text):
        head = text[:cut].rstrip(" ,;:-")
        unicode = encoding_of(head + keep) is Encoding.UCS2
        candidate = _join(head + ("\u2026" if unicode else "..."), keep)
        if segments(candidate) <= max_segments:
            return candidate
    if keep and segments(keep) <= max_segments:
        return keep
    raise ValueError(f"{keep!r} ne tient pas en {max_segments} SMS")


def _join(text: str, keep: str) -> str:
    return " ".join(part for part in (text, keep) if part)


def _sentence_ends(text: str) -> list[int]:
    """Where sentences end, longest beginning first: after . ! or ? followed by a capital,
    unless the word before is an abbreviation of three letters at most ("art. L441-10")."""
    ends = []
    for match in _SENTENCE_END.finditer(text):
        word = re.search(r"\w*$", text[: match.start()])
        if not (word and word.group().isalpha() and len(word.group()) <= 3):
            ends.append(match.start() + 1)
    return ends[::-1]


def _cuts(text: str) -> list[int]:
    """Where a text may be cut, longest first: before each space, then (a single long word)
    before each character."""
    spaces = [i for i, char in enumerate(text) if char.isspace() and i > 0]
    return sorted(spaces, reverse=True) or list(range(len(text) - 1, 0, -1))


def is_mobile_number(number: str) -> bool:
    """Whether an E.164 number can receive an SMS (a mobile, or a number the numbering plan
    cannot tell apart from one); a French landline (01 to 05, 09) cannot."""
    try:
        parsed = phonenumbers.parse(number, None)
    except phonenumbers.NumberParseException:
        return False
    kind = phonenumbers.number_type(parsed)
    return kind in (
        phonenumbers.PhoneNumberType.MOBILE,
        phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
    )
