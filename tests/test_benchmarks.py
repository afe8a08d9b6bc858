"""The benchmark code paths run and report coherent figures (speed targets are not asserted here)."""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from litrev_eval import bench_ingest, bench_scale
from litrev_eval.synthetic import synthetic_records

from rag.index.embedding import Embedder
from rag.index.library import Library
from rag.settings import Settings
from rag.sources.corpus import read_paths, title_key
from tests.helpers import BUNDLED
from tests.homes import share_export
from ui import bench as bench_ui


def test_synthetic_library_is_deterministic_and_made_of_real_sentences() -> None:
    papers = read_paths([BUNDLED]).papers
    first = list(synthetic_records(papers, 50, seed=7))
    assert first == list(synthetic_records(papers, 50, seed=7))
    assert first != list(synthetic_records(papers, 50, seed=8))
    assert len({title_key(r["title"]) for r in first}) == 50
    corpus = " ".join(p.abstract for p in papers)
    for record in first[:5]:
        assert record["abstract"].split(". ")[0].rstrip(".") in corpus


def test_bench_ingest_reports_ratio_and_no_reembedding(
    tmp_path: Path, plain_embedder: Embedder, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(bench_ingest, "RUNS", 1)  # one round shows the figures; the bench takes the best of 3
    part = tmp_path / "part.jsonl"
    part.write_text("\n".join(BUNDLED.read_text(encoding="utf-8").splitlines()[:12]) + "\n", encoding="utf-8")
    # the model as litrev runs it: the session's embedder would hand back vectors it remembers
    library = Library(Settings(home=tmp_path), embedder=plain_embedder)
    figures = bench_ingest.run([part], Settings(home=tmp_path), library)
    assert figures["papers"] == 12 and figures["texts"] > figures["chunks"] > 12  # chunks and sentences
    assert figures["reingest_embedded_chunks"] == 0
    assert figures["ingest_texts_per_s"] == pytest.approx(figures["texts"] / figures["ingest_s"])
    assert figures["encode_texts_per_s"] == pytest.approx(figures["texts"] / figures["encode_s"])
    assert figures["ratio"] == pytest.approx(figures["ingest_texts_per_s"] / figures["encode_texts_per_s"])
    assert f"| ratio ingest / encode (bests) | {figures['ratio']:.3f} |" in bench_ingest.table(figures)


def _timed(calls: list[tuple[str, float]], function: Callable[..., Any]) -> Callable[..., Any]:
    """``function``, noting each call's first argument and its own duration in ms."""

    def timed(first: Any, *args: Any, **kwargs: Any) -> Any:
        mark = time.perf_counter()
        try:
            return function(first, *args, **kwargs)
        finally:
            calls.append((str(first), (time.perf_counter() - mark) * 1000))

    return timed


def test_bench_scale_reports_what_it_measured(
    tmp_path: Path, embedder: Embedder, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each figure is checked against what the run did, watched from outside: the calls it made
    and their own durations, the files it left, the process's peak memory. Nothing is asserted
    about speed."""
    calls: dict[str, list[tuple[str, float]]] = {"ingest": [], "search": [], "answer": []}
    for name, calls_of in calls.items():
        monkeypatch.setattr(bench_scale, name, _timed(calls_of, getattr(bench_scale, name)))
    home = tmp_path / "home"
    share_export(embedder, home)  # the query encoder the session made: not exported again
    figures = bench_scale.run(40, Settings(home=tmp_path), home=home, queries=4)
    rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    questions = bench_scale._questions(4)
    assert len(set(questions)) == 4 and figures["queries"] == 4
    assert [q for q, _ in calls["search"]] == [questions[0], *questions]  # a warm-up, then each question
    assert [q for q, _ in calls["answer"]] == questions
    papers = Library(Settings(home=home), embedder=embedder)
    assert figures["papers"] == papers.store.paper_count() == 40
    assert figures["chunks"] >= 40

    # a figure timed around a call is at least the call's own time, and not more than a little over
    slack = 50.0  # ms for the calls between two clock readings, on a busy machine
    ((_, ingest_ms),) = calls["ingest"]
    assert ingest_ms <= figures["ingest_s"] * 1000 <= ingest_ms + slack
    assert figures["ingest_papers_per_s"] == pytest.approx(40 / figures["ingest_s"])
    for kind, timed in (("search", calls["search"][1:]), ("ask", calls["answer"])):  # warm-up left out
        p50, p95 = figures[f"{kind}_p50_ms"], figures[f"{kind}_p95_ms"]
        own = sorted(ms for _, ms in timed)
        own50, own95 = bench_scale._percentiles(own)
        assert own50 <= p50 <= own50 + slack and own95 <= p95 <= own95 + slack, (kind, own, p50, p95)

    # the index on disk, without the query encoder's export under models/
    models = home / "models"
    sizes = {f: f.stat().st_size for f in home.rglob("*") if f.is_file()}
    exported = sum(size for f, size in sizes.items() if models in f.parents)
    assert exported > 50 * 2**20  # the export is there, and big: leaving it out matters
    assert figures["index_mb"] == pytest.approx((sum(sizes.values()) - exported) / 2**20, rel=0.05)
    assert 100 < figures["peak_rss_mb"] <= rss_after

    header, rule, row = bench_scale.table([figures]).splitlines()
    assert header == "| " + " | ".join(bench_scale.COLUMNS) + " |"
    assert rule.count("---:|") == len(bench_scale.COLUMNS)
    cells = [cell.strip() for cell in row.strip("|").split("|")]
    for column, cell in zip(bench_scale.COLUMNS, cells, strict=True):
        assert float(cell) == pytest.approx(figures[column], abs=0.05), column


def test_percentiles_are_the_median_and_the_95th() -> None:
    values = [float(n) for n in range(20, 0, -1)]
    assert bench_scale._percentiles(values) == (10.5, 20.0)
    assert bench_ui._percentiles(values) == (10.5, 19.0)
    assert bench_ui._percentiles([3.0]) == (3.0, 3.0)


def test_bench_ui_table_puts_the_rounds_side_by_side() -> None:
    figures = {
        "papers": 264,
        "users": 20,
        "single_p50_s": 0.4,
        "single_p95_s": 0.6,
        "cores": 2,
        "one_at_a_time": {"p50_s": 5.0, "p95_s": 9.5, "wall_s": 10.0},
        "per_core": {"p50_s": 5.5, "p95_s": 9.0, "wall_s": 9.9},
        "unlimited": {"p50_s": 2.0, "p95_s": 3.0, "wall_s": 3.1},
    }
    rows = bench_ui.table(figures).splitlines()
    assert rows[0].startswith("264 papers")
    assert rows[2].split()[-2:] == ["0.40", "0.60"]
    assert rows[3].startswith("20 users at once, reads one at a time") and rows[3].split()[-3:] == [
        "5.00",
        "9.50",
        "10.00",
    ]
    assert rows[4].startswith("20 users at once, reads 2 at once (--readers)")
    assert rows[4].split()[-3:] == ["5.50", "9.00", "9.90"]
    assert rows[5].startswith("20 users at once, reads all at once (default)")
    assert rows[5].split()[-3:] == ["2.00", "3.00", "3.10"]


def test_a_child_process_reports_its_own_peak_memory_not_its_parents() -> None:
    """A process started by one that holds much memory: ``ru_maxrss`` carries the parent's peak
    over, ``peak_kb`` gives the child's own (what the PDF benchmarks report for their children)."""
    held = bytearray(400 * 1024 * 1024)
    held[:: resource.getpagesize()] = b"\x01" * len(held[:: resource.getpagesize()])
    code = (
        "import json, resource; from litrev_eval.peak_memory import peak_kb; "
        "print(json.dumps([peak_kb(), resource.getrusage(resource.RUSAGE_SELF).ru_maxrss]))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    own, inherited = json.loads(done.stdout)
    assert own < 200 * 1024 < 400 * 1024 < inherited
    del held
