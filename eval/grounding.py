"""Answer-grounding metrics in the sense of ALCE (Gao et al., 2023), with a pluggable judge.

For each answer sentence with its cited passages:

- citation recall: 1 when the cited passages together support the sentence, else 0 (an uncited
  sentence scores 0);
- citation precision: a citation is correct when the passages together support the sentence and
  it is not irrelevant, where irrelevant means it does not support the sentence alone and the
  others still support it without it.

An answer with no sentences (an abstention) has no grounding scores (``None``): it is counted by
``abstained_rate`` instead.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rag.support import SupportJudge


@dataclass(frozen=True)
class Claim:
    sentence: str
    passages: tuple[str, ...]
    """The texts of the passages the sentence cites (empty: uncited)."""


@dataclass(frozen=True)
class Grounding:
    citation_recall: float | None
    citation_precision: float | None
    sentences: int
    citations: int


def _supported(judge: SupportJudge, sentence: str, passages: Sequence[str]) -> bool:
    return bool(passages) and judge.score(sentence, "\n".join(passages)) >= judge.threshold


def grounding(claims: Sequence[Claim], judge: SupportJudge) -> Grounding:
    if not claims:
        return Grounding(None, None, 0, 0)
    recalled = 0
    correct = 0
    citations = 0
    for claim in claims:
        together = _supported(judge, claim.sentence, claim.passages)
        recalled += together
        citations += len(claim.passages)
        if not together:
            continue
        for index, passage in enumerate(claim.passages):
            others = claim.passages[:index] + claim.passages[index + 1 :]
            alone = _supported(judge, claim.sentence, [passage])
            if alone or not _supported(judge, claim.sentence, others):
                correct += 1
    precision = correct / citations if citations else 0.0
    return Grounding(recalled / len(claims), precision, len(claims), citations)
