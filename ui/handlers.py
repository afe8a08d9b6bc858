"""What the Cite and Related work tabs do, as plain functions of the library and the panel.

Each handler takes its inputs and collaborators as arguments and returns what the page shows
(HTML from :mod:`ui.render`, text, file paths), so tests call them directly. Mistakes a user can
make (an empty index, a year range backwards, an unreachable model server) come back through the
error boundary (:mod:`ui.boundary`) as an error box, never as a traceback. The Ask tab is
:mod:`ui.chat`, the Library tab :mod:`ui.shelf`.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rag.cite.lookup import LookupResult, lookup
from rag.errors import LitrevError
from rag.index.library import Library
from rag.related_work import Draft, draft_related_work, draft_related_work_stream
from rag.retrieval.filter_note import excluded_note
from ui import render
from ui.boundary import shielded
from ui.panel import Options
from ui.passages import find_passages
from ui.shelf import all_papers

CANDIDATES = 5
"""Papers a claim lookup shows when the panel sets no k."""


def _left_out(library: Library, options: Options) -> str | None:
    """What the year filter left out (the caller holds the read lock)."""
    if options.filters() is None:
        return None
    return excluded_note(all_papers(library), options.year_from, options.year_to)


# -- Cite ---------------------------------------------------------------------------------------


def find_sources(claim: str, *, library: Library, options: Options) -> LookupResult:
    return lookup(claim, library=library, k=options.k or CANDIDATES, filters=options.filters())


def cite_json(claim: str, *, library: Library, options: Options | Sequence[Any]) -> dict:
    """Ranked papers for ``claim`` as the JSON of :class:`rag.cite.lookup.LookupResult`."""
    options = Options.of(options)
    with library.reading():
        return find_sources(claim, library=library, options=options).model_dump(mode="json")


@shielded(lambda message, _: (render.error_html(message), ""))
def cite(claim: str, *, library: Library, options: Options | Sequence[Any]) -> tuple[str, str]:
    """Ranked papers for ``claim`` as HTML (a sentence from a paper's PDF with its page, section
    and passage), and the BibTeX of the best one (or "")."""
    if not (claim or "").strip():
        return render.note_html("Paste a claim or a sentence from your draft."), ""
    options = Options.of(options)
    with library.reading():
        result = find_sources(claim, library=library, options=options)
        papers = library.store.get_papers([candidate.paper_id for candidate in result.candidates])
        wanted = [(c.paper_id, c.page, c.sentence) for c in result.candidates]
        passages = find_passages(library, papers, wanted)
        note = None if result.matched else _left_out(library, options)
    best = result.candidates[0].bibtex if result.matched and result.candidates else ""
    return render.lookup_html(result, papers, note=note, passages=passages), best


# -- Related work -------------------------------------------------------------------------------


@dataclass
class DraftView:
    html: str
    markdown: str = ""
    latex: str = ""
    bibtex: str = ""
    files: list[Path] = field(default_factory=list)
    """related_work.md, related_work.tex, references.bib (empty when nothing was drafted)."""


def draft_json(description: str, *, library: Library, options: Options | Sequence[Any]) -> dict:
    """A related-work draft as JSON: Markdown, LaTeX, BibTeX and the cited papers."""
    with library.reading():
        result = draft_related_work(description, library=library, filters=Options.of(options).filters())
    return {
        "markdown": result.markdown(),
        "latex": result.latex(),
        "bibtex": result.bibtex(),
        "notice": result.notice,
        "evidence_strength": result.evidence_strength,
        "cited": [
            {"key": result.keys[paper.id], "paper_id": paper.id, "title": paper.title, "year": paper.year}
            for paper in result.cited
        ],
    }


def related_work(
    description: str, *, library: Library, options: Options | Sequence[Any], out_dir: Path
) -> DraftView:
    """Draft a related-work section; the Markdown, LaTeX and BibTeX are also written to ``out_dir``."""
    return list(related_work_stream(description, library=library, options=options, out_dir=out_dir))[-1]


@shielded(lambda message, _: DraftView(render.error_html(message)))
def related_work_stream(
    description: str, *, library: Library, options: Options | Sequence[Any], out_dir: Path
) -> Iterator[DraftView]:
    """The draft as a model writes it, one view per piece, then the checked draft and its files."""
    if not (description or "").strip():
        yield DraftView(render.note_html("Describe your paper: its problem, method and contributions."))
        return
    options = Options.of(options)
    written, result = "", None
    with library.reading():
        for event in draft_related_work_stream(
            description, library=library, filters=options.filters(), generator=options.generator(library)
        ):
            if isinstance(event, Draft):
                result = event
            else:
                written += event
                yield DraftView(render.markdown_html(written))
        if result is None:
            raise LitrevError("the draft stream ended without a draft")
        note = _left_out(library, options) if result.notice else None
    view = DraftView(render.draft_html(result, note=note), result.markdown(), result.latex(), result.bibtex())
    if not result.notice:
        out_dir.mkdir(parents=True, exist_ok=True)
        texts = {
            "related_work.md": view.markdown,
            "related_work.tex": view.latex,
            "references.bib": view.bibtex,
        }
        for name, text in texts.items():
            (out_dir / name).write_text(text, encoding="utf-8")
            view.files.append(out_dir / name)
    yield view
