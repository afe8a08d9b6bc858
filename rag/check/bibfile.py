"""The .bib file that goes with a manuscript: every entry (with or without an abstract), with its line.

Unlike the ingest reader (:func:`rag.sources.readers.read_bibtex`), which only keeps entries that can be
library papers, a manuscript check needs every entry the draft may cite, to resolve its key to a
library paper by DOI, arXiv id or title, or to check the sentence against the entry's own abstract.
An entry that does not parse, or repeats a key, is a :class:`~rag.errors.DraftError` naming its
line; the other entries are kept.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import bibtexparser

from rag.errors import DraftError
from rag.sources.corpus import Paper, make_paper
from rag.sources.identifiers import normal_arxiv, normal_doi
from rag.sources.latex import clean_latex

_BRACES = re.compile(r"(?<!\\)[{}]")


def _plain(value: str) -> str:
    return " ".join(_BRACES.sub("", clean_latex(value)).split())


@dataclass(frozen=True)
class BibEntry:
    key: str
    line: int
    title: str
    abstract: str
    authors: tuple[str, ...] = ()
    year: str | None = None
    doi: str | None = None
    arxiv_id: str | None = None
    bibtex: str = ""
    """The entry as the user wrote it."""

    def as_paper(self, name: str) -> Paper | None:
        """The entry as a paper to check against (None without a title and an abstract)."""
        record = {"title": self.title, "abstract": self.abstract, "authors": list(self.authors)}
        record |= {"year": self.year, "doi": self.doi, "arxiv_id": self.arxiv_id, "bibkey": self.key}
        try:
            return make_paper(record, source=name)
        except ValueError:
            return None


@dataclass
class BibFile:
    entries: dict[str, BibEntry] = field(default_factory=dict)
    problems: list[DraftError] = field(default_factory=list)


def _arxiv_of(fields: dict[str, str]) -> str | None:
    prefix = fields.get("archiveprefix", "").lower()
    if fields.get("eprint") and prefix in ("", "arxiv"):
        return normal_arxiv(fields["eprint"])
    for name in ("journal", "howpublished", "url", "note"):
        value = fields.get(name, "")
        if "arxiv" in value.lower():
            return normal_arxiv(value)
    return None


def parse_bib(text: str, *, name: str = "refs.bib") -> BibFile:
    """Every entry of a .bib text by key; unparsable blocks and repeated keys as problems."""
    library = bibtexparser.parse_string(text)
    result = BibFile()
    for block in library.failed_blocks:
        line = (block.start_line or 0) + 1
        duplicate = getattr(block, "key", None)
        if duplicate and type(block).__name__.startswith("Duplicate"):
            reason = f"the key {duplicate!r} is defined again (the first entry is used)"
        else:
            error = getattr(block, "error", None)
            detail = getattr(error, "abort_reason", None) or str(error or "") or type(block).__name__
            reason = "entry does not parse: " + detail.strip().splitlines()[0][:160]
        result.problems.append(DraftError(name, reason, line=line))
    for entry in library.entries:
        fields = {f.key.lower(): str(f.value) for f in entry.fields}
        authors = tuple(
            _plain(author) for author in re.split(r"\s+and\s+", fields.get("author", "")) if author.strip()
        )
        result.entries.setdefault(
            entry.key,
            BibEntry(
                key=entry.key,
                line=(entry.start_line or 0) + 1,
                title=_plain(fields.get("title", "")),
                abstract=_plain(fields.get("abstract", "")),
                authors=authors,
                year=fields.get("year"),
                doi=normal_doi(fields.get("doi")),
                arxiv_id=_arxiv_of(fields),
                bibtex=entry.raw or "",
            ),
        )
    return result
