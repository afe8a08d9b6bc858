"""The ``litrev`` command line: one command per library verb.

User mistakes (bad files, a missing index, a model mismatch) exit with status 1 and one line on
stderr, never a traceback: every :class:`~rag.errors.LitrevError` is turned into that line in one
place, :class:`OneLineErrors`. Commands import what they use when they run, so ``--help`` and the
light commands start without loading models, Chroma, the UI or the evaluation code.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

import click
import typer
from rich.markup import escape
from typer.core import TyperGroup

from rag.cli.bench import bench, evaluate
from rag.cli.options import (
    AsJson,
    Judge,
    LLMChoice,
    Method,
    Source,
    Tag,
    YearFrom,
    YearTo,
    filters,
    llm_options,
    open_library,
)
from rag.cli.output import err, filter_note, load_stages, out, print_json, progress_bar, shown
from rag.cli.serve import serve_mcp, serve_ui
from rag.errors import LitrevError
from rag.terminal import printable


class OneLineErrors(TyperGroup):
    """The CLI's error boundary: our errors become ``error: <message>`` on stderr and exit 1."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except LitrevError as error:
            err.print(f"error: {shown(str(error), line=True)}")
            raise typer.Exit(1) from None


app = typer.Typer(
    cls=OneLineErrors,
    add_completion=False,
    rich_markup_mode=None,  # plain click help: rendering it with rich costs more than the command
    pretty_exceptions_enable=False,
    no_args_is_help=True,
    help="litrev: a literature-review assistant.",
)


