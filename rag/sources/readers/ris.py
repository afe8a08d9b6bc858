"""RIS (Zotero, Mendeley, EndNote, Scopus, Web of Science exports), parsed with ``rispy``.

The file is cut into ``TY ... ER`` records here so that every problem names the record's own first
line; each record is then parsed by rispy. Tags read: TY, TI/T1, AU/A1, PY/Y1/DA, AB/N2,
JO/T2/JF/BT, DO, UR, KW, ID.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import rispy

from rag.errors import CorpusError
from rag.sources.readers.base import FileResult, ReadOptions, build

_TAG = re.compile(r"^([A-Z][A-Z0-9])  -( |$)")
# RIS reference types -> BibTeX entry types (others become misc).
TYPES = {
    "JOUR": "article",
    "JFULL": "article",
    "MGZN": "article",
    "NEWS": "article",
    "CONF": "inproceedings",
    "CPAPER": "inproceedings",
    "CHAP": "incollection",
    "BOOK": "book",
    "THES": "phdthesis",
    "RPRT": "techreport",
}


def _records(text: str) -> Iterator[tuple[int, str]]:
    """``(first line number, record text)`` for each ``TY ... ER`` record."""
    start: int | None = None
    lines: list[str] = []
    for number, line in enumerate(text.splitlines(), start=1):
        tag = _TAG.match(line)
        if tag and tag.group(1) == "TY":
            if start is not None:  # a record without its ER line: end it here
                yield start, "\n".join(lines)
            start, lines = number, [line]
        elif start is not None:
            lines.append(line)
            if tag and tag.group(1) == "ER":
                yield start, "\n".join(lines)
                start, lines = None, []
    if start is not None:
        yield start, "\n".join(lines)


def _first(entry: dict[str, Any], *names: str) -> Any:
    for name in names:
        value = entry.get(name)
        if value:
            return value[0] if isinstance(value, list) else value
    return None


def _record(entry: dict[str, Any]) -> dict[str, Any]:
    authors = entry.get("authors") or entry.get("first_authors") or []
    return {
        "title": _first(entry, "title", "primary_title"),
        "abstract": _first(entry, "abstract", "notes_abstract"),
        "authors": authors,
        "year": _first(entry, "year", "publication_year", "date"),
        "venue": _first(entry, "journal_name", "secondary_title", "alternate_title3"),
        "doi": _first(entry, "doi"),
        "url": _first(entry, "urls"),
        "tags": entry.get("keywords") or [],
        "entry_type": TYPES.get(str(entry.get("type_of_reference", "")).strip(), "misc"),
    }


def read_ris(path: Path, text: str, options: ReadOptions) -> FileResult:
    result = FileResult()
    for line, record in _records(text):
        result.lines += 1
        if len(record) > options.max_record_bytes:
            message = f"record is {len(record)} characters long (at most {options.max_record_bytes}); skipped"
            result.problems.append(CorpusError(path, message, line=line))
            continue
        if not record.rstrip().endswith(("ER  -", "ER  - ")) and "\nER  -" not in record:
            result.problems.append(CorpusError(path, "record has no closing 'ER  -' line", line=line))
            continue
        try:
            (entry,) = rispy.loads(record + "\n", skip_unknown_tags=True)
        except (rispy.parser.ParseError, ValueError, KeyError) as error:
            reason = " ".join(str(error).split())
            result.problems.append(CorpusError(path, f"RIS record cannot be read ({reason})", line=line))
            continue
        build(_record(entry), path, line, result)
    if not result.lines:
        raise CorpusError(path, "no RIS records found (expected lines starting 'TY  - ')", line=1)
    return result
