"""``litrev bench retrieval``: every retrieval method on the same datasets, side by side, one run."""

from __future__ import annotations

import statistics
import time
from collections.abc import Sequence
from pathlib import Path

from eval.datasets import load
from eval.metrics import mean, retrieval_metrics
from rag.library import Library
from rag.rerank import FusionOrder, Reranker
from rag.retrieve import METHODS, Method, default_reranker, search

DATASETS = Path(__file__).resolve().parent / "datasets"
DEFAULT = (("lookup", DATASETS / "lookup.jsonl"), ("multi", DATASETS / "multi.jsonl"))


def run(
    library: Library,
    datasets: Sequence[tuple[str, Path]] = DEFAULT,
    methods: Sequence[Method] = METHODS,
    limit: int | None = None,
) -> dict[str, dict[str, dict[str, float]]]:
    """``{task: {method: metrics}}``; each method's metrics also carry its median query ms.

    With ``retrieval.rerank = "llm"`` in the library's settings, a ``hybrid+llm`` row is added.
    ``limit`` keeps the first items of each dataset (for slow configurations).
    """
    papers = list(library.store.iter_papers())
    results: dict[str, dict[str, dict[str, float]]] = {}
    search("warm-up", library=library, reranker=FusionOrder())
    for task, path in datasets:
        items = load(path, task, papers)[:limit]
        results[task] = {}
        runs: list[tuple[str, Method, Reranker]] = [(m, m, FusionOrder()) for m in methods]
        if library.settings.retrieval.rerank != "none":
            runs.append(("hybrid+llm", "hybrid", default_reranker(library)))
        for name, method, reranker in runs:
            rows, times = [], []
            for item in items:
                started = time.perf_counter()
                hits = search(item.text, library=library, k=20, method=method, reranker=reranker).hits
                times.append((time.perf_counter() - started) * 1000)
                rows.append(retrieval_metrics([hit.paper.id for hit in hits], set(item.gold)))
            results[task][name] = {**mean(rows), "median_ms": statistics.median(times)}
    return results


def table(results: dict[str, dict[str, dict[str, float]]]) -> str:
    columns = ["recall@1", "recall@5", "recall@10", "recall@20", "mrr", "ndcg@10", "median_ms"]
    lines = ["| task | method | " + " | ".join(columns) + " |", "|---|---|" + "---:|" * len(columns)]
    for task, by_method in results.items():
        for method, metrics in by_method.items():
            cells = [f"{metrics[c]:.1f}" if c == "median_ms" else f"{metrics[c]:.3f}" for c in columns]
            lines.append(f"| {task} | {method} | " + " | ".join(cells) + " |")
    return "\n".join(lines)
