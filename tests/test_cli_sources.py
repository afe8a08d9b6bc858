"""The CLI on sources that are partly missing, duplicated or sliced: one line per problem."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from rag.cli import app

runner = CliRunner()
ABSTRACT = "We propose a method that does something useful for speech recognition. " * 3


def test_missing_path_is_one_line_the_rest_is_read_and_exit_is_1(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("LITREV_HOME", str(tmp_path / "home"))
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
