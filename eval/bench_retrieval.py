"""``litrev bench retrieval``: every retrieval variant on the same datasets, side by side, one run.

A variant is a method plus changes to the retrieval settings, so each candidate that was tried
stays runnable (the ones that lost too: the next person sees what was measured). ``hybrid`` is
the shipped configuration, whatever the settings say.

Tasks: ``lookup`` (describe one paper), ``fact`` (a question answered by one paper's abstract,
``qa.jsonl``), ``multi`` (list the papers on a topic) and ``related-work`` (must-cite papers of a
paper description, from plain search on the description).
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from litrev_eval.datasets import HALVES, Half, load
from litrev_eval.metrics import mean, retrieval_metrics

from rag.index.library import Library
from rag.retrieval.rerank import FusionOrder, Reranker
from rag.retrieval.retrieve import Method, default_reranker, search

DATASETS = Path(__file__).resolve().parent / "datasets"
DEFAULT = (
    ("lookup", DATASETS / "lookup.jsonl"),
    ("fact", DATASETS / "qa.jsonl"),
    ("multi", DATASETS / "multi.jsonl"),
    ("related-work", DATASETS / "related_work.jsonl"),
)
SCHEMA = {"lookup": "lookup", "fact": "qa", "multi": "multi", "related-work": "related-work"}
"""The dataset schema each task reads."""

BEFORE = {
    "feedback": "none",
    "list_dense_weight": 0.5,
    "dense_weight": 0.5,
    "second_chunk_weight": 0.0,
    "title_name_boost": 0.0,
    "drop_contrast": False,
    "sentence_weight": 0.0,
}
"""The hybrid as it shipped before feedback and the question rules: one weight, no feedback."""


@dataclass(frozen=True)
class Variant:
    name: str
    method: Method
    changes: dict[str, Any] = field(default_factory=dict)
    """Retrieval settings changed from the shipped ones."""


VARIANTS: tuple[Variant, ...] = (
    Variant("dense", "dense"),
    Variant("lexical", "lexical"),
    Variant("rrf", "rrf"),
    Variant("hybrid-before", "hybrid", BEFORE),
    Variant("before+two-chunks", "hybrid", {**BEFORE, "second_chunk_weight": 0.25}),
    Variant("before+list-weight-0.6", "hybrid", {**BEFORE, "list_dense_weight": 0.6}),
    Variant("before+list-weight-0.4", "hybrid", {**BEFORE, "list_dense_weight": 0.4}),
    Variant("rocchio-list", "hybrid", {"feedback_terms": 0, "rocchio_weight": 0.6}),
    Variant("rm3-all", "hybrid", {"feedback": "all"}),
    Variant("rm3+rocchio-list", "hybrid", {"rocchio_weight": 0.6}),
    Variant("no-title-names", "hybrid", {"title_name_boost": 0.0}),
    Variant("keep-contrast", "hybrid", {"drop_contrast": False}),
    Variant("list-weight-0.5", "hybrid", {"list_dense_weight": 0.5}),
    Variant("sentence-0.25", "hybrid", {"sentence_weight": 0.25}),
    Variant("sentence-0.5", "hybrid", {"sentence_weight": 0.5}),
    Variant("sentence-0.75", "hybrid", {"sentence_weight": 0.75}),
)
SHIPPED = Variant("hybrid", "hybrid")


class _RememberedQueries:
    """The library's embedder, remembering query vectors: the variants after the shipped one reuse
    its vectors (their times leave out the query encoding; the shipped row's include it)."""

    def __init__(self, embedder: Any) -> None:
        self._embedder = embedder
        self._vectors: dict[str, Any] = {}

    def __getattr__(self, name: str) -> Any:
        return getattr(self._embedder, name)

    def embed_query(self, text: str) -> Any:
        if text not in self._vectors:
            self._vectors[text] = self._embedder.embed_query(text)
        return self._vectors[text]


def run(
    library: Library,
    datasets: Sequence[tuple[str, Path]] = DEFAULT,
    variants: Sequence[Variant] = VARIANTS,
    limit: int | None = None,
    halves: Sequence[Half] = HALVES,
) -> dict[str, dict[str, dict[str, float]]]:
    """``{task: {variant: metrics}}``; each variant's metrics also carry its median query ms.

    The shipped ``hybrid`` runs first, with full query encoding; the other variants reuse its
    query vectors, so their ``median_ms`` leaves the encoding out. With ``retrieval.rerank =
    "llm"`` in the library's settings, a ``hybrid+llm`` row is added.
    ``limit`` keeps the first items of each half (for slow configurations). Every dataset is
    measured on its tune half and its holdout half apart (:func:`litrev_eval.datasets.half`);
    ``halves`` keeps only some of them (the tune half while choosing).
    """
    papers = list(library.store.iter_papers())
    shipped = library.settings.retrieval
    results: dict[str, dict[str, dict[str, float]]] = {}
    search("warm-up", library=library, reranker=FusionOrder())
    remembered = Library(library.settings, embedder=_RememberedQueries(library.embedder))  # type: ignore[arg-type]
    for task, items in _halves(datasets, papers, limit, halves):
        results[task] = {}
        runs: list[tuple[Variant, Reranker]] = [(SHIPPED, FusionOrder())]
        runs += [(variant, FusionOrder()) for variant in variants]
        if shipped.rerank != "none":
            runs.append((Variant("hybrid+llm", "hybrid"), default_reranker(library)))
        for variant, reranker in runs:
            settings = shipped.model_copy(update=variant.changes)
            rows, times = [], []
            for item in items:
                started = time.perf_counter()
                hits = search(
                    item.text,
                    library=remembered,
                    k=20,
                    method=variant.method,
                    reranker=reranker,
                    settings=settings,
                ).hits
                times.append((time.perf_counter() - started) * 1000)
                rows.append(retrieval_metrics([hit.paper.id for hit in hits], set(item.gold)))
            results[task][variant.name] = {**mean(rows), "median_ms": statistics.median(times)}
    return results


def _halves(
    datasets: Sequence[tuple[str, Path]], papers: list[Any], limit: int | None, halves: Sequence[Half]
) -> list[tuple[str, list[Any]]]:
    """Each dataset's tune half and holdout half as two tasks ("fact (tune)", "fact (holdout)")."""
    tasks = []
    for task, path in datasets:
        for which in halves:
            items = load(path, SCHEMA[task], papers, which=which)[:limit]
            tasks.append((f"{task} ({which})", items))
    return tasks


def table(results: dict[str, dict[str, dict[str, float]]]) -> str:
    columns = ["recall@1", "recall@5", "recall@10", "recall@20", "mrr", "ndcg@10", "median_ms"]
    lines = ["| task | variant | " + " | ".join(columns) + " |", "|---|---|" + "---:|" * len(columns)]
    for task, by_variant in results.items():
        for name, metrics in by_variant.items():
            cells = [f"{metrics[c]:.1f}" if c == "median_ms" else f"{metrics[c]:.3f}" for c in columns]
            lines.append(f"| {task} | {name} | " + " | ".join(cells) + " |")
    return "\n".join(lines)
