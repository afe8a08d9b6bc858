"""Answer-grounding metrics in the sense of ALCE (Gao et al., 2023), with the judge of support.

For each answer sentence with its cited papers:

- citation recall: 1 when the cited papers together support the sentence, else 0 (an uncited
  sentence scores 0);
- citation precision: a citation is correct when the papers together support the sentence and
  it is not irrelevant, where irrelevant means it does not support the sentence alone and the
  others still support it without it.

An answer with no sentences (an abstention) has no grounding scores (``None``): it is counted by
``abstained_rate`` instead.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rag.grounding.judge import Supports
from rag.sources.corpus import Paper


@dataclass(frozen=True)
class Claim:
    sentence: str
    papers: tuple[Paper, ...]
    """The papers the sentence cites (empty: uncited)."""


@dataclass(frozen=True)
class Grounding:
    citation_recall: float | None
    citation_precision: float | None
    sentences: int
    citations: int


def _supported(judge: Supports, sentence: str, papers: Sequence[Paper]) -> bool:
    return bool(papers) and judge.support(sentence, papers).supported


def grounding(claims: Sequence[Claim], judge: Supports) -> Grounding:
    if not claims:
        return Grounding(None, None, 0, 0)
    recalled = 0
    correct = 0
    citations = 0
    for claim in claims:
        together = _supported(judge, claim.sentence, claim.papers)
        recalled += together
        citations += len(claim.papers)
        if not together:
            continue
        for index, paper in enumerate(claim.papers):
            others = claim.papers[:index] + claim.papers[index + 1 :]
            alone = _supported(judge, claim.sentence, [paper])
            if alone or not _supported(judge, claim.sentence, others):
                correct += 1
    precision = correct / citations if citations else 0.0
    return Grounding(recalled / len(claims), precision, len(claims), citations)
