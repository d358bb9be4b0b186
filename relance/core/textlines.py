"""Text files as exporters write them: any of three encodings, any line ends.

French accounting and banking exports (FEC, CFONB, CSV) come as UTF-8 with or without BOM,
or in a legacy Windows/ISO encoding, with LF, CRLF, CR, or even "\\r\\r\\n" line ends mixed in
one file. `decode` reads UTF-8 when the bytes are valid UTF-8, else cp1252 when bytes
0x80-0x9F occur (control characters in ISO-8859-15, letters and € in cp1252), else
ISO-8859-15. The line readers never produce an empty last line for a final terminator.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterable, Iterator

_LINE_END = re.compile(r"\r*\n|\r")
_C1 = re.compile(rb"[\x80-\x9f]")


def decode(data: bytes) -> str:
    """Text of an export file: UTF-8 (BOM stripped), else cp1252 or ISO-8859-15."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = _decode_legacy(data)
    return text.removeprefix("\ufeff")


def _decode_legacy(data: bytes) -> str:
    if _C1.search(data):
        try:
            return data.decode("cp1252")
        except UnicodeDecodeError:
            pass
    return data.decode("iso-8859-15")


def split_lines(text: str) -> list[str]:
    """Lines without terminators; a final terminator does not make an empty last line."""
    if "\r" in text:
        text = _LINE_END.sub("\n", text)
    lines = text.split("\n")
    if lines[-1] == "":
        lines.pop()
    return lines


def iter_lines(text: str, block: int = 1 << 20) -> Iterator[str]:
    """Like `split_lines`, one line at a time, never copying more than `block` characters."""
    return _lines_of_blocks(text[start : start + block] for start in range(0, len(text), block))


def iter_file_lines(chunks: Iterable[bytes]) -> Iterator[str]:
    """Decode and split a file read in chunks, without holding it whole in memory.

    UTF-8 is assumed until a byte proves otherwise; the rest is then read as `decode` would
    read a legacy file (what came before was ASCII, identical in all three encodings)."""
    decoder = _ChunkDecoder()

    def blocks() -> Iterator[str]:
        for chunk in chunks:
            yield decoder.decode(chunk)
        yield decoder.decode(b"", final=True)

    return _lines_of_blocks(blocks())


def _lines_of_blocks(blocks: Iterable[str]) -> Iterator[str]:
    pending = ""
    for block in blocks:
        text = pending + block
        # A trailing CR may be the start of CRLF or CR CR LF split across two blocks.
        body = text.rstrip("\r")
        lines = split_lines(body + "\n")
        pending = lines.pop() + text[len(body) :]
        yield from lines
    yield from split_lines(pending)


class _ChunkDecoder:
    def __init__(self) -> None:
        self._utf8 = codecs.getincrementaldecoder("utf-8")()
        self._legacy: codecs.IncrementalDecoder | None = None
        self._first = True

    def decode(self, data: bytes, final: bool = False) -> str:
        text = self._decode(data, final)
        if self._first and text:
            self._first = False
            text = text.removeprefix("\ufeff")
        return text

    def _decode(self, data: bytes, final: bool) -> str:
        if self._legacy is None:
            buffered = self._utf8.getstate()[0]
            try:
                return self._utf8.decode(data, final)
            except UnicodeDecodeError:
                encoding = "cp1252" if _C1.search(data) else "iso-8859-15"
                self._legacy = codecs.getincrementaldecoder(encoding)(errors="replace")
                data = buffered + data
        return self._legacy.decode(data, final)
