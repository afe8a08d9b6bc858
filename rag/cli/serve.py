"""``litrev ui`` and ``litrev mcp``: the commands that serve the library to a browser or an assistant.

Registered on the app by :mod:`rag.cli.commands`, whose error boundary covers them; the UI and the MCP
server are imported only when their command runs.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from rag.cli.options import LLMChoice, llm_options, open_library


def serve_ui(
    host: Annotated[
        str, typer.Option(help="Address to listen on; the default keeps the UI on this machine.")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 7860,
    readers: Annotated[
        int | None,
        typer.Option(
            min=1,
            help="Questions, lookups and drafts served at once (default: all that come). Without a "
            "model server answers are CPU-bound: the number of cores keeps a crowd's median wait low.",
        ),
    ] = None,
) -> None:
    """Open the web UI: ask with citations, draft related work, find sources, manage the library."""
    from ui.cli_command import ui as serve

    serve(host=host, port=port, readers=readers)


@llm_options
def serve_mcp(
    allow_ingest: Annotated[
        list[Path] | None,
        typer.Option("--allow-ingest", help="Let add_papers read files under this directory (repeatable)."),
    ] = None,
    *,
    llm: LLMChoice,
) -> None:
    """Serve the library to AI assistants over the Model Context Protocol (stdio)."""
    from rag.mcp.server import serve

    serve(open_library(llm), allow_ingest=allow_ingest or [])
