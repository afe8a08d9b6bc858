"""The web UI's layout: four tabs and a settings panel, wired to the handlers.

``create_app(library)`` builds the page and returns it, unlaunched; :func:`launch` serves it on
loopback with share links, analytics and server-side rendering off. Nothing happens at import:
gradio itself is imported only inside these functions, after :func:`rag.offline.go_offline`.

Events that read the library (ask, cite, related work, browse) run in parallel; an upload is
queued alone and holds the library's write lock while it ingests (:mod:`ui.shelf`). Within one
page, questions are answered in the order asked (:func:`ui.chat.ask_in_turn`): the question box
stays free while an answer is written, and a question asked then waits, shown as waiting. The named
API endpoints are in :mod:`ui.api`; handlers in :mod:`ui.chat`, :mod:`ui.handlers`,
:mod:`ui.shelf`; HTML in :mod:`ui.render`, :mod:`ui.chat_html`, :mod:`ui.library_html` and
``ui/templates/``; CSS and JS in ``ui/static/``.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rag.index.library import Library
from rag.offline import go_offline
from rag.sources.corpus import PDF
from rag.sources.readers import SUFFIXES
from ui import chat, chat_html, check_tab, handlers, render, shelf
from ui.api import add_api
from ui.conversation import Conversation

if TYPE_CHECKING:
    import gradio as gr

EXAMPLES = [
    "Which papers accelerate LLM inference with speculative decoding?",
    "How can speech be turned into discrete tokens for language models?",
]
PROVIDER_CHOICES = [
    ("Extractive (no model: quotes the evidence)", "extractive"),
    ("OpenAI-compatible server", "openai"),
    ("Local GGUF model", "local"),
]
WRITES: dict[str, Any] = {"concurrency_id": "write", "concurrency_limit": 1}
"""Uploads: one at a time (each also waits for the reads in progress, under the write lock)."""
FONT = [
    "system-ui",
    "-apple-system",
    "Segoe UI",
    "Roboto",
    "Noto Sans",
    "Liberation Sans",
    "Arial",
    "sans-serif",
]
"""The page's text in the system's UI font, whole in every weight: gradio's bundled semibold face
holds a few dozen glyphs, so its bold text mixed two fonts ("PARD: Accelerating")."""
FONT_MONO = [
    "ui-monospace",
    "SFMono-Regular",
    "Menlo",
    "Consolas",
    "Liberation Mono",
    "DejaVu Sans Mono",
    "monospace",
]
ASK, ASK_NEXT = "Ask", "Ask after this one"
"""The Ask button's words, and its words while an answer is written (a question asked then waits)."""


def theme() -> Any:
    """gradio's default theme in system fonts (no bundled face is loaded)."""
    import gradio as gr

    return gr.themes.Default(font=FONT, font_mono=FONT_MONO)


