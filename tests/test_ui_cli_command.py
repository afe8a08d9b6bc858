"""``litrev ui``, registered on a Typer app the way rag/cli/commands.py registers it."""

from __future__ import annotations

import socket

import typer
from typer.testing import CliRunner

from tests.ui_server import QUIET_GRADIO, gradio_loops_closed
from ui.cli_command import ui

pytestmark = QUIET_GRADIO


def command() -> typer.Typer:
    app = typer.Typer()
    app.command()(ui)
    return app


def test_help_names_host_and_port() -> None:
    result = CliRunner().invoke(command(), ["--help"])
    assert result.exit_code == 0
    assert "--host" in result.output and "--port" in result.output and "127.0.0.1" in result.output


def test_port_in_use_is_one_line_and_exit_1() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with gradio_loops_closed():
            result = CliRunner().invoke(command(), ["--port", str(port)])
            exit_code, output = result.exit_code, result.output
            del result  # gradio leaves its port probe socket open when the port is taken: let it go here
    assert exit_code == 1
    assert output.startswith("error: ") and output.count("\n") == 1
    assert "Traceback" not in output


def test_readers_limit_the_read_events_and_writes_stay_one_at_a_time(tmp_path) -> None:
    from rag.index.library import Library
    from rag.settings import Settings
    from ui.app import create_app

    library = Library(Settings(home=tmp_path / "home"))

    def limits(app) -> set[tuple[str, int | None]]:
        fns = app.fns.values() if isinstance(app.fns, dict) else app.fns
        return {(f.concurrency_id, f.concurrency_limit) for f in fns if f.concurrency_id in ("read", "write")}

    with gradio_loops_closed():
        capped, default = create_app(library, work_dir=tmp_path / "a", readers=2), create_app(library)
    assert limits(capped) == {("read", 2), ("write", 1)}
    assert limits(default) == {("read", None), ("write", 1)}


def test_litrev_ui_takes_readers() -> None:
    from rag.cli.commands import app

    result = CliRunner().invoke(app, ["ui", "--help"])
    assert result.exit_code == 0 and "--readers" in result.output
    assert CliRunner().invoke(app, ["ui", "--readers", "0"]).exit_code == 2  # at least one
