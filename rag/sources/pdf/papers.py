"""PDFs as sources of papers: the file's digest, its front pages read for matching, and the paper a
PDF becomes when no library paper matches it.

- :func:`pdf_digest`: the SHA-256 of the file's bytes and of :data:`READING` (its first
  :data:`DIGEST_CHARS` hex digits), read through the safe open of :mod:`rag.sources.readers.files`
  (a regular file, at most :attr:`~rag.sources.readers.base.ReadOptions.max_pdf_bytes`, inside the
  allowed folders). It identifies a PDF's content as this version reads it: the same file under
  another name is the same full text, and a PDF indexed by a litrev that read PDFs otherwise is
  read again by the next ingest that is given it.
- :func:`read_front`: the first :data:`FRONT_PAGES` pages only: enough for the title, the
  abstract and the identifiers of page 1, which is all that matching needs; the whole PDF is read
  when its passages are indexed.
- :func:`pdf_paper`: a paper from page 1 (title, abstract, DOI, arXiv id), its ``source`` saying
  so (``paper.pdf, page 1``). The text is the PDF's as read, not LaTeX, so it is not parsed as
  such; an abstract longer than a paper may have is cut at a word.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from rag.errors import CorpusError
from rag.sources.paper import MAX_ABSTRACT_CHARS, MAX_TITLE_CHARS, Paper, paper_id
from rag.sources.pdf.document import PdfDocument, read_pdf
from rag.sources.readers.base import ReadOptions
from rag.sources.readers.files import cannot_read, open_source

DIGEST_CHARS = 16
READING = 1
"""The version of how a PDF's text is read into passages (:mod:`rag.sources.pdf`): raised with
every change to what the passages of a PDF are (layout, sections, tables), so that the next ingest
reads a library's PDFs again rather than keeping passages the previous version read. (1: the
digests of the versions before were of the bytes alone.)"""
FRONT_PAGES = 2
"""Pages read to match a PDF to a paper (an abstract may run on to page 2)."""
MIN_TITLE_WORDS = 2


def reading_hash() -> hashlib._Hash:
    """A SHA-256 begun with :data:`READING`: what a full text is known by is its content as this
    version reads it (a PDF's bytes, Zotero's extracted text)."""
    return hashlib.sha256(f"litrev pdf reading {READING}\n".encode())


def pdf_digest(path: Path, options: ReadOptions | None = None) -> str:
    """The digest of the PDF's bytes as this version reads them (:func:`reading_hash`); a
    CorpusError when it is not a regular file that may be read."""
    options = options or ReadOptions()
    with open_source(path, options, options.max_pdf_bytes) as handle:
        try:
            digest = hashlib.file_digest(handle, reading_hash)
        except OSError as error:
            raise cannot_read(path, error) from None
    return digest.hexdigest()[:DIGEST_CHARS]


def read_front(path: Path) -> PdfDocument:
    """The title, abstract and identifiers of ``path`` (its first pages only)."""
    return read_pdf(path, max_pages=FRONT_PAGES)


def source_label(path: Path) -> str:
    """The ``source`` of a paper made from a PDF's first page."""
    return f"{path.name}, page 1"


def pdf_paper(document: PdfDocument, digest: str, path: Path) -> Paper:
    """The paper ``document`` (read from ``path``) is when no library paper matches it."""
    title = " ".join(document.title.split())[:MAX_TITLE_CHARS]
    abstract = " ".join(document.abstract.split())
    if len(title.split()) < MIN_TITLE_WORDS:
        raise CorpusError(
            path,
            "matches no paper of the library, and no title can be read from its first page; "
            "ingest it with a .bib entry that has its DOI or title",
        )
    if not abstract:
        raise CorpusError(
            path,
            "matches no paper of the library, and its first page has no abstract that can be told "
            "apart; ingest it with a .bib entry that has its DOI or title",
        )
    if len(abstract) > MAX_ABSTRACT_CHARS:
        abstract = abstract[:MAX_ABSTRACT_CHARS].rsplit(" ", 1)[0]
    return Paper(
        id=paper_id(title),
        title=title,
        abstract=abstract,
        doi=document.doi,
        arxiv_id=document.arxiv_id,
        source=source_label(path),
        fulltext=digest,
    )
