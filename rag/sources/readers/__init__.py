"""One reader per source format; :func:`read_file` picks one by the file's extension.

- ``.txt``: a "daily papers" listing page dump (:mod:`rag.sources.readers.daily`)
- ``.jsonl``: JSON Lines, including the arXiv metadata snapshot (:mod:`rag.sources.readers.jsonl`)
- ``.csv``: simple headers or Zotero's CSV export (:mod:`rag.sources.readers.csvfile`)
- ``.bib``: BibTeX (:mod:`rag.sources.readers.bib`)
- ``.ris``: RIS from Zotero, Mendeley, EndNote, Scopus, Web of Science (:mod:`rag.sources.readers.ris`)

A Zotero library's database is read by :mod:`rag.sources.zotero`. Each reader returns the papers it could
build and a :class:`~rag.errors.CorpusError` for every record it had to skip; a file that cannot
be read at all raises :class:`~rag.errors.CorpusError`. Files are found and opened by
:mod:`rag.sources.readers.files` (regular files only, within the allowed folders, size-capped).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from rag.errors import CorpusError
from rag.sources.readers.base import FileResult, ReadOptions
from rag.sources.readers.bib import read_bibtex
from rag.sources.readers.csvfile import read_csv
from rag.sources.readers.daily import read_daily_papers
from rag.sources.readers.files import cannot_read, find_files, open_source, too_large
from rag.sources.readers.jsonl import read_jsonl
from rag.sources.readers.ris import read_ris
from rag.sources.readers.text import decode

__all__ = ["READERS", "SUFFIXES", "FileResult", "ReadOptions", "find_files", "read_file"]

TextReader = Callable[[Path, str, ReadOptions], FileResult]
TEXT_READERS: dict[str, TextReader] = {
    ".txt": read_daily_papers,
    ".csv": read_csv,
    ".bib": read_bibtex,
    ".ris": read_ris,
}
READERS = frozenset({*TEXT_READERS, ".jsonl"})
SUFFIXES = READERS


def read_file(path: Path, options: ReadOptions | None = None) -> FileResult:
    """Read one source file with the reader its extension names."""
    options = options or ReadOptions()
    suffix = path.suffix.lower()
    if suffix not in READERS:
        raise CorpusError(
            path, f"unknown file type {path.suffix!r}; expected one of {', '.join(sorted(READERS))}"
        )
    limit = options.max_stream_bytes if suffix == ".jsonl" else options.max_file_bytes
    with open_source(path, options, limit) as handle:
        try:
            if suffix == ".jsonl":
                return read_jsonl(path, handle, options)
            data = handle.read(limit + 1)
        except OSError as error:
            raise cannot_read(path, error) from None
    if len(data) > limit:
        raise too_large(path, limit)
    if not data.strip():
        raise CorpusError(path, "file is empty")
    text, problems = decode(path, data)
    result = TEXT_READERS[suffix](path, text, options)
    result.problems[:0] = problems
    return result
