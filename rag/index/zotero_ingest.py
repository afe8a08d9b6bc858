"""A Zotero library (or one collection) indexed, and kept in step: what left Zotero leaves the index.

Takes the location of ``zotero.sqlite`` (read by :mod:`rag.sources.zotero`) and the library;
gives the :class:`~rag.index.ingest.IngestReport`.
"""

from __future__ import annotations

import time
from pathlib import Path

from rag.index.ingest import IngestReport, Progress, index_papers
from rag.index.lexical import mark_stale
from rag.index.library import Library
from rag.sources.zotero import read_zotero, source_label


def ingest_zotero(
    location: Path | None = None,
    collection: str | None = None,
    *,
    library: Library | None = None,
    progress: Progress | None = None,
    rebuild: bool = False,
) -> IngestReport:
    """Index a Zotero library (or collection); papers gone from it since the last run leave the index."""
    started = time.perf_counter()
    library = library or Library()
    read = read_zotero(location, collection)
    report = IngestReport(read=len(read.papers), duplicates=read.duplicates, problems=read.problems)
    report.conflicts, report.notes = read.conflicts, read.notes
    with library.writing():  # the removals too, before readers see the lexical index again
        report = index_papers(
            read.papers, library=library, progress=progress, rebuild=rebuild, report=report, started=started
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
