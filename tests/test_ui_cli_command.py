"""``litrev ui``, registered on a Typer app the way rag/cli.py registers it."""

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
