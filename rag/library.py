"""The opened library: the embedding model, the Chroma store and the lexical index, wired once.

A :class:`Library` loads each collaborator on first use and keeps it, so a process (CLI command,
UI server, benchmark) loads each model once. Pass one to the verbs (``ingest``, ``search``,
``answer``...) or let them open one from :class:`~rag.settings.Settings`.

Answer writers come from one place, :meth:`Library.generator_for`: the settings' ``llm`` section
plus per-call changes (the CLI's ``--llm``, the UI's panel), each distinct choice built once.
"""

from __future__ import annotations

import os
import threading
from typing import Any

from rag.embedding import Embedder, load_embedder
from rag.generate import Generator, make_generator
from rag.lexical import LexicalIndex, open_lexical
from rag.settings import Settings
from rag.store import Store


class Library:
    """One library's collaborators, each loaded on first use: ``embedder``, ``store``, ``lexical``
    and the answer writers (:meth:`generator_for`). ``embedder`` may be passed in to share a loaded
    model between libraries."""

    def __init__(self, settings: Settings | None = None, *, embedder: Embedder | None = None) -> None:
        self.settings = settings or Settings()
        self._embedder = embedder
        self._store: Store | None = None
        self._lexical: LexicalIndex | None = None
        self._generators: dict[str, Generator] = {}
        self._generators_lock = threading.Lock()

    @property
    def embedder(self) -> Embedder:
        if self._embedder is None:
            embedding = self.settings.embedding
            if embedding.threads is None and self.settings.llm.provider == "local":
                # A local LLM runs in this process too: leave it half the cores rather than fight it.
                embedding = embedding.model_copy(update={"threads": max(1, (os.cpu_count() or 2) // 2)})
            self._embedder = load_embedder(embedding)
        return self._embedder

    def open_store(self, *, create: bool) -> Store:
        self._store = Store(self.settings, model=self.settings.embedding.model, create=create)
        return self._store

    @property
    def store(self) -> Store:
        """The existing index; raises IndexMissingError if nothing was ingested yet."""
        if self._store is None:
            return self.open_store(create=False)
        return self._store

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
    def lexical(self) -> LexicalIndex:
        if self._lexical is None:
            store = self.store
            self._lexical = open_lexical(self.settings.lexical_dir, store.iter_papers, store.paper_count())
        return self._lexical

    def refresh_lexical(self) -> LexicalIndex:
        """Drop the loaded lexical index so the next use re-checks it against Chroma."""
        self._lexical = None
        return self.lexical
