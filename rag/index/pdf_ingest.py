"""PDFs in an ingest: each matched to its paper, and its body read, embedded and written beside the
abstract chunks.

Two steps, so that memory holds one batch's PDFs at a time, however many are ingested:

1. :func:`attach_pdfs`, before anything is embedded: each PDF's digest (the SHA-256 of its bytes,
   :func:`rag.sources.pdf.papers.pdf_digest`). A digest the index already holds is that paper's
   full text, unchanged: nothing is read. Otherwise its first pages are read and it is matched
   (:func:`rag.sources.pdf.match_document`: DOI, arXiv id, then title) to a paper read in the
   same run, else to one already in the library; a PDF that matches none becomes a paper of its
   own, titled and summarised from its first page (:func:`rag.sources.pdf.papers.pdf_paper`).
   Two PDFs of one paper: the first is read, the other named in a note.
2. :class:`BodyReader`, in ingest's batches (in the thread that chunks the next batch while this
   one is embedded): the whole PDF is read into passages (:func:`rag.sources.pdf.read_pdf`, a page
   at a time), and the texts to embed are the passages
   (:func:`rag.index.passage_store.passage_embedding_text`) and their sentences (for the judge).
   A batch reads a few PDFs and a bounded number of pages (:func:`pages_to_read` counts them); a
   longer PDF, a thesis or a book, is a batch of its own and read in full. It reads any
   :class:`BodySource` alike: a Zotero ingest hands it Zotero's extracted text where a paper's
   PDF cannot be read (:class:`rag.index.zotero_ingest.ZoteroText`).

Every PDF that cannot be read (encrypted, damaged, no text layer, not a regular file, too large)
is one :class:`~rag.errors.CorpusError` naming it; its paper keeps the full text it had (or its
abstract alone), and the other PDFs are read.

A paper given without a PDF keeps the full text the index holds for it (:func:`with_fulltext`):
re-ingesting a .bib without its PDFs does not drop them; ``litrev ingest --rebuild`` with only the
.bib does.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from rag.errors import CorpusError
from rag.index.passage_store import passage_embedding_text
from rag.index.sentence_vectors import body_texts
from rag.sources.body_text import Passage
from rag.sources.paper import Paper
from rag.sources.readers.base import ReadOptions


class BodySource(Protocol):
    """Where a paper's body passages come from: a PDF (:class:`PdfFile`), or text extracted from
    one (:class:`rag.index.zotero_ingest.ZoteroText`). ``digest`` is the paper's ``fulltext``:
    a source whose digest the index holds is not read again."""

    @property
    def path(self) -> Path: ...

    @property
    def digest(self) -> str: ...

    def read(self, options: ReadOptions) -> list[Passage]:
        """The passages (a CorpusError naming the file when it cannot be read)."""
        ...


@dataclass(frozen=True, slots=True)
class PdfFile:
    """A PDF to read for a paper, and the digest of its bytes when it was looked at."""

    path: Path
    digest: str

    @classmethod
    def of(cls, path: Path, options: ReadOptions | None = None) -> PdfFile:
        """``path`` with its digest (a CorpusError when it cannot be read)."""
        from rag.sources.pdf.papers import pdf_digest

        return cls(path, pdf_digest(path, options))

    def read(self, options: ReadOptions) -> list[Passage]:
        """The PDF's passages, if its bytes are still those of :attr:`digest`."""
        from rag.sources.pdf import read_pdf
        from rag.sources.pdf.papers import pdf_digest

        if pdf_digest(self.path, options) != self.digest:
            raise CorpusError(self.path, "changed while it was read; run the ingest again")
        return list(read_pdf(self.path).passages)


@dataclass
class Attached:
    """The run's papers (PDF papers added, indexed papers a PDF was matched to included) and the
    PDF to read for each paper whose full text is new or changed."""

    papers: list[Paper]
    files: dict[str, PdfFile] = field(default_factory=dict)
    problems: list[CorpusError] = field(default_factory=list)
    notes: list[CorpusError] = field(default_factory=list)
    unchanged: int = 0
    """PDFs whose digest the index holds already."""
    created: int = 0
    """Papers made from a PDF's first page (no library paper matched it)."""


