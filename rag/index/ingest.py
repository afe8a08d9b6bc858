"""Add papers from source files to the index, incrementally and resumably.

A paper whose content hash is already indexed is skipped without embedding anything; a paper
whose content changed gets new chunks and loses its old ones; papers are written in batches, each
batch's paper records last (see :mod:`rag.index.store`), so an interrupted ingest resumes where it
stopped and never leaves duplicates. All of it holds the library's writer lock, and before
releasing it the lexical index is brought in line with Chroma (:meth:`Library.refresh_lexical`).

An ingest that writes leaves an ``INGEST-PENDING`` file in ``LITREV_HOME`` until its last write
is done; finding one, the next ingest first repairs the index (:meth:`rag.index.store.Store.repair`:
chunks whose paper record never came are deleted) and says so in its report. ``rebuild`` builds
a new index beside the live one from the sources and swaps it in when complete.
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from rag.errors import CorpusError, IndexWriteError, LitrevError
from rag.index import sentence_vectors, space_reserve
from rag.index.chunking import Chunk, chunk_papers
from rag.index.lexical import mark_stale
from rag.index.library import Library
from rag.index.sentence_vectors import SentenceFile
from rag.index.store import Store
from rag.settings import ChunkingSettings
from rag.sources.corpus import Paper, ReadOptions, read_paths

PENDING = "INGEST-PENDING"

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
    repaired_chunks: int = 0
    """Chunks of an interrupted ingest (no paper record of their version) that were deleted."""
    repaired_papers: int = 0
    """Paper records left without chunks by an interrupted ingest, deleted to be re-added."""

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
        if self.repaired_chunks or self.repaired_papers:
            text += (
                f"; repaired an interrupted ingest: {self.repaired_chunks} orphan chunks and "
                f"{self.repaired_papers} papers without chunks removed"
            )
        return text + f". Library: {self.total_papers} papers."

    @property
    def line(self) -> str:
        """What ``litrev ingest`` prints: the summary and the embedding time."""
        return f"{self.summary} ({self.chunks} chunks embedded in {self.seconds:.1f} s)"


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
    """Index ``papers`` holding the library's writer lock; the lexical index is brought in line
    with Chroma before it is released (see :mod:`rag.index.lexical`)."""
    with library.writing():
        return _index_papers(papers, library, progress, rebuild, report, started)


def _index_papers(
    papers: list[Paper],
    library: Library,
    progress: Progress | None,
    rebuild: bool,
    report: IngestReport | None,
    started: float | None,
) -> IngestReport:
    started = time.perf_counter() if started is None else started
    report = report or IngestReport(read=len(papers))
    settings = library.settings
    marker = settings.home / PENDING
    space_reserve.keep(settings.home)  # lets reads open the index should the disk fill up
    if rebuild:  # the live index is not even opened: it may be damaged
        store = Store.beside(settings, model=settings.embedding.model)
    else:
        store = library.open_store(create=True)
        if marker.exists():
            report.repaired_chunks, report.repaired_papers = store.repair()
    known = store.content_hashes([paper.id for paper in papers])
    todo = [paper for paper in papers if known.get(paper.id) != paper.content_hash]
    report.unchanged = len(papers) - len(todo)
    report.updated = sum(1 for paper in todo if paper.id in known)
    report.added = len(todo) - report.updated
    lexical_dir = settings.lexical_dir
    if todo or rebuild:
        _mark_writing(marker if not rebuild else None, lexical_dir)
        if not rebuild:
            store.record_digest(None)  # readers check every paper until the end of this write
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
        except LitrevError as error:  # disk full, permissions, a Chroma server gone: all end the run
            if rebuild:
                if store.path is not None:
                    shutil.rmtree(store.path, ignore_errors=True)  # give the space back
                raise IndexWriteError(f"{error}; the rebuild stopped, the old index is unchanged") from None
            # The failed batch may have reached Chroma's log, which only a later open applies (the
            # index as read now may not show it): so a range, which `litrev papers` settles later.
            count = _indexed(store, todo)
            low = written if count is None else count
            told = str(low) if low >= written + size else f"{low} to {written + size}"
            raise IndexWriteError(
                f"{error}; {told} of {len(todo)} new or changed papers were indexed and are kept "
                "(run the same ingest again to finish)"
            ) from None
        written += size
        if progress:
            progress(written, len(todo))

    # Batch i+1 is chunked by another thread while batch i is embedded, too.
    batches = [todo[start : start + batch_size] for start in range(0, len(todo), batch_size)]
    cut = _Cut(library.settings.chunking)
    sentence_file = library.sentence_file
    with (
        ThreadPoolExecutor(max_workers=1, thread_name_prefix="litrev-write") as writer,
        ThreadPoolExecutor(max_workers=1, thread_name_prefix="litrev-chunk") as chunker,
    ):
        pending: Future[None] | None = None
        pending_size = 0
        upcoming = chunker.submit(cut, batches[0]) if batches else None
        for number, batch in enumerate(batches):
            chunks, sentences = upcoming.result() if upcoming else ([], [])
            if number + 1 < len(batches):
                upcoming = chunker.submit(cut, batches[number + 1])
            titles = {paper.id: paper.title for paper in batch}
            vectors = library.embedder.embed_documents(
                [embedding_text(chunk.text, titles[chunk.paper_id]) for chunk in chunks] + sentences
            )
            finish(pending, pending_size)
            job = _Write(store, sentence_file, batch, chunks, vectors[: len(chunks)], vectors[len(chunks) :])
            pending, pending_size = writer.submit(job), len(batch)
            report.chunks += len(chunks)
        finish(pending, pending_size)
    _store_missing_sentences(store, library)
    if rebuild:
        store.replace_live()
        store = library.open_store(create=False, lost_check=False)
    marker.unlink(missing_ok=True)
    library.refresh_lexical()
    library.save_sentence_spans()
    report.total_papers = store.paper_count()
    report.seconds = time.perf_counter() - started
    return report


class _Cut:
    """Chunks and sentence texts of a batch of papers (run in the chunking thread)."""

    def __init__(self, settings: ChunkingSettings) -> None:
        self.settings = settings

    def __call__(self, batch: list[Paper]) -> tuple[list[Chunk], list[str]]:
        return chunk_papers(batch, self.settings), sentence_vectors.texts_of(batch)


class _Write:
    """One batch's write (run in the writing thread): its sentence vectors first, then Chroma,
    whose paper records mark the papers as done (a paper is never done without its sentences)."""

    def __init__(
        self,
        store: Store,
        sentences: SentenceFile,
        batch: list[Paper],
        chunks: list[Chunk],
        chunk_vectors: np.ndarray,
        sentence_vectors: np.ndarray,
    ) -> None:
        self.store, self.sentences, self.batch, self.chunks = store, sentences, batch, chunks
        self.chunk_vectors, self.sentence_vectors = chunk_vectors, sentence_vectors

    def __call__(self) -> None:
        self.sentences.put(self.batch, self.sentence_vectors)
        self.store.write(self.batch, self.chunks, self.chunk_vectors)
        self.sentences.forget({paper.id: paper.content_hash for paper in self.batch})


def _store_missing_sentences(store: Store, library: Library) -> None:
    """Embed and store the sentences of indexed papers that have none (an index built before they
    were stored, or a sentence file set aside as damaged); then mark the file complete."""
    sentences = library.sentence_file
    if sentences.is_complete():
        return
    current = [(paper, paper.content_hash) for paper in store.iter_papers()]
    stored = sentences.stored()
    todo = [paper for paper, digest in current if (paper.id, digest) not in stored]
    step = 256
    for start in range(0, len(todo), step):
        part = todo[start : start + step]
        sentences.put(part, library.embedder.embed_documents(sentence_vectors.texts_of(part)))
    sentences.mark_complete()


def _mark_writing(pending: Path | None, lexical_dir: Path) -> None:
    """Before the first write: the lexical index is marked stale and, unless rebuilding beside,
    the pending marker is written and flushed to disk."""
    try:
        mark_stale(lexical_dir)
        if pending is not None:
            with pending.open("w", encoding="utf-8") as handle:
                handle.write(f"{os.getpid()}\n")
                handle.flush()
                os.fsync(handle.fileno())
    except OSError as error:
        raise IndexWriteError(
            f"cannot write {error.filename or pending}: {error.strerror or error}; nothing was indexed"
        ) from None


def _indexed(store: Store, todo: list[Paper]) -> int | None:
    """How many of ``todo`` are indexed in their current version, as the index says now; None when
    it cannot be read."""
    try:
        hashes = store.content_hashes([paper.id for paper in todo])
    except LitrevError:
        return None
    return sum(1 for paper in todo if hashes.get(paper.id) == paper.content_hash)


def embedding_text(chunk_text: str, title: str) -> str:
    """What the encoder sees for a chunk: the paper's title gives each chunk its context."""
    return f"{title}. {chunk_text}"
