"""The ``litrev`` command line: one command per library verb.

User mistakes (bad files, a missing index, a model mismatch) exit with status 1 and one line on
stderr, never a traceback.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from rag.errors import LitrevError
from rag.library import Library
from rag.settings import Settings
from ui.cli_command import ui

BUNDLED_CORPUS = Path(__file__).resolve().parents[1] / "corpus" / "papers.jsonl"

app = typer.Typer(add_completion=False, no_args_is_help=True, help="litrev: a literature-review assistant.")
out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)


def _library(**llm: Any) -> Library:
    settings = Settings()
    changes = {key: value for key, value in llm.items() if value is not None}
    if changes:
        settings = settings.model_copy(update={"llm": settings.llm.model_copy(update=changes)})
    return Library(settings)


def _fail(error: Exception) -> None:
    err.print(f"error: {escape(str(error))}")
    raise typer.Exit(1)


def _print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False) + "\n")


def _progress_bar() -> Progress:
    """A progress bar on stderr (stdout stays clean for --json) that vanishes when done."""
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=True,
    )


def _emit(data: Any, as_json: bool, render: Any) -> None:
    """A benchmark's figures: JSON for scripts, else the rendered table."""
    if as_json:
        _print_json(data)
    else:
        out.print(render(data))


@app.command()
def ingest(
    paths: Annotated[
        list[Path] | None,
        typer.Argument(help="Files or folders (.txt .jsonl .csv .bib); default: the bundled corpus."),
    ] = None,
    rebuild: Annotated[
        bool, typer.Option(help="Drop the index first (e.g. after changing the model).")
    ] = False,
) -> None:
    """Index papers: new ones are added, changed ones replaced, unchanged ones skipped."""
    from rag.ingest import ingest as run_ingest

    sources = paths or [BUNDLED_CORPUS]
    try:
        with _progress_bar() as bar:
            task = bar.add_task("embedding papers", total=None)

            def progress(done: int, total: int) -> None:
                bar.update(task, completed=done, total=total)

            report = run_ingest(sources, library=_library(), progress=progress, rebuild=rebuild)
    except LitrevError as error:
        _fail(error)
    for problem in report.problems:
        err.print(f"skipped: {escape(str(problem))}")
    out.print(f"{report.summary} ({report.chunks} chunks embedded in {report.seconds:.1f} s)")


YearFrom = Annotated[int | None, typer.Option("--year-from", help="Only papers from this year on.")]
YearTo = Annotated[int | None, typer.Option("--year-to", help="Only papers up to this year.")]
Source = Annotated[str | None, typer.Option("--source", help="Only papers from this source file name.")]


def _filters(year_from: int | None, year_to: int | None, source: str | None) -> Any:
    from rag.retrieve import Filters

    return Filters(year_from=year_from, year_to=year_to, source=source)


@app.command()
def ask(
    question: Annotated[str, typer.Argument(help="A question about the field.")],
    k: Annotated[int | None, typer.Option("-k", help="Evidence papers to retrieve.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the full answer object as JSON.")] = False,
    year_from: YearFrom = None,
    year_to: YearTo = None,
    source: Source = None,
    llm: Annotated[
        str | None, typer.Option("--llm", help="extractive, openai or local (default: settings).")
    ] = None,
    model: Annotated[str | None, typer.Option(help="Model name for --llm openai.")] = None,
    base_url: Annotated[str | None, typer.Option(help="OpenAI-compatible endpoint for --llm openai.")] = None,
) -> None:
    """Answer a question from your library, citing the papers behind each sentence."""
    from rag.answer import Answer, answer_stream

    if llm is not None and llm not in ("extractive", "openai", "local"):
        _fail(LitrevError(f"--llm must be extractive, openai or local, got {llm!r}"))
    result = None
    streamed = False
    try:
        library = _library(provider=llm, model=model, base_url=base_url)
        events = answer_stream(question, library=library, k=k, filters=_filters(year_from, year_to, source))
        for event in events:
            if isinstance(event, Answer):
                result = event
            elif not as_json and library.settings.llm.provider != "extractive":
                sys.stdout.write(event)  # tokens as the model writes them
                sys.stdout.flush()
                streamed = True
    except LitrevError as error:
        _fail(error)
    assert result is not None
    if as_json:
        _print_json(result.model_dump(mode="json"))
        return
    if streamed:
        out.print()
    if result.notice:
        err.print(f"note: {escape(result.notice)}")
    if not streamed or result.notice or result.abstained:
        out.print(escape(result.answer))
    flagged = [check for check in result.sentences if not check.supported]
    for check in flagged:
        reason = (
            "uncited" if check.score is None else f"not supported by its sources (score {check.score:.2f})"
        )
        err.print(f"flag: {escape(check.text[:80])}: {reason}")
    if result.citations:
        out.print("\nReferences")
        out.print(escape(result.references()))


