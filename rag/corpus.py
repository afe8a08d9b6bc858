"""Read source files into :class:`~rag.paper.Paper` records, clean them and de-duplicate them.

Formats are picked by extension (see :mod:`rag.readers`). Problems with single records are
collected as :class:`~rag.errors.CorpusError` values naming the file and line, so the good records
of a file are kept; a path that cannot be read at all (missing, no permission, unknown type) is
one problem of its own, and the other paths are still read.
"""

from __future__ import annotations

import dataclasses
import json
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from rag.errors import CorpusError
from rag.paper import MAX_ABSTRACT_CHARS, MAX_TITLE_CHARS, Paper, make_paper, paper_id, title_key
from rag.readers import SUFFIXES, ReadOptions, read_file

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


def read_paths(paths: Iterable[Path], options: ReadOptions | None = None) -> ReadReport:
    """Read every file (directories are walked), clean and de-duplicate the papers.

    Each path that cannot be read is reported as one problem, and the others are still read.
    """
    report = ReadReport()
    everything: list[Paper] = []
    for path in _expand(paths, report):
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


def _walk(folder: Path, report: ReadReport) -> Iterator[Path]:
    def failed(error: OSError) -> None:
        report.problems.append(CorpusError(error.filename or folder, f"cannot read: {error.strerror}"))
        report.skipped_paths += 1

    for root, dirs, files in os.walk(folder, onerror=failed):
        dirs.sort()
        for name in sorted(files):
            if Path(name).suffix.lower() in SUFFIXES:
                yield Path(root) / name


def _expand(paths: Iterable[Path], report: ReadReport) -> list[Path]:
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(_walk(path, report))
        elif not path.exists():
            report.problems.append(CorpusError(path, "no such file or folder"))
            report.skipped_paths += 1
        else:
            files.append(path)
    return files


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
