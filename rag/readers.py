"""One reader per source format; :func:`read_file` picks one by the file's extension.

- ``.txt``: a "daily papers" listing page dump (title line, then abstract line, repeated)
- ``.jsonl``: one JSON object per line with ``title`` and ``abstract`` (optional metadata)
- ``.csv``: a header row naming at least ``title`` and ``abstract`` columns
- ``.bib``: BibTeX entries with an ``abstract`` field (parsed with bibtexparser)

Each reader returns the papers it could build and a :class:`~rag.errors.CorpusError` for every
record it had to skip; a file that cannot be read at all raises :class:`~rag.errors.CorpusError`.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import bibtexparser

from rag.corpus import Paper, make_paper
from rag.errors import CorpusError


@dataclass
class FileResult:
    papers: list[Paper] = field(default_factory=list)
    problems: list[CorpusError] = field(default_factory=list)


def decode(path: Path, data: bytes) -> str:
    """Decode a text file: BOMs honoured, UTF-8 expected, Latin-1 accepted; binary refused."""
    for bom, encoding in (
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if data.startswith(bom):
            try:
                return data.decode(encoding)
            except UnicodeDecodeError as error:
                raise CorpusError(path, f"not valid {encoding} text ({error.reason})") from None
    if b"\x00" in data[:8192]:
        raise CorpusError(path, "looks like a binary file, expected text")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        # Reference managers on Windows still write cp1252/Latin-1; every byte decodes there.
        return data.decode("cp1252", errors="replace")


def _build(record: Mapping[str, Any], path: Path, line: int, result: FileResult) -> None:
    try:
        result.papers.append(make_paper(record, source=path.name))
    except ValueError as error:
        result.problems.append(CorpusError(path, str(error), line=line))


# -- daily papers page dump ---------------------------------------------------------------------

_PAGE_CHROME = re.compile(
    r"^(new|Subscribe|byAK and the research community|Get trending papers in your email inbox.*"
    r"|[A-Z][a-z]{2} \d{1,2}(, \d{4})?)$"
)
_MIN_ABSTRACT_CHARS = 150
_MAX_TITLE_CHARS = 400


def read_daily_papers(path: Path, text: str) -> FileResult:
    """Read a "daily papers" listing page: a title line followed by its abstract line."""
    lines = [(number, line.strip()) for number, line in enumerate(text.splitlines(), start=1)]
    lines = [(number, line) for number, line in lines if line]
    result = FileResult()
    # The page header ends with "Subscribe", sometimes glued to the first title.
    for index, (number, line) in enumerate(lines):
        if line.startswith("Subscribe"):
            rest = line[len("Subscribe") :].strip()
            lines = ([(number, rest)] if rest else []) + lines[index + 1 :]
            break
    lines = [(number, line) for number, line in lines if not _PAGE_CHROME.match(line)]
    index = 0
    while index < len(lines):
        number, title = lines[index]
        following = lines[index + 1][1] if index + 1 < len(lines) else ""
        if len(title) <= _MAX_TITLE_CHARS and len(following) >= _MIN_ABSTRACT_CHARS:
            _build({"title": title, "abstract": following}, path, number, result)
            index += 2
        else:
            result.problems.append(
                CorpusError(path, "expected a title line followed by its abstract", line=number)
            )
            index += 1
    return result


# -- JSON Lines ---------------------------------------------------------------------------------


def read_jsonl(path: Path, text: str) -> FileResult:
    result = FileResult()
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as error:
            result.problems.append(CorpusError(path, f"not valid JSON ({error.msg})", line=number))
            continue
        if not isinstance(record, dict):
            result.problems.append(
                CorpusError(path, f"expected a JSON object, got {type(record).__name__}", line=number)
            )
            continue
        _build(record, path, number, result)
    return result


# -- CSV ----------------------------------------------------------------------------------------

_CSV_ALIASES = {"authors": ("authors", "author"), "venue": ("venue", "journal", "booktitle")}


def read_csv(path: Path, text: str) -> FileResult:
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.DictReader(io.StringIO(text, newline=""), dialect=dialect)
    columns = {name.strip().lower(): name for name in reader.fieldnames or [] if name}
    missing = [name for name in ("title", "abstract") if name not in columns]
    if missing:
        found = ", ".join(columns) or "none"
        raise CorpusError(path, f"CSV header lacks column(s) {', '.join(missing)}; found: {found}", line=1)
    result = FileResult()
    for row in reader:
        record: dict[str, Any] = {key: row.get(columns[key]) for key in columns if key}
        for canonical, aliases in _CSV_ALIASES.items():
            for alias in aliases:
                if record.get(alias):
                    record[canonical] = record[alias]
                    break
        _build(record, path, reader.line_num, result)
    return result


# -- BibTeX -------------------------------------------------------------------------------------

_BRACES = re.compile(r"(?<!\\)[{}]")


def _unbrace(value: str) -> str:
    from rag.latex import clean_latex

    return _BRACES.sub("", clean_latex(value))


def read_bibtex(path: Path, text: str) -> FileResult:
    library = bibtexparser.parse_string(text)
    result = FileResult()
    for block in library.failed_blocks:
        error = getattr(block, "error", None)
        reason = getattr(error, "abort_reason", None) or str(error or "") or type(block).__name__
        result.problems.append(
            CorpusError(path, f"unparseable BibTeX entry: {reason.strip()}", line=block.start_line)
        )
    for entry in library.entries:
        fields = {f.key.lower(): f.value for f in entry.fields}
        record = {
            "title": _unbrace(fields.get("title", "")),
            "abstract": _unbrace(fields.get("abstract", "")),
            "authors": [_unbrace(name) for name in re.split(r"\s+and\s+", fields.get("author", "")) if name],
            "year": fields.get("year"),
            "venue": _unbrace(fields.get("journal") or fields.get("booktitle") or ""),
            "url": fields.get("url"),
            "doi": fields.get("doi"),
            "arxiv_id": fields.get("eprint")
            if "arxiv" in fields.get("archiveprefix", "arxiv").lower()
            else None,
            "bibkey": entry.key,
        }
        _build(record, path, entry.start_line or 0, result)
    return result


READERS: dict[str, Callable[[Path, str], FileResult]] = {
    ".txt": read_daily_papers,
    ".jsonl": read_jsonl,
    ".csv": read_csv,
    ".bib": read_bibtex,
}
SUFFIXES = frozenset(READERS)


def read_file(path: Path) -> FileResult:
    """Read one source file with the reader its extension names."""
    reader = READERS.get(path.suffix.lower())
    if reader is None:
        raise CorpusError(
            path, f"unknown file type {path.suffix!r}; expected one of {', '.join(sorted(READERS))}"
        )
    try:
        data = path.read_bytes()
    except OSError as error:
        raise CorpusError(path, error.strerror or str(error)) from None
    if not data.strip():
        raise CorpusError(path, "file is empty")
    return reader(path, decode(path, data))