@app.command()
def search(
    query: Annotated[str, typer.Argument(help="What to look for.")],
    k: Annotated[int | None, typer.Option("-k", help="Papers to return.")] = None,
    method: Annotated[str, typer.Option(help="hybrid, dense, lexical or rrf.")] = "hybrid",
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    year_from: YearFrom = None,
    year_to: YearTo = None,
    source: Source = None,
) -> None:
    """Rank papers for a query, with scores and the best-matching sentence."""
    from rag.retrieve import METHODS
    from rag.retrieve import search as run_search

    if method not in METHODS:
        _fail(LitrevError(f"--method must be one of {', '.join(METHODS)}, got {method!r}"))
    try:
        result = run_search(
            query,
            library=_library(),
            k=k,
            method=method,  # type: ignore[arg-type]
            filters=_filters(year_from, year_to, source),
        )
    except LitrevError as error:
        _fail(error)
    rows = [
        {
            "rank": rank,
            "paper_id": hit.paper.id,
            "title": hit.paper.title,
            "year": hit.paper.year,
            "score": round(hit.score, 4),
            "dense": None if hit.dense is None else round(hit.dense, 4),
            "lexical": None if hit.lexical is None else round(hit.lexical, 4),
            "sentence": hit.sentence_text,
        }
        for rank, hit in enumerate(result.hits, start=1)
    ]
    if as_json:
        _print_json({"query": query, "method": method, "hits": rows, "timings": result.timings})
        return
    for row in rows:
        out.print(f"{row['rank']:>2}. [{row['score']:.3f}] {escape(row['title'])}")
        out.print(f"    {escape(row['sentence'])}")


