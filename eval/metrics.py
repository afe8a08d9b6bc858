"""Retrieval metrics over one ranked list of paper ids and a set of gold ids (binary relevance)."""

from __future__ import annotations

import math
from collections.abc import Sequence, Set


def recall_at(ranked: Sequence[str], gold: Set[str], k: int) -> float:
    """Share of the gold papers found in the top ``k``; 0 when there is no gold."""
    if not gold:
        return 0.0
    return len(gold.intersection(ranked[:k])) / len(gold)


def reciprocal_rank(ranked: Sequence[str], gold: Set[str]) -> float:
    """1 / rank of the first gold paper; 0 when none is ranked."""
    for rank, paper_id in enumerate(ranked, start=1):
        if paper_id in gold:
            return 1.0 / rank
    return 0.0


def ndcg_at(ranked: Sequence[str], gold: Set[str], k: int) -> float:
    """Normalised discounted cumulative gain at ``k`` with binary gains."""
    if not gold:
        return 0.0
    dcg = sum(1.0 / math.log2(rank + 1) for rank, pid in enumerate(ranked[:k], start=1) if pid in gold)
    ideal = sum(1.0 / math.log2(rank + 1) for rank in range(1, min(len(gold), k) + 1))
    return dcg / ideal


RETRIEVAL_KS = (1, 5, 10, 20)


def retrieval_metrics(ranked: Sequence[str], gold: Set[str]) -> dict[str, float]:
    metrics = {f"recall@{k}": recall_at(ranked, gold, k) for k in RETRIEVAL_KS}
    metrics["mrr"] = reciprocal_rank(ranked, gold)
    metrics["ndcg@10"] = ndcg_at(ranked, gold, 10)
    return metrics


def mean(rows: Sequence[dict[str, float]]) -> dict[str, float]:
    if not rows:
        return {}
    return {key: sum(row[key] for row in rows) / len(rows) for key in rows[0]}


def mean_by(rows: Sequence[dict], group: str, value: str) -> dict[str, float]:
    """The mean of ``row[value]`` per distinct ``row[group]`` (rows without the value skipped)."""
    groups: dict[str, list[float]] = {}
    for row in rows:
        if row.get(value) is not None:
            groups.setdefault(str(row.get(group)), []).append(float(row[value]))
    return {name: sum(values) / len(values) for name, values in sorted(groups.items())}
