"""The CLI on sources that are partly missing, duplicated or sliced: one line per problem."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from rag.cli.commands import app
from rag.index.embedding import Embedder
from rag.index.library import Library
from rag.settings import Settings
from tests.helpers import ROOT
from tests.homes import share_export

runner = CliRunner()
ABSTRACT = "We propose a method that does something useful for speech recognition. " * 3


def test_missing_path_is_one_line_the_rest_is_read_and_exit_is_1(
    tmp_path: Path, monkeypatch, embedder: Embedder
) -> None:
    monkeypatch.setenv("LITREV_HOME", str(tmp_path / "home"))
    share_export(embedder, tmp_path / "home")  # the query encoder, as made once for the session
    good = tmp_path / "good.jsonl"
    records = [
        {"title": "Kept Paper", "abstract": ABSTRACT},
        {"title": "Twice", "abstract": ABSTRACT},
        {"title": "twice", "abstract": "Another abstract for the same title, long enough to be one."},
    ]
    good.write_text("\n".join(json.dumps(r) for r in records) + "\n", encoding="utf-8")
    missing = tmp_path / "missing.bib"
    for command in (
        ["convert", str(missing), str(good), "-o", str(tmp_path / "out.jsonl")],
        ["ingest", str(missing), str(good)],
    ):
        result = runner.invoke(app, command)
        assert result.exit_code == 1, result.output
        lines = result.output.splitlines()
        assert f"skipped: {missing}: no such file or folder" in lines
        assert "duplicate title with a different abstract (the first is kept): Twice" in lines
        assert "Traceback" not in result.output
    written = (tmp_path / "out.jsonl").read_text(encoding="utf-8").splitlines()
    assert [json.loads(line)["title"] for line in written] == ["Kept Paper", "Twice"]
    assert "2 added" in result.output  # the ingest indexed the readable file


def litrev(home: Path, *args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """``litrev ARGS`` as a real process; a read that hangs fails the test instead of the suite."""
    env = {**os.environ, "LITREV_HOME": str(home), "PYTHONPATH": str(ROOT)}
    command = [sys.executable, "-c", "from rag.cli.commands import main; main()", *args]
    try:
        return subprocess.run(command, env=env, capture_output=True, text=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        pytest.fail(f"litrev {' '.join(args)} still running after {timeout} s")


def test_ingest_skips_pipes_and_hostile_records_and_indexes_the_rest(
    tmp_path: Path, embedder: Embedder
) -> None:
    home, folder = tmp_path / "home", tmp_path / "papers"
    share_export(embedder, home)
    folder.mkdir()
    named = tmp_path / "named.jsonl"
    os.mkfifo(named)
    os.mkfifo(folder / "pipe.jsonl")
    (folder / "good.jsonl").write_text(json.dumps({"title": "Kept Paper", "abstract": ABSTRACT}) + "\n")
    nested = "Nested " + "{" * 300 + "braces" + "}" * 300 + " here."
    huge = "\\emph{x} $\\alpha$ " * (30_000_000 // 18)
    with (folder / "hostile.jsonl").open("w", encoding="utf-8") as out:
        for title, abstract in (("Nested", nested), ("Huge", huge), ("Beside Hostile", ABSTRACT)):
            out.write(json.dumps({"title": title, "abstract": abstract}) + "\n")

    alone = litrev(home, "ingest", str(named), timeout=120)
    started = time.perf_counter()
    walked = litrev(home, "ingest", str(folder))
    seconds = time.perf_counter() - started

    assert alone.returncode == 1
    assert f"skipped: {named}: not a regular file but a named pipe (FIFO)" in alone.stderr.splitlines()
    assert "Traceback" not in alone.stderr + walked.stderr
    assert walked.returncode == 1, walked.stderr  # a path was skipped
    assert [line for line in walked.stderr.splitlines() if line.startswith("skipped")] == [
        f"skipped: {folder / 'hostile.jsonl'}:1: abstract of 'Nested' nests braces or environments "
        "300 levels deep (at most 32)",
        f"skipped: {folder / 'hostile.jsonl'}:2: line is "
        f"{len(json.dumps({'title': 'Huge', 'abstract': huge})) + 1} bytes long (at most 1048576); skipped",
        f"skipped: {folder / 'pipe.jsonl'}: not a regular file but a named pipe (FIFO)",
    ]
    assert "2 added" in walked.stdout and "Library: 2 papers." in walked.stdout
    assert seconds < 120, walked.stderr
    titles = sorted(paper.title for paper in Library(Settings(home=home)).store.iter_papers())
    assert titles == ["Beside Hostile", "Kept Paper"]
