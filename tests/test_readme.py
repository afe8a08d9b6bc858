"""The README's sample session is real output: each command run again gives the same first line.

Every ``$ litrev ...`` line of the session block is run (the first ``ingest`` is the bundled
library's own first ingest, done once for the whole test session; the rest run through the CLI on
a copy of that library), and the first line it prints is compared with the line under it in the
README. Timings differ from run to run, so seconds are compared as "some number of seconds".
"""

from __future__ import annotations

import re
import shlex
import shutil

import pytest
from typer.testing import CliRunner

from rag.cli.commands import app
from rag.index.ingest import IngestReport
from rag.index.library import Library
from tests.helpers import ROOT

SESSION = re.compile(r"^## A session\n+```text\n(.*?)^```", re.MULTILINE | re.DOTALL)
SECONDS = re.compile(r"\b\d+(?:\.\d+)? s\b")


def session() -> list[tuple[list[str], str]]:
    """(arguments, first line printed) for each command of the README's session."""
    found = SESSION.search((ROOT / "README.md").read_text(encoding="utf-8"))
    assert found, "README.md has no '## A session' text block"
    steps = []
    for block in re.split(r"^\$ ", found.group(1), flags=re.MULTILINE)[1:]:
        command, _, output = block.partition("\n")
        words = shlex.split(command)
        assert words[0] == "litrev", command
        steps.append((words[1:], output.strip().splitlines()[0]))
    return steps


def same(shown: str, printed: str) -> bool:
    return SECONDS.sub("N s", shown) == SECONDS.sub("N s", printed)


def test_the_session_has_the_commands_a_new_user_runs() -> None:
    verbs = [args[0] for args, _ in session()]
    assert verbs[:2] == ["ingest", "ingest"] and {"ask", "cite", "search"} <= set(verbs)
    assert not same("Library: 264 papers. (924 chunks embedded in 45.9 s)", "Library: 263 papers. (1 s)")


def test_the_first_ingest_prints_the_readme_line(bundled_ingest: tuple[Library, IngestReport]) -> None:
    (args, shown), *_ = session()
    assert args == ["ingest"]
    _, report = bundled_ingest
    assert same(shown, report.line), (shown, report.line)


@pytest.mark.parametrize("step", range(1, len(session())), ids=lambda i: " ".join(session()[i][0])[:60])
def test_each_later_command_prints_the_readme_first_line(
    step: int, bundled: Library, tmp_path_factory: pytest.TempPathFactory
) -> None:
    home = tmp_path_factory.getbasetemp() / "readme-home"
    if not home.exists():  # one copy for the session's commands: the second ingest writes
        shutil.copytree(bundled.settings.home, home)
    args, shown = session()[step]
    result = CliRunner().invoke(app, args, env={"LITREV_HOME": str(home)})
    assert result.exit_code == 0, result.output
    printed = result.stdout.strip().splitlines()[0]
    assert same(shown, printed), f"README: {shown}\nprinted: {printed}"
