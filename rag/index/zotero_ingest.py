"""A Zotero library (or one collection) indexed, and kept in step: what left Zotero leaves the index.

Takes the location of ``zotero.sqlite`` (read by :mod:`rag.sources.zotero`) and the library;
gives the :class:`~rag.index.ingest.IngestReport`.

:func:`zotero_fulltext` is where the full-text index meets Zotero: from the PDFs Zotero holds for
each paper (:func:`rag.sources.zotero_attachments.pdf_attachments`) it picks the one PDF to read,
or, for a paper none of whose PDFs can be read, Zotero's own current text of one
(:class:`ZoteroText`: :func:`rag.sources.zotero_text.zotero_text_passages` cuts it into passages).
Those passages are indexed as a PDF's are; the paper's ``fulltext`` is the digest of the text, so
an unchanged text is not read again and a changed one replaces its passages, as a PDF would. A
text without page breaks (Zotero 5 and 6) gives passages on
:data:`~rag.sources.body_text.UNKNOWN_PAGE`: their citations name the section alone.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from rag.errors import CorpusError
from rag.index.ingest import IngestReport, Progress, index_papers
from rag.index.lexical import mark_stale
from rag.index.library import Library
from rag.sources.paper import Paper
from rag.sources.zotero import read_zotero, source_label

if TYPE_CHECKING:
    from rag.sources.body_text import Passage
    from rag.sources.readers.base import ReadOptions
    from rag.sources.zotero_attachments import AttachmentFile, ZoteroAttachments


def ingest_zotero(
    location: Path | None = None,
    collection: str | None = None,
    *,
    library: Library | None = None,
    progress: Progress | None = None,
    rebuild: bool = False,
    fulltext: bool = True,
) -> IngestReport:
    """Index a Zotero library (or collection); papers gone from it since the last run leave the index.

    With ``fulltext``, each paper's PDF in Zotero, or Zotero's text of it (:func:`zotero_fulltext`),
    is read and its passages indexed beside the abstract; a PDF or text the index holds already
    is not read again."""
    started = time.perf_counter()
    library = library or Library()
    read = read_zotero(location, collection)
    report = IngestReport(read=len(read.papers), duplicates=read.duplicates, problems=read.problems)
    report.conflicts, report.notes = read.conflicts, read.notes
    chosen = ZoteroFulltext()
    if fulltext:
        from rag.sources.zotero_attachments import pdf_attachments

        chosen = zotero_fulltext(read.papers, pdf_attachments(location, collection))
        report.notes += chosen.notes
        report.notes += [
            CorpusError(file.path, f"item {file.item_key}: {file.why}") for file in chosen.texts.values()
        ]
    with library.writing():  # the removals too, before readers see the lexical index again
        report = index_papers(
            read.papers,
            library=library,
            progress=progress,
            rebuild=rebuild,
            report=report,
            started=started,
            pdfs=chosen.sources(),
        )
        label = source_label(collection)
        present = {paper.id for paper in read.papers}
        store = library.open_store(create=True)
        gone = [p.id for p in store.iter_papers() if p.source == label and p.id not in present]
        if gone:
            mark_stale(library.settings.lexical_dir)
            store.record_digest(None)
            store.delete_papers(gone)
            library.sentence_file.forget(dict.fromkeys(gone))
            library.refresh_lexical()
            report.removed = len(gone)
            report.total_papers = store.paper_count()
    report.seconds = time.perf_counter() - started
    return report


@dataclass
class ZoteroFulltext:
    """What the full-text index is to read for the papers of one Zotero ingest."""

    pdfs: dict[str, Path] = field(default_factory=dict)
    """The PDF to read, by paper id: the first of its item's PDFs (in Zotero's order) that opens."""
    texts: dict[str, AttachmentFile] = field(default_factory=dict)
    """Zotero's text to read, by paper id, for papers with no PDF that opens but a current text
    (:attr:`AttachmentFile.why` says why, for the note whoever indexes it gives)."""
    notes: list[CorpusError] = field(default_factory=list)
    """The PDFs that cannot be read at all, and further PDFs of a paper that are not read (one line
    each)."""

    def sources(self) -> dict[str, Path | ZoteroText]:
        """What to read for each paper, by paper id, as :func:`rag.index.ingest.index_papers` takes it."""
        return {**self.pdfs, **{paper_id: ZoteroText.of(file) for paper_id, file in self.texts.items()}}


def zotero_fulltext(papers: Sequence[Paper], found: ZoteroAttachments) -> ZoteroFulltext:
    """For each of ``papers`` (read from Zotero), the one source its passages are to come from."""
    chosen = ZoteroFulltext(notes=list(found.notes))
    for paper in papers:
        files = found.files.get(paper.id, [])
        pdfs = [file for file in files if file.reads_pdf]
        if pdfs:
            first, others = pdfs[0], pdfs[1:]
            chosen.pdfs[paper.id] = first.path
        elif files:
            first, others = files[0], files[1:]
            chosen.texts[paper.id] = first
        else:
            continue
        for other in others:
            chosen.notes.append(
                CorpusError(
                    other.path,
                    f"item {other.item_key}: another PDF of {paper.title[:60]!r}; only {first.path} is read",
                )
            )
    return chosen


@dataclass(frozen=True, slots=True)
class ZoteroText:
    """Zotero's extracted text of a paper's PDF, read in place of the PDF
    (a :class:`~rag.index.pdf_ingest.BodySource`)."""

    path: Path
    """The ``.zotero-ft-cache`` file."""
    digest: str
    """The digest of the text, of whether its pages are known and of the version of how text is
    cut into passages (:data:`rag.sources.pdf.papers.READING`: the PDF reader's cutter cuts it);
    the paper's ``fulltext``."""
    pages: tuple[str, ...]
    pages_known: bool

    @classmethod
    def of(cls, file: AttachmentFile) -> ZoteroText:
        """The text :func:`~rag.sources.zotero_attachments.pdf_attachments` read for ``file``."""
        from rag.sources.pdf.papers import DIGEST_CHARS, reading_hash

        blob = "\f".join(file.cached_pages) + ("" if file.pages_known else "\f(no pages)")
        seeded = reading_hash()
        seeded.update(blob.encode("utf-8"))
        digest = seeded.hexdigest()[:DIGEST_CHARS]
        return cls(file.cache or file.path, digest, file.cached_pages, file.pages_known)

    def read(self, options: ReadOptions) -> list[Passage]:
        """The text's passages (a CorpusError when it holds no body text)."""
        from rag.sources.zotero_text import zotero_text_passages

        passages = zotero_text_passages(self.pages, self.pages_known)
        if not passages:
            raise CorpusError(self.path, "Zotero's extracted text holds no body text to index")
        return passages
