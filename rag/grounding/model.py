"""The judge's fitted weights: three linear models over named features, read from one JSON file.

- ``support``: logistic regression over :data:`rag.grounding.claims.SUPPORT`: the probability that
  the cited papers state the claim; supported at ``threshold``.
- ``ranker``: a conditional logit over :data:`rag.grounding.answers.ANSWER`: which sentence of the
  retrieved papers answers a question (scores compare within one question).
- ``answerable``: gradient-boosted trees over :data:`rag.grounding.answers.QUESTION`: the
  probability that the library answers the question at all; answered at ``threshold``. (Trees, not
  a line: its strongest signals are rare and decisive, a word no paper uses, a name only met as a
  baseline, which a single weighted sum dilutes; measured on the tune half, see ``fitted``.)

Weights, feature scaling and thresholds are fitted on the *tune* halves of the dev sets by
``eval/fit_judge.py`` (``litrev bench support --fit`` re-runs it) and shipped in
``rag/data/judge.json``, with what they were fitted on. A file whose feature names differ from the
code's is refused with a message saying how to refit.
"""

from __future__ import annotations

import json
from collections.abc import Collection
from dataclasses import dataclass, field
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Any

import numpy as np

from rag.errors import LitrevError
from rag.grounding.answerability import QUESTION
from rag.grounding.answers import ANSWER
from rag.grounding.claims import SUPPORT

FORMAT = 1
SHIPPED = "judge.json"
EXPECTED = {"support": SUPPORT, "ranker": ANSWER, "answerable": QUESTION}


@dataclass(frozen=True)
class Linear:
    """A linear model over standardised features: ``((x - mean) / scale) @ weights + bias``."""

    features: tuple[str, ...]
    mean: np.ndarray
    scale: np.ndarray
    weights: np.ndarray
    bias: float = 0.0
    threshold: float = 0.5

    def logits(self, rows: np.ndarray) -> np.ndarray:
        return ((np.atleast_2d(rows) - self.mean) / self.scale) @ self.weights + self.bias

    def probabilities(self, rows: np.ndarray) -> np.ndarray:
        return 1.0 / (1.0 + np.exp(-self.logits(rows)))

    def contributions(self, row: np.ndarray) -> dict[str, float]:
        """How much each feature moved this row's logit from the average row's."""
        parts = (row - self.mean) / self.scale * self.weights
        return dict(zip(self.features, (float(v) for v in parts), strict=True))

    def to_json(self) -> dict[str, Any]:
        return {
            "features": list(self.features),
            "mean": [round(float(v), 6) for v in self.mean],
            "scale": [round(float(v), 6) for v in self.scale],
            "weights": [round(float(v), 6) for v in self.weights],
            "bias": round(float(self.bias), 6),
            "threshold": round(float(self.threshold), 6),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Linear:
        return cls(
            tuple(data["features"]),
            np.asarray(data["mean"], dtype=np.float64),
            np.asarray(data["scale"], dtype=np.float64),
            np.asarray(data["weights"], dtype=np.float64),
            float(data.get("bias", 0.0)),
            float(data.get("threshold", 0.5)),
        )


@dataclass(frozen=True)
class Trees:
    """Gradient-boosted regression trees: ``sigmoid(init + rate * sum(tree(x)))``.

    Each tree is four parallel lists, one entry per node: the feature it splits on (-1 at a
    leaf), the threshold (go left when ``x[feature] <= threshold``), the left and right child,
    and the node's value (read at leaves)."""

    features: tuple[str, ...]
    trees: list[dict[str, list[float]]]
    rate: float
    init: float
    threshold: float = 0.5

    def logits(self, rows: np.ndarray) -> np.ndarray:
        # Values are rounded to float32, as the trees were fitted on, then compared in float64.
        rows = np.atleast_2d(rows).astype(np.float32).astype(np.float64)
        total = np.full(len(rows), self.init, dtype=np.float64)
        for tree in self.trees:
            feature, cut, left, right, value = (
                tree[k] for k in ("feature", "threshold", "left", "right", "value")
            )
            for index, row in enumerate(rows):
                node = 0
                while feature[node] >= 0:
                    node = int(left[node] if row[int(feature[node])] <= cut[node] else right[node])
                total[index] += self.rate * value[node]
        return total

    def probabilities(self, rows: np.ndarray) -> np.ndarray:
        return 1.0 / (1.0 + np.exp(-self.logits(rows)))

    def to_json(self) -> dict[str, Any]:
        return {
            "features": list(self.features),
            "rate": self.rate,
            "init": round(self.init, 8),
            "threshold": round(self.threshold, 6),
            "trees": self.trees,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Trees:
        return cls(
            tuple(data["features"]),
            data["trees"],
            float(data["rate"]),
            float(data["init"]),
            float(data["threshold"]),
        )


@dataclass(frozen=True)
class JudgeModel:
    support: Linear
    ranker: Linear
    answerable: Trees
    fitted: dict[str, Any] = field(default_factory=dict)
    """What the weights were fitted on (datasets, halves, counts) and their agreement there."""

    def to_json(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "fitted": self.fitted,
            "support": self.support.to_json(),
            "ranker": self.ranker.to_json(),
            "answerable": self.answerable.to_json(),
        }

    def save(self, path: Path) -> None:
        path.write_text(json.dumps(self.to_json(), indent=1) + "\n", encoding="utf-8")


def parse(data: dict[str, Any], where: str, refitting: Collection[str] = ()) -> JudgeModel:
    """A model from its JSON form; feature names must be the code's, in its order, except those of
    the parts being refitted (``refitting``: read as they are, to be replaced)."""
    if data.get("format") != FORMAT:
        raise LitrevError(f"{where}: judge weights of format {data.get('format')!r}, expected {FORMAT}")
    for part, names in EXPECTED.items():
        if part not in refitting and tuple(data.get(part, {}).get("features", ())) != names:
            raise LitrevError(
                f"{where}: the {part} weights were fitted for other features than this version computes; "
                "refit them with `litrev bench support --fit`"
            )
    return JudgeModel(
        Linear.from_json(data["support"]),
        Linear.from_json(data["ranker"]),
        Trees.from_json(data["answerable"]),
        fitted=data.get("fitted", {}),
    )


@cache
def shipped() -> JudgeModel:
    """The weights that ship with litrev (``rag/data/judge.json``)."""
    return shipped_except()


def shipped_except(*refitting: str) -> JudgeModel:
    """The shipped weights, the parts ``refitting`` read whatever features they were fitted for
    (they are about to be refitted: ``litrev bench support --fit PATH --ranker-only`` or
    ``--questions-only``)."""
    resource = files("rag") / "data" / SHIPPED
    return parse(json.loads(resource.read_text(encoding="utf-8")), f"rag/data/{SHIPPED}", refitting)


def load(path: Path | None = None) -> JudgeModel:
    """The shipped weights, or those of ``path`` (a refit)."""
    if path is None:
        return shipped()
    try:
        return parse(json.loads(path.read_text(encoding="utf-8")), str(path))
    except (OSError, ValueError) as error:
        raise LitrevError(f"cannot read judge weights {path}: {error}") from None
