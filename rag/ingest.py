"""Add papers from source files to the index, incrementally and resumably.

A paper whose content hash is already indexed is skipped without embedding anything; a paper
whose content changed gets new chunks and loses its old ones; papers are written in batches, each
batch's paper records last (see :mod:`rag.store`), so an interrupted ingest resumes where it
stopped and never leaves duplicates. The lexical index is rebuilt from Chroma at the end.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from rag.chunking import chunk_papers
from rag.corpus import Paper, ReadOptions, read_paths
from rag.errors import CorpusError, LitrevError
from rag.lexical import mark_stale
from rag.library import Library

Progress = Callable[[int, int], None]
"""Called as ``progress(papers_done, papers_to_embed)`` after each batch."""


@dataclass
class IngestReport:
    read: int = 0
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    duplicates: int = 0
    chunks: int = 0
    total_papers: int = 0
    seconds: float = 0.0
    problems: list[CorpusError] = field(default_factory=list)
    notes: list[CorpusError] = field(default_factory=list)
    """Records kept with a change the user should know of (a citation key made safe)."""
    conflicts: list[str] = field(default_factory=list)
    """Titles read twice with different abstracts (the first abstract was kept)."""
    skipped_paths: int = 0
    """Paths that could not be read at all."""
    removed: int = 0
    """Papers that left the index because their source no longer has them (Zotero sync)."""

    @property
    def summary(self) -> str:
        text = (
            f"{self.read} unique papers read: {self.added} added, {self.updated} updated, "
            f"{self.unchanged} unchanged; {self.duplicates} duplicates skipped"
        )
        if self.removed:
            text += f"; {self.removed} removed"
        if self.problems:
            text += f"; {len(self.problems)} records rejected"
        return text + f". Library: {self.total_papers} papers."


def ingest(
    paths: Iterable[Path],
    *,
    library: Library | None = None,
    progress: Progress | None = None,
    rebuild: bool = False,
    options: ReadOptions | None = None,
) -> IngestReport:
    """Read ``paths`` (an arXiv dump sliced by ``options``) and index every new or changed paper."""
    started = time.perf_counter()
    library = library or Library()
    read = read_paths(list(paths), options)
    report = IngestReport(read=len(read.papers), duplicates=read.duplicates, problems=read.problems)
    report.conflicts, report.skipped_paths, report.notes = read.conflicts, read.skipped_paths, read.notes
    return index_papers(
        read.papers, library=library, progress=progress, rebuild=rebuild, report=report, started=started
    )


def index_papers(
    papers: list[Paper],
    *,
    library: Library,
    progress: Progress | None = None,
    rebuild: bool = False,
    report: IngestReport | None = None,
    started: float | None = None,
) -> IngestReport:
    started = time.perf_counter() if started is None else started
    report = report or IngestReport(read=len(papers))
    if rebuild:
        library.open_store(create=True).drop()
    store = library.open_store(create=True)
    known = store.content_hashes([paper.id for paper in papers])
    todo = [paper for paper in papers if known.get(paper.id) != paper.content_hash]
    report.unchanged = len(papers) - len(todo)
    report.updated = sum(1 for paper in todo if paper.id in known)
    report.added = len(todo) - report.updated
    lexical_dir = library.settings.lexical_dir
    if todo:
        mark_stale(lexical_dir)
    if progress:
        progress(0, len(todo))
    # Batch i is written to Chroma by one worker thread while batch i+1 is embedded (both release
    # the GIL); at most one write is in flight, so writes stay in order and errors surface at once.
    # Only the last batch's write is not hidden behind encoding, hence small batches.
    batch_size = library.settings.chunking.batch_papers
    written = 0

    def finish(write: Future[None] | None, size: int) -> None:
        nonlocal written
        if write is None:
            return
        try:
            write.result()
        except Exception as error:  # disk full, permissions, a Chroma server gone: all end the run
            raise LitrevError(
                f"writing to the index at {store.location} failed ({type(error).__name__}: {error}); "
                f"{written} of {len(todo)} papers were indexed and are kept; run the same ingest again "
                "to finish"
            ) from error
        written += size
        if progress:
            progress(written, len(todo))

    # Batch i+1 is chunked by another thread while batch i is embedded, too.
    batches = [todo[start : start + batch_size] for start in range(0, len(todo), batch_size)]
    with (
        ThreadPoolExecutor(max_workers=1, thread_name_prefix="litrev-write") as writer,
        ThreadPoolExecutor(max_workers=1, thread_name_prefix="litrev-chunk") as chunker,
    ):
        pending: Future[None] | None = None
        pending_size = 0
        upcoming = chunker.submit(chunk_papers, batches[0], library.settings.chunking) if batches else None
        for number, batch in enumerate(batches):
            chunks = upcoming.result() if upcoming else []
            if number + 1 < len(batches):
                upcoming = chunker.submit(chunk_papers, batches[number + 1], library.settings.chunking)
            titles = {paper.id: paper.title for paper in batch}
            vectors = library.embedder.embed(
                [embedding_text(chunk.text, titles[chunk.paper_id]) for chunk in chunks]
            )
            finish(pending, pending_size)
            pending, pending_size = writer.submit(store.write, batch, chunks, vectors), len(batch)
            report.chunks += len(chunks)
        finish(pending, pending_size)
    library.refresh_lexical()
    report.total_papers = store.paper_count()
    report.seconds = time.perf_counter() - started
    return report


def embedding_text(chunk_text: str, title: str) -> str:
    """What the encoder sees for a chunk: the paper's title gives each chunk its context."""
    return f"{title}. {chunk_text}"
