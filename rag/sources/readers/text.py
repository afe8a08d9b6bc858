"""Bytes to text for the readers: BOMs honoured, UTF-8 decoded line by line, bad lines reported.

A UTF-8 file with a few undecodable lines keeps every good line; each bad one is reported with its
number and skipped (left empty, so the numbers of the others stay right). Only a file in which no
line is valid non-ASCII UTF-8 is taken for a legacy 8-bit export and decoded as cp1252 (what
reference managers on Windows wrote); a UTF-8 file is never re-decoded that way.
"""

from __future__ import annotations

import codecs
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import BinaryIO

from rag.errors import CorpusError

_UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
LEGACY_ENCODING = "cp1252"


def _bad_line(path: Path, number: int, raw: bytes, error: UnicodeDecodeError) -> CorpusError:
    byte = raw[error.start] if error.start < len(raw) else 0
    return CorpusError(
        path, f"not valid UTF-8 (byte 0x{byte:02x} at column {error.start + 1}); line skipped", line=number
    )


def _is_utf8_text(raw: bytes) -> bool:
    """Whether a line holds non-ASCII characters that decode as UTF-8."""
    if raw.isascii():
        return False
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _any_utf8(lines: Iterable[bytes | int]) -> bool:
    return any(isinstance(raw, bytes) and _is_utf8_text(raw) for raw in lines)


def decode(path: Path, data: bytes) -> tuple[str, list[CorpusError]]:
    """The text of a whole file, and a problem for each line that is not valid UTF-8."""
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    elif data.startswith(_UTF16_BOMS):
        try:
            return data.decode("utf-16"), []
        except UnicodeDecodeError as error:
            raise CorpusError(path, f"not valid UTF-16 text ({error.reason})") from None
    if b"\x00" in data[:8192]:
        raise CorpusError(path, "looks like a binary file, expected text")
    try:
        return data.decode("utf-8"), []
    except UnicodeDecodeError:
        pass
    lines = data.splitlines(keepends=True)
    if not _any_utf8(lines):
        return data.decode(LEGACY_ENCODING, errors="replace"), []
    problems: list[CorpusError] = []
    text: list[str] = []
    for number, raw in enumerate(lines, start=1):
        try:
            text.append(raw.decode("utf-8"))
        except UnicodeDecodeError as error:
            problems.append(_bad_line(path, number, raw, error))
            text.append("\n")
    return "".join(text), problems


def bounded_lines(handle: BinaryIO, limit: int) -> Iterator[bytes | int]:
    """Each line of ``handle``; for a line longer than ``limit`` bytes, its length instead, found
    by reading it in pieces of at most ``limit`` bytes (so no more is ever held)."""
    while raw := handle.readline(limit + 1):
        if len(raw) <= limit or raw.endswith(b"\n"):
            yield raw
            continue
        size = len(raw)
        while raw and not raw.endswith(b"\n"):
            raw = handle.readline(limit)
            size += len(raw)
        yield size


def stream_lines(
    path: Path, handle: BinaryIO, problems: list[CorpusError], max_line_bytes: int
) -> Iterator[tuple[int, str]]:
    """``(line number, text)`` for each line of an open binary file, read as a stream.

    Undecodable lines (see the module docstring) and lines longer than ``max_line_bytes`` are
    appended to ``problems`` and skipped.
    """
    legacy: bool | None = None
    for number, raw in enumerate(bounded_lines(handle, max_line_bytes), start=1):
        if isinstance(raw, int):
            message = f"line is {raw} bytes long (at most {max_line_bytes}); skipped"
            problems.append(CorpusError(path, message, line=number))
            continue
        if number == 1 and raw.startswith(codecs.BOM_UTF8):
            raw = raw[len(codecs.BOM_UTF8) :]
        if legacy:
            yield number, raw.decode(LEGACY_ENCODING, errors="replace")
            continue
        try:
            yield number, raw.decode("utf-8")
            legacy = legacy if raw.isascii() else False
        except UnicodeDecodeError as error:
            if legacy is None:  # nothing non-ASCII seen yet: look ahead once to decide
                here = handle.tell()
                handle.seek(0)
                legacy = not _any_utf8(bounded_lines(handle, max_line_bytes))
                handle.seek(here)
            if legacy:
                yield number, raw.decode(LEGACY_ENCODING, errors="replace")
            else:
                problems.append(_bad_line(path, number, raw, error))
