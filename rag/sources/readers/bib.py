"""BibTeX entries with an ``abstract`` field, parsed with bibtexparser.

Titles and abstracts are cleaned (:mod:`rag.sources.latex`); the entry's own type, key and raw fields
are kept with the paper so a citation gives the user's entry back as they wrote it. A key with
characters BibTeX keys must not have (``ev$il#%&``) is replaced by its safe form
(:func:`rag.sources.bibtex_values.safe_key`) and reported, as in every reader
(:func:`rag.sources.readers.base.build`).
URL and DOI fields lose the escapes written for ``\\url`` (``\\_``, ``\\%``...). Problems name the
entry's own first line. An entry longer than :attr:`~rag.sources.readers.base.ReadOptions.max_record_bytes`
is skipped before bibtexparser sees it (it takes seconds per megabyte of one field).
"""

from __future__ import annotations

import itertools
import logging
import re
from pathlib import Path
from typing import Any

import bibtexparser
from bibtexparser.model import DuplicateBlockKeyBlock, DuplicateFieldKeyBlock, Entry

from rag.errors import CorpusError
from rag.sources.bibtex_values import unescape_url
from rag.sources.readers.base import FileResult, ReadOptions, build

_VOLUMES = frozenset({"proceedings", "book", "collection", "periodical"})
_PRIVATE_FIELDS = frozenset({"file"})  # local attachment paths: never written back out
_ENTRY_START = re.compile(r"^[ \t]*@", re.MULTILINE)


def _unwrap(value: Any) -> str:
    """A field value without its enclosing braces or quotes (already gone for clean entries)."""
    text = str(value).strip()
    if len(text) >= 2 and (text[0], text[-1]) in (("{", "}"), ('"', '"')):
        inner = text[1:-1]
        depth = 0
        for char in inner:
            depth += {"{": 1, "}": -1}.get(char, 0)
            if depth < 0:
                return text  # "{a} and {b}": the braces are not one enclosing pair
        return inner
    return text


def _record(entry: Entry, key: str, enclosed: bool) -> dict[str, Any]:
    value = _unwrap if enclosed else str
    own: dict[str, tuple[str, str]] = {}  # lowercased name -> (name as written, value); first wins
    for f in entry.fields:
        own.setdefault(f.key.lower(), (f.key, value(f.value)))
    fields = {name: written for name, (_, written) in own.items()}
    prefix = fields.get("archiveprefix", "arxiv").lower()
    return {
        "title": fields.get("title", ""),
        "abstract": fields.get("abstract", ""),
        "authors": [name for name in re.split(r"\s+and\s+", fields.get("author", "")) if name.strip()],
        "year": fields.get("year") or fields.get("date"),
        "venue": fields.get("journal") or fields.get("booktitle") or fields.get("journaltitle"),
        "url": unescape_url(fields.get("url", "")),
        "doi": unescape_url(fields.get("doi", "")),
        "arxiv_id": fields.get("eprint") if "arxiv" in prefix else None,
        "bibkey": key,
        "tags": fields.get("keywords", ""),
        "entry_type": entry.entry_type.lower(),
        "bib_fields": [pair for name, pair in own.items() if name not in _PRIVATE_FIELDS],
    }


def _failure(block: Any) -> str:
    if isinstance(block, DuplicateBlockKeyBlock):
        return f"a second entry with the key {block.key!r}; the first one is kept"
    return "entry cannot be parsed (unbalanced braces, or a missing comma or quote?); skipped"


def _without_long_entries(path: Path, text: str, limit: int, result: FileResult) -> str:
    """``text`` with each stretch from one ``@`` line to the next longer than ``limit`` blanked
    (its line breaks kept, so the others' line numbers stay right) and reported."""
    starts = [0, *(match.start() for match in _ENTRY_START.finditer(text)), len(text)]
    pieces: list[str] = []
    line = 1
    for start, end in itertools.pairwise(starts):
        piece = text[start:end]
        breaks = piece.count("\n")
        if len(piece) > limit:
            message = f"entry is {len(piece)} characters long (at most {limit}); skipped"
            result.problems.append(CorpusError(path, message, line=line))
            piece = "\n" * breaks
        pieces.append(piece)
        line += breaks
    return "".join(pieces)


def read_bibtex(path: Path, text: str, options: ReadOptions) -> FileResult:
    result = FileResult()
    text = _without_long_entries(path, text, options.max_record_bytes, result)
    # bibtexparser logs each failed block in its own words; ours name the line instead.
    logging.getLogger("bibtexparser").setLevel(logging.ERROR)
    library = bibtexparser.parse_string(text)
    entries: list[Entry] = list(library.entries)
    enclosed: set[int] = set()
    for block in library.failed_blocks:
        if isinstance(block, DuplicateFieldKeyBlock) and isinstance(block.ignore_error_block, Entry):
            entries.append(block.ignore_error_block)  # a field given twice: the first value is kept
            enclosed.add(id(block.ignore_error_block))
            continue
        result.problems.append(CorpusError(path, _failure(block), line=block.start_line + 1))
    entries.sort(key=lambda entry: entry.start_line)
    for entry in entries:
        line = entry.start_line + 1
        result.lines += 1
        kind = entry.entry_type.lower()
        has_title = any(f.key.lower() == "title" for f in entry.fields)
        if kind in _VOLUMES and not any(f.key.lower() == "abstract" for f in entry.fields):
            result.problems.append(
                CorpusError(
                    path, f"@{entry.entry_type} {entry.key!r} is a volume, not a paper; skipped", line=line
                )
            )
            continue
        if not has_title:
            result.problems.append(CorpusError(path, f"entry {entry.key!r} has no title; skipped", line=line))
            continue
        build(_record(entry, entry.key, id(entry) in enclosed), path, line, result)
    return result
