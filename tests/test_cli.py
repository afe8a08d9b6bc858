"""The CLI verbs, run in-process against a real temp-dir index."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from rag.cli.commands import app
from rag.index.embedding import Embedder
from tests.helpers import BUNDLED, RAW
from tests.homes import share_export

runner = CliRunner()


def test_ingest_ask_papers_and_search(tmp_path: Path, monkeypatch, embedder: Embedder) -> None:
    monkeypatch.setenv("LITREV_HOME", str(tmp_path))
    share_export(embedder, tmp_path)  # the query encoder, as made once for the session
    part = tmp_path / "part.jsonl"
    part.write_text("\n".join(BUNDLED.read_text(encoding="utf-8").splitlines()[:40]) + "\n", encoding="utf-8")
    result = runner.invoke(app, ["ingest", str(part)])
    assert result.exit_code == 0, result.output
    assert "40 added" in result.output

    result = runner.invoke(app, ["ingest", str(part)])
    assert "0 added, 0 updated, 40 unchanged" in result.output

    listed = json.loads(runner.invoke(app, ["papers", "--json"]).output)
    assert len(listed) == 40

    title = listed[0]["title"]
    hits = json.loads(runner.invoke(app, ["search", title, "--json", "-k", "3"]).output)["hits"]
    assert hits[0]["title"] == title

    data = json.loads(runner.invoke(app, ["ask", "--json", "What is the best sourdough recipe?"]).output)
    assert data["abstained"] is True


def test_user_errors_are_one_line_without_traceback(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("LITREV_HOME", str(tmp_path))
    result = runner.invoke(app, ["ask", "anything"])
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [
        f"error: no index at {tmp_path / 'chroma'}; run `litrev ingest` first"
    ]
    bad = tmp_path / "bad.csv"
    bad.write_text("name,abstract\nx,y\n", encoding="utf-8")
    result = runner.invoke(app, ["ingest", str(bad)])
    assert "skipped:" in result.output and "bad.csv:1: CSV header needs a title" in result.output
    assert result.exit_code == 1  # a file was skipped whole
    assert "Traceback" not in result.output


def test_convert_writes_the_bundled_corpus_format(tmp_path: Path) -> None:
    out = tmp_path / "papers.jsonl"
    result = runner.invoke(app, ["convert", str(RAW), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_text(encoding="utf-8") == BUNDLED.read_text(encoding="utf-8")


def test_ask_and_search_say_what_the_year_filter_left_out(
    tmp_path: Path, monkeypatch, embedder: Embedder
) -> None:
    monkeypatch.setenv("LITREV_HOME", str(tmp_path))
    share_export(embedder, tmp_path)
    records = [json.loads(line) for line in BUNDLED.read_text(encoding="utf-8").splitlines()[:40]]
    for record in records[:10]:
        record["year"] = 2015
    part = tmp_path / "part.jsonl"
    part.write_text("\n".join(json.dumps(record) for record in records) + "\n", encoding="utf-8")
    assert runner.invoke(app, ["ingest", str(part)]).exit_code == 0
    note = "note: 30 papers have no year and 10 papers are from before 2020: the year filter left them out."

    result = runner.invoke(app, ["ask", records[20]["title"], "--year-from", "2020"])
    assert result.exit_code == 0 and note in result.stderr, result.output
    assert "note:" not in runner.invoke(app, ["ask", records[20]["title"]]).stderr  # no filter, no note

    result = runner.invoke(app, ["search", records[20]["title"], "--year-from", "2020"])
    assert result.exit_code == 0 and note in result.stderr and not result.stdout.strip(), result.output
    result = runner.invoke(app, ["search", records[20]["title"], "--year-from", "2010"])
    found = result.stdout.strip()  # the dated papers are found, so there is no note
    assert found and records[20]["title"] not in found and "note:" not in result.stderr
