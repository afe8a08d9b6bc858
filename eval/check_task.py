"""``litrev eval --task check``: does the citation check agree with hand-labelled sentences?

Each item is a sentence, the titles it cites and whether they support it (together, by ALCE's
rule). Metrics: ``accuracy``; ``supported_recall`` (correctly cited sentences judged supported);
``unsupported_precision`` and ``unsupported_recall`` with "unsupported" as the positive class (a
citation problem caught is the point of the check); and, where an item names the cited papers
that add nothing (``adds_nothing_titles``), ``adds_nothing_accuracy``: the share of those items
whose flagged papers are exactly those. Rows carry the item's ``kind`` (correct, paraphrase,
wrong_figure, contradiction, wrong_paper, overclaim...) and ``style`` so a report can break the
figures down.
"""

from __future__ import annotations

from typing import Any

from litrev_eval.datasets import Item

from rag.check.verdicts import joint_support
from rag.grounding.judge import Supports
from rag.sources.corpus import Paper
from rag.sources.latex import clean_latex


def check_row(
    item: Item, judge: Supports, papers: dict[str, Paper], titles: dict[str, str]
) -> dict[str, Any]:
    joint = joint_support(judge, item.text, [papers[paper_id] for paper_id in item.gold])
    flagged = {paper_id for paper_id, extra in zip(item.gold, joint.adds_nothing, strict=True) if extra}
    row: dict[str, Any] = {
        "id": item.id,
        "kind": item.fields.get("kind", ""),
        "style": item.fields.get("style", ""),
        "supported": bool(item.fields["supported"]),
        "predicted": joint.supported,
        "scores": [round(verdict.score, 4) for verdict in joint.alone],
        "reason": (joint.together or joint.alone[0]).reason,
    }
    row["correct"] = float(row["supported"] == row["predicted"])
    if "adds_nothing_titles" in item.fields:
        gold = {titles[clean_latex(title)] for title in item.fields["adds_nothing_titles"]}
        row["adds_nothing_ok"] = float(flagged == gold)
    return row


def check_metrics(rows: list[dict[str, Any]]) -> dict[str, float]:
    flagged = [row for row in rows if not row["predicted"]]
    unsupported = [row for row in rows if not row["supported"]]
    supported = [row for row in rows if row["supported"]]
    caught = sum(not row["supported"] for row in flagged)
    metrics = {
        "accuracy": sum(row["correct"] for row in rows) / len(rows),
        "supported_recall": sum(row["predicted"] for row in supported) / len(supported) if supported else 0.0,
        "unsupported_precision": caught / len(flagged) if flagged else 0.0,
        "unsupported_recall": caught / len(unsupported) if unsupported else 0.0,
    }
    marked = [row["adds_nothing_ok"] for row in rows if "adds_nothing_ok" in row]
    if marked:
        metrics["adds_nothing_accuracy"] = sum(marked) / len(marked)
    return metrics
