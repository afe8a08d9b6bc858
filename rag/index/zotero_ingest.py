"""A Zotero library (or one collection) indexed, and kept in step: what left Zotero leaves the index.

Takes the location of ``zotero.sqlite`` (read by :mod:`rag.sources.zotero`) and the library;
gives the :class:`~rag.index.ingest.IngestReport`.

:func:`zotero_fulltext` is where the full-text index meets Zotero: from the PDFs Zotero holds for
each paper (:func:`rag.sources.zotero_attachments.pdf_attachments`) it picks the one PDF to read,
or, for a paper none of whose PDFs can be read, Zotero's own text of one
(:func:`rag.sources.zotero_text.zotero_text_passages` cuts it into passages).
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

    With ``fulltext``, each paper's PDF in Zotero (:func:`zotero_fulltext`) is read and its
    passages indexed beside the abstract; a PDF the index holds already is not read again."""
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
        # Zotero's text (chosen.texts) is not handed over: the full-text index reads PDFs only.
        report.notes += [
            CorpusError(
                file.path,
                f"item {file.item_key}: the PDF {file.problem}; Zotero's extracted text of it is not indexed",
            )
            for file in chosen.texts.values()
        ]
    with library.writing():  # the removals too, before readers see the lexical index again
        report = index_papers(
            read.papers,
            library=library,
            progress=progress,
            rebuild=rebuild,
            report=report,
            started=started,
            pdfs=chosen.pdfs,
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
