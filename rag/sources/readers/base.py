"""What every reader shares: its result type, the slice options, and building one paper safely."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rag.errors import CorpusError
from rag.sources.bibtex_values import safe_key
from rag.sources.paper import Paper, make_paper


@dataclass
class FileResult:
    """The papers read from one file and a problem for each record that was skipped."""

    papers: list[Paper] = field(default_factory=list)
    problems: list[CorpusError] = field(default_factory=list)
    notes: list[CorpusError] = field(default_factory=list)
    """Records kept with a change the user should know of (a citation key made safe)."""
    lines: int = 0
    """Lines (or records) looked at; the arXiv slice benchmark divides by it."""


MIB = 1 << 20


@dataclass(frozen=True)
class ReadOptions:
    """What a read may open and how much of it (:mod:`rag.sources.readers.files`), and a slice of a large
    arXiv metadata dump: only these categories, only from this year on."""

    categories: frozenset[str] = frozenset()
    since: int | None = None
    roots: tuple[Path, ...] = ()
    """Resolved folders; when given, every file read (named, or found in a folder) must resolve
    inside one of them."""
    max_file_bytes: int = 128 * MIB
    """The largest file read whole: .bib, .csv, .ris, .txt (and a UTF-16 .jsonl)."""
    max_stream_bytes: int = 32 * 1024 * MIB
    """The largest .jsonl file, read line by line (the arXiv metadata snapshot is about 5 GB)."""
    max_record_bytes: int = MIB
    """The longest JSON line, BibTeX entry or RIS record; a longer one is skipped unparsed."""
    max_pdf_bytes: int = 512 * MIB
    """The largest PDF read (read a page at a time, so memory does not grow with the file)."""

    def wants(self, categories: list[str], year: int | None) -> bool:
        if self.categories and not any(
            category in self.categories or category.split(".")[0] in self.categories
            for category in categories
        ):
            return False
        return self.since is None or (year is not None and year >= self.since)


def safe_record_key(record: Mapping[str, Any]) -> tuple[Mapping[str, Any], str | None]:
    """``record`` with its citation key in its safe form
    (:func:`rag.sources.bibtex_values.safe_key`), and a note for the user when that changed the key
    (``k1}\\input{x}`` is kept as ``k1-input-x``, never read as LaTeX and cut to ``k1``)."""
    raw = record.get("bibkey")
    if raw is None or not str(raw).strip():
        return record, None
    written = str(raw).strip()
    key = safe_key(written)
    if key == written:
        return record, None
    return {
        **record,
        "bibkey": key,
    }, f"citation key {written!r} has characters keys cannot have; using {key!r}"


def build(record: Mapping[str, Any], path: Path, line: int, result: FileResult) -> None:
    """Add the paper ``record`` describes, or a problem naming ``path`` and ``line``; a citation
    key made safe is kept with a note."""
    record, note = safe_record_key(record)
    try:
        result.papers.append(make_paper(record, source=path.name))
    except ValueError as error:
        result.problems.append(CorpusError(path, str(error), line=line))
        return
    if note:
        result.notes.append(CorpusError(path, note, line=line))
