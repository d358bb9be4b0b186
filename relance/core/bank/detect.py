"""Which statement format a file is in, judged from its content (never from its name).

- XML with an `<OFX>` root or an `<?OFX ...?>` processing instruction: OFX 2; other XML: CAMT
  (the camt reader checks the ISO 20022 namespace and says which versions it takes).
- `OFXHEADER:` or `<OFX>` in SGML: OFX 1.
- A line starting with a SWIFT tag (`:20:`, `:25:`, `:28C:`, `:60F:`, `:61:`) or a `{1:` block
  header: MT940 (MT942 is recognised there and refused).
- Lines of digits-led fixed-width records: CFONB; only the 120-character statement is read,
  240-character (and other) widths are refused with their width.
"""

from __future__ import annotations

import re

from relance.core.textlines import decode, split_lines

from .camt import read_camt
from .cfonb import WIDTH, read_cfonb
from .mt940 import read_mt940
from .ofx import read_ofx
from .records import BankFileError, StatementFile

ACCEPTED = "CAMT.053 et CAMT.054 (XML ISO 20022), CFONB 120, OFX 1.x et 2.x, MT940"
_OFX = re.compile(r"\A\s*(OFXHEADER\s*:|<OFX>|<\?OFX)", re.IGNORECASE)
_OFX_IN_XML = re.compile(r"<\?OFX\b|<OFX>", re.IGNORECASE)
_SWIFT = re.compile(r"^(\{1:|:(20|25|28C?|60[FM]|61):)", re.MULTILINE)
_CFONB = re.compile(r"0[1457]\d{3}")


def read_statement_file(data: bytes, name: str = "") -> StatementFile:
    """Read a bank statement file of any supported format; `name` only appears in messages."""
    text = _text(data)
    start = text.lstrip()
    if not start:
        raise BankFileError(f"fichier de relevé vide{_called(name)}")
    if _OFX.match(start) or (start.startswith("<") and _OFX_IN_XML.search(start[:2000])):
        return read_ofx(text)
    if start.startswith("<"):
        return read_camt(data)
    if _SWIFT.search(text[:20000]):
        return read_mt940(text)
    if start[:2].isdigit():
        _check_width(text)
        if _CFONB.match(start):
            return read_cfonb(text)
    raise BankFileError(
        f"format de relevé non reconnu{_called(name)} : le contenu commence par "
        f"{start[:40]!r} ; formats acceptés : {ACCEPTED}"
    )


def _called(name: str) -> str:
    return f" ({name})" if name else ""


def _text(data: bytes) -> str:
    """UTF-16 when a BOM says so, else UTF-8 (BOM dropped), cp1252 or ISO-8859-15."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16").removeprefix("\ufeff")
        except UnicodeDecodeError:
            raise BankFileError("fichier UTF-16 mal encodé") from None
    return decode(data)


def _check_width(text: str) -> None:
    """CFONB exists in 120 and 240 characters; only the 120 is a bank statement."""
    lines = [line for line in split_lines(text) if line.strip()]
    widths = {len(line) for line in lines}
    if len(lines) == 1 and len(lines[0]) % WIDTH == 0:
        return
    if max(widths) == 2 * WIDTH:
        raise BankFileError(
            "fichier CFONB 240 (remises et opérations de 240 caractères) : ce n'est pas un "
            "relevé de compte ; seul le relevé CFONB 120 est accepté"
        )
    if max(widths) > WIDTH:
        raise BankFileError(
            f"enregistrements CFONB de {max(widths)} caractères : seul le relevé CFONB 120 "
            "(120 caractères par ligne) est accepté"
        )
