"""The app's named API endpoints (for ``gradio_client``): ``/ask``, ``/cite`` and ``/related_work``
return JSON. A user's mistake comes back as a gradio error with our one-line message."""

from __future__ import annotations

from typing import Any

from rag.index.library import Library
from ui import chat, handlers
from ui.boundary import shielded
from ui.panel import Options


def _refuse(message: str, _: Any) -> Any:
    import gradio as gr

    raise gr.Error(message)


def add_api(library: Library, queue: dict[str, Any]) -> None:
    """Register the endpoints (inside a Blocks context); ``queue`` says how they are queued."""
    import gradio as gr

    @shielded(_refuse)
    def ask(
        question: str,
        k: int = library.settings.retrieval.k,
        year_from: int | None = None,
        year_to: int | None = None,
        generator: str = "extractive",
    ) -> dict:
        """Answer a standalone question from the library; every sentence cites a paper."""
        return chat.answer_json(question, library=library, options=(generator, k, year_from, year_to))

    @shielded(_refuse)
    def cite(claim: str, k: int = handlers.CANDIDATES) -> dict:
        """Rank the library's papers as sources of a claim, with supporting sentence and BibTeX."""
        return handlers.cite_json(claim, library=library, options=Options.from_panel(k=k))

    @shielded(_refuse)
    def related_work(description: str) -> dict:
        """Draft a related-work section (Markdown, LaTeX, BibTeX) for a paper description."""
        return handlers.draft_json(description, library=library, options=Options())

    for endpoint in (ask, cite, related_work):
        gr.api(endpoint, api_name=endpoint.__name__, **queue)
