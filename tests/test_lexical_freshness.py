"""The BM25 index follows Chroma: an ingest of changed abstracts while questions are asked leaves
both holding the same version of every paper, running the same ingest again repairs an index a
reader left stale, and a manifest of the wrong shape is a damaged file, rebuilt."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from rag.answers.answer import answer
from rag.cli.commands import app
from rag.index.embedding import Embedder
from rag.index.ingest import ingest
from rag.index.lexical import LexicalIndex
from rag.index.library import Library
from rag.index.rebuild import forget_clients
from rag.retrieval.retrieve import search
from rag.settings import Settings
from rag.sources.corpus import read_paths
from tests.helpers import ROOT
from tests.homes import first_papers, share_export

PAPERS = 12


def revised(source: Path, path: Path) -> Path:
    """The same papers, each abstract with a sentence naming a word no other paper uses."""
    records = [json.loads(line) for line in source.read_text(encoding="utf-8").splitlines()]
    for number, record in enumerate(records):
        record["abstract"] += f" The revised study also covers the marmoset{number} corpus."
    path.write_text("".join(json.dumps(record) + "\n" for record in records), encoding="utf-8")
    return path


def assert_bm25_agrees_with_chroma(settings: Settings, embedder: Embedder) -> Library:
    library = Library(settings, embedder=embedder)
    chroma = {paper.id: paper.content_hash for paper in library.store.iter_papers()}
    saved = LexicalIndex.load(settings.lexical_dir)
    assert dict(zip(saved.paper_ids, saved.content_hashes, strict=True)) == chroma
    assert library.lexical.digest == saved.digest == library.store.recorded_digest()
    return library


def test_an_ingest_of_changed_abstracts_while_questions_run_leaves_bm25_and_chroma_agreeing(
    tmp_path: Path, embedder: Embedder
) -> None:
    """A real `litrev ingest` process rewrites every abstract, two papers per batch, while this
    process asks and searches over and over, each time with a new library as a new command would
    (each reader that meets the write in progress rebuilds the BM25 index from a half-written
    Chroma and saves it). Afterwards the saved BM25 index holds every paper's new content hash and
    ranks by the new text."""
    settings = Settings(home=tmp_path / "home")
    original = first_papers(tmp_path / "v1.jsonl", PAPERS)
    ingest([original], library=Library(settings, embedder=embedder))
    share_export(embedder, settings.home)
    changed = revised(original, tmp_path / "v2.jsonl")
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "LITREV_HOME": str(settings.home),
        "LITREV_CHUNKING__BATCH_PAPERS": "2",
    }
    writer = subprocess.Popen(
        [sys.executable, "-c", "from rag.cli.commands import main; main()", "ingest", str(changed)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    asked = 0
    while writer.poll() is None:
        forget_clients(settings.chroma_dir)  # as a new command would open it
        reader = Library(settings, embedder=embedder)
        search("marmoset corpus", library=reader, method="lexical", k=3)
        answer("Which corpus does the revised study cover?", library=reader)
        asked += 1
    stdout, stderr = writer.communicate()
    assert writer.returncode == 0, stderr
    assert f"0 added, {PAPERS} updated" in stdout
    assert asked >= 3  # questions really ran during the write
    forget_clients(settings.chroma_dir)

    library = assert_bm25_agrees_with_chroma(settings, embedder)
    for number in (0, 7, PAPERS - 1):
        hits = search(f"marmoset{number} corpus", library=library, method="lexical", k=3).hits
        assert hits and f"marmoset{number} corpus" in hits[0].paper.abstract


def test_the_same_ingest_repairs_a_stale_bm25_index_though_no_paper_changed(
    tmp_path: Path, embedder: Embedder
) -> None:
    """A reader that rebuilt the BM25 index from the old abstracts saves it after the ingest that
    changed them ended (the race the test above runs for real, here on purpose). A new command
    finds it stale, and running the same ingest again, which reports every paper unchanged,
    repairs it on disk."""
    settings = Settings(home=tmp_path / "home")
    original = first_papers(tmp_path / "v1.jsonl", 12)
    ingest([original], library=Library(settings, embedder=embedder))
    changed = revised(original, tmp_path / "v2.jsonl")
    ingest([changed], library=Library(settings, embedder=embedder))
    LexicalIndex.build(read_paths([original]).papers).save(settings.lexical_dir)  # the late save

    reader = Library(settings, embedder=embedder)
    hits = search("marmoset3 corpus", library=reader, method="lexical", k=1).hits
    assert hits and "marmoset3 corpus" in hits[0].paper.abstract

    LexicalIndex.build(read_paths([original]).papers).save(settings.lexical_dir)
    report = ingest([changed], library=Library(settings, embedder=embedder))
    assert report.unchanged == 12 and report.updated == report.added == 0
    assert_bm25_agrees_with_chroma(settings, embedder)


@pytest.mark.parametrize("content", ["[]", "null", "{}", '{"format": 3, "paper_ids": "x"}', '"text"'])
def test_a_bm25_manifest_of_another_shape_is_a_damaged_file_and_rebuilt(
    tmp_path: Path, embedder: Embedder, content: str, caplog: pytest.LogCaptureFixture
) -> None:
    settings = Settings(home=tmp_path / "home")
    subset = first_papers(tmp_path / "subset.jsonl", 12)
    ingest([subset], library=Library(settings, embedder=embedder))
    share_export(embedder, settings.home)
    manifest = settings.lexical_dir / "manifest.json"
    manifest.write_text(content, encoding="utf-8")
    forget_clients(settings.chroma_dir)

    title = json.loads(subset.read_text(encoding="utf-8").splitlines()[4])["title"]
    runner = CliRunner()
    env = {"LITREV_HOME": str(settings.home)}
    for command in (
        ["search", title, "--method", "lexical", "--json"],
        ["ask", "What is speech recognition?"],
    ):
        manifest.write_text(content, encoding="utf-8")
        with caplog.at_level("WARNING", logger="rag.index.lexical"):
            result = runner.invoke(app, command, env=env)
        assert result.exit_code == 0 and result.exception is None, result.output
        assert f"the lexical index file {manifest} is damaged" in caplog.text
        caplog.clear()
    found = runner.invoke(app, ["search", title, "--method", "lexical", "--json"], env=env)
    assert json.loads(found.stdout)["hits"][0]["title"] == title
    saved = LexicalIndex.load(settings.lexical_dir)  # saved again in the right shape
    assert len(saved) == 12 and json.loads(manifest.read_text(encoding="utf-8"))["format"] == 3
