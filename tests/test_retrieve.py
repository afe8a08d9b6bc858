"""Retrieval on the bundled corpus: methods, fusion, filters and the benchmark's figures."""

from __future__ import annotations

import json
from pathlib import Path

from eval import bench_retrieval
from eval.metrics import ndcg_at, recall_at, reciprocal_rank
from rag.ingest import ingest
from rag.library import Library
from rag.retrieve import METHODS, Filters, search

SPECULATIVE = "Which papers accelerate LLM inference with speculative decoding?"


def test_every_method_returns_distinct_papers_with_sentences(bundled: Library) -> None:
    for method in METHODS:
        hits = search(SPECULATIVE, library=bundled, k=10, method=method).hits
        assert len(hits) == 10
        assert len({hit.paper.id for hit in hits}) == 10  # chunks of one paper count once
        for hit in hits:
            assert hit.sentence_text and hit.sentence_text in hit.paper.abstract
        assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)


def test_hybrid_is_at_least_as_good_as_either_method_on_the_dev_sets(bundled: Library) -> None:
    results = bench_retrieval.run(bundled)
    lookup, multi = results["lookup"], results["multi"]
    for metric in ("recall@1", "mrr"):
        assert lookup["hybrid"][metric] >= max(lookup["dense"][metric], lookup["lexical"][metric])
    best_single = max(multi["dense"]["recall@10"], multi["lexical"]["recall@10"])
    assert multi["hybrid"]["recall@10"] >= best_single + 0.05
    assert "| multi | hybrid |" in bench_retrieval.table(results)


def test_year_and_source_filters_apply_to_both_retrievers(library: Library, tmp_path: Path) -> None:
    abstract = "We study speech recognition for low-resource languages with self-supervised models. " * 2
    records = [
        {"title": f"Low-Resource Speech Study {year}", "abstract": abstract, "year": year}
        for year in (2019, 2021, 2023)
    ]
    path = tmp_path / "years.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    ingest([path], library=library)
    for method in ("dense", "lexical", "hybrid"):
        hits = search(
            "low-resource speech recognition",
            library=library,
            method=method,
            filters=Filters(year_from=2020, year_to=2022),
        ).hits
        assert [hit.paper.year for hit in hits] == [2021], method
        assert (
            search("speech", library=library, method=method, filters=Filters(source="other.jsonl")).hits == []
        )


def test_metrics_on_hand_computed_cases() -> None:
    ranked = ["a", "b", "c", "d"]
    assert recall_at(ranked, {"b", "z"}, 1) == 0.0
    assert recall_at(ranked, {"b", "z"}, 2) == 0.5
    assert reciprocal_rank(ranked, {"c", "d"}) == 1 / 3
    assert reciprocal_rank(ranked, {"z"}) == 0.0
    assert ndcg_at(ranked, {"a"}, 10) == 1.0
    assert abs(ndcg_at(ranked, {"b"}, 10) - 1 / 1.5849625007211562) < 1e-9
    assert recall_at(ranked, set(), 5) == 0.0
