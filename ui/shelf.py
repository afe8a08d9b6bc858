"""The Library tab: what the library holds, a filtered table of its papers, and uploads.

Uploads are the one writer: :func:`add_files` holds the library's write lock while it ingests,
so questions asked meanwhile wait for it, and it waits for the answers in progress.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from rag.errors import IndexMissingError
from rag.index.ingest import ingest
from rag.index.library import Library
from rag.retrieval.filter_note import excluded_note
from rag.sources.corpus import PDF, Paper
from ui import library_html, render
from ui.boundary import shielded
from ui.panel import year

LISTED_PAPERS = 300
"""Most rows in the library table (the counts cover every match)."""
UPLOAD_BATCH = 8
"""Papers embedded and written per step of an upload, so its progress moves while it runs."""

Progress = Callable[[int, int], None]
"""Called as ``progress(papers_done, papers_to_embed)`` after each batch."""
Stage = Callable[[float, str], None]
"""Called as ``stage(share_done, what_now)`` at each step of an upload (for a progress bar)."""


def all_papers(library: Library) -> list[Paper]:
    """Every paper of the library by title; none when nothing was ingested yet. The caller holds
    the library's read (or write) lock."""
    try:
        return sorted(library.store.iter_papers(), key=lambda paper: paper.title.casefold())
    except IndexMissingError:
        return []


def header(library: Library) -> str:
    """The line under the title: how many papers, which years, from which sources."""
    with library.reading():
        return library_html.header_html(all_papers(library))


def sources(papers: Sequence[Paper]) -> list[str]:
    return sorted({paper.source for paper in papers if paper.source})


def matching(
    papers: Sequence[Paper],
    text: str | None = None,
    year_from: int | None = None,
    year_to: int | None = None,
    source: str | None = None,
) -> list[Paper]:
    """Papers whose title, authors or abstract contain ``text``, in the years and source given."""
    needle = (text or "").casefold().strip()
    kept = []
    for paper in papers:
        if needle and needle not in f"{paper.title}\n{' '.join(paper.authors)}\n{paper.abstract}".casefold():
            continue
        if year_from is not None and (paper.year is None or paper.year < year_from):
            continue
        if year_to is not None and (paper.year is None or paper.year > year_to):
            continue
        if source and paper.source != source:
            continue
        kept.append(paper)
    return kept


@shielded(lambda message, _: (render.error_html(message), "", []))
def browse(
    library: Library,
    text: str | None = None,
    year_from: Any = None,
    year_to: Any = None,
    source: str | None = None,
) -> tuple[str, str, list[str]]:
    """The library's counts, the table of papers matching the filters (as HTML) and the sources."""
    start, end = year(year_from, "year from"), year(year_to, "year to")
    with library.reading():
        papers = all_papers(library)
    source = source or None
    found = matching(papers, text, start, end, source)
    note = None
    if not found:
        note = excluded_note(matching(papers, text, source=source), start, end)
    return (
        library_html.library_stats(papers, len(found)),
        library_html.papers_table(found, LISTED_PAPERS, note=note),
        sources(papers),
    )


@shielded(lambda message, _: render.error_html(message))
def add_files(
    paths: Sequence[str | Path],
    *,
    library: Library,
    progress: Progress | None = None,
    stage: Stage | None = None,
) -> str:
    """Ingest uploaded files (PDFs among them: see :mod:`rag.index.pdf_ingest`); the report says
    what was added, skipped or rejected, and why, and what became of each PDF.

    ``stage`` hears of every step, so a progress bar moves through a small upload too: loading
    the embedding model (the first upload's longest wait), reading, each batch of
    :data:`UPLOAD_BATCH` papers embedded and written, and the search index brought up to date."""
    files = [Path(path) for path in paths or []]
    if not files:
        return render.note_html("Choose one or more .jsonl, .csv, .bib, .ris, .txt or .pdf files first.")
    say = stage or (lambda share, what: None)
    say(0.0, "Loading the embedding model")
    chunking = library.settings.chunking.model_copy(update={"batch_papers": UPLOAD_BATCH})
    upload = Library(library.settings.model_copy(update={"chunking": chunking}), embedder=library.embedder)

    def step(done: int, total: int) -> None:
        if progress:
            progress(done, total)
        if total:
            say(0.15 + 0.75 * done / total, f"Embedding papers: {done} of {total}")

    say(0.1, "Reading the files")
    with library.writing():
        before = {paper.id for paper in all_papers(library)}
        report = ingest(files, library=upload, progress=step)
        say(0.92, "Updating the search index")
        library.refresh_lexical()
        made = _made_from(files)
        added = [
            library_html.AddedPaper(paper.title, made.get(paper.source or "") if paper.fulltext else None)
            for paper in all_papers(library)
            if paper.id not in before
        ]
    say(1.0, "Done")
    return library_html.ingest_html(report, added)


def _made_from(files: Sequence[Path]) -> dict[str, str]:
    """The ``source`` a paper made from one of these PDFs' first page has, to the PDF's name."""
    from rag.sources.pdf.papers import source_label

    return {source_label(path): path.name for path in files if path.suffix.lower() == PDF}
