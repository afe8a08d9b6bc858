"""Add papers from source files to the index, incrementally and resumably.

A paper whose content hash is already indexed is skipped without embedding anything; a paper
whose content changed gets new chunks and loses its old ones; papers are written in batches, each
batch's paper records last (see :mod:`rag.index.store`), so an interrupted ingest resumes where it
stopped and never leaves duplicates. All of it holds the library's writer lock, and before
releasing it the lexical index is brought in line with Chroma (:meth:`Library.refresh_lexical`).

PDFs among the paths are matched to papers and their body passages indexed with them
(:mod:`rag.index.pdf_ingest`); a PDF whose bytes the index holds already is not read again.

An ingest that writes leaves an ``INGEST-PENDING`` file in ``LITREV_HOME`` until its last write
is done; finding one, the next ingest first repairs the index (:meth:`rag.index.store.Store.repair`:
chunks whose paper record never came are deleted) and says so in its report. ``rebuild`` builds
a new index beside the live one from the sources and swaps it in when complete.
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import numpy as np

from rag.errors import CorpusError, IndexWriteError, LitrevError
from rag.index import sentence_vectors, space_reserve
from rag.index.chunking import Chunk, chunk_papers
from rag.index.ingest_report import IngestReport
from rag.index.lexical import mark_stale
from rag.index.library import Library
from rag.index.pdf_ingest import (
    Bodies,
    BodyReader,
    BodySource,
    PdfFile,
    attach_pdfs,
    pages_to_read,
    with_fulltext,
)
from rag.index.sentence_vectors import SentenceFile
from rag.index.store import Store
from rag.settings import ChunkingSettings
from rag.sources.corpus import Paper, ReadOptions, read_paths

PENDING = "INGEST-PENDING"
PDFS_PER_BATCH = 8
"""PDFs read per ingest batch at most (and at most ``ChunkingSettings.batch_pages`` pages of them):
memory holds one batch's full texts and vectors at a time."""

Progress = Callable[[int, int], None]
"""Called as ``progress(papers_done, papers_to_embed)`` after each batch."""


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
    options = options or ReadOptions()
    read = read_paths(list(paths), options, pdfs=True)
    report = IngestReport(read=len(read.papers), duplicates=read.duplicates, problems=read.problems)
    report.conflicts, report.skipped_paths, report.notes = read.conflicts, read.skipped_paths, read.notes
    with library.writing():
        papers, files = read.papers, {}
        if read.pdfs:  # matched against this run's papers and, unless rebuilding, the library's
            indexed = [] if rebuild else library.open_store(create=True).iter_papers()
            attached = attach_pdfs(read.pdfs, read.papers, indexed, options)
            papers, files = attached.papers, attached.files
            report.problems += attached.problems
            report.skipped_paths += len(attached.problems)
            report.notes += attached.notes
            report.pdfs_unchanged, report.pdf_papers = attached.unchanged, attached.created
            report.read = len(papers)
        return index_papers(
            papers,
            library=library,
            progress=progress,
            rebuild=rebuild,
            report=report,
            started=started,
            pdfs=files,
            options=options,
        )


def index_papers(
    papers: list[Paper],
    *,
    library: Library,
    progress: Progress | None = None,
    rebuild: bool = False,
    report: IngestReport | None = None,
    started: float | None = None,
    pdfs: Mapping[str, Path | BodySource] | None = None,
    options: ReadOptions | None = None,
) -> IngestReport:
    """Index ``papers`` holding the library's writer lock; the lexical index is brought in line
    with Chroma before it is released (see :mod:`rag.index.lexical`).

    ``pdfs`` gives the PDF of a paper, by paper id (or another source of its passages, such as
    Zotero's extracted text): its full text is read and indexed unless the index holds that
    full text already (same digest); a paper given without one keeps the full text it has
    (:mod:`rag.index.pdf_ingest`). A PDF that cannot be read is one problem in the report naming
    it, and its paper keeps what it had."""
    with library.writing():
        report = report or IngestReport(read=len(papers))
        files: dict[str, BodySource] = {}
        for paper_id, given in (pdfs or {}).items():
            try:
                files[paper_id] = PdfFile.of(given, options) if isinstance(given, Path) else given
            except CorpusError as error:
                report.problems.append(error)
                report.skipped_paths += 1
        return _index_papers(
            papers, library, progress, rebuild, report, started, files, options or ReadOptions()
        )


