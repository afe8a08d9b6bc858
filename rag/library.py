"""The opened library: the embedding model, the Chroma store and the lexical index, wired once.

A :class:`Library` loads each collaborator on first use and keeps it, so a process (CLI command,
UI server, benchmark) loads each model once. Pass one to the verbs (``ingest``, ``search``,
``answer``...) or let them open one from :class:`~rag.settings.Settings`.
"""

from __future__ import annotations

import os
from functools import cached_property

from rag.embedding import Embedder, load_embedder
from rag.generate import Generator, make_generator
from rag.lexical import LexicalIndex, open_lexical
from rag.settings import Settings
from rag.store import Store


class Library:
    def __init__(self, settings: Settings | None = None, *, embedder: Embedder | None = None) -> None:
        self.settings = settings or Settings()
        if embedder is not None:
            self.__dict__["embedder"] = embedder

    @cached_property
    def embedder(self) -> Embedder:
        embedding = self.settings.embedding
        if embedding.threads is None and self.settings.llm.provider == "local":
            # A local LLM runs in this process too: leave it half the cores rather than fight it.
            embedding = embedding.model_copy(update={"threads": max(1, (os.cpu_count() or 2) // 2)})
        return load_embedder(embedding)

    def open_store(self, *, create: bool) -> Store:
        store = Store(self.settings, model=self.settings.embedding.model, create=create)
        self.__dict__["store"] = store
        return store

    @cached_property
    def store(self) -> Store:
        """The existing index; raises IndexMissingError if nothing was ingested yet."""
        return Store(self.settings, model=self.settings.embedding.model, create=False)

    @cached_property
    def generator(self) -> Generator:
        """The answer writer the settings name (a local model is loaded once, here)."""
        return make_generator(self.settings, self.embedder)

    @cached_property
    def lexical(self) -> LexicalIndex:
        store = self.store
        return open_lexical(self.settings.lexical_dir, store.iter_papers, store.paper_count())

    def refresh_lexical(self) -> LexicalIndex:
        """Drop the loaded lexical index so the next use re-checks it against Chroma."""
        self.__dict__.pop("lexical", None)
        return self.lexical
