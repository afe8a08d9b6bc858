"""The opened library: the embedding model, the Chroma store and the lexical index, wired once.

A :class:`Library` loads each collaborator on first use and keeps it, so a process (CLI command,
UI server, benchmark) loads each model once. Pass one to the verbs (``ingest``, ``search``,
``answer``...) or let them open one from :class:`~rag.settings.Settings`.

Answer writers come from one place, :meth:`Library.generator_for`: the settings' ``llm`` section
plus per-call changes (the CLI's ``--llm``, the UI's panel), each distinct choice built once.

A process that serves several users at once (the UI) brackets each use with ``library.reading()``
(ask, cite, search, related work: any number at once) or ``library.writing()`` (ingest: alone,
once the reads in progress finish; reads that arrive meanwhile wait for it).
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Any

from rag.errors import IndexMissingError, IndexWriteError
from rag.grounding.entailment import shipped as shipped_entailment
from rag.grounding.judge import Judge
from rag.grounding.model import load as load_weights
from rag.index.embedding import Embedder, load_embedder
from rag.index.lexical import LexicalIndex, open_lexical, saved_papers
from rag.index.sentence_vectors import SentenceFile, SentenceVectors
from rag.index.store import Store, index_source
from rag.llm.generate import Generator, make_generator
from rag.settings import Settings
from rag.sources.sentences import load_spans, save_spans

logger = logging.getLogger(__name__)


class ReadWriteLock:
    """Many readers at once, or one writer alone. A waiting writer holds back readers that arrive
    after it, so a stream of reads cannot starve an ingest. The writer may take it again (an ingest
    inside a caller's write); a reader must not take it again, nor a reader write."""

    def __init__(self) -> None:
        self._changed = threading.Condition()
        self._readers = 0
        self._writer: int | None = None
        """The thread that holds it for writing."""
        self._depth = 0
        self._writers_waiting = 0

    @contextmanager
    def reading(self) -> Iterator[None]:
        with self._changed:
            self._changed.wait_for(lambda: self._writer is None and not self._writers_waiting)
            self._readers += 1
        try:
            yield
        finally:
            with self._changed:
                self._readers -= 1
                self._changed.notify_all()

    @contextmanager
    def writing(self) -> Iterator[None]:
        me = threading.get_ident()
        with self._changed:
            if self._writer != me:
                self._writers_waiting += 1
                try:
                    self._changed.wait_for(lambda: self._writer is None and not self._readers)
                finally:
                    self._writers_waiting -= 1
                self._writer = me
            self._depth += 1
        try:
            yield
        finally:
            with self._changed:
                self._depth -= 1
                if not self._depth:
                    self._writer = None
                    self._changed.notify_all()

    @property
    def readers(self) -> int:
        """How many readers hold the lock now."""
        return self._readers


class Library:
    """One library's collaborators, each loaded on first use: ``embedder``, ``store``, ``lexical``,
    ``sentences`` (their stored vectors), ``judge`` and the answer writers (:meth:`generator_for`).
    ``embedder`` may be passed in to share a loaded
    model between libraries."""

    def __init__(self, settings: Settings | None = None, *, embedder: Embedder | None = None) -> None:
        self.settings = settings or Settings()
        self._embedder = embedder
        self._store: Store | None = None
        self._lexical: LexicalIndex | None = None
        self._sentences: SentenceVectors | None = None
        self._judge: Judge | None = None
        self._generators: dict[str, Generator] = {}
        self._generators_lock = threading.Lock()
        self._opening = threading.RLock()
        """Held while a collaborator is opened: the app's first requests arrive together, and two
        threads opening one Chroma folder at once make chromadb fail."""
        self.lock = ReadWriteLock()

    def reading(self) -> AbstractContextManager[None]:
        """Hold while reading the library (search, answer, lookup); shared with other readers."""
        return self.lock.reading()

    def writing(self) -> AbstractContextManager[None]:
        """Hold while changing the library (ingest); excludes every reader and other writers."""
        return self.lock.writing()

    @property
    def embedder(self) -> Embedder:
        if self._embedder is None:
            embedding = self.settings.embedding
            if embedding.threads is None and self.settings.llm.provider == "local":
                # A local LLM runs in this process too: leave it half the cores rather than fight it.
                embedding = embedding.model_copy(update={"threads": max(1, (os.cpu_count() or 2) // 2)})
            self._embedder = load_embedder(embedding, home=self.settings.home)
        return self._embedder

    def open_store(self, *, create: bool, lost_check: bool = True) -> Store:
        """Open the index (``create``: an empty one if there is none). Unless ``lost_check`` is
        off, an index that is missing or empty while the state beside it says it held papers is
        an IndexMissingError saying so, not a new, empty library."""
        with self._opening:
            try:
                store = Store(self.settings, model=self.settings.embedding.model, create=create)
            except IndexMissingError as error:
                lost = lost_index(self.settings, "missing") if lost_check else None
                raise (lost or error) from None
            if lost_check and store.paper_count() == 0 and (lost := lost_index(self.settings, "empty")):
                raise lost
            self._store = store
            load_spans(self.settings.sentences_path)
            return self._store

    def save_sentence_spans(self) -> None:
        """Keep the sentence spans of every indexed abstract beside the index (after an ingest)."""
        save_spans(self.settings.sentences_path, (paper.abstract for paper in self.store.iter_papers()))

    @property
    def store(self) -> Store:
        """The existing index; raises IndexMissingError if nothing was ingested yet."""
        with self._opening:
            return self._store if self._store is not None else self.open_store(create=False)

    @property
    def generator(self) -> Generator:
        """The answer writer the settings name (a local model is loaded once, here)."""
        return self.generator_for()

    def generator_for(self, **changes: Any) -> Generator:
        """The answer writer for the settings' ``llm`` section with ``changes`` applied, built once.

        Raises :class:`~rag.errors.SettingsError` when a change is not a valid value.
        """
        settings = self.settings.with_llm(**changes) if changes else self.settings
        key = settings.llm.model_dump_json()
        with self._generators_lock:
            if key not in self._generators:
                self._generators[key] = make_generator(settings, self.embedder)
            return self._generators[key]

    @property
    def sentence_file(self) -> SentenceFile:
        """Where the library's sentence vectors are kept (:mod:`rag.index.sentence_vectors`)."""
        return SentenceFile(self.settings.sentence_vectors_path, self.settings.embedding.model)

    @property
    def sentences(self) -> SentenceVectors:
        """The library's sentences with their stored vectors, for the judge."""
        with self._opening:
            if self._sentences is None:
                self._sentences = SentenceVectors(
                    self.embedder, self.sentence_file, lambda paper: self.store.passages.passages_of(paper)
                )
            return self._sentences

    @property
    def judge(self) -> Judge:
        """The judge of support over this library's sentences and vocabulary (:mod:`rag.grounding`)."""
        with self._opening:
            sentences, lexical = self.sentences, self.lexical
            if (
                self._judge is None
                or self._judge.sentences is not sentences
                or self._judge.vocabulary is not lexical
            ):
                weights = self.settings.judge.weights
                self._judge = Judge(
                    sentences,
                    lexical,
                    load_weights(weights) if weights else None,
                    shipped_entailment(self.settings.home),
                )
            return self._judge

    @property
    def lexical(self) -> LexicalIndex:
        """The BM25 index, checked against the digest of the papers Chroma recorded."""
        with self._opening:
            if self._lexical is None:
                store = self.store
                directory, digest = self.settings.lexical_dir, store.recorded_digest()
                self._lexical = open_lexical(directory, store.iter_papers, digest, source=store.source)
            return self._lexical

    def refresh_lexical(self) -> LexicalIndex:
        """After a write: read every paper back, rebuild the lexical index unless it was built from
        exactly those, and record their digest in Chroma, which readers then check it against."""
        with self._opening:
            store = self.store
            index = open_lexical(self.settings.lexical_dir, store.iter_papers, source=store.source)
            try:
                store.record_digest(index.digest)
            except IndexWriteError as error:  # readers then check every paper until the next ingest
                logger.warning("%s", error)
            self._lexical = index
            return index


def lost_index(settings: Settings, state: str) -> IndexMissingError | None:
    """The error to raise when the index is ``state`` ("missing", "empty") while the lexical index
    or the sentence vectors beside it say that it held papers; None when nothing says so."""
    held, where = saved_papers(settings.lexical_dir, index_source(settings)), settings.lexical_dir
    if not held:
        sentences = SentenceFile(settings.sentence_vectors_path, settings.embedding.model)
        held = len({paper_id for paper_id, _ in sentences.stored()}) if sentences.is_complete() else 0
        where = settings.sentence_vectors_path
    if not held:
        return None
    location = settings.chroma.url or settings.chroma_dir
    return IndexMissingError(
        f"the index at {location} is {state}, but {where} says it held {held} papers; rebuild it "
        "from all your sources with `litrev ingest --rebuild FILES` (they become the whole library)"
    )