@app.command()
def ingest(
    paths: Annotated[
        list[Path] | None,
        typer.Argument(help="Files or folders (.bib .ris .csv .jsonl .txt .pdf); none: the bundled corpus."),
    ] = None,
    rebuild: Annotated[
        bool,
        typer.Option(
            help="Build a new index from these sources beside the old one, then swap it in "
            "(after changing the model, or when the index is damaged)."
        ),
    ] = False,
    category: Annotated[
        list[str] | None,
        typer.Option("--category", help="arXiv metadata dump: only these categories (cs.CL, or cs)."),
    ] = None,
    since: Annotated[
        int | None, typer.Option("--since", help="arXiv metadata dump: only from this year on.")
    ] = None,
    zotero: Annotated[
        bool, typer.Option("--zotero", help="Read a Zotero library: the folder given, else ~/Zotero.")
    ] = False,
    collection: Annotated[
        str | None, typer.Option("--collection", help="With --zotero: only this collection.")
    ] = None,
    fulltext: Annotated[bool, typer.Option(help="With --zotero: also index each item's PDF text.")] = True,
) -> None:
    """Index papers: new ones are added, changed ones replaced, unchanged ones skipped."""
    from rag.index.ingest import ingest as run_ingest
    from rag.settings import BUNDLED_CORPUS
    from rag.sources.corpus import ReadOptions

    with progress_bar() as bar:
        task = bar.add_task("embedding papers", total=None)

        def progress(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        library = open_library()
        if zotero:
            from rag.index.zotero_ingest import ingest_zotero

            if paths is not None and len(paths) > 1:
                raise LitrevError("--zotero reads one Zotero folder (or zotero.sqlite); got several paths")
            where = paths[0] if paths else None
            report = ingest_zotero(
                where, collection, library=library, progress=progress, rebuild=rebuild, fulltext=fulltext
            )
        else:
            report = run_ingest(
                paths or [BUNDLED_CORPUS],
                library=library,
                progress=progress,
                rebuild=rebuild,
                options=ReadOptions(frozenset(category or ()), since),
            )
    for problem in report.problems:
        err.print(f"skipped: {shown(str(problem), line=True)}")
    for note in report.notes:
        err.print(f"note: {shown(str(note), line=True)}")
    for title in report.conflicts:
        err.print(f"duplicate title with a different abstract (the first is kept): {shown(title, line=True)}")
    out.print(report.line)
    if report.skipped_paths:
        raise typer.Exit(1)


@app.command()
@llm_options
def ask(
    question: Annotated[str, typer.Argument(help="A question about the field.")],
    k: Annotated[int | None, typer.Option("-k", help="Evidence papers to retrieve.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the full answer object as JSON.")] = False,
    year_from: YearFrom = None,
    year_to: YearTo = None,
    source: Source = None,
    tag: Tag = None,
    timings: Annotated[
        bool, typer.Option("--timings", help="Print how long each stage took (on stderr).")
    ] = False,
    *,
    llm: LLMChoice,
) -> None:
    """Answer a question from your library, citing the papers behind each sentence."""
    from rag.answers.answer import Answer, answer_stream

    result = None
    streamed = False
    library = open_library(llm)
    stages = load_stages(library, question) if timings else {}
    events = answer_stream(question, library=library, k=k, filters=filters(year_from, year_to, source, tag))
    for event in events:
        if isinstance(event, Answer):
            result = event
        elif not as_json and library.settings.llm.provider != "extractive":
            sys.stdout.write(printable(event))  # checked sentences as the model writes them
            sys.stdout.flush()
            streamed = streamed or bool(event)
    if result is None:
        raise LitrevError("the answer stream ended without an answer")
    if result.abstained:
        filter_note(library, year_from, year_to)
    if timings:
        stages["answer"] = result.timings.get("total_ms", 0.0) / 1000
        err.print("timings: " + ", ".join(f"{stage} {seconds:.2f} s" for stage, seconds in stages.items()))
    if as_json:
        print_json(result.model_dump(mode="json"))
        return
    if streamed:
        out.print()
    if result.notice:
        err.print(f"note: {shown(result.notice, line=True)}")
        if streamed:
            out.print(escape("[the answer above is replaced by the extractive answer below]"))
    if not streamed or result.notice or result.abstained:
        out.print(shown(result.answer))
    if note := result.removal_note():  # the removed sentences themselves are never shown
        out.print(escape(f"[{note}]"))
    if result.citations:
        out.print("\nReferences")
        out.print(shown(result.references()))


@app.command()
@llm_options
def search(
    query: Annotated[str, typer.Argument(help="What to look for.")],
    k: Annotated[int | None, typer.Option("-k", help="Papers to return.")] = None,
    method: Annotated[Method, typer.Option(help="How to rank.")] = Method.hybrid,
    as_json: AsJson = False,
    year_from: YearFrom = None,
    year_to: YearTo = None,
    source: Source = None,
    tag: Tag = None,
    *,
    llm: LLMChoice,
) -> None:
    """Rank papers for a query, with scores and the best-matching sentence."""
    from rag.answers.answer import evidence_items
    from rag.retrieval.retrieve import search as run_search

    library = open_library(llm)
    result = run_search(
        query,
        library=library,
        k=k,
        method=method.value,  # type: ignore[arg-type]
        filters=filters(year_from, year_to, source, tag),
    )
    rows = evidence_items(result.hits)
    if not rows:
        filter_note(library, year_from, year_to)
    if as_json:
        hits = [row.model_dump(mode="json") for row in rows]
        print_json({"query": query, "method": method.value, "hits": hits, "timings": result.timings})
        return
    for row in rows:
        out.print(f"{row.rank:>2}. [{row.score:.3f}] {shown(row.title, line=True)}")
        out.print(f"    {shown(row.sentence, line=True)}" + (f" ({row.place})" if row.place else ""))


@app.command()
def papers(
    query: Annotated[str | None, typer.Argument(help="Only titles containing this text.")] = None,
    as_json: AsJson = False,
) -> None:
    """List the papers in the library (optionally filtered by title)."""
    found = sorted(open_library().store.iter_papers(), key=lambda p: p.title.casefold())
    if query:
        found = [paper for paper in found if query.casefold() in paper.title.casefold()]
    if as_json:
        print_json([paper.to_dict() for paper in found])
        return
    for paper in found:
        year = f" ({paper.year})" if paper.year else ""
        out.print(f"{paper.id}  {shown(paper.title, line=True)}{year}")
    out.print(f"{len(found)} papers")


@app.command()
@llm_options
def cite(
    claim: Annotated[str, typer.Argument(help="A claim or description of the paper you want to cite.")],
    k: Annotated[int, typer.Option("-k", help="Candidate papers to show.")] = 5,
    bib: Annotated[
        Path | None,
        typer.Option("--bib", help="Append the best match's BibTeX entry to this file (if its key is new)."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the full result as JSON.")] = False,
    year_from: YearFrom = None,
    year_to: YearTo = None,
    source: Source = None,
    *,
    llm: LLMChoice,
) -> None:
    """Find the paper behind a claim: its supporting sentence, score and BibTeX, or "no good match"."""
    from rag.cite.lookup import lookup

    result = lookup(claim, library=open_library(llm), k=k, filters=filters(year_from, year_to, source))
    if as_json:
        print_json(result.model_dump(mode="json"))
    else:
        out.print(shown(result.summary()))
        if result.best is not None:
            out.print("\n" + shown(result.best.bibtex))
    if bib is None:
        return
    if result.best is None:
        err.print(f"note: no good match, nothing written to {shown(bib, line=True)}")
        return
    try:
        existing = bib.read_text(encoding="utf-8") if bib.exists() else ""
        if f"{{{result.best.key}," in existing:
            err.print(f"note: {shown(result.best.key)} is already in {shown(bib, line=True)}")
            return
        with bib.open("a", encoding="utf-8") as handle:
            separator = "\n" if existing and not existing.endswith("\n\n") else ""
            handle.write(separator + result.best.bibtex)
    except OSError as error:
        raise LitrevError(f"cannot write {bib}: {error.strerror or error}") from None
    err.print(f"added {shown(result.best.key)} to {shown(bib, line=True)}")


@app.command()
@llm_options
def check(
    draft: Annotated[
        Path, typer.Argument(help="Your manuscript: LaTeX (.tex) or Markdown (pandoc citations).")
    ],
    bib: Annotated[Path | None, typer.Option("--bib", help="The .bib file its keys come from.")] = None,
    json_out: Annotated[Path | None, typer.Option("--json", help="Write the verdicts as JSON here.")] = None,
    report: Annotated[Path | None, typer.Option("--report", help="Write a Markdown report here.")] = None,
    judge: Annotated[
        Judge | None,
        typer.Option(help="fitted (the default) or llm (asks the configured LLM); see LITREV_JUDGE__KIND."),
    ] = None,
    *,
    llm: LLMChoice,
) -> None:
    """Check a manuscript's citations: does each cited paper support its sentence? Suggests sources."""
    from rag.check.verdicts import check_file
    from rag.grounding.llm_judge import make_judge

    library = open_library(llm)
    chosen = make_judge(library, judge.value) if judge else None
    result = check_file(draft, bib, library=library, judge=chosen)
    try:
        if json_out is not None:
            json_out.write_text(result.json_text(), encoding="utf-8")
        if report is not None:
            report.write_text(result.markdown(), encoding="utf-8")
    except OSError as error:
        raise LitrevError(f"cannot write {error.filename}: {error.strerror or error}") from None
    out.print(shown(result.text()), end="")


@app.command("related-work")
@llm_options
def related_work(
    description: Annotated[str | None, typer.Argument(help="What your paper does (or use --file).")] = None,
    file: Annotated[
        Path | None, typer.Option("--file", help="Read the description from this text file.")
    ] = None,
    output: Annotated[
        Path | None, typer.Option("--out", help="Write the draft here instead of printing it.")
    ] = None,
    bib: Annotated[
        Path | None, typer.Option("--bib", help="Write the BibTeX of exactly the cited papers here.")
    ] = None,
    latex: Annotated[
        bool, typer.Option("--latex", help="LaTeX with \\cite{key} instead of Markdown with [n].")
    ] = False,
    n_papers: Annotated[
        int | None, typer.Option("--papers", help="At most this many papers to cite (default 20).")
    ] = None,
    year_from: YearFrom = None,
    year_to: YearTo = None,
    source: Source = None,
    *,
    llm: LLMChoice,
) -> None:
    """Draft a related-work section from your library: themed paragraphs, every sentence cited."""
    from rag.related_work import draft_related_work

    if (description is None) == (file is None):
        raise LitrevError("give the description as an argument or with --file (exactly one of the two)")
    try:
        text = description if file is None else file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise LitrevError(f"cannot read {file}: {error}") from None
    draft = draft_related_work(
        text, library=open_library(llm), n_papers=n_papers, filters=filters(year_from, year_to, source)
    )
    if draft.notice:  # the library does not cover the topic: say so, like `ask` does
        out.print(shown(draft.notice))
        return
    rendered = draft.latex() if latex else draft.markdown()
    try:
        if output is None:
            out.print(shown(rendered), end="")
        else:
            output.write_text(rendered, encoding="utf-8")
            err.print(f"wrote the draft ({len(draft.cited)} papers cited) to {shown(output, line=True)}")
        if bib is not None:
            bib.write_text(draft.bibtex(), encoding="utf-8")
            err.print(f"wrote {len(draft.cited)} BibTeX entries to {shown(bib, line=True)}")
    except OSError as error:
        raise LitrevError(f"cannot write {error.filename}: {error.strerror or error}") from None


@app.command()
def convert(
    paths: Annotated[list[Path], typer.Argument(help="Source files or folders.")],
    output: Annotated[Path, typer.Option("--output", "-o", help="JSONL file to write.")],
) -> None:
    """Read, clean and de-duplicate sources into one JSONL file (no index needed)."""
    from rag.sources.corpus import read_paths, write_jsonl

    report = read_paths(paths)
    for problem in report.problems:
        err.print(f"skipped: {shown(str(problem), line=True)}")
    for note in report.notes:
        err.print(f"note: {shown(str(note), line=True)}")
    for title in report.conflicts:
        err.print(f"duplicate title with a different abstract (the first is kept): {shown(title, line=True)}")
    count = write_jsonl(report.papers, output)
    out.print(f"wrote {count} papers to {shown(output, line=True)} ({report.duplicates} duplicates dropped)")
    if report.skipped_paths:
        raise typer.Exit(1)


app.command("ui")(serve_ui)
app.command("mcp")(serve_mcp)
app.command("eval")(evaluate)
app.add_typer(bench, name="bench")


def main() -> None:
    app()
