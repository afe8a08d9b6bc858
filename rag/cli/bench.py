"""``litrev eval`` and ``litrev bench ...``: measurements that print figures.

Registered on the app by :mod:`rag.cli.commands`, whose error boundary covers them; the evaluation code
(``litrev_eval``, the eval/ folder) is imported only when one of these commands runs.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from rag.cli.options import (
    AsJson,
    Half,
    HalfOption,
    Judge,
    LLMChoice,
    Provider,
    Task,
    llm_options,
    open_library,
)
from rag.cli.output import emit, out, progress_bar, shown

RETRIEVAL_TASKS = (Task.lookup, Task.multi, Task.qa)


@llm_options
def evaluate(
    dataset: Annotated[Path, typer.Argument(help="A JSONL dataset (see eval/datasets).")],
    task: Annotated[Task, typer.Option(help="What the dataset measures.")],
    json_out: Annotated[
        Path | None, typer.Option("--json", help="Write the full result as JSON here.")
    ] = None,
    report: Annotated[
        Path | None, typer.Option(help="Write report.md and PNG plots into this folder.")
    ] = None,
    compare: Annotated[bool, typer.Option(help="Also run BM25-only and dense-only, side by side.")] = False,
    judge: Annotated[
        Judge, typer.Option(help="Judge of support: fitted (shipped weights) or llm (the configured LLM).")
    ] = Judge.fitted,
    half: Annotated[
        Half | None, typer.Option(help="Only the tune or the holdout half of the dataset.")
    ] = None,
    *,
    llm: LLMChoice,
) -> None:
    """Measure retrieval quality and answer grounding on a dataset."""
    from litrev_eval.report import metrics_table, write_report
    from litrev_eval.runner import evaluate as run_eval

    from rag.grounding.llm_judge import make_judge

    methods = ["lexical", "dense", "hybrid"] if compare and task in RETRIEVAL_TASKS else ["hybrid"]
    library = open_library(llm)
    support_judge = make_judge(library, judge.value) if task in (Task.qa, Task.check) else None
    results = {}
    with progress_bar() as bar:
        for method in methods:
            job = bar.add_task(f"{task.value} ({method})", total=None)
            results[method] = run_eval(
                dataset,
                task.value,
                library=library,
                judge=support_judge,
                method=method,  # type: ignore[arg-type]
                half=half.value if half else None,  # type: ignore[arg-type]
                progress=lambda done, total, job=job: bar.update(job, completed=done, total=total),
            )
    shipped = results["hybrid"]
    if json_out:
        payload = shipped.to_dict()
        if compare:
            payload["compare"] = {m: r.metrics for m, r in results.items()}
        json_out.write_text(json.dumps(payload, indent=2, ensure_ascii=False), encoding="utf-8")
    if report:
        out.print(f"report: {shown(write_report(results, report, dataset), line=True)}")
    judged = f", judge: {shipped.judge}" if shipped.judge else ""
    out.print(f"{task.value}: {shipped.n} items{judged}")
    out.print(metrics_table(results))


bench = typer.Typer(
    no_args_is_help=True, rich_markup_mode=None, help="Benchmarks that print measured figures."
)


@bench.command("retrieval")
def bench_retrieval(
    lookup: Annotated[
        Path | None, typer.Option(help="Lookup dataset (JSONL); default: eval/datasets.")
    ] = None,
    fact: Annotated[
        Path | None, typer.Option(help="Fact-question dataset (qa JSONL); default: eval/datasets.")
    ] = None,
    multi: Annotated[
        Path | None, typer.Option(help="Multi-paper dataset (JSONL); default: eval/datasets.")
    ] = None,
    related_work: Annotated[
        Path | None, typer.Option(help="Related-work dataset (JSONL); default: eval/datasets.")
    ] = None,
    half: HalfOption = None,
    as_json: AsJson = False,
) -> None:
    """Every retrieval variant tried (BM25, dense, RRF, feedback...) and the shipped hybrid, side by side."""
    from litrev_eval import bench_retrieval as runner
    from litrev_eval.datasets import HALVES

    given = {"lookup": lookup, "fact": fact, "multi": multi, "related-work": related_work}
    datasets = [(task, given[task] or default) for task, default in runner.DEFAULT]
    halves = [which for which in HALVES if half is None or which == half.value]
    emit(runner.run(open_library(), datasets, halves=halves), as_json, runner.table)


@bench.command("ingest")
def bench_ingest(
    paths: Annotated[list[Path] | None, typer.Argument(help="Sources; default: the bundled corpus.")] = None,
    pdf: Annotated[
        Path | None, typer.Option("--pdf", help="A folder of PDFs: parse, embed, ingest rates; peak memory.")
    ] = None,
    as_json: AsJson = False,
) -> None:
    """Full ingest throughput against raw model.encode on the same chunks, in one run."""
    from rag.settings import BUNDLED_CORPUS, Settings

    if pdf is not None:
        from litrev_eval import bench_pdf_ingest as pdfs

        emit(pdfs.run(pdf, Settings()), as_json, pdfs.table)
        return
    from litrev_eval import bench_ingest as runner

    emit(runner.run(paths or [BUNDLED_CORPUS], Settings()), as_json, runner.table)


@bench.command("thesis")
def bench_thesis(
    pages: Annotated[int, typer.Option(min=3, help="Pages of the long PDF (a generated thesis).")] = 300,
    short: Annotated[int, typer.Option(min=2, help="Pages of the short PDF it is compared with.")] = 30,
    as_json: AsJson = False,
) -> None:
    """A long PDF parsed and ingested in full: seconds and peak memory against a short one's."""
    from litrev_eval import bench_thesis as runner

    if short >= pages:
        raise typer.BadParameter(f"{short} is not fewer than --pages ({pages})", param_hint="'--short'")

    emit(runner.run(pages, short), as_json, runner.table)


