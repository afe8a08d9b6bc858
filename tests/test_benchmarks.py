"""The benchmark code paths run and report coherent figures (speed targets are not asserted here)."""

from __future__ import annotations

from pathlib import Path

import pytest
from litrev_eval import bench_ingest, bench_scale
from litrev_eval.synthetic import synthetic_records

from rag.index.library import Library
from rag.settings import Settings
from rag.sources.corpus import read_paths, title_key
from tests.helpers import BUNDLED
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


def test_bench_ingest_reports_ratio_and_no_reembedding(tmp_path: Path, embedder) -> None:
    part = tmp_path / "part.jsonl"
    part.write_text("\n".join(BUNDLED.read_text(encoding="utf-8").splitlines()[:12]) + "\n", encoding="utf-8")
    figures = bench_ingest.run(
        [part], Settings(home=tmp_path), Library(Settings(home=tmp_path), embedder=embedder)
    )
    assert figures["papers"] == 12 and figures["texts"] > figures["chunks"] > 12  # chunks and sentences
    assert figures["reingest_embedded_chunks"] == 0
    assert figures["ingest_texts_per_s"] == pytest.approx(figures["texts"] / figures["ingest_s"])
    assert figures["encode_texts_per_s"] == pytest.approx(figures["texts"] / figures["encode_s"])
    assert figures["ratio"] == pytest.approx(figures["ingest_texts_per_s"] / figures["encode_texts_per_s"])
    assert f"| ratio ingest / encode (bests) | {figures['ratio']:.3f} |" in bench_ingest.table(figures)


def test_bench_scale_small_library(tmp_path: Path) -> None:
    figures = bench_scale.run(40, Settings(home=tmp_path), queries=4)
    assert figures["papers"] == 40 and figures["queries"] == 4
    assert 0 < figures["index_mb"] < 50  # the index only: the 86 MB query-encoder export is not in it
    assert figures["peak_rss_mb"] > 100
    assert figures["search_p50_ms"] > 0 and figures["ask_p50_ms"] > 0
    assert "search_p50_ms" in bench_scale.table([figures])


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
