"""``litrev ui``: serve the web UI (register with ``app.command()(ui)`` in :mod:`rag.cli.commands`)."""

from __future__ import annotations

from typing import Annotated

import typer

LOOPBACK = ("127.0.0.1", "localhost", "::1")


def ui(
    host: Annotated[
        str, typer.Option(help="Address to listen on; the default keeps the UI on this machine.")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 7860,
    readers: int | None = None,
) -> None:
    """Open the web UI: ask with citations, draft related work, find sources, manage the library."""
    from rag.errors import LitrevError
    from rag.index.library import Library
    from ui.app import create_app, launch

    try:
        app = create_app(Library(), readers=readers)
        url = launch(app, host=host, port=port)
    except (LitrevError, OSError) as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(1) from None
    if host not in LOOPBACK:
        typer.echo(f"note: listening on {host}: anyone who can reach this machine can use the UI", err=True)
    typer.echo(f"litrev UI at {url} (Ctrl+C to stop)")
    try:
        app.block_thread()
    finally:
        app.close(verbose=False)
