"""``litrev bench support``: how often the judge of support agrees with the labelled claims.

Reads ``eval/datasets/claims.jsonl`` (sentences citing one or more library papers, labelled
supported or not) and judges every item with the shipped weights. Figures are given for each half
(:func:`litrev_eval.datasets.half`): *tune*, which the weights and threshold were fitted on, and
*holdout*, which they never saw; a large gap between the two means the fit will not carry over.
Per half: agreement, precision and recall of "supported", recall of "unsupported", and agreement
per kind of item (paraphrase, figures in words, wrong figure, contradiction, wrong paper...).

``--fit PATH`` first refits the weights on the tune halves (:mod:`litrev_eval.fit_judge`) and writes them
to PATH, then measures with them.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from litrev_eval.check_task import check_metrics, check_row
from litrev_eval.datasets import HALVES, load
from litrev_eval.metrics import mean_by

from rag.grounding.judge import Supports
from rag.index.library import Library

CLAIMS = Path(__file__).resolve().parent / "datasets" / "claims.jsonl"

Progress = Callable[[int, int], None]


def run(
    library: Library, judge: Supports, path: Path = CLAIMS, progress: Progress | None = None
) -> dict[str, Any]:
    papers = list(library.store.iter_papers())
    by_id = {paper.id: paper for paper in papers}
    titles = {paper.title: paper.id for paper in papers}
    figures: dict[str, Any] = {"judge": judge.name}
    for which in HALVES:
        items = load(path, "check", papers, which=which)
        rows = []
        for done, item in enumerate(items, start=1):
            rows.append(check_row(item, judge, by_id, titles))
            if progress:
                progress(done, len(items))
        metrics = check_metrics(rows)
        predicted = [row for row in rows if row["predicted"]]
        figures[which] = {
            "items": len(rows),
            "agreement": metrics["accuracy"],
            "precision": sum(row["supported"] for row in predicted) / len(predicted) if predicted else 0.0,
            "recall": metrics["supported_recall"],
            "unsupported_recall": metrics["unsupported_recall"],
            "by_kind": mean_by(rows, "kind", "correct"),
        }
    return figures


def table(figures: dict[str, Any]) -> str:
    lines = [
        f"judge: {figures['judge']} (supported is the positive class)",
        f"{'half':8} {'items':>6} {'agreement':>10} {'precision':>10} {'recall':>8} "
        f"{'unsupported recall':>19}",
    ]
    for which in HALVES:
        f = figures[which]
        lines.append(
            f"{which:8} {f['items']:>6} {f['agreement']:>10.3f} {f['precision']:>10.3f} {f['recall']:>8.3f} "
            f"{f['unsupported_recall']:>19.3f}"
        )
    kinds = sorted(set(figures["tune"]["by_kind"]) | set(figures["holdout"]["by_kind"]))
    lines.append(f"{'agreement by kind':30} {'tune':>6} {'holdout':>8}")
    for kind in kinds:
        tune, held = (figures[w]["by_kind"].get(kind) for w in HALVES)
        lines.append(f"  {kind:28} {_cell(tune):>6} {_cell(held):>8}")
    return "\n".join(lines)


def _cell(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"
