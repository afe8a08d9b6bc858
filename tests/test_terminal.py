"""Escape sequences and control characters in corpus text never reach the terminal."""

from __future__ import annotations

import json
import re
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from rag.cli.commands import app
from rag.cli.output import markup_free
from rag.index.ingest import ingest
from rag.index.library import Library
from rag.terminal import one_line, printable, writable
from tests.homes import share_export

CLEAR = "\x1b[2J\x1b[H"
RED = "\x1b[31m"
LINK = "\x1b]8;;https://evil.example/\x1b\\click here\x1b]8;;\x1b\\"
BELL_LINK = "\x1b]8;;https://evil.example/\x07x\x1b]8;;\x07"
RTL = "\u202etxt.exe"
UNSAFE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def test_escape_sequences_are_removed_whole() -> None:
    assert printable(f"a{CLEAR}b{RED}c") == "abc"
    assert printable(f"see {LINK} now") == "see click here now"
    assert printable(BELL_LINK) == "x"
    assert printable(f"file {RTL}") == "file txt.exe"
    assert printable("8-bit \x9b31mCSI and \x9d0;title\x9c done") == "8-bit CSI and  done"


def test_newlines_and_tabs_stay_where_they_belong() -> None:
    assert printable("line one\n\tline two\r\nthree\rfour") == "line one\n\tline two\nthree\nfour"
    assert one_line("A title\nsplit\r\nover lines") == "A title split over lines"


@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=200))
def test_nothing_unsafe_survives_any_text(text: str) -> None:
    for cleaned in (printable(text), one_line(text)):
        assert "\x1b" not in cleaned and not UNSAFE.search(cleaned)
    assert "\n" not in one_line(text)


def test_cli_output_of_hostile_titles_and_abstracts_is_clean(library: Library, tmp_path: Path) -> None:
    records = [
        {
            "title": f"Streaming Speech Codec{CLEAR} Study {RED}{i}",
            "abstract": f"We propose a neural speech codec {LINK} for streaming speech synthesis "
            f"at a low bitrate.{BELL_LINK} It keeps quality high {RTL} on every test set {i}.",
        }
        for i in range(4)
    ]
    path = tmp_path / "hostile.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    ingest([path], library=library)
    share_export(library.embedder, library.settings.home)  # the commands load the session's encoder
    env = {"LITREV_HOME": str(library.settings.home)}
    runner = CliRunner()
    commands = [
        ["papers"],
        ["search", "streaming speech codec"],
        ["ask", "Which papers propose a neural speech codec for streaming speech synthesis?"],
        ["cite", "a neural speech codec for streaming speech synthesis at a low bitrate"],
        ["related-work", "A neural speech codec for streaming speech synthesis at a low bitrate."],
    ]
    for command in commands:
        result = runner.invoke(app, command, env=env)
        assert result.exit_code == 0, (command, result.output)
        for stream in (result.stdout, result.stderr):
            assert "\x1b" not in stream and not UNSAFE.search(stream.replace("\n", "")), command
        assert "Streaming Speech Codec Study" in result.stdout or "speech codec" in result.stdout, command


@given(st.text(alphabet="[]\\/:@#ab Cz=", max_size=40))
def test_text_printed_through_rich_is_printed_as_written(text: str) -> None:
    from rich.markup import render

    assert render(markup_free(text), emoji=False).plain == text


def test_titles_and_file_names_are_printed_as_written(library: Library, tmp_path: Path) -> None:
    title = "Codec [Click here](x) [bold]loud[/bold] :warning: study"
    record = {"title": title, "abstract": "We propose a neural speech codec for streaming speech."}
    path = tmp_path / "[bold]codec.jsonl"
    path.write_text(json.dumps(record) + "\n", encoding="utf-8")
    ingest([path], library=library)
    env = {"LITREV_HOME": str(library.settings.home)}
    listed = CliRunner().invoke(app, ["papers"], env=env)
    assert f"  {title}\n" in listed.stdout
    converted = CliRunner().invoke(app, ["convert", str(path), "-o", str(tmp_path / "[red]out.jsonl")])
    assert f"wrote 1 papers to {tmp_path / '[red]out.jsonl'} " in converted.stdout


def test_a_written_file_loses_control_characters_one_by_one() -> None:
    # a whole file: an unterminated OSC must not swallow the braces and lines after it
    assert writable("title = {a\x1b]0;x}\n}\n") == "title = {a]0;x}\n}\n"
    broken = "% A title\rwith \\input{x}\u2028and\x0bmore\x85\n"
    assert writable(broken) == "% A title with \\input{x} and more \n"  # still one comment line
    assert writable(f"tab\tkept, {CLEAR}{RTL} \x7fDEL \x9b2J") == "tab\tkept, [2J[Htxt.exe DEL 2J"
