"""Read source files into :class:`Paper` records, clean them and de-duplicate them.

Formats are picked by extension (see :mod:`rag.readers`). Problems with single records are
collected as :class:`~rag.errors.CorpusError` values naming the file and line, so the good records
of a file are kept; a file that cannot be read at all raises.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rag.errors import CorpusError
from rag.latex import clean_latex

MAX_TITLE_CHARS = 1_000
MAX_ABSTRACT_CHARS = 20_000
_SPACE = re.compile(r"\s+")


@dataclass(frozen=True, slots=True)
class Paper:
    """One paper: a title and abstract, plus whatever metadata the source had."""

    id: str
    title: str
    abstract: str
    authors: tuple[str, ...] = ()
    year: int | None = None
    venue: str | None = None
    url: str | None = None
    doi: str | None = None
    arxiv_id: str | None = None
    bibkey: str | None = None
    source: str | None = None

    @property
    def content_hash(self) -> str:
        """Changes whenever anything that is indexed or shown about the paper changes."""
        data = dataclasses.asdict(self)
        data.pop("source")
        blob = json.dumps(data, sort_keys=True, ensure_ascii=False)
        return hashlib.sha1(blob.encode("utf-8")).hexdigest()[:16]

    def to_dict(self) -> dict[str, Any]:
        data = dataclasses.asdict(self)
        data["authors"] = list(self.authors)
        return {key: value for key, value in data.items() if value not in (None, [], "")}


@dataclass
class ReadReport:
    """The papers read from some sources, and what was skipped or rejected on the way."""

    papers: list[Paper] = field(default_factory=list)
    duplicates: int = 0
    problems: list[CorpusError] = field(default_factory=list)


def title_key(title: str) -> str:
    """Normalise a title for de-duplication: accents, case, punctuation and spacing ignored."""
    text = unicodedata.normalize("NFKD", title)
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).casefold()
    text = re.sub(r"[^\w]+", " ", text)
    return _SPACE.sub(" ", text).strip()


def paper_id(title: str) -> str:
    """A stable id derived from the normalised title."""
    return "p" + hashlib.sha1(title_key(title).encode("utf-8")).hexdigest()[:12]


def _text(value: Any) -> str:
    return _SPACE.sub(" ", clean_latex(str(value))).strip() if value is not None else ""


def _optional(value: Any) -> str | None:
    text = _text(value)
    return text or None


def _authors(value: Any) -> tuple[str, ...]:
    if value is None or value == "":
        return ()
    if isinstance(value, str):
        parts = re.split(r"\s+and\s+|;", value) if (" and " in value or ";" in value) else [value]
    elif isinstance(value, Iterable):
        parts = [str(part) for part in value]
    else:
        raise ValueError(f"authors must be a list or a string, got {type(value).__name__}")
    return tuple(name for name in (_text(part) for part in parts) if name)


def _year(value: Any) -> int | None:
    if value is None or value == "":
        return None
    match = re.search(r"\b(1[89]\d\d|2[01]\d\d)\b", str(value))
    if match is None:
        raise ValueError(f"year must be a four-digit year, got {str(value)[:40]!r}")
    return int(match.group(1))


def make_paper(record: Mapping[str, Any], *, source: str) -> Paper:
    """Build a cleaned :class:`Paper` from a mapping of raw fields.

    Raises ``ValueError`` with a short reason when the record cannot be a paper.
    """
    title = _text(record.get("title"))
    abstract = _text(record.get("abstract"))
    if not title:
        raise ValueError("no title")
    if len(title) > MAX_TITLE_CHARS:
        raise ValueError(f"title is {len(title)} characters long (at most {MAX_TITLE_CHARS})")
    if not abstract:
        raise ValueError(f"no abstract for {title[:60]!r}")
    if len(abstract) > MAX_ABSTRACT_CHARS:
        raise ValueError(
            f"abstract of {title[:60]!r} is {len(abstract)} characters long (at most {MAX_ABSTRACT_CHARS})"
        )
    return Paper(
        id=paper_id(title),
        title=title,
        abstract=abstract,
        authors=_authors(record.get("authors")),
        year=_year(record.get("year")),
        venue=_optional(record.get("venue")),
        url=_optional(record.get("url")),
        doi=_optional(record.get("doi")),
        arxiv_id=_optional(record.get("arxiv_id")),
        bibkey=_optional(record.get("bibkey")),
        source=source,
    )


def _merge(first: Paper, other: Paper) -> Paper:
    """Keep ``first`` but fill metadata it lacks from a duplicate ``other``."""
    updates = {
        name: getattr(other, name)
        for name in ("authors", "year", "venue", "url", "doi", "arxiv_id", "bibkey")
        if not getattr(first, name) and getattr(other, name)
    }
    return dataclasses.replace(first, **updates) if updates else first


def deduplicate(papers: Iterable[Paper]) -> tuple[list[Paper], int]:
    """Drop papers whose normalised title was seen before; return the rest and the drop count."""
    kept: dict[str, Paper] = {}
    dropped = 0
    for paper in papers:
        if paper.id in kept:
            kept[paper.id] = _merge(kept[paper.id], paper)
            dropped += 1
        else:
            kept[paper.id] = paper
    return list(kept.values()), dropped


def read_paths(paths: Iterable[Path]) -> ReadReport:
    """Read every file (directories are walked), clean and de-duplicate the papers.

    A file that cannot be read at all is reported as a problem, and the other files are still read.
    """
    from rag.readers import read_file  # the readers import Paper from here

    report = ReadReport()
    everything: list[Paper] = []
    for path in _expand(paths):
        try:
            result = read_file(path)
        except CorpusError as error:
            report.problems.append(error)
            continue
        everything.extend(result.papers)
        report.problems.extend(result.problems)
    report.papers, report.duplicates = deduplicate(everything)
    return report


def _expand(paths: Iterable[Path]) -> list[Path]:
    from rag.readers import SUFFIXES

    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(sorted(p for p in path.rglob("*") if p.suffix.lower() in SUFFIXES))
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
