"""Read source files into :class:`~rag.sources.paper.Paper` records, clean them and de-duplicate them.

Formats are picked by extension (see :mod:`rag.sources.readers`). Problems with single records are
collected as :class:`~rag.errors.CorpusError` values naming the file and line, so the good records
of a file are kept; a path that cannot be read at all (missing, no permission, unknown type, not a
regular file, too large, outside the allowed folders) is one problem of its own, and the other
paths are still read. Folders are walked and files opened by :mod:`rag.sources.readers.files`.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from rag.errors import CorpusError
from rag.sources.paper import MAX_ABSTRACT_CHARS, MAX_TITLE_CHARS, Paper, make_paper, paper_id, title_key
from rag.sources.readers import SUFFIXES, ReadOptions, find_files, read_file

PDF = ".pdf"

__all__ = [
    "MAX_ABSTRACT_CHARS",
    "MAX_TITLE_CHARS",
    "Paper",
    "ReadOptions",
    "ReadReport",
    "deduplicate",
    "make_paper",
    "paper_id",
    "read_paths",
    "title_key",
    "write_jsonl",
]


@dataclass
class ReadReport:
    """The papers read from some sources, and what was skipped or rejected on the way."""

    papers: list[Paper] = field(default_factory=list)
    duplicates: int = 0
    problems: list[CorpusError] = field(default_factory=list)
    notes: list[CorpusError] = field(default_factory=list)
    """Records kept with a change the user should know of (a citation key made safe)."""
    conflicts: list[str] = field(default_factory=list)
    """Titles read more than once with different abstracts (the first abstract is kept)."""
    skipped_paths: int = 0
    """Paths that could not be read at all (missing, no permission, unknown type, empty)."""
    lines: int = 0
    pdfs: list[Path] = field(default_factory=list)
    """PDFs named or found in a folder, in walk order, for the caller to read (``pdfs=True``)."""


_METADATA = ("authors", "year", "venue", "url", "doi", "arxiv_id", "bibkey", "entry_type", "bib_fields")


def _merge(first: Paper, other: Paper) -> Paper:
    """Keep ``first`` but fill metadata it lacks from a duplicate ``other``; tags are united."""
    updates = {
        name: getattr(other, name) for name in _METADATA if not getattr(first, name) and getattr(other, name)
    }
    for name in ("tags", "collections"):
        united = tuple(dict.fromkeys((*getattr(first, name), *getattr(other, name))))
        if united != getattr(first, name):
            updates[name] = united
    return dataclasses.replace(first, **updates) if updates else first


def deduplicate(papers: Iterable[Paper], conflicts: list[str] | None = None) -> tuple[list[Paper], int]:
    """Drop papers whose normalised title was seen before; return the rest and the drop count.

    The title of each duplicate whose abstract differs from the kept one is appended to
    ``conflicts`` (once per title).
    """
    kept: dict[str, Paper] = {}
    dropped = 0
    for paper in papers:
        if paper.id in kept:
            title = kept[paper.id].title
            if conflicts is not None and paper.abstract != kept[paper.id].abstract and title not in conflicts:
                conflicts.append(title)
            kept[paper.id] = _merge(kept[paper.id], paper)
            dropped += 1
        else:
            kept[paper.id] = paper
    return list(kept.values()), dropped


def read_paths(
    paths: Iterable[Path], options: ReadOptions | None = None, *, pdfs: bool = False
) -> ReadReport:
    """Read every file (folders are walked), clean and de-duplicate the papers.

    Each path that cannot be read is reported as one problem, and the others are still read;
    ``options`` bound what may be read (:class:`~rag.sources.readers.base.ReadOptions`). With
    ``pdfs``, PDFs are looked for too and listed in :attr:`ReadReport.pdfs`, unread (their full
    text is the index's to read, :mod:`rag.index.pdf_ingest`).
    """
    report = ReadReport()
    everything: list[Paper] = []
    files, report.problems = find_files(paths, SUFFIXES | {PDF} if pdfs else SUFFIXES)
    report.skipped_paths = len(report.problems)
    for path in files:
        if pdfs and path.suffix.lower() == PDF:
            report.pdfs.append(path)
            continue
        try:
            result = read_file(path, options)
        except CorpusError as error:
            report.problems.append(error)
            report.skipped_paths += 1
            continue
        everything.extend(result.papers)
        report.problems.extend(result.problems)
        report.notes.extend(result.notes)
        report.lines += result.lines
    report.papers, report.duplicates = deduplicate(everything, report.conflicts)
    return report


def write_jsonl(papers: Iterable[Paper], path: Path) -> int:
    """Write papers as JSON Lines (the format :func:`read_paths` reads back); return the count."""
    count = 0
    with path.open("w", encoding="utf-8") as out:
        for paper in papers:
            record = paper.to_dict()
            record.pop("id")
            record.pop("source", None)
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
            count += 1
    return count
