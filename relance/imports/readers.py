"""Reading tables: a CSV or XLSX file as a header and a stream of (line number, cells).

Files are streamed, never loaded whole. CSV: the encoding (UTF-8 with or without BOM, UTF-16
with BOM, else Windows-1252) and the delimiter (; , tab |) are detected. XLSX: the first
sheet, cells turned into the text a user sees (dates as YYYY-MM-DD, numbers without float
noise). Fully empty lines are skipped; line numbers are those of the file (header = 1).
"""

from __future__ import annotations

import codecs
import csv
import re
import zlib
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import Any
from zipfile import BadZipFile

from .report import ImportFileError

DELIMITERS = ";,\t|"
_CP1252_UNDEFINED = re.compile("[\x81\x8d\x8f\x90\x9d]")
_CP1252_UNDEFINED_BYTES = re.compile(rb"[\x81\x8d\x8f\x90\x9d]")
SAMPLE = 64 * 1024
ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # Excel 97-2003 .xls
# What a damaged XLSX (XML files in a ZIP) raises: zipfile (bad headers, unknown compression
# methods), zlib (a corrupt deflate stream), the XML parsers (SyntaxError), openpyxl. Their
# messages ("invalid distance too far back") mean nothing to a user: one French reason.
DAMAGED = "fichier endommagé ou incomplet : enregistrez-le de nouveau depuis le tableur"
_DAMAGED = (
    BadZipFile,
    zlib.error,
    EOFError,
    NotImplementedError,
    SyntaxError,
    KeyError,
    ValueError,
)


@dataclass
class TableSource:
    """A table being read: its header, then its rows as (1-based line number, cells)."""

    headers: list[str]
    rows: Iterator[tuple[int, list[str]]]


def read_table(path: Path | str) -> TableSource:
    """Open a CSV or XLSX file; raise ImportFileError when it is neither, empty or headless."""
    path = Path(path)
    try:
        with open(path, "rb") as handle:
            head = handle.read(SAMPLE)
    except OSError as error:
        raise ImportFileError(f"fichier illisible : {path.name} ({error.strerror})") from None
    if not head.strip():
        raise ImportFileError(f"fichier vide : {path.name}")
    if head.startswith(OLE_MAGIC):
        raise ImportFileError(
            "format Excel 97-2003 (.xls) non pris en charge : "
            "enregistrez le fichier en .xlsx ou en .csv"
        )
    rows = _xlsx_rows(path) if head.startswith(ZIP_MAGIC) else _csv_rows(path, head)
    for _, cells in rows:
        return TableSource(headers=[cell.strip() for cell in cells], rows=rows)
    raise ImportFileError(f"aucune ligne d'en-tête dans {path.name}")


def _is_blank(cells: list[str]) -> bool:
    # One join and one strip in C: four times faster than testing each cell.
    return not "".join(cells).strip()


# --- CSV ------------------------------------------------------------------------------------