def _index_papers(
    papers: list[Paper],
    library: Library,
    progress: Progress | None,
    rebuild: bool,
    report: IngestReport,
    started: float | None,
    files: dict[str, BodySource],
    options: ReadOptions,
) -> IngestReport:
    started = time.perf_counter() if started is None else started
    settings = library.settings
    marker = settings.home / PENDING
    space_reserve.keep(settings.home)  # lets reads open the index should the disk fill up
    if rebuild:  # the live index is not even opened: it may be damaged
        store = Store.beside(settings, model=settings.embedding.model)
    else:
        store = library.open_store(create=True)
        if marker.exists():
            report.repaired_chunks, report.repaired_papers = store.repair()
    held = store.passages.fulltexts({paper.id for paper in papers}) if files or store.passages.count() else {}
    papers = with_fulltext(papers, files, held)
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

    # Batch i+1 is chunked (and its PDFs read) by another thread while batch i is embedded, too.
    pages = {paper.id: pages_to_read(paper, files, held) for paper in todo} if files else {}
    batches = _batches(todo, batch_size, settings.chunking.batch_pages, pages)
    cut = _Cut(library.settings.chunking, BodyReader(files, held, options))
    sentence_file = library.sentence_file
    with (
        ThreadPoolExecutor(max_workers=1, thread_name_prefix="litrev-write") as writer,
        ThreadPoolExecutor(max_workers=1, thread_name_prefix="litrev-chunk") as chunker,
    ):
        pending: Future[None] | None = None
        pending_size = 0
        upcoming = [chunker.submit(cut, batches[0])] if batches else []
        for number in range(len(batches)):
            chunks, sentences, bodies = upcoming.pop().result()
            if number + 1 < len(batches):
                upcoming.append(chunker.submit(cut, batches[number + 1]))
            batch = bodies.papers
            titles = {paper.id: paper.title for paper in batch}
            chunk_texts = [embedding_text(chunk.text, titles[chunk.paper_id]) for chunk in chunks]
            passage_texts, body_sentences = bodies.passage_texts, bodies.sentence_texts
            vectors = library.embedder.embed_documents(
                chunk_texts + passage_texts + sentences + body_sentences
            )
            finish(pending, pending_size)
            job = _Write(store, sentence_file, batch, chunks, bodies, vectors)
            pending, pending_size = writer.submit(job), len(batch)
            report.chunks += len(chunks)
            report.passages += len(passage_texts)
            pdfs_read = sum(isinstance(files[paper.id], PdfFile) for paper, _ in bodies.read)
            report.pdfs_read += pdfs_read
            report.texts_read += len(bodies.read) - pdfs_read
            report.problems += bodies.problems
            report.skipped_paths += len(bodies.problems)
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
    """Chunks and sentence texts of a batch of papers, and its PDFs read (run in the chunking thread)."""

    def __init__(self, settings: ChunkingSettings, bodies: BodyReader) -> None:
        self.settings, self.bodies = settings, bodies

    def __call__(self, batch: list[Paper]) -> tuple[list[Chunk], list[str], Bodies]:
        bodies = self.bodies(batch)
        return chunk_papers(bodies.papers, self.settings), sentence_vectors.texts_of(bodies.papers), bodies


def _batches(todo: list[Paper], size: int, max_pages: int, pages: Mapping[str, int]) -> list[list[Paper]]:
    """``todo`` cut into batches of ``size`` papers, of at most :data:`PDFS_PER_BATCH` PDFs to read
    and at most ``max_pages`` pages of them (``pages``: pages to read by paper id); a PDF longer
    than that is a batch's only PDF."""
    batches: list[list[Paper]] = []
    pdfs = read = 0
    for paper in todo:
        count = pages.get(paper.id, 0)
        crowded = pdfs >= PDFS_PER_BATCH or read + count > max_pages
        if not batches or len(batches[-1]) >= size or (count and pdfs and crowded):
            batches.append([])
            pdfs = read = 0
        batches[-1].append(paper)
        pdfs += count > 0
        read += count
    return batches


class _Write:
    """One batch's write (run in the writing thread): its sentence vectors first, then its passages,
    then Chroma's chunks and paper records, which mark the papers as done (a paper is never done
    without its sentences and passages)."""

    def __init__(
        self,
        store: Store,
        sentences: SentenceFile,
        batch: list[Paper],
        chunks: list[Chunk],
        bodies: Bodies,
        vectors: np.ndarray,
    ) -> None:
        self.store, self.sentences, self.batch, self.chunks, self.bodies = (
            store,
            sentences,
            batch,
            chunks,
            bodies,
        )
        self.vectors = vectors
        """Chunks, passages, abstract sentences, body sentences, in that order."""

    def __call__(self) -> None:
        read = self.bodies.read
        passages = sum(len(found) for _, found in read)
        at = [
            len(self.chunks),
            len(self.chunks) + passages,
            len(self.vectors) - len(self.bodies.sentence_texts),
        ]
        self.sentences.put(self.batch, self.vectors[at[1] : at[2]])
        if read:
            self.sentences.put_bodies(read, self.vectors[at[2] :])
            self.store.passages.write(
                [paper for paper, _ in read], [found for _, found in read], self.vectors[at[0] : at[1]]
            )
        self.store.write(self.batch, self.chunks, self.vectors[: at[0]])
        self.sentences.forget({paper.id: paper.content_hash for paper in self.batch})
        self.sentences.forget_bodies({paper.id: paper.fulltext for paper in self.batch})


def _store_missing_sentences(store: Store, library: Library) -> None:
    """Embed and store the sentences of indexed papers that have none (an index built before they
    were stored, or a sentence file set aside as damaged); then mark the file complete."""
    sentences = library.sentence_file
    if sentences.is_complete():
        return
    current = [(paper, paper.content_hash) for paper in store.iter_papers()]
    stored, bodies = sentences.stored(), sentences.stored_bodies()
    todo = [paper for paper, digest in current if (paper.id, digest) not in stored]
    step = 256
    for start in range(0, len(todo), step):
        part = todo[start : start + step]
        sentences.put(part, library.embedder.embed_documents(sentence_vectors.texts_of(part)))
    for paper, _ in current:
        if paper.fulltext and (paper.id, paper.fulltext) not in bodies:
            body = store.passages.passages_of(paper)
            vectors = library.embedder.embed_documents(sentence_vectors.body_texts([body]))
            sentences.put_bodies([(paper, body)], vectors)
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
