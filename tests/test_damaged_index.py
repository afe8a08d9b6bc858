"""A damaged vector index is one line naming the file and `litrev ingest --rebuild`, which works;
a lost index is said out loud instead of silently starting a new library."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from rag.cli.commands import app
from rag.index.embedding import Embedder
from rag.index.hnsw_files import check_vector_files
from rag.index.ingest import ingest
from rag.index.library import Library
from rag.index.rebuild import forget_clients
from rag.retrieval.retrieve import search
from rag.settings import Settings
from tests.homes import first_papers, litrev, share_export

FLUSHED = 1_100
"""Records after which chromadb has written a collection's vector graph to disk."""


@pytest.fixture(scope="module")
def flushed_home(tmp_path_factory: pytest.TempPathFactory, embedder: Embedder) -> tuple[Path, Path]:
    """A library of 10 papers whose chunk collection also holds enough records (chunks of no paper,
    which queries skip) for chromadb to have written its vector graph to disk; and its source."""
    root = tmp_path_factory.mktemp("flushed")
    settings = Settings(home=root / "home")
    subset = first_papers(root / "subset.jsonl", 10)
    library = Library(settings, embedder=embedder)
    ingest([subset], library=library)
    vectors = np.random.default_rng(0).normal(size=(FLUSHED, embedder.dim)).astype(np.float32)
    meta = {"paper_id": "p-none", "index": 0, "start": 0, "end": 1, "content_hash": "none"}
    for start in range(0, FLUSHED, 100):
        ids = [f"p-none:{number}" for number in range(start, start + 100)]
        library.store.chunks.upsert(ids=ids, embeddings=vectors[start : start + 100], metadatas=[meta] * 100)
    forget_clients(settings.chroma_dir)
    share_export(embedder, settings.home)
    assert graph_folder(settings.chroma_dir) is not None  # chromadb did write a graph
    check_vector_files(settings.chroma_dir)
    return settings.home, subset


def graph_folder(chroma: Path) -> Path | None:
    return next((path for path in chroma.iterdir() if (path / "index_metadata.pickle").exists()), None)


def random_bytes(folder: Path) -> Path:
    path = folder / "data_level0.bin"
    path.write_bytes(np.random.default_rng(1).bytes(path.stat().st_size))
    return path


def truncated(folder: Path) -> Path:
    path = folder / "data_level0.bin"
    with path.open("r+b") as handle:
        handle.truncate(path.stat().st_size // 3)
    return path


def deleted(folder: Path) -> Path:
    shutil.rmtree(folder)
    return folder


def garbage_metadata(folder: Path) -> Path:
    path = folder / "index_metadata.pickle"
    path.write_bytes(b"\x80\x04\x95garbage" + bytes(range(256)))
    return path


@pytest.mark.parametrize("damage", [random_bytes, truncated, deleted, garbage_metadata])
def test_a_damaged_vector_graph_is_one_line_naming_it_and_rebuild_recovers(
    tmp_path: Path, flushed_home: tuple[Path, Path], damage, embedder: Embedder
) -> None:
    pristine, subset = flushed_home
    home = tmp_path / "home"
    shutil.copytree(pristine, home)
    named = damage(graph_folder(home / "chroma"))
    small = first_papers(tmp_path / "small.jsonl", 5)

    for command in (
        ["search", "speech recognition"],
        ["ask", "What is speech recognition?"],
        ["ingest", str(small)],
    ):
        done = litrev(home, *command)
        assert done.returncode == 1, (command, done.returncode, done.stderr[-2000:])  # not a signal
        assert len(done.stderr.strip().splitlines()) == 1, done.stderr  # one line, no traceback
        line = done.stderr.strip()
        assert str(named) in line and "litrev ingest --rebuild" in line, line

    # the rebuild the line asks for, as the command runs it (in this process: the damaged graph is
    # moved aside unread, and the three commands above showed that reading it fails cleanly)
    forget_clients(home / "chroma")
    done = CliRunner().invoke(app, ["ingest", "--rebuild", str(subset)], env={"LITREV_HOME": str(home)})
    assert done.exit_code == 0, done.output[-2000:]
    assert "10 added" in done.stdout and "Library: 10 papers" in done.stdout
    forget_clients(home / "chroma")
    check_vector_files(home / "chroma")
    library = Library(Settings(home=home), embedder=embedder)
    assert library.store.paper_count() == 10 and library.store.chunk_count() < FLUSHED
    title = json.loads(subset.read_text(encoding="utf-8").splitlines()[3])["title"]
    hits = search(title, library=library, k=3).hits
    assert hits[0].paper.title == title and all(hit.dense is not None for hit in hits)


@pytest.mark.parametrize("state", ["database deleted", "database emptied", "folder deleted"])
def test_a_lost_index_is_said_out_loud_and_rebuild_starts_the_library_afresh(
    tmp_path: Path, embedder: Embedder, state: str
) -> None:
    settings = Settings(home=tmp_path / "home")
    ingest([first_papers(tmp_path / "subset.jsonl", 12)], library=Library(settings, embedder=embedder))
    share_export(embedder, settings.home)
    forget_clients(settings.chroma_dir)
    database = settings.chroma_dir / "chroma.sqlite3"
    if state == "database deleted":
        database.unlink()
    elif state == "database emptied":
        database.write_bytes(b"")
    else:
        shutil.rmtree(settings.chroma_dir)
    small = first_papers(tmp_path / "small.jsonl", 5)
    runner = CliRunner()
    env = {"LITREV_HOME": str(settings.home)}

    for command in (["ingest", str(small)], ["papers"], ["ingest", str(small)], ["search", "speech"]):
        result = runner.invoke(app, command, env=env)
        assert result.exit_code == 1 and isinstance(result.exception, SystemExit), result.output
        (line,) = result.stderr.strip().splitlines()
        assert f"the index at {settings.chroma_dir} is" in line and "held 12 papers" in line, line
        assert "litrev ingest --rebuild" in line
    forget_clients(settings.chroma_dir)
    assert Library(settings, embedder=embedder).open_store(create=True, lost_check=False).paper_count() == 0

    result = runner.invoke(app, ["ingest", "--rebuild", str(small)], env=env)
    assert result.exit_code == 0, result.output
    assert "Library: 5 papers" in result.stdout
    listed = runner.invoke(app, ["papers", "--json"], env=env)
    assert listed.exit_code == 0 and len(json.loads(listed.stdout)) == 5
    forget_clients(settings.chroma_dir)
    assert len(Library(settings, embedder=embedder).lexical) == 5