@bench.command("fulltext")
def bench_fulltext(as_json: AsJson = False) -> None:
    """The full-text dev set end to end: answered with the right page, with and without the PDFs."""
    from litrev_eval import bench_fulltext as runner

    from rag.settings import Settings

    with progress_bar() as bar:
        job = bar.add_task("asking", total=None)
        figures = runner.run(
            Settings(),
            progress=lambda what, done, total: bar.update(job, description=what, completed=done, total=total),
        )
    if not as_json:
        figures.pop("items")
    emit(figures, as_json, runner.table)


@bench.command("scale")
def bench_scale(
    papers: Annotated[int, typer.Option("--papers", help="Synthetic library size.")] = 1000,
    as_json: AsJson = False,
) -> None:
    """Ingest rate, disk, peak memory and query latency on a synthetic library of N papers."""
    from litrev_eval import bench_scale as runner

    from rag.settings import Settings

    emit(runner.run(papers, Settings()), as_json, lambda figures: runner.table([figures]))


@bench.command("support")
@llm_options
def bench_support(
    as_json: AsJson = False,
    judge: Annotated[
        Judge, typer.Option(help="fitted (the shipped weights) or llm (the configured LLM).")
    ] = Judge.fitted,
    fit: Annotated[
        Path | None,
        typer.Option(help="Refit the weights on the tune halves, write them here, and measure with them."),
    ] = None,
    support_only: Annotated[
        bool,
        typer.Option(
            "--support-only",
            help="With --fit: refit the support model alone, keeping the shipped sentence ranker and "
            "answerable model.",
        ),
    ] = False,
    ranker_only: Annotated[
        bool,
        typer.Option(
            "--ranker-only",
            help="With --fit: refit the sentence ranker alone, keeping the shipped support and "
            "answerable models.",
        ),
    ] = False,
    questions_only: Annotated[
        bool,
        typer.Option(
            "--questions-only",
            help="With --fit: refit the sentence ranker and the answerable model, keeping the shipped "
            "support model.",
        ),
    ] = False,
    *,
    llm: LLMChoice,
) -> None:
    """Agreement of the judge of support with the labelled claims, on the tune and holdout halves."""
    from litrev_eval import bench_support as runner

    from rag.grounding.judge import Judge as FittedJudge
    from rag.grounding.llm_judge import make_judge

    parts = {"support": support_only, "ranker": ranker_only, "questions": questions_only}
    flags = [f"--{name}-only" for name, chosen_part in parts.items() if chosen_part]
    if flags and fit is None:
        raise typer.BadParameter("refits part of the judge only with --fit PATH", param_hint=f"'{flags[0]}'")
    if len(flags) > 1:
        raise typer.BadParameter("choose one of them", param_hint=", ".join(f"'{flag}'" for flag in flags))
    library = open_library(llm)
    chosen = make_judge(library, judge.value)
    with progress_bar() as bar:
        if fit is not None:
            from litrev_eval.fit_judge import fit as refit

            job = bar.add_task("fitting on the tune halves", total=None)
            model = refit(
                library,
                progress=lambda name, done, total: bar.update(job, completed=done, total=total),
                refit=next((name for name, chosen_part in parts.items() if chosen_part), "all"),
            )
            model.save(fit)
            out.print(f"weights written to {shown(fit, line=True)}")
            chosen = FittedJudge(library.sentences, library.lexical, model, library.judge.entailment)
        job = bar.add_task("judging the labelled claims", total=None)
        figures = runner.run(
            library, chosen, progress=lambda done, total: bar.update(job, completed=done, total=total)
        )
    emit(figures, as_json, runner.table)


