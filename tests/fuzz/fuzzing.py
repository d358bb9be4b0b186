"""What every fuzz test shares: the hypothesis settings, the real files, the mutations and the
check that an error is one a user can act on.

Settings: FUZZ_EXAMPLES examples per test (default 100, enough for CI to stay within a few
minutes). The default run is derandomized, so `make test` explores the same inputs each time
and a red CI run is reproducible; setting FUZZ_EXAMPLES (for example FUZZ_EXAMPLES=2000)
switches to random exploration, new inputs on every run. A failure prints the smallest input
hypothesis could shrink it to.

Mutations apply to the bytes of a real file of ../shared/data: bytes replaced, the file cut
short, a line duplicated, removed or moved, the whole file re-encoded, two fields of a line
swapped, a value replaced by a hostile one (a huge number, a date that does not exist, a NUL,
an XML entity, a stray tag...), a span deleted. One to three mutations per example.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable
from functools import cache
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from tests import SHARED_DATA

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "100"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize="FUZZ_EXAMPLES" not in os.environ,
    database=None,
    print_blob=True,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.large_base_example,
        HealthCheck.function_scoped_fixture,
    ],
)

# --- the real files ----------------------------------------------------------------------------


@cache
def corpus(folder: str, suffixes: tuple[str, ...] = (), max_lines: int | None = None) -> list:
    """Contents of the files under ../shared/data/<folder> (those ending in one of `suffixes`,
    else every file but licences, PDFs and CSVs), each cut to `max_lines` lines when given.
    A missing shared folder fails loudly: the fuzz tests must not pass on nothing."""
    root = SHARED_DATA / folder
    if not root.is_dir():
        pytest.fail(f"real sample files not found at {root} (../shared/data next to the clone)")
    contents = [
        _head(path, max_lines) for path in sorted(root.rglob("*")) if _wanted(path, suffixes)
    ]
    assert contents, f"no file ending in {suffixes} under {root}"
    return contents


def _wanted(path: Path, suffixes: tuple[str, ...]) -> bool:
    if not path.is_file() or path.name.startswith("LICENSE"):
        return False
    if suffixes:
        return path.name.endswith(suffixes)
    return path.suffix not in (".pdf", ".csv", ".md", ".tsv")


def _head(path: Path, max_lines: int | None) -> bytes:
    data = path.read_bytes()
    if max_lines is None:
        return data
    return b"\n".join(data.split(b"\n")[:max_lines]) + b"\n"


# --- mutations ---------------------------------------------------------------------------------

# Values that parsers meet in real broken files, or that break naive code.
HOSTILE = [
    b"",
    b"-",
    b"--1",
    b"+",
    b"0",
    b"-0,00",
    b"99999999999999999999999",
    b"1e999",
    b"NaN",
    b"Infinity",
    b"1.234.567,89",
    b"1,2,3",
    b"12,345",
    b"0,001",
    b"00000000",
    b"31/02/2024",
    b"2024-13-45",
    b"20240230",
    b"999999",
    b"\x00",
    b"\xff\xfe",
    b"\xef\xbb\xbf",
    b"\xc3",
    b"\r",
    b"\n",
    b"\t",
    b";",
    b"|",
    b'"',
    b"'",
    b"<",
    b">",
    b"&",
    b"&amp;",
    b"&#0;",
    b"&unknown;",
    b"]]>",
    b"</",
    b"<?xml?>",
    b":61:",
    b":20:",
    b"{",
    b"}",
    b"%PDF-",
    b"\xe2\x82\xac",
    b"\xc2\xa0",
    "Société Générale à Orléans".encode(),
    "Société".encode("cp1252"),
    "²".encode(),  # isdigit() but not int(): a trap for digit checks
    "¹2".encode("latin-1"),
    "٣".encode(),  # an Arabic-Indic digit: isdecimal() and int() accept it
    b"A" * 300,
]
ENCODINGS = ["utf-16", "utf-16-le", "utf-8-sig", "cp1252", "latin-1", "ascii", "utf-32"]
SEPARATORS = (b";", b"|", b"\t", b",", b":", b"/")


def _lines(data: bytes) -> list[bytes]:
    return data.split(b"\n")


def flip_bytes(draw: Callable, data: bytes) -> bytes:
    if not data:
        return data
    buffer = bytearray(data)
    for _ in range(draw(st.integers(1, 4))):
        buffer[draw(st.integers(0, len(buffer) - 1))] = draw(st.integers(0, 255))
    return bytes(buffer)


def truncate(draw: Callable, data: bytes) -> bytes:
    return data[: draw(st.integers(0, len(data)))]


def duplicate_line(draw: Callable, data: bytes) -> bytes:
    lines = _lines(data)
    index = draw(st.integers(0, len(lines) - 1))
    lines.insert(draw(st.integers(0, len(lines))), lines[index])
    return b"\n".join(lines)


def remove_line(draw: Callable, data: bytes) -> bytes:
    lines = _lines(data)
    del lines[draw(st.integers(0, len(lines) - 1))]
    return b"\n".join(lines)


def swap_lines(draw: Callable, data: bytes) -> bytes:
    lines = _lines(data)
    first, second = (draw(st.integers(0, len(lines) - 1)) for _ in range(2))
    lines[first], lines[second] = lines[second], lines[first]
    return b"\n".join(lines)


def reencode(draw: Callable, data: bytes) -> bytes:
    text = data.decode("utf-8", errors="replace")
    return text.encode(draw(st.sampled_from(ENCODINGS)), errors="replace")


def swap_fields(draw: Callable, data: bytes) -> bytes:
    """Two fields of one line swapped: by separator, else (fixed width) two equal spans."""
    lines = _lines(data)
    index = draw(st.integers(0, len(lines) - 1))
    line = lines[index]
    separator = next((s for s in SEPARATORS if line.count(s) >= 1), None)
    if separator is not None:
        fields = line.split(separator)
        first, second = (draw(st.integers(0, len(fields) - 1)) for _ in range(2))
        fields[first], fields[second] = fields[second], fields[first]
        lines[index] = separator.join(fields)
    elif len(line) >= 4:
        width = draw(st.integers(1, len(line) // 2))
        first = draw(st.integers(0, len(line) - 2 * width))
        second = draw(st.integers(first + width, len(line) - width))
        lines[index] = (
            line[:first]
            + line[second : second + width]
            + line[first + width : second]
            + line[first : first + width]
            + line[second + width :]
        )
    return b"\n".join(lines)


_VALUE = re.compile(rb">([^<>]{1,60})<|\d[\d,.\-/ ]*")


def replace_value(draw: Callable, data: bytes) -> bytes:
    """An XML text node or a run of digits replaced by a hostile value."""
    values = list(_VALUE.finditer(data[:200_000]))
    if not values:
        return data
    match = draw(st.sampled_from(values))
    start, end = match.span(1) if match.group(1) is not None else match.span()
    return data[:start] + draw(st.sampled_from(HOSTILE)) + data[end:]


def insert_hostile(draw: Callable, data: bytes) -> bytes:
    at = draw(st.integers(0, len(data)))
    return data[:at] + draw(st.sampled_from(HOSTILE)) + data[at:]


def delete_span(draw: Callable, data: bytes) -> bytes:
    start = draw(st.integers(0, len(data)))
    return data[:start] + data[start + draw(st.integers(1, 80)) :]


MUTATIONS = [
    flip_bytes,
    truncate,
    duplicate_line,
    remove_line,
    swap_lines,
    reencode,
    swap_fields,
    replace_value,
    replace_value,  # the mutation that reaches furthest into a parser: drawn twice as often
    insert_hostile,
    delete_span,
]


@st.composite
def mutated(draw: Callable, samples: Iterable[bytes]) -> bytes:
    """One of `samples`, damaged by one to three mutations."""
    data = draw(st.sampled_from(list(samples)))
    for _ in range(draw(st.integers(1, 3))):
        data = draw(st.sampled_from(MUTATIONS))(draw, data)
    return data


# --- what a refusal must look like -------------------------------------------------------------

# A Python exception leaking into a message: its class name, a repr, a traceback. (Named
# one by one: a message may quote the file's content, which may hold any word.)
_RAW = re.compile(
    r"Traceback|\b(Key|Index|Value|Type|Attribute|Unicode\w*|Runtime|Assertion|OS|Zero\w*|"
    r"XMLSyntax|Parse|Lookup|NotImplemented)Error\b|InvalidOperation|object at 0x|"
    r"erreur interne|codec can't|list index|invalid literal|NoneType"
)
# French: an accented letter or one of the words every project message uses.
_FRENCH = re.compile(
    r"[éèêàâçùûîô]|\b(de|du|des|le|la|les|un|une|est|sans|aucun|aucune|ligne|fichier|au|aux|"
    r"en|pas|ni|ou|non|inconnue?|illisible|manquante?|invalide|attendue?|trop|vide|absente?|"
    r"devise|montant|colonne|champ|facture|solde)\b",
    re.IGNORECASE,
)


def assert_clear(message: str) -> None:
    """A message a user can act on: not empty, French, no Python internals."""
    assert message.strip(), "empty error message"
    assert not _RAW.search(message), f"internal error leaked to the user: {message!r}"
    assert _FRENCH.search(message), f"not a French message: {message!r}"


def line_count(data: bytes) -> int:
    """An upper bound on the lines of a file, whatever its encoding and line ends."""
    return data.count(b"\n") + data.count(b"\r") + 1
