"""What the UI does, as plain functions of the library and the settings panel (no gradio here).

Each handler takes its inputs and collaborators as arguments and returns what the page shows
(HTML from :mod:`ui.render`, text, file paths), so tests call them directly. Mistakes a user can
make (an empty index, a year range backwards, an unreachable model server) come back as an
error box, never as a traceback.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, get_args

from pydantic import ValidationError

from rag.answer import Answer, answer_stream
from rag.corpus import Paper
from rag.errors import IndexMissingError, LitrevError
from rag.followup import Rewrite, standalone
from rag.generate import Generator, make_generator
from rag.ingest import ingest
from rag.library import Library
from rag.lookup import LookupResult, lookup
from rag.related_work import Draft, draft_related_work, draft_related_work_stream
from rag.retrieve import Filters
from rag.settings import LLMSettings
from ui import render

Provider = Literal["extractive", "openai", "local"]
PROVIDERS: tuple[str, ...] = get_args(Provider)
CANDIDATES = 5
"""Papers a claim lookup shows when the panel sets no k."""
LISTED_PAPERS = 300
"""Most rows in the library table (the counts cover every match)."""


# -- the settings panel -------------------------------------------------------------------------


def _blank(value: Any) -> Any:
    return None if value is None or (isinstance(value, str) and not value.strip()) else value


def _year(value: Any, name: str) -> int | None:
    value = _blank(value)
    if value is None:
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        raise LitrevError(f"{name} must be a year such as 2023, got {value!r}") from None


@dataclass(frozen=True)
class Options:
    """What the settings panel says: who writes answers, how many papers, which years."""

    provider: str = "extractive"
    k: int | None = None
    year_from: int | None = None
    year_to: int | None = None
    base_url: str | None = None
    model: str | None = None
    model_path: str | None = None
    tag: str | None = None

    @classmethod
    def from_panel(
        cls,
        provider: str | None = None,
        k: float | None = None,
        year_from: float | str | None = None,
        year_to: float | str | None = None,
        base_url: str | None = None,
        model: str | None = None,
        model_path: str | None = None,
        tag: str | None = None,
    ) -> Options:
        """Options from raw widget values (numbers may be floats, empty boxes empty strings)."""
        provider = _blank(provider) or "extractive"
        if provider not in PROVIDERS:
            raise LitrevError(f"the generator must be one of {', '.join(PROVIDERS)}, got {provider!r}")
        k = _blank(k)
        if k is not None and int(k) < 1:
            raise LitrevError(f"k must be at least 1, got {k}")
        options = cls(
            provider=provider,
            k=None if k is None else int(k),
            year_from=_year(year_from, "year from"),
            year_to=_year(year_to, "year to"),
            base_url=_blank(base_url),
            model=_blank(model),
            model_path=_blank(model_path),
            tag=(_blank(tag) or "").strip() or None,
        )
        if options.year_from and options.year_to and options.year_from > options.year_to:
            raise LitrevError(f"year from ({options.year_from}) is after year to ({options.year_to})")
        return options

    def filters(self) -> Filters | None:
        filters = Filters(year_from=self.year_from, year_to=self.year_to, tag=self.tag)
        return filters if filters else None

    def llm_changes(self) -> dict[str, Any]:
        changes: dict[str, Any] = {"provider": self.provider}
        for name in ("base_url", "model", "model_path"):
            if getattr(self, name) is not None:
                changes[name] = getattr(self, name)
        return changes


class Generators:
    """The answer writers the panel can pick, each built once (a local model is loaded once)."""

    def __init__(self, library: Library) -> None:
        self.library = library
        self._built: dict[str, Generator] = {}
        self._lock = threading.Lock()

    def get(self, options: Options) -> Generator:
        settings = self.library.settings
        try:
            llm = LLMSettings.model_validate({**settings.llm.model_dump(), **options.llm_changes()})
        except ValidationError as error:
            problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in error.errors())
            raise LitrevError(f"invalid generator settings: {problems}") from None
        key = llm.model_dump_json()
        with self._lock:
            if key not in self._built:
                self._built[key] = make_generator(
                    settings.model_copy(update={"llm": llm}), self.library.embedder
                )
            return self._built[key]


# -- Ask ----------------------------------------------------------------------------------------


@dataclass
class Turn:
    """One question of the conversation and its answer (``answer`` is None while streaming)."""

    question: str
    query: str
    """The standalone query retrieval used (the question itself unless it was a follow-up)."""
    rewrite: str = "none"
    text: str = ""
    """The answer as streamed so far."""
    answer: Answer | None = None
    papers: dict[str, Paper] = field(default_factory=dict)
    """The cited (or pointed-to) papers, for their abstracts."""
    error: str | None = None


def _rewrite(question: str, turns: Sequence[Turn], generator: Generator) -> Rewrite:
    history = [turn.query for turn in turns if turn.error is None]
    return standalone(question, history, complete=getattr(generator, "complete", None))


def ask(
    question: str,
    turns: Sequence[Turn],
    *,
    library: Library,
    options: Options,
    generators: Generators,
) -> Iterator[tuple[str, list[Turn]]]:
    """Answer ``question`` in the conversation ``turns``: yields (chat HTML, turns) as it streams.

    A follow-up is first rewritten into a standalone query (:func:`rag.followup.standalone`),
    by the chosen model if there is one."""
    question = " ".join((question or "").split())
    turns = list(turns)
    if not question:
        yield render.conversation(turns), turns
        return
    turn = Turn(question=question, query=question)
    turns.append(turn)
    yield render.conversation(turns), turns  # the question shows at once, before any model call
    try:
        generator = generators.get(options)
        rewrite = _rewrite(question, turns[:-1], generator)
        turn.query, turn.rewrite = rewrite.query, rewrite.method
        yield render.conversation(turns), turns
        for event in answer_stream(
            turn.query, library=library, generator=generator, k=options.k, filters=options.filters()
        ):
            if isinstance(event, Answer):
                turn.answer = event
            else:
                turn.text += event
                yield render.conversation(turns), turns
        shown = [c.paper_id for c in turn.answer.citations] if turn.answer else []
        shown += [item.paper_id for item in turn.answer.evidence[:3]] if turn.answer else []
        turn.papers = library.store.get_papers(shown)
    except LitrevError as error:
        turn.error = _explain(error)
    yield render.conversation(turns), turns


def _explain(error: LitrevError) -> str:
    if isinstance(error, IndexMissingError):
        return f"{error} (or add papers in the Library tab)."
    return str(error)


def answer_json(question: str, *, library: Library, options: Options, generators: Generators) -> dict:
    """One standalone question answered, as the JSON of :class:`rag.answer.Answer`."""
    if not question.strip():
        raise LitrevError("the question is empty")
    final = None
    for event in answer_stream(
        question.strip(),
        library=library,
        generator=generators.get(options),
        k=options.k,
        filters=options.filters(),
    ):
        if isinstance(event, Answer):
            final = event
    if final is None:
        raise LitrevError("the answer stream ended without an answer")
    return final.model_dump(mode="json")


# -- Cite ---------------------------------------------------------------------------------------


def find_sources(claim: str, *, library: Library, options: Options) -> LookupResult:
    return lookup(claim, library=library, k=options.k or CANDIDATES, filters=options.filters())


def cite_json(claim: str, *, library: Library, options: Options) -> dict:
    """Ranked papers for ``claim`` as the JSON of :class:`rag.lookup.LookupResult`."""
    return find_sources(claim, library=library, options=options).model_dump(mode="json")


def cite(claim: str, *, library: Library, options: Options) -> tuple[str, str]:
    """Ranked papers for ``claim`` as HTML, and the BibTeX of the best one (or "")."""
    if not (claim or "").strip():
        return render.note_html("Paste a claim or a sentence from your draft."), ""
    try:
        result = find_sources(claim, library=library, options=options)
        papers = library.store.get_papers([candidate.paper_id for candidate in result.candidates])
    except LitrevError as error:
        return render.error_html(_explain(error)), ""
    best = result.candidates[0].bibtex if result.matched and result.candidates else ""
    return render.lookup_html(result, papers), best


# -- Related work -------------------------------------------------------------------------------


@dataclass
class DraftView:
    html: str
    markdown: str = ""
    latex: str = ""
    bibtex: str = ""
    files: list[Path] = field(default_factory=list)
    """related_work.md, related_work.tex, references.bib (empty when nothing was drafted)."""


def draft_json(description: str, *, library: Library, options: Options) -> dict:
    """A related-work draft as JSON: Markdown, LaTeX, BibTeX and the cited papers."""
    result = draft_related_work(description, library=library, filters=options.filters())
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


def related_work(description: str, *, library: Library, options: Options, out_dir: Path) -> DraftView:
    """Draft a related-work section; the Markdown, LaTeX and BibTeX are also written to ``out_dir``."""
    return list(related_work_stream(description, library=library, options=options, out_dir=out_dir))[-1]


def related_work_stream(
    description: str,
    *,
    library: Library,
    options: Options,
    out_dir: Path,
    generators: Generators | None = None,
) -> Iterator[DraftView]:
    """The draft as a model writes it, one view per piece, then the checked draft and its files."""
    if not (description or "").strip():
        yield DraftView(render.note_html("Describe your paper: its problem, method and contributions."))
        return
    written, result = "", None
    try:
        generator = generators.get(options) if generators is not None else None
        for event in draft_related_work_stream(
            description, library=library, filters=options.filters(), generator=generator
        ):
            if isinstance(event, Draft):
                result = event
            else:
                written += event
                yield DraftView(f'<div class="draft">{render.markdown_html(written)}</div>')
    except LitrevError as error:
        yield DraftView(render.error_html(_explain(error)))
        return
    assert result is not None  # the stream always ends with the Draft
    view = DraftView(render.draft_html(result), result.markdown(), result.latex(), result.bibtex())
    if not result.notice:
        _write_draft(view, out_dir)
    yield view


def _write_draft(view: DraftView, out_dir: Path) -> None:
    out_dir.mkdir(parents=True, exist_ok=True)
    texts = {"related_work.md": view.markdown, "related_work.tex": view.latex, "references.bib": view.bibtex}
    for name, text in texts.items():
        (out_dir / name).write_text(text, encoding="utf-8")
        view.files.append(out_dir / name)


# -- Library ------------------------------------------------------------------------------------


def all_papers(library: Library) -> list[Paper]:
    """Every paper of the library by title; none when nothing was ingested yet."""
    try:
        return sorted(library.store.iter_papers(), key=lambda paper: paper.title.casefold())
    except IndexMissingError:
        return []


def sources(library: Library) -> list[str]:
    return sorted({paper.source for paper in all_papers(library) if paper.source})


def matching(
    papers: Sequence[Paper],
    text: str | None = None,
    year_from: int | None = None,
    year_to: int | None = None,
    source: str | None = None,
) -> list[Paper]:
    """Papers whose title, authors or abstract contain ``text``, in the years and source given."""
    needle = (text or "").casefold().strip()
    kept = []
    for paper in papers:
        if needle and needle not in f"{paper.title}\n{' '.join(paper.authors)}\n{paper.abstract}".casefold():
            continue
        if year_from is not None and (paper.year is None or paper.year < year_from):
            continue
        if year_to is not None and (paper.year is None or paper.year > year_to):
            continue
        if source and paper.source != source:
            continue
        kept.append(paper)
    return kept


def browse(
    library: Library,
    text: str | None = None,
    year_from: Any = None,
    year_to: Any = None,
    source: str | None = None,
) -> tuple[str, str]:
    """The library's counts and the table of papers matching the filters, as HTML."""
    try:
        start, end = _year(year_from, "year from"), _year(year_to, "year to")
        papers = all_papers(library)
    except LitrevError as error:
        return render.error_html(_explain(error)), ""
    found = matching(papers, text, start, end, _blank(source))
    return render.library_stats(papers, len(found)), render.papers_table(found, LISTED_PAPERS)


Progress = Callable[[int, int], None]


def add_files(paths: Sequence[str | Path], *, library: Library, progress: Progress | None = None) -> str:
    """Ingest uploaded files; the report says what was added, skipped or rejected, and why."""
    files = [Path(path) for path in paths or []]
    if not files:
        return render.note_html("Choose one or more .jsonl, .csv, .bib or .txt files first.")
    try:
        before = {paper.id for paper in all_papers(library)}
        report = ingest(files, library=library, progress=progress)
        added = [paper.title for paper in all_papers(library) if paper.id not in before]
    except LitrevError as error:
        return render.error_html(_explain(error))
    return render.ingest_html(report, added)
