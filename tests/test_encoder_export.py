"""The query encoder's export is checked as it loads: a damaged one is named in one line and made
again (by any command that embeds, `ingest --rebuild` included); an export that failed is not
tried again on the next question."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from rag.index import query_encoder
from rag.index.embedding import Embedder
from rag.index.ingest import ingest
from rag.index.library import Library
from rag.index.query_encoder import MIN_AGREEMENT, PROBES, cosine
from rag.onnx_files import failure_path, record_path
from rag.settings import Settings
from tests.homes import first_papers, litrev, share_export


def garbage(path: Path) -> None:
    path.write_bytes(np.random.default_rng(2).bytes(path.stat().st_size))  # same size


def truncated(path: Path) -> None:
    with path.open("r+b") as handle:
        handle.truncate(path.stat().st_size // 2)


@pytest.mark.parametrize(("damage", "command"), [(garbage, "search"), (truncated, "ingest --rebuild")])
def test_a_damaged_export_is_named_made_again_and_used(
    tmp_path: Path, embedder: Embedder, damage, command: str
) -> None:
    home = tmp_path / "home"
    subset = first_papers(tmp_path / "subset.jsonl", 6)
    share_export(embedder, home)
    assert embedder.onnx_path is not None
    path = home / "models" / embedder.onnx_path.name
    if command == "search":
        ingest([subset], library=Library(Settings(home=home), embedder=embedder))
    damage(path)

    args = ["search", "speech recognition"] if command == "search" else ["ingest", "--rebuild", str(subset)]
    done = litrev(home, *args)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "Traceback" not in done.stderr
    (line,) = done.stderr.strip().splitlines()  # one line, naming the file
    assert line == f"the query encoder {path} is damaged (its SHA-256 changed); making it again", line
    assert done.stdout.strip()

    made = query_encoder.load(path, embedder.model_dir, embedder.spec)  # its checksum holds again
    torch = embedder.embed_documents(list(PROBES))
    assert cosine(made.encode(PROBES), torch).min() >= MIN_AGREEMENT
    again = litrev(home, "search", "speech recognition")  # no warning: the export is used as it is
    assert again.returncode == 0 and again.stderr == "" and again.stdout.strip()


def test_an_export_that_failed_is_not_tried_again(
    tmp_path: Path, embedder: Embedder, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(query_encoder, "MIN_AGREEMENT", 2.0)  # no export can agree this well
    first = Embedder(embedder.model_dir, embedder.name, home=tmp_path)
    question = ["How fast is speculative decoding?"]
    torch = embedder.embed_documents(question)
    assert cosine(first.embed(question), torch).min() > 0.99999  # torch answered
    assert first.onnx_path is None
    path = query_encoder.onnx_path(tmp_path, embedder.model_dir, embedder.name)
    assert "disagrees with torch" in failure_path(path).read_text(encoding="utf-8")
    assert not path.exists() and not record_path(path).exists()

    tries: list[Path] = []
    monkeypatch.setattr(query_encoder, "export", lambda *args: tries.append(args[2]))
    for _ in range(3):  # the next commands, each with a new embedder
        later = Embedder(embedder.model_dir, embedder.name, home=tmp_path)
        assert cosine(later.embed(question), torch).min() > 0.99999
    assert tries == []
