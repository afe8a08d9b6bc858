"""The benchmark code paths run and report coherent figures (speed targets are not asserted here)."""

from __future__ import annotations

from pathlib import Path

from eval import bench_ingest, bench_scale
from eval.synthetic import synthetic_records
from rag.corpus import read_paths, title_key
from rag.library import Library
from rag.settings import Settings
from tests.helpers import BUNDLED


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
    assert figures["papers"] == 12 and figures["chunks"] > 12
    assert figures["ratio"] > 0 and figures["reingest_embedded_chunks"] == 0
    assert "ratio ingest / encode" in bench_ingest.table(figures)


def test_bench_scale_small_library(tmp_path: Path) -> None:
    figures = bench_scale.run(40, Settings(home=tmp_path), queries=4)
    assert figures["papers"] == 40 and figures["queries"] == 4
    assert figures["disk_mb"] > 0 and figures["peak_rss_mb"] > 100
    assert figures["search_p50_ms"] <= figures["search_p95_ms"]
    assert "search_p50_ms" in bench_scale.table([figures])