def attach_pdfs(
    pdfs: Sequence[Path],
    papers: Sequence[Paper],
    indexed: Iterable[Paper],
    options: ReadOptions | None = None,
) -> Attached:
    """Match each of ``pdfs`` to a paper of this run (``papers``), else of the library
    (``indexed``), else make one of it (see the module docstring)."""
    from rag.sources.pdf import match_document
    from rag.sources.pdf.papers import pdf_paper, read_front

    library = list(indexed)
    held = {paper.fulltext: paper for paper in library if paper.fulltext}
    attached = Attached(list(papers))
    seen: dict[str, Path] = {}
    for path in pdfs:
        try:
            file = PdfFile.of(path, options)
        except CorpusError as error:
            attached.problems.append(error)
            continue
        if file.digest in seen:
            attached.notes.append(CorpusError(path, f"is the same file as {seen[file.digest]}; read once"))
            continue
        seen[file.digest] = path
        if file.digest in held:
            attached.unchanged += 1
            continue
        try:
            document = read_front(path)
            match = match_document(document, attached.papers) or match_document(document, library)
            paper = match.paper if match else pdf_paper(document, file.digest, path)
        except CorpusError as error:
            attached.problems.append(error)
            continue
        if paper.id in attached.files:
            other = attached.files[paper.id].path
            attached.notes.append(
                CorpusError(path, f"is the same paper as {other} ({paper.title}); only that one is read")
            )
            continue
        if match is None:
            attached.created += 1
        if all(known.id != paper.id for known in attached.papers):
            attached.papers.append(paper)
        attached.files[paper.id] = file
    return attached


def with_fulltext(
    papers: Sequence[Paper], files: Mapping[str, BodySource], held: Mapping[str, str]
) -> list[Paper]:
    """The papers as they are to be indexed: a paper with a PDF names its digest; one without
    keeps the full text the index holds for it (``held``: paper id to PDF digest)."""
    out = []
    for paper in papers:
        if paper.id in files:
            paper = dataclasses.replace(paper, fulltext=files[paper.id].digest)
        elif paper.fulltext is None and paper.id in held:
            paper = dataclasses.replace(paper, fulltext=held[paper.id])
        out.append(paper)
    return out


@dataclass
class Bodies:
    """A batch's full texts as read: the papers (a paper whose PDF failed keeps what it had), the
    passages of each paper read, and the texts to embed."""

    papers: list[Paper]
    read: list[tuple[Paper, list[Passage]]] = field(default_factory=list)
    problems: list[CorpusError] = field(default_factory=list)

    @property
    def passage_texts(self) -> list[str]:
        return [passage_embedding_text(p, paper.title) for paper, passages in self.read for p in passages]

    @property
    def sentence_texts(self) -> list[str]:
        return body_texts([passages for _, passages in self.read])


class BodyReader:
    """Reads the full texts of one batch (run in ingest's chunking thread): ``files`` are the
    sources to read by paper id; ``held`` the digest each paper's indexed full text has (to fall
    back on)."""

    def __init__(
        self, files: Mapping[str, BodySource], held: Mapping[str, str], options: ReadOptions
    ) -> None:
        self.files, self.held, self.options = files, held, options

    def __call__(self, batch: Sequence[Paper]) -> Bodies:
        bodies = Bodies(list(batch))
        for number, paper in enumerate(batch):
            file = self.files.get(paper.id)
            if file is None or self.held.get(paper.id) == file.digest:
                continue
            try:
                passages = file.read(self.options)
            except CorpusError as error:
                bodies.problems.append(error)
                bodies.papers[number] = dataclasses.replace(paper, fulltext=self.held.get(paper.id))
                continue
            bodies.read.append((paper, passages))
        return bodies


def needs_reading(paper: Paper, files: Mapping[str, BodySource], held: Mapping[str, str]) -> bool:
    """Whether indexing ``paper`` reads a PDF (its full text is new or changed)."""
    file = files.get(paper.id)
    return file is not None and held.get(paper.id) != file.digest


def pages_to_read(paper: Paper, files: Mapping[str, BodySource], held: Mapping[str, str]) -> int:
    """How many pages indexing ``paper`` reads: 0 when its full text is not new or changed; 1 for
    a PDF that cannot be opened (its read says why) and for text that stands in for a PDF."""
    if not needs_reading(paper, files, held):
        return 0
    source = files[paper.id]
    if not isinstance(source, PdfFile):
        return 1
    from rag.sources.pdf.pages import page_count

    try:
        return page_count(source.path)
    except CorpusError:
        return 1
