"""``litrev bench citing``: citation lookup and related-work drafts on the dev sets, one run.

- lookup (``lookup.jsonl``): recall@1 and recall@5 of :func:`rag.cite.lookup.lookup`, and the share
  of claims it reports as matched;
- off-topic (``unanswerable.jsonl``): the share of off-topic claims it wrongly reports as matched;
- related work (``related_work.jsonl``, its tune and holdout halves apart): the share of each
  item's must-cite papers that the draft cites (mean and worst item), next to plain top-15
  hybrid retrieval on the description; the precision of the cited papers (in ``must_cite`` or
  ``acceptable``) and how many are cited.

Run it with ``python -m litrev_eval.bench_citing`` (uses ``LITREV_HOME``'s library).
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Sequence
from pathlib import Path

from litrev_eval.datasets import HALVES, Half, Item, load
from litrev_eval.metrics import recall_at
from litrev_eval.runner import citing_figures

from rag.cite import bibtex
from rag.cite.lookup import lookup
from rag.index.library import Library
from rag.related_work import draft_related_work
from rag.retrieval.retrieve import search

DATASETS = Path(__file__).resolve().parent / "datasets"
LOOKUP = DATASETS / "lookup.jsonl"
OFF_TOPIC = DATASETS / "unanswerable.jsonl"
RELATED_WORK = DATASETS / "related_work.jsonl"
BASELINE_K = 15


def lookup_figures(
    library: Library, items: Sequence[Item], *, k: int = 5, keys: dict[str, str] | None = None
) -> dict[str, float]:
    """recall@1 (and recall@k) of the candidates, the matched share and the median time."""
    keys = keys if keys is not None else bibtex.assign_keys(library.store.iter_papers())
    first, top, matched, times = [], [], [], []
    for item in items:
        started = time.perf_counter()
        result = lookup(item.text, library=library, k=k, keys=keys)
        times.append((time.perf_counter() - started) * 1000)
        ranked = [candidate.paper_id for candidate in result.candidates]
        first.append(recall_at(ranked, set(item.gold), 1))
        top.append(recall_at(ranked, set(item.gold), k))
        matched.append(float(result.matched))
    return {
        "recall@1": statistics.fmean(first),
        f"recall@{k}": statistics.fmean(top),
        "matched": statistics.fmean(matched),
        "items": len(items),
        "median_ms": statistics.median(times),
    }


def related_work_figures(
    library: Library, items: Sequence[Item], *, keys: dict[str, str] | None = None
) -> dict[str, float]:
    """Must-cite share of the drafts (mean, worst) and of plain top-15 retrieval; median time."""
    keys = keys if keys is not None else bibtex.assign_keys(library.store.iter_papers())
    shares, baseline, cited, precision, times = [], [], [], [], []
    for item in items:
        gold = set(item.gold)
        started = time.perf_counter()
        draft = draft_related_work(item.text, library=library, keys=keys)
        times.append((time.perf_counter() - started) * 1000)
        figures = citing_figures([paper.id for paper in draft.cited], item)
        shares.append(figures["must_cite_recall"])
        precision.append(figures["precision"])
        cited.append(figures["cited"])
        hits = search(item.text, library=library, k=BASELINE_K).hits
        baseline.append(recall_at([hit.paper.id for hit in hits], gold, BASELINE_K))
    return {
        "must_cite_share": statistics.fmean(shares),
        "worst_share": min(shares),
        f"top{BASELINE_K}_share": statistics.fmean(baseline),
        "precision": statistics.fmean(precision),
        "cited_papers": statistics.fmean(cited),
        "items": len(items),
        "median_ms": statistics.median(times),
    }


def run(library: Library, halves: Sequence[Half] = HALVES) -> dict[str, dict[str, float]]:
    """``{task: figures}`` for the lookup, off-topic and related-work dev sets; ``halves`` keeps
    only some halves of the related-work set (the tune half while choosing)."""
    papers = list(library.store.iter_papers())
    keys = bibtex.assign_keys(papers)
    search("warm-up", library=library)
    off_topic = lookup_figures(library, load(OFF_TOPIC, "unanswerable", papers), keys=keys)
    return {
        "lookup": lookup_figures(library, load(LOOKUP, "lookup", papers), keys=keys),
        "off-topic": {
            "false_match": off_topic["matched"],
            "items": off_topic["items"],
            "median_ms": off_topic["median_ms"],
        },
        **{
            f"related-work ({which})": related_work_figures(
                library, load(RELATED_WORK, "related-work", papers, which=which), keys=keys
            )
            for which in halves
        },
    }


def table(results: dict[str, dict[str, float]]) -> str:
    """One Markdown row per task: ``| task | figure | value |``."""
    lines = ["| task | figure | value |", "|---|---|---:|"]
    for task, figures in results.items():
        for name, value in figures.items():
            shown = f"{value:.0f}" if name in ("items", "median_ms") else f"{value:.3f}"
            lines.append(f"| {task} | {name} | {shown} |")
    return "\n".join(lines)


def main() -> None:
    print(table(run(Library())))


if __name__ == "__main__":
    main()
