"""``litrev bench support``: how often the support judge agrees with hand labels.

Reads ``eval/datasets/support_labels.jsonl`` ({"sentence", "passage", "supported"}), scores every
pair with the shipped weights and threshold, and re-fits weights and threshold on 4/5 of the
pairs to score the held-out fifth (5-fold cross-validation), so the figure is not only in-sample.
"""

from __future__ import annotations

import json
from itertools import product
from pathlib import Path

import numpy as np

from rag.support import Features, OverlapJudge, SupportJudge, combine

LABELS = Path(__file__).resolve().parent / "datasets" / "support_labels.jsonl"
_WEIGHTS = np.linspace(0.0, 1.0, 11)
_PENALTIES = (0.0, 0.1, 0.2)
_THRESHOLDS = np.linspace(0.0, 1.0, 101)


def _scores(features: list[Features], weight: float, penalty: float) -> np.ndarray:
    return np.array(
        [
            weight * f.coverage + (1 - weight) * f.similarity - (0 if f.numbers_present else penalty)
            for f in features
        ]
    )


def _fit(features: list[Features], labels: np.ndarray) -> tuple[float, float, float]:
    best = (-1.0, 0.0, 0.0, 0.0)
    for weight, penalty in product(_WEIGHTS, _PENALTIES):
        scores = _scores(features, weight, penalty)
        for threshold in _THRESHOLDS:
            agreement = float(((scores >= threshold) == labels).mean())
            if agreement > best[0]:
                best = (agreement, weight, penalty, threshold)
    return best[1], best[2], best[3]


def _rows(labels_path: Path) -> list[dict]:
    return [json.loads(line) for line in labels_path.read_text(encoding="utf-8").splitlines() if line.strip()]


def run_any(judge: SupportJudge, labels_path: Path = LABELS) -> dict[str, float | str]:
    """Agreement of any judge (an LLM judge, say) with the labels, without re-fitting."""
    rows = _rows(labels_path)
    predicted = np.array([judge.score(r["sentence"], r["passage"]) >= judge.threshold for r in rows])
    labels = np.array([bool(row["supported"]) for row in rows])
    true_positive = int((predicted & labels).sum())
    return {
        "judge": judge.name,
        "pairs": len(rows),
        "agreement": float((predicted == labels).mean()),
        "precision": true_positive / max(int(predicted.sum()), 1),
        "recall": true_positive / max(int(labels.sum()), 1),
    }


def run(judge: OverlapJudge, labels_path: Path = LABELS, folds: int = 5) -> dict[str, float]:
    rows = _rows(labels_path)
    features = [judge.features(row["sentence"], row["passage"]) for row in rows]
    labels = np.array([bool(row["supported"]) for row in rows])
    predicted = np.array([combine(f) >= judge.threshold for f in features])
    true_positive = int((predicted & labels).sum())
    held_out_correct = 0
    order = np.random.default_rng(0).permutation(len(rows))
    for fold in np.array_split(order, folds):
        train = np.setdiff1d(order, fold)
        weight, penalty, threshold = _fit([features[i] for i in train], labels[train])
        scores = _scores([features[i] for i in fold], weight, penalty)
        held_out_correct += int(((scores >= threshold) == labels[fold]).sum())
    return {
        "pairs": len(rows),
        "agreement": float((predicted == labels).mean()),
        "cv_agreement": held_out_correct / len(rows),
        "precision": true_positive / max(int(predicted.sum()), 1),
        "recall": true_positive / max(int(labels.sum()), 1),
    }