def detect_encoding(path: Path, head: bytes) -> str:
    """UTF-8 (the whole file is checked, in blocks) or else Windows-1252."""
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if b"\x00" in head:
        raise ImportFileError(f"{path.name} n'est ni un CSV ni un fichier XLSX (contenu binaire)")
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        with open(path, "rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                decoder.decode(block)
            decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return "cp1252"
    return "utf-8"


def detect_delimiter(sample: str) -> str:
    """csv.Sniffer on the first lines, checked against the header; else the delimiter that
    occurs most in the header; else ';' (a one-column file)."""
    lines = sample.splitlines()
    header = lines[0] if lines else ""
    try:
        delimiter = csv.Sniffer().sniff("\n".join(lines[:50]), delimiters=DELIMITERS).delimiter
    except csv.Error:
        delimiter = ""
    if delimiter and delimiter in header:
        return delimiter
    counts = Counter(char for char in header if char in DELIMITERS)
    return counts.most_common(1)[0][0] if counts else ";"


def _csv_rows(path: Path, head: bytes) -> Iterator[tuple[int, list[str]]]:
    encoding = detect_encoding(path, head)
    try:
        sample = head.decode(encoding, errors="ignore")
    except LookupError:  # pragma: no cover - the encodings above all exist
        raise ImportFileError(f"encodage inconnu : {encoding}") from None
    if encoding == "cp1252" and _looks_binary(sample):
        raise ImportFileError(f"{path.name} n'est ni un CSV ni un fichier XLSX (contenu binaire)")
    if encoding == "cp1252":
        _check_cp1252(path)
    return _csv_stream(path, encoding, detect_delimiter(sample.lstrip("\ufeff")))


def _check_cp1252(path: Path) -> None:
    """Refuse, with its line, a byte Windows-1252 leaves undefined (0x81, 0x8D, 0x8F, 0x90,
    0x9D): the decoder would fail later, blocks ahead of the row being read. Latin-1 maps
    each byte to one character, so the lines are those the CSV reader counts."""
    with open(path, "rb") as handle:  # the usual case, at C speed: no such byte
        blocks = iter(lambda: handle.read(1 << 20), b"")
        if not any(_CP1252_UNDEFINED_BYTES.search(block) for block in blocks):
            return
    with open(path, encoding="latin-1", newline=None) as handle:
        for number, text in enumerate(handle, start=1):
            found = _CP1252_UNDEFINED.search(text)
            if found:
                raise ImportFileError(
                    f"ligne {number} illisible : l'octet 0x{ord(found.group()):02X} n'existe "
                    "pas en Windows-1252 (ni en UTF-8) ; enregistrez le fichier en UTF-8"
                )


def _looks_binary(text: str) -> bool:
    controls = sum(1 for char in text if char < " " and char not in "\t\r\n")
    return controls > len(text) // 100


def _csv_stream(path: Path, encoding: str, delimiter: str) -> Iterator[tuple[int, list[str]]]:
    with open(path, encoding=encoding, errors="strict", newline="") as handle:
        reader = csv.reader(handle, delimiter=delimiter, quotechar='"', doublequote=True)
        previous = 0  # a quoted cell may span lines: a row starts after the previous one
        try:
            for cells in reader:
                if not _is_blank(cells):
                    yield previous + 1, cells
                previous = reader.line_num
        except UnicodeDecodeError:
            # Only UTF-16 gets here (Windows-1252 is checked first): the decoder reads ahead,
            # so the bad bytes are somewhere after the last row read.
            raise ImportFileError(
                f"texte illisible en {encoding} après la ligne {previous}"
            ) from None
        except csv.Error as error:
            raise ImportFileError(f"ligne {previous + 1} illisible : {error}") from None


# --- XLSX -----------------------------------------------------------------------------------


def _xlsx_rows(path: Path) -> Iterator[tuple[int, list[str]]]:
    # openpyxl is imported here: only XLSX imports pay for it.
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except InvalidFileException as error:
        raise ImportFileError(f"fichier XLSX illisible : {path.name} ({error})") from None
    except (OSError, *_DAMAGED):
        raise ImportFileError(f"fichier XLSX illisible : {path.name} ({DAMAGED})") from None
    return _xlsx_stream(workbook)


def _xlsx_stream(workbook: Any) -> Iterator[tuple[int, list[str]]]:
    try:
        sheets = workbook.worksheets
        if not sheets:
            raise ImportFileError("classeur XLSX sans feuille")
        for number, values in enumerate(sheets[0].iter_rows(values_only=True), start=1):
            cells = [cell_text(value) for value in values]
            if not _is_blank(cells):
                yield number, cells
    except ImportFileError:
        raise
    except _DAMAGED:  # a sheet damaged after its start
        raise ImportFileError(f"fichier XLSX illisible ({DAMAGED})") from None
    finally:
        workbook.close()


def cell_text(value: object) -> str:
    """The text of a cell as a user reads it: 1234.5 -> '1234.5', 0.1+0.2 -> '0.3',
    12.0 -> '12', a date -> '2024-01-31', a date and time -> '2024-01-31 10:30:00'."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return _float_text(value)
    if isinstance(value, datetime):
        if value.time() == time(0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, date | time):
        return value.isoformat()
    return str(value)


def _float_text(value: float) -> str:
    """Excel shows 15 significant digits: beyond them is binary noise (0.30000000000000004)."""
    if value != value or value in (float("inf"), float("-inf")):
        return str(value)
    text = format(Decimal(format(value, ".15g")), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text