def create_app(
    library: Library | None = None, *, work_dir: Path | None = None, readers: int | None = None
) -> gr.Blocks:
    """The litrev UI over ``library`` (default: the one the settings name); draft files go to
    ``work_dir`` (default: a new temporary folder). Events that only read the library run as
    many at once as come (while a model writes answers, they mostly wait on it), or at most
    ``readers`` at once (CPU-bound extractive answers on a small machine: one per core keeps the
    median latency of a crowd near first-come-first-served; `litrev bench ui` measures both)."""
    go_offline()
    import gradio as gr

    library = library or Library()
    settings = library.settings
    work_dir = work_dir or Path(tempfile.mkdtemp(prefix="litrev-ui-"))
    private: dict[str, Any] = {"api_visibility": "private"}
    reads: dict[str, Any] = {"concurrency_id": "read", "concurrency_limit": readers}

    def html(value: str = "", **kwargs: Any) -> gr.HTML:
        return gr.HTML(
            value, css_template=render.static("answers.css"), js_on_load=render.static("answers.js"), **kwargs
        )

    with gr.Blocks(title="litrev", analytics_enabled=False) as app:
        with gr.Sidebar(label="Settings", open=True, width=300):
            gr.Markdown("### Settings")
            provider = gr.Radio(
                PROVIDER_CHOICES, value=settings.llm.provider, label="Answer generator", elem_id="provider"
            )
            with gr.Accordion("Model", open=False):
                base_url = gr.Textbox(
                    settings.llm.base_url or "",
                    label="Server URL (OpenAI-compatible)",
                    placeholder="http://127.0.0.1:8080/v1",
                    elem_id="base-url",
                )
                model = gr.Textbox(settings.llm.model, label="Model name", elem_id="model")
                model_path = gr.Textbox(str(settings.llm.model_path or ""), label="GGUF file (local)")
            k = gr.Slider(1, 30, value=settings.retrieval.k, step=1, label="Papers per question (k)")
            with gr.Row():
                year_from = gr.Textbox(
                    label="From year", placeholder="any", min_width=80, elem_id="year-from"
                )
                year_to = gr.Textbox(label="To year", placeholder="any", min_width=80, elem_id="year-to")
            tag = gr.Textbox(label="Tag or collection", placeholder="any")
        panel = [provider, k, year_from, year_to, base_url, model, model_path, tag]

        gr.Markdown(
            "# litrev\nCited answers, related-work drafts and citation lookup over your own papers, offline.",
            elem_id="title",
        )
        library_line = html(elem_id="library-line")
        with gr.Tabs(overflow_behavior="wrap", elem_id="tabs"):  # every tab one tap away on a phone
            with gr.Tab("Ask", id="ask"):
                talk = gr.State(Conversation())
                conversation = html(
                    chat_html.conversation([]),
                    elem_id="chat",
                    container=True,
                    padding=True,
                    min_height=320,
                    max_height=560,
                    autoscroll=True,
                )
                with gr.Row(equal_height=True):
                    question = gr.Textbox(
                        label="Your question",
                        placeholder="Ask about your papers; follow-up questions build on the conversation",
                        scale=6,
                        elem_id="question",
                    )
                    ask_button = gr.Button(
                        ASK, variant="primary", scale=0, min_width=110, elem_id="ask-button"
                    )
                    new_button = gr.Button("New chat", scale=0, min_width=150)
                gr.Examples(EXAMPLES, inputs=[question], label="Try")

            with gr.Tab("Related work", id="related"):
                description = gr.Textbox(
                    label="Your paper",
                    placeholder="Its title and abstract, or a few sentences on its problem, method, results",
                    lines=5,
                    elem_id="description",
                )
                draft_button = gr.Button("Draft related work", variant="primary", elem_id="draft-button")
                with gr.Tabs(overflow_behavior="wrap"):
                    with gr.Tab("Preview"):
                        draft_view = html(
                            render.note_html("The draft appears here, every sentence cited."),
                            elem_id="draft",
                            container=True,
                            padding=True,
                            min_height=80,
                            max_height=480,
                        )
                    shown: dict[str, Any] = {"show_label": False, "interactive": False, "wrap_lines": True}
                    with gr.Tab("Markdown"):
                        draft_markdown = gr.Code(language="markdown", **shown)
                    with gr.Tab("LaTeX"):
                        draft_latex = gr.Code(language="latex", **shown)
                    with gr.Tab("BibTeX"):
                        draft_bib = gr.Code(language=None, **shown)
                with gr.Row():
                    downloads = [
                        gr.DownloadButton(f"Download {name}", interactive=False, size="md")
                        for name in ("Markdown", "LaTeX", ".bib")
                    ]

            with gr.Tab("Cite", id="cite"):
                claim = gr.Textbox(
                    label="Claim (Enter finds sources; Shift+Enter for a new line)",
                    placeholder="A sentence from your draft that needs a citation",
                    lines=1,
                    max_lines=6,
                    elem_id="claim",
                )
                cite_button = gr.Button("Find sources", variant="primary", elem_id="cite-button")
                best_bib = gr.Code(  # the best match first, above the candidates
                    label="BibTeX of the best match",
                    language=None,
                    interactive=False,
                    visible=False,
                    lines=4,
                    wrap_lines=True,  # whole on a phone's width
                    elem_id="best-bib",
                )
                cite_view = html(
                    render.note_html(
                        "Ranked papers appear here, each with its supporting sentence and BibTeX."
                    ),
                    elem_id="candidates",
                    container=True,
                    padding=True,
                    min_height=80,
                )

            with gr.Tab("Check", id="check"):
                check_tab.build(library, html, {**reads, **private})

            with gr.Tab("Library", id="library"):
                stats = html(elem_id="stats")
                with gr.Accordion("Add papers", open=True), gr.Row():
                    uploads = gr.File(
                        label="JSONL, CSV, BibTeX, RIS, daily-papers .txt or PDF",
                        file_count="multiple",
                        file_types=sorted(SUFFIXES | {PDF}),
                        height=150,
                        scale=2,
                        elem_id="upload",
                    )
                    with gr.Column(scale=3):
                        add_button = gr.Button("Add to library", variant="primary", elem_id="add-button")
                        report = html(elem_id="report")
                with gr.Row(equal_height=True):
                    search_text = gr.Textbox(
                        label="Search", placeholder="title, author or abstract", scale=3, elem_id="search"
                    )
                    shelf_from = gr.Textbox(label="From year", placeholder="any", scale=1, min_width=90)
                    shelf_to = gr.Textbox(label="To year", placeholder="any", scale=1, min_width=90)
                    source = gr.Dropdown([("All sources", "")], value="", label="Source", scale=2)
                filters = [search_text, shelf_from, shelf_to, source]
                table = html(elem_id="papers", container=True, padding=True, max_height=520)

        # -- Ask --------------------------------------------------------------------------------

        def on_ask(text: str, talking: Conversation, *values: Any) -> Any:
            box: Any = ""  # the question leaves the box once; what is typed next stays
            for page in chat.ask_in_turn(text, talking, library=library, options=values):
                yield page, box, gr.Button(ASK_NEXT if talking.busy else ASK)
                box = gr.skip()
            yield gr.skip(), box, gr.Button(ASK_NEXT if talking.busy else ASK)

        for trigger in (question.submit, ask_button.click):  # a second question waits, never dropped
            trigger(
                on_ask,
                [question, talk, *panel],
                [conversation, question, ask_button],
                trigger_mode="multiple",
                show_progress_on=[conversation],
                **reads,
                **private,
            )

        def on_new(talking: Conversation) -> Any:
            talking.turns, talking.chat = [], talking.chat + 1
            return chat_html.conversation([], waiting=talking.waiting)

        new_button.click(on_new, [talk], [conversation], api_visibility="private")

        # -- Related work -----------------------------------------------------------------------

        def on_draft(text: str, *values: Any) -> Any:
            work_dir.mkdir(parents=True, exist_ok=True)
            out_dir = Path(tempfile.mkdtemp(prefix="draft-", dir=work_dir))
            for view in handlers.related_work_stream(text, library=library, options=values, out_dir=out_dir):
                buttons = [gr.DownloadButton(value=path, interactive=True) for path in view.files] or [
                    gr.DownloadButton(value=None, interactive=False)
                ] * 3
                yield view.html, view.markdown, view.latex, view.bibtex, *buttons

        draft_button.click(
            on_draft,
            [description, *panel],
            [draft_view, draft_markdown, draft_latex, draft_bib, *downloads],
            **reads,
            **private,
        )

        # -- Cite -------------------------------------------------------------------------------

        def on_cite(text: str, *values: Any) -> Any:
            page, bib = handlers.cite(text, library=library, options=values)
            return page, gr.Code(value=bib, visible=bool(bib))

        for trigger in (claim.submit, cite_button.click):
            trigger(on_cite, [claim, *panel], [cite_view, best_bib], **reads, **private)

        # -- Library ----------------------------------------------------------------------------

        def on_browse(text: str, start: Any, end: Any, chosen: str) -> Any:
            counts, rows, names = shelf.browse(library, text, start, end, chosen)
            choices = [("All sources", "")] + [(name, name) for name in names]
            return counts, rows, gr.Dropdown(choices=choices, value=chosen or ""), shelf.header(library)

        def on_add(files: list[str] | None, *shown: Any, progress: Any = gr.Progress()) -> Any:
            outcome = shelf.add_files(
                files or [], library=library, stage=lambda share, what: progress(share, desc=what)
            )
            return outcome, *on_browse(*shown), None

        browse_outputs = [stats, table, source, library_line]
        app.load(on_browse, filters, browse_outputs, **reads, **private)
        for box in (search_text, shelf_from, shelf_to):
            box.submit(on_browse, filters, browse_outputs, **reads, **private)
        source.input(on_browse, filters, browse_outputs, **reads, **private)
        add_button.click(
            on_add,
            [uploads, *filters],
            [report, *browse_outputs, uploads],
            show_progress_on=[report],
            **WRITES,
            **private,
        )

        add_api(library, reads)
    return app


def launch(app: gr.Blocks, *, host: str = "127.0.0.1", port: int | None = 7860) -> str:
    """Serve ``app`` on ``host:port`` (loopback by default), never through a share link, in a
    background thread; returns its URL. ``app.block_thread()`` waits, ``app.close()`` stops it."""
    go_offline()
    _, url, _ = app.launch(
        server_name=host,
        server_port=port,
        share=False,
        prevent_thread_lock=True,
        ssr_mode=False,
        pwa=False,
        mcp_server=False,
        enable_monitoring=False,
        footer_links=["api"],
        quiet=True,
        css=render.static("page.css"),
        js=render.static("page.js"),
        theme=theme(),
    )
    return url
