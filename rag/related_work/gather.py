"""Stage 1 of a related-work draft: retrieve for the paper description and for each of its facets.

Hybrid search on the whole description, on each of its sentences and on each of its facets
(:func:`rag.related_work.facets.facets`). Every facet the library covers (its evidence strength,
:func:`rag.answers.answer.evidence_strength`, reaches the answers' threshold) first gets its best
:data:`FACET_QUOTA` papers whose score is at least :data:`FLOOR` of its top paper's, so that one
facet's many near matches cannot drown another facet; the rest of the ``n_papers`` places go to
the best papers of the pooled ranking (weighted reciprocal rank over the description and its
sentences), less those weak in every query. A facet the library does not cover is reported, so
the draft can say which parts of the description found no paper. The best evidence strength over
the queries tells the orchestrator whether the library covers the description at all.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from rag.answers.answer import evidence_strength
from rag.index.library import Library
from rag.related_work.facets import facets
from rag.retrieval.retrieve import Filters, Hit, search
from rag.sources.corpus import Paper
from rag.sources.sentences import sentence_spans

N_PAPERS = 20
"""Most papers cited by default."""
QUERY_DEPTH = 60
"""Papers taken from each query before fusion."""
DESCRIPTION_WEIGHT = 2.0
"""Weight of the whole-description query in the pooled ranking (each sentence query weighs 1)."""
FACET_QUOTA = 2
"""Places each covered facet is given first."""
FLOOR = 0.7
"""A facet's paper takes a place only if its score is at least this share of the facet's top."""
RELEVANT = 0.5
"""The pooled ranking keeps a paper only if its fused score is at least this share of the best's."""
WEAK = 0.45
"""Drop papers whose best score is below this share of the best paper's score, in every query."""
SENTENCE_WEIGHT = 0.0
"""The share of a paper's dense score taken from its abstract's best sentence when searching for a
description, its sentences and facets, whatever ``RetrievalSettings.sentence_weight`` says: none.
A facet is a clause, which a chunk matches better than one sentence: 0.25, 0.5 and 0.75 each cost
two must-cite papers on the tune half (0.806 to 0.783)."""
# Chosen on the tune half of eval/datasets/related_work.jsonl (must-cite recall with 20 papers).
# Measured there and not kept (must-cite recall, 0.806 with the choices above): the facets' lists in
# the pooled ranking too (weight 0.5 to 2: 0.71 to 0.79); quotas of 1 to 3 by the facet's evidence
# strength (0.78 to 0.806); a facet's quota taken only from papers the pooled ranking's head
# lacks (0.73 to 0.80); a round robin over the facets' lists, 8 to 20 places (0.73 to 0.80); a facet's
# scores mixed with the whole description's (0.74 to 0.80); pseudo-relevance feedback on every
# query (0.79); the dense side weighted 0.7 or 0.8 instead of 0.5, with or without a quarter of
# the best sentence (0.79 to 0.80); the places given in order of each list's measured share of
# must-cite papers at each rank (0.76).


@dataclass(frozen=True)
class Retrieved:
    hit: Hit
    """The paper's hit in the query where it ranked relatively best."""
    score: float
    """Fused reciprocal-rank score over all queries."""
    relevance: float
    """Best score relative to its query's top paper, over all queries (1 = top of some query)."""
    facet: int | None = None
    """The facet (index into :attr:`Gathered.facets`) where the paper ranked highest, or
    None when it was found only for the description as a whole."""

    @property
    def paper(self) -> Paper:
        return self.hit.paper


@dataclass
class Gathered:
    kept: list[Retrieved]
    """The papers to cite, best first."""
    left_out: list[Retrieved]
    """The other retrieved papers, best first."""
    evidence_strength: float
    """The best :func:`rag.answers.answer.evidence_strength` of the queries: a description is covered
    when the library covers it as a whole or any one of its facets."""
    facets: list[str] = field(default_factory=list)
    uncovered: list[str] = field(default_factory=list)
    """The facets no paper of the library matches above the floor."""


def gather(
    description: str,
    *,
    library: Library,
    n_papers: int = N_PAPERS,
    filters: Filters | None = None,
) -> Gathered:
    """Retrieve for ``description``, its sentences and its facets, and keep up to ``n_papers``:
    each covered facet's quota first, then the pooled ranking (see the module docstring)."""
    whole = " ".join(description.split())
    sentences = [whole[start:end] for start, end in sentence_spans(whole)]
    parts = [part for part in facets(whole) if part != whole]
    settings = library.settings.retrieval.model_copy(update={"sentence_weight": SENTENCE_WEIGHT})
    rrf_k = settings.rrf_k
    fused: dict[str, float] = {}
    relevance: dict[str, float] = {}
    best: dict[str, Hit] = {}
    facet_of: dict[str, tuple[int, int]] = {}
    quotas: list[str] = []
    uncovered = []
    strength = 0.0
    pooled = {whole: DESCRIPTION_WEIGHT} | {sentence: 1.0 for sentence in sentences if sentence != whole}
    for query in [*pooled, *(part for part in parts if part not in pooled)]:
        result = search(query, library=library, k=QUERY_DEPTH, filters=filters, settings=settings)
        covered = evidence_strength(result, library)
        strength = max(strength, covered)
        hits = result.hits
        top = hits[0].score if hits and hits[0].score > 0 else 1.0
        for rank, hit in enumerate(hits):
            pid, share = hit.paper.id, hit.score / top
            fused[pid] = fused.get(pid, 0.0) + pooled.get(query, 0.0) / (rrf_k + rank + 1)
            if share > relevance.get(pid, -1.0):
                relevance[pid], best[pid] = share, hit
        if query not in parts:
            continue
        index = parts.index(query)
        for rank, hit in enumerate(hits):
            if -rank > facet_of.get(hit.paper.id, (-QUERY_DEPTH, 0))[0]:
                facet_of[hit.paper.id] = (-rank, index)
        if covered < library.settings.answer.min_evidence:
            uncovered.append(query)
            continue
        fresh = [hit.paper.id for hit in hits if hit.score >= FLOOR * top and hit.paper.id not in quotas]
        quotas.extend(fresh[:FACET_QUOTA])
    ranked = sorted(fused, key=lambda pid: (-fused[pid], pid))
    top_fused = fused[ranked[0]] if ranked else 0.0
    pool = [pid for pid in ranked if relevance[pid] >= WEAK and fused[pid] >= RELEVANT * top_fused]
    chosen = (quotas + [pid for pid in pool if pid not in quotas])[:n_papers]
    kept = [_retrieved(pid, best, fused, relevance, facet_of) for pid in chosen]
    taken = set(chosen)
    left_out = [_retrieved(pid, best, fused, relevance, facet_of) for pid in ranked if pid not in taken]
    return Gathered(kept, left_out, round(strength, 4), parts, uncovered)


def _retrieved(
    pid: str,
    best: dict[str, Hit],
    fused: dict[str, float],
    relevance: dict[str, float],
    facet_of: dict[str, tuple[int, int]],
) -> Retrieved:
    facet = facet_of.get(pid)
    return Retrieved(best[pid], fused[pid], relevance[pid], facet[1] if facet else None)