@app.command()
def papers(
    query: Annotated[str | None, typer.Argument(help="Only titles containing this text.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """List the papers in the library (optionally filtered by title)."""
    try:
        found = sorted(_library().store.iter_papers(), key=lambda p: p.title.casefold())
    except LitrevError as error:
        _fail(error)
    if query:
        found = [paper for paper in found if query.casefold() in paper.title.casefold()]
    if as_json:
        _print_json([paper.to_dict() for paper in found])
        return
    for paper in found:
        year = f" ({paper.year})" if paper.year else ""
        out.print(f"{paper.id}  {escape(paper.title)}{year}")
    out.print(f"{len(found)} papers")


@app.command()
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
) -> None:
    """Find the paper behind a claim: its supporting sentence, score and BibTeX, or "no good match"."""
    from rag.lookup import lookup

    try:
        result = lookup(claim, library=_library(), k=k, filters=_filters(year_from, year_to, source))
    except LitrevError as error:
        _fail(error)
    if as_json:
        _print_json(result.model_dump(mode="json"))
    else:
        out.print(escape(result.summary()))
        if result.best is not None:
            out.print("\n" + escape(result.best.bibtex))
    if bib is not None:
        if result.best is None:
            err.print(f"note: no good match, nothing written to {escape(str(bib))}")
            return
        try:
            existing = bib.read_text(encoding="utf-8") if bib.exists() else ""
            if f"{{{result.best.key}," in existing:
                err.print(f"note: {result.best.key} is already in {escape(str(bib))}")
                return
            with bib.open("a", encoding="utf-8") as handle:
                separator = "\n" if existing and not existing.endswith("\n\n") else ""
                handle.write(separator + result.best.bibtex)
        except OSError as error:
            _fail(LitrevError(f"cannot write {bib}: {error.strerror or error}"))
        err.print(f"added {result.best.key} to {escape(str(bib))}")


@app.command("related-work")
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
    n_papers: Annotated[int | None, typer.Option("--papers", help="Papers to cite (default 25).")] = None,
    year_from: YearFrom = None,
    year_to: YearTo = None,
    source: Source = None,
) -> None:
    """Draft a related-work section from your library: themed paragraphs, every sentence cited."""
    from rag.related_work import draft_related_work

    if (description is None) == (file is None):
        _fail(LitrevError("give the description as an argument or with --file (exactly one of the two)"))
    try:
        text = description if file is None else file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        _fail(LitrevError(f"cannot read {file}: {error}"))
    try:
        draft = draft_related_work(
            text, library=_library(), n_papers=n_papers, filters=_filters(year_from, year_to, source)
        )
    except LitrevError as error:
        _fail(error)
    if draft.notice:  # the library does not cover the topic: say so, like `ask` does
        out.print(escape(draft.notice))
        return
    rendered = draft.latex() if latex else draft.markdown()
    try:
        if output is None:
            out.print(escape(rendered), end="")
        else:
            output.write_text(rendered, encoding="utf-8")
            err.print(f"wrote the draft ({len(draft.cited)} papers cited) to {escape(str(output))}")
        if bib is not None:
            bib.write_text(draft.bibtex(), encoding="utf-8")
            err.print(f"wrote {len(draft.cited)} BibTeX entries to {escape(str(bib))}")
    except OSError as error:
        _fail(LitrevError(f"cannot write {error.filename}: {error.strerror or error}"))


@app.command()
def convert(
    paths: Annotated[list[Path], typer.Argument(help="Source files or folders.")],
    output: Annotated[Path, typer.Option("--output", "-o", help="JSONL file to write.")],
) -> None:
    """Read, clean and de-duplicate sources into one JSONL file (no index needed)."""
    from rag.corpus import read_paths, write_jsonl

    report = read_paths(paths)
    for problem in report.problems:
        err.print(f"skipped: {escape(str(problem))}")
    count = write_jsonl(report.papers, output)
    out.print(f"wrote {count} papers to {output} ({report.duplicates} duplicates dropped)")


@app.command("eval")
def evaluate(
    dataset: Annotated[Path, typer.Argument(help="A JSONL dataset (see eval/datasets).")],
    task: Annotated[str, typer.Option(help="lookup, multi, qa, unanswerable or related-work.")],
    json_out: Annotated[
        Path | None, typer.Option("--json", help="Write the full result as JSON here.")
    ] = None,
    report: Annotated[
        Path | None, typer.Option(help="Write report.md and PNG plots into this folder.")
    ] = None,
    compare: Annotated[bool, typer.Option(help="Also run BM25-only and dense-only, side by side.")] = False,
    judge: Annotated[
        str, typer.Option(help="Support judge: auto (LLM if configured), overlap or llm.")
    ] = "auto",
) -> None:
    """Measure retrieval quality and answer grounding on a dataset."""
    from eval.datasets import TASKS
    from eval.report import metrics_table, write_report
    from eval.runner import evaluate as run_eval

    if task not in TASKS:
        _fail(LitrevError(f"--task must be one of {', '.join(TASKS)}, got {task!r}"))
    methods = ["lexical", "dense", "hybrid"] if compare and task in ("lookup", "multi", "qa") else ["hybrid"]
    library = _library()
    results = {}
    try:
        from rag.support import make_judge

        support_judge = make_judge(library, judge) if task == "qa" else None
        with _progress_bar() as bar:
            for method in methods:
                job = bar.add_task(f"{task} ({method})", total=None)
                results[method] = run_eval(
                    dataset,
                    task,
                    library=library,
                    judge=support_judge,
                    method=method,  # type: ignore[arg-type]
                    progress=lambda done, total, job=job: bar.update(job, completed=done, total=total),
                )
    except LitrevError as error:
        _fail(error)
    shipped = results["hybrid"]
    if json_out:
        payload = shipped.to_dict()
        if compare:
            payload["compare"] = {m: r.metrics for m, r in results.items()}
        json_out.write_text(json.dumps(payload, indent=2, ensure_ascii=False), encoding="utf-8")
    if report:
        out.print(f"report: {write_report(results, report, dataset)}")
    judge = f", judge: {shipped.judge}" if shipped.judge else ""
    out.print(f"{task}: {shipped.n} items{judge}")
    out.print(metrics_table(results))


bench = typer.Typer(no_args_is_help=True, help="Benchmarks that print measured figures.")
app.add_typer(bench, name="bench")


@bench.command("retrieval")
def bench_retrieval(
    lookup: Annotated[
        Path | None, typer.Option(help="Lookup dataset (JSONL); default: eval/datasets.")
    ] = None,
    multi: Annotated[
        Path | None, typer.Option(help="Multi-paper dataset (JSONL); default: eval/datasets.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """BM25-only, dense-only, plain RRF and the shipped hybrid on the same questions, side by side."""
    from eval import bench_retrieval as runner

    datasets = (("lookup", lookup or runner.DEFAULT[0][1]), ("multi", multi or runner.DEFAULT[1][1]))
    try:
        results = runner.run(_library(), datasets)
    except LitrevError as error:
        _fail(error)
    _emit(results, as_json, runner.table)


@bench.command("ingest")
def bench_ingest(
    paths: Annotated[list[Path] | None, typer.Argument(help="Sources; default: the bundled corpus.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Full ingest throughput against raw model.encode on the same chunks, in one run."""
    from eval import bench_ingest as runner

    try:
        figures = runner.run(paths or [BUNDLED_CORPUS], Settings())
    except LitrevError as error:
        _fail(error)
    _emit(figures, as_json, runner.table)


@bench.command("scale")
def bench_scale(
    papers: Annotated[int, typer.Option("--papers", help="Synthetic library size.")] = 1000,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Ingest rate, disk, peak memory and query latency on a synthetic library of N papers."""
    from eval import bench_scale as runner

    try:
        figures = runner.run(papers, Settings())
    except LitrevError as error:
        _fail(error)
    _emit(figures, as_json, lambda f: runner.table([f]))


@bench.command("support")
def bench_support(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    judge: Annotated[
        str, typer.Option(help="overlap (cross-validated) or llm (the configured LLM).")
    ] = "overlap",
) -> None:
    """Agreement of the citation-support judge with the hand labels (in-sample and cross-validated)."""
    from eval import bench_support as runner
    from rag.support import OverlapJudge, make_judge

    library = _library()
    try:
        if judge == "overlap":
            figures = runner.run(OverlapJudge(library.embedder, library.lexical))
        else:
            figures = runner.run_any(make_judge(library, judge))
    except LitrevError as error:
        _fail(error)
    if as_json:
        _print_json(figures)
        return
    held_out = f" (5-fold held-out {figures['cv_agreement']:.3f})" if "cv_agreement" in figures else ""
    out.print(
        f"{figures['pairs']} hand-labelled pairs: agreement {figures['agreement']:.3f}{held_out}, "
        f"precision {figures['precision']:.3f}, recall {figures['recall']:.3f}"
    )


@bench.command("citing")
def bench_citing(as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False) -> None:
    """Citation lookup (recall@1/@5, false matches) and related-work must-cite share on the dev sets."""
    from eval import bench_citing as runner

    try:
        results = runner.run(_library())
    except LitrevError as error:
        _fail(error)
    _emit(results, as_json, runner.table)


app.command()(ui)


def main() -> None:
    app()
