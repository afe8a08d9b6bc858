"""litrev against a real ``chroma run`` server on 127.0.0.1 (the path for large libraries)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from rag.errors import StoreUnavailableError
from rag.index.ingest import ingest
from rag.index.library import Library
from rag.retrieval.retrieve import search
from rag.settings import ChromaSettings, Settings
from tests.chroma_server import ChromaServer, free_port
from tests.helpers import BUNDLED


def client_settings(tmp_path: Path, url: str) -> Settings:
    return Settings(home=tmp_path / "client", chroma=ChromaSettings(url=url))


def test_ingest_query_restart_query(tmp_path: Path, embedder) -> None:
    server = ChromaServer(tmp_path / "server-data").start()
    try:
        part = tmp_path / "part.jsonl"
        part.write_text(
            "\n".join(BUNDLED.read_text(encoding="utf-8").splitlines()[:60]) + "\n", encoding="utf-8"
        )
        library = Library(client_settings(tmp_path, server.url), embedder=embedder)
        report = ingest([part], library=library)
        assert report.added == 60 and report.total_papers == 60
        assert not (library.settings.chroma_dir).exists()  # nothing embedded locally
        title = next(library.store.iter_papers()).title
        before = [h.paper.id for h in search(title, library=library, k=5).hits]
        assert before

        server.stop()
        server.start()  # same data directory and port
        reopened = Library(client_settings(tmp_path, server.url), embedder=embedder)
        assert reopened.store.paper_count() == 60
        for method in ("dense", "lexical", "hybrid"):
            hits = search(title, library=reopened, k=5, method=method).hits
            assert hits[0].paper.title == title, method
        assert [h.paper.id for h in search(title, library=reopened, k=5).hits] == before
        assert ingest([part], library=reopened).unchanged == 60
    finally:
        server.stop()


def test_unreachable_server_is_a_clear_error_not_a_hang(tmp_path: Path, embedder) -> None:
    url = f"http://127.0.0.1:{free_port()}"
    started = time.monotonic()
    with pytest.raises(StoreUnavailableError, match=f"cannot reach the Chroma server at {url}"):
        search("anything", library=Library(client_settings(tmp_path, url), embedder=embedder))
    assert time.monotonic() - started < 15
