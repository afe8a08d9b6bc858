"""Stage 1 of a related-work draft: retrieve broadly for the paper description.

Hybrid search on the whole description and on each of its sentences, fused by weighted
reciprocal rank; papers whose best score (relative to the best paper of the same query) stays
weak are dropped; the best ``n_papers`` are kept. The evidence strength of the best query
(:func:`rag.answer.evidence_strength`) tells the orchestrator whether the library covers the
description at all.
"""

from __future__ import annotations

from dataclasses import dataclass

from rag.answer import evidence_strength
from rag.chunking import sentence_spans
from rag.corpus import Paper
from rag.library import Library
from rag.retrieve import Filters, Hit, search

N_PAPERS = 20
"""Most papers cited by default; measured with eval/bench_citing.py (must-cite recall, precision)."""
RELEVANT = 0.65
"""Cite a paper only if its fused score is at least this share of the best paper's."""
QUERY_DEPTH = 60
"""Papers taken from each query before fusion."""
DESCRIPTION_WEIGHT = 2.0
"""Weight of the whole-description query in the fusion (each sentence query weighs 1)."""
WEAK = 0.45
"""Drop papers whose best score is below this share of the best paper's score, in every query."""


@dataclass(frozen=True)
class Retrieved:
    hit: Hit
    """The paper's hit in the query where it ranked relatively best."""
    score: float
    """Fused reciprocal-rank score over all queries."""
    relevance: float
    """Best score relative to its query's top paper, over all queries (1 = top of some query)."""

    @property
    def paper(self) -> Paper:
        return self.hit.paper


def queries(description: str) -> list[tuple[str, float]]:
    """The description as a whole, then each of its sentences, with their fusion weights."""
    text = " ".join(description.split())
    sentences = [text[start:end] for start, end in sentence_spans(text)]
    weighted = {text: DESCRIPTION_WEIGHT}
    for sentence in sentences:
        weighted.setdefault(sentence, 1.0)
    return list(weighted.items())


@dataclass
class Gathered:
    kept: list[Retrieved]
    """The papers to cite, best first."""
    left_out: list[Retrieved]
    """The other retrieved papers, best first."""
    evidence_strength: float
    """The best :func:`rag.answer.evidence_strength` of the queries: a description is covered
    when the library covers it as a whole or any one of its sentences."""


def gather(
    description: str,
    *,
    library: Library,
    n_papers: int = N_PAPERS,
    filters: Filters | None = None,
) -> Gathered:
    """Retrieve broadly for ``description`` and keep the best ``n_papers`` that are relevant: not
    weak in every query, and with a fused score near enough the best paper's."""
    rrf_k = library.settings.retrieval.rrf_k
    fused: dict[str, float] = {}
    relevance: dict[str, float] = {}
    best: dict[str, Hit] = {}
    strength = 0.0
    for query, weight in queries(description):
        result = search(query, library=library, k=QUERY_DEPTH, filters=filters)
        strength = max(strength, evidence_strength(result, library))
        hits = result.hits
        top = hits[0].score if hits and hits[0].score > 0 else 1.0
        for rank, hit in enumerate(hits):
            pid = hit.paper.id
            fused[pid] = fused.get(pid, 0.0) + weight / (rrf_k + rank + 1)
            if hit.score / top > relevance.get(pid, -1.0):
                relevance[pid], best[pid] = hit.score / top, hit
    ranked = [
        Retrieved(best[pid], fused[pid], relevance[pid])
        for pid in sorted(fused, key=lambda pid: (-fused[pid], pid))
    ]
    best = ranked[0].score if ranked else 0.0
    kept = [item for item in ranked if item.relevance >= WEAK and item.score >= RELEVANT * best][:n_papers]
    chosen = {item.paper.id for item in kept}
    left_out = [item for item in ranked if item.paper.id not in chosen]
    return Gathered(kept, left_out, round(strength, 4))