@bench.command("check")
def bench_check(
    sentences: Annotated[int, typer.Option(help="Sentences in the synthetic draft.")] = 300,
    cited: Annotated[int, typer.Option(help="How many of them cite a paper.")] = 100,
    as_json: AsJson = False,
) -> None:
    """Time `litrev check` on a synthetic draft built from the library (no LLM)."""
    from litrev_eval import bench_check as runner

    library = open_library(LLMChoice(Provider.extractive))
    emit(runner.run(library, sentences=sentences, cited=cited), as_json, runner.table)


@bench.command("manuscript")
def bench_manuscript(as_json: AsJson = False) -> None:
    """Citations inside manuscript sentences: each judged on its part, and on the whole sentence."""
    from litrev_eval import bench_manuscript as runner

    emit(runner.run(open_library(LLMChoice(Provider.extractive))), as_json, runner.table)


@bench.command("startup")
def bench_startup(
    repeats: Annotated[int, typer.Option(help="Timed runs of each command.")] = 5,
    against: Annotated[
        Path | None, typer.Option(help="Another litrev checkout to measure alongside, run for run.")
    ] = None,
    as_json: AsJson = False,
) -> None:
    """Cold-process wall time and peak memory of `--help` and `ask`, and each stage in a warm process."""
    from litrev_eval import bench_startup as runner

    trees = {"this checkout": runner.SOURCE}
    if against is not None:
        trees[str(against)] = against.resolve()
    emit(runner.run(trees, repeats=repeats), as_json, runner.table)


@bench.command("citing")
def bench_citing(half: HalfOption = None, as_json: AsJson = False) -> None:
    """Citation lookup (recall@1/@5, false matches) and related-work must-cite share on the dev sets."""
    from litrev_eval import bench_citing as runner
    from litrev_eval.datasets import HALVES

    halves = [which for which in HALVES if half is None or which == half.value]
    emit(runner.run(open_library(), halves=halves), as_json, runner.table)


@bench.command("ui")
def bench_ui(
    users: Annotated[int, typer.Option(help="Users asking at once.")] = 20, as_json: AsJson = False
) -> None:
    """/ask latency through the served app: one user alone, then USERS at once (p50, p95)."""
    from rag.settings import BUNDLED_CORPUS, Settings
    from ui import bench as runner

    emit(runner.run(BUNDLED_CORPUS, Settings(), users=users), as_json, runner.table)
