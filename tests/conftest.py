"""Shared fixtures: the real embedding model (loaded once) and a real Chroma index in a temp dir."""

from __future__ import annotations

from pathlib import Path

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


@pytest.fixture(scope="session")
def embedder(bundled_home: Path) -> Embedder:
    return load_embedder(EmbeddingSettings(), home=bundled_home)


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
