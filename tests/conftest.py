"""Shared fixtures: the real embedding model (loaded once) and a real Chroma index in a temp dir."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from rag.index.embedding import Embedder, load_embedder
from rag.index.ingest import IngestReport, ingest
from rag.index.library import Library
from rag.settings import EmbeddingSettings, Settings
from tests.helpers import BUNDLED


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """No test may read or write the user's real litrev home."""
    monkeypatch.setenv("LITREV_HOME", str(tmp_path_factory.mktemp("home")))


@pytest.fixture(scope="session")
def bundled_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The home of the ``bundled`` library, which also keeps the shared model's ONNX export."""
    return tmp_path_factory.mktemp("bundled")


class SessionEmbedder(Embedder):
    """The real model, remembering each document vector it made in this test session.

    Many tests ingest slices of the bundled corpus (or the same few records) again; ingest then
    stores the vector this model already made for that chunk or sentence instead of running the
    model on it again. Everything else (the ONNX query encoder, its export) is the real
    :class:`Embedder`'s; tests of the two runtimes themselves use ``plain_embedder``.
    """

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.documents: dict[str, np.ndarray] = {}

    def embed_documents(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return super().embed_documents(texts)
        if new := [text for text in dict.fromkeys(texts) if text not in self.documents]:
            self.documents.update(zip(new, super().embed_documents(new), strict=True))
        return np.stack([self.documents[text] for text in texts])


@pytest.fixture(scope="session")
def plain_embedder(bundled_home: Path) -> Embedder:
    """The model as litrev loads it, remembering nothing, sharing the session's ONNX export."""
    return load_embedder(EmbeddingSettings(), home=bundled_home)


@pytest.fixture(scope="session")
def embedder(bundled_home: Path, plain_embedder: Embedder) -> Embedder:
    settings = EmbeddingSettings()
    return SessionEmbedder(
        plain_embedder.model_dir,
        settings.model,
        batch_size=settings.batch_size,
        threads=settings.threads,
        home=bundled_home,
    )


@pytest.fixture
def library(tmp_path: Path, embedder: Embedder) -> Library:
    """An empty library in a fresh temp dir, sharing the loaded model."""
    return Library(Settings(home=tmp_path / "home"), embedder=embedder)


@pytest.fixture(scope="session")
def bundled_ingest(bundled_home: Path, embedder: Embedder) -> tuple[Library, IngestReport]:
    """The bundled corpus ingested into an empty home, once for the whole session, with the
    report of that first ingest."""
    library = Library(Settings(home=bundled_home), embedder=embedder)
    return library, ingest([BUNDLED], library=library)


@pytest.fixture(scope="session")
def bundled(bundled_ingest: tuple[Library, IngestReport]) -> Library:
    """The bundled corpus, ingested once for the whole session. Tests must not write to it."""
    return bundled_ingest[0]
