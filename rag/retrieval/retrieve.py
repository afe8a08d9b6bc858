"""Find the papers behind a query: dense (Chroma) and lexical (BM25) retrieval, fused per paper.

Methods (all return :class:`Hit` per paper, best first):

- ``dense``: nearest chunks in Chroma; a paper scores its best chunk's cosine similarity
  (``RetrievalSettings.sentence_weight`` can blend in its abstract's best sentence's, from the
  sentence vectors stored at ingest; measured, and off).
- ``lexical``: BM25 over title + abstract.
- ``rrf``: plain reciprocal-rank fusion of the two.
- ``hybrid`` (shipped): score fusion of the dense cosine and the BM25 score relative to the query's
  best BM25 score, adapted to the question (:func:`is_list_question`, from :mod:`rag.grounding.question`):
  a question about one paper, method, dataset or figure is fused once; a list question ("which
  papers ...") also gets pseudo-relevance feedback: the top fused papers' heaviest BM25 terms
  expand the BM25 query (RM3), and the fusion is redone; its contrast clause ("rather than X",
  "instead of X") is left out first, since neither retriever reads it as a negation. A paper
  whose title's name the question uses ("VALL-E R") gains a little (:mod:`rag.sources.title_names`).
  Weights, feedback and both rules are :class:`~rag.settings.RetrievalSettings`;
  ``litrev bench retrieval`` measures every variant.

Several chunks of one paper count once; the best chunk is the one a hit points at, and its
best-matching sentence is the one shown. A paper with full text is matched by its body passages
too (:mod:`rag.index.passage_store`, a dense search of their own, so that long papers do not crowd
abstracts out of the candidates): its dense score is the better of its best chunk's and its best
passage's, and when the passage is better the sentence shown is that passage's. BM25 reads titles
and abstracts only (measured: see ``litrev bench fulltext``). ``SearchResult.best_dense`` is
always the query's own best cosine (chunk or passage), before feedback (answer abstention is
calibrated on it).
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np

from rag.grounding.question import is_list_question, without_contrast
from rag.index.library import Library
from rag.index.passage_store import PassageHit
from rag.index.store import ChunkHit
from rag.retrieval.rerank import FusionOrder, LLMReranker, Reranker
from rag.settings import RetrievalSettings
from rag.sources.body_text import Passage
from rag.sources.body_text import sentence_spans as body_sentence_spans
from rag.sources.corpus import Paper
from rag.sources.sentences import sentence_spans

Method = Literal["dense", "lexical", "rrf", "hybrid"]
METHODS: tuple[Method, ...] = ("dense", "lexical", "rrf", "hybrid")


@dataclass(frozen=True)
class Filters:
    """Optional restrictions on which papers may be returned."""

    year_from: int | None = None
    year_to: int | None = None
    venue: str | None = None
    source: str | None = None
    tag: str | None = None
    """A tag or collection name (any case)."""

    def __bool__(self) -> bool:
        return any(v is not None for v in (self.year_from, self.year_to, self.venue, self.source, self.tag))

    def where(self) -> dict[str, Any] | None:
        """The Chroma ``where`` clause on chunk metadata."""
        clauses: list[dict[str, Any]] = []
        if self.year_from is not None:
            clauses.append({"year": {"$gte": self.year_from}})
        if self.year_to is not None:
            clauses.append({"year": {"$lte": self.year_to}})
        if self.venue is not None:
            clauses.append({"venue": self.venue})
        if self.source is not None:
            clauses.append({"source": self.source})
        if self.tag is not None:
            clauses.append({f"tag:{self.tag.casefold()}": True})
        if not clauses:
            return None
        return clauses[0] if len(clauses) == 1 else {"$and": clauses}

    def keep(self, facets: dict[str, Any]) -> bool:
        year = facets.get("year")
        if self.year_from is not None and (year is None or year < self.year_from):
            return False
        if self.year_to is not None and (year is None or year > self.year_to):
            return False
        if self.venue is not None and facets.get("venue") != self.venue:
            return False
        if self.tag is not None and self.tag.casefold() not in facets.get("tags", ()):
            return False
        return self.source is None or facets.get("source") == self.source


@dataclass
class Hit:
    paper: Paper
    score: float
    dense: float | None = None
    lexical: float | None = None
    chunk: ChunkHit | None = None
    sentence: tuple[int, int] | None = None
    """The best-matching sentence: a span of the abstract, or of ``passages[0]`` when ``in_body``."""
    passages: list[PassageHit] = field(default_factory=list)
    """The paper's body passages nearest to the query, best first (papers with full text)."""
    in_body: bool = False
    """The paper's best match is a body passage, not its abstract."""

    @property
    def sentence_text(self) -> str:
        if self.sentence is None:
            return ""
        start, end = self.sentence
        return (self.passages[0].passage.text if self.in_body else self.paper.abstract)[start:end]

    @property
    def place(self) -> Passage | None:
        """The body passage the shown sentence is in (None: the abstract)."""
        return self.passages[0].passage if self.in_body else None


@dataclass
class SearchResult:
    query: str
    hits: list[Hit]
    best_dense: float = 0.0
    """The highest chunk cosine similarity to the query over all dense candidates (0: not run)."""
    timings: dict[str, float] = field(default_factory=dict)


def search(
    query: str,
    *,
    library: Library | None = None,
    k: int | None = None,
    filters: Filters | None = None,
    method: Method = "hybrid",
    reranker: Reranker | None = None,
    settings: RetrievalSettings | None = None,
) -> SearchResult:
    """Rank the library's papers for ``query``.

    ``reranker`` defaults to what settings name; ``settings`` to the library's retrieval settings
    (the benchmark passes variants).
    """
    library = library or Library()
    settings = settings or library.settings.retrieval
    k = k or settings.k
    filters = filters or Filters()
    started = time.perf_counter()
    timings: dict[str, float] = {}
    listing = method == "hybrid" and is_list_question(query)
    text = without_contrast(query) if listing and settings.drop_contrast else query  # retrievers read it
    weight = settings.list_dense_weight if listing else settings.dense_weight

    vector = None
    dense: dict[str, tuple[float, ChunkHit]] = {}
    body: dict[str, list[PassageHit]] = {}
    best = 0.0
    if method != "lexical":
        vector = library.embedder.embed_query(text)
        timings["embed_ms"] = _ms(started)
        mark = time.perf_counter()
        chunks = library.store.query(vector, settings.candidates, where=filters.where())
        for found in library.store.passages.query(vector, settings.candidates, where=filters.where()):
            body.setdefault(found.paper_id, []).append(found)
        best = max((hit.score for hit in [*chunks, *(found[0] for found in body.values())]), default=0.0)
        dense = paper_dense_scores(chunks, settings.second_chunk_weight)
        dense = with_sentences(dense, vector, library, settings.sentence_weight)
        timings["dense_ms"] = _ms(mark)

    lexical: dict[str, float] = {}
    index = library.lexical
    mask = index.mask(filters.keep) if filters and method != "dense" else None
    if method != "dense":
        mark = time.perf_counter()
        lexical = {hit.paper_id: hit.score for hit in index.search(text, settings.candidates, mask)}
        timings["lexical_ms"] = _ms(mark)

    scores = _fuse(method, _with_body(dense, body), lexical, settings.rrf_k, weight)
    if method == "hybrid" and settings.feedback != "none" and (listing or settings.feedback == "all"):
        mark = time.perf_counter()
        top = _ranking(scores)[: settings.feedback_papers]
        if settings.feedback_terms and lexical:
            expanded = index.expand(
                text, {pid: scores[pid] for pid in top}, settings.feedback_terms, settings.feedback_share
            )
            lexical = {
                hit.paper_id: hit.score for hit in index.search_weighted(expanded, settings.candidates, mask)
            }
        if settings.rocchio_weight and vector is not None:
            vectors = library.store.paper_vectors(top)
            if vectors:
                moved = vector + settings.rocchio_weight * np.mean(list(vectors.values()), axis=0)
                moved /= np.linalg.norm(moved) or 1.0
                chunks = library.store.query(moved, settings.candidates, where=filters.where())
                dense = paper_dense_scores(chunks, settings.second_chunk_weight)
                dense = with_sentences(dense, moved, library, settings.sentence_weight)
        scores = _fuse(method, _with_body(dense, body), lexical, settings.rrf_k, weight)
        timings["feedback_ms"] = _ms(mark)

    if method == "hybrid" and settings.title_name_boost:
        for paper_id in index.named(text):
            if paper_id in scores:  # a candidate, so within the filters
                scores[paper_id] += settings.title_name_boost

    ranked = _ranking(scores)
    if settings.mmr_lambda is not None and len(ranked) > k:
        ranked = diversify(ranked[: 3 * k], scores, library, settings.mmr_lambda, k)
    ranked = ranked[:k]
    papers = library.store.get_papers(ranked)
    hits: list[Hit] = []
    terms = set(index.terms(text)) if ranked else set()
    for paper_id in ranked:
        paper = papers.get(paper_id)
        if paper is None:  # indexed by one side only while an ingest is running
            continue
        dense_score, chunk = dense.get(paper_id, (None, None))
        passages = body.get(paper_id, [])
        hit = Hit(paper, scores[paper_id], dense_score, lexical.get(paper_id), chunk, passages=passages)
        hit.in_body = bool(passages) and (dense_score is None or passages[0].score > dense_score)
        if hit.in_body:
            hit.dense = passages[0].score
            hit.sentence = best_in(passages[0].passage.text, terms, library)
        else:
            hit.sentence = best_sentence(paper, chunk, terms, library)
        hits.append(hit)
    reranker = reranker or default_reranker(library)
    if not isinstance(reranker, FusionOrder):
        mark = time.perf_counter()
        hits = reranker.rerank(query, hits)
        timings["rerank_ms"] = _ms(mark)
    timings["total_ms"] = _ms(started)
    return SearchResult(query, hits, best, timings)


def paper_dense_scores(chunks: list[ChunkHit], second_weight: float) -> dict[str, tuple[float, ChunkHit]]:
    """Each paper's dense score and best chunk: its best chunk's cosine, blended with its
    second-best chunk's when ``second_weight`` > 0 (a paper with one candidate chunk counts it twice)."""
    best: dict[str, tuple[float, ChunkHit]] = {}
    second: dict[str, float] = {}
    for chunk in chunks:  # best first
        if chunk.paper_id not in best:
            best[chunk.paper_id] = (chunk.score, chunk)
        elif chunk.paper_id not in second:
            second[chunk.paper_id] = chunk.score
    if not second_weight:
        return best
    return {
        pid: ((1 - second_weight) * score + second_weight * second.get(pid, score), chunk)
        for pid, (score, chunk) in best.items()
    }


def with_sentences(
    dense: dict[str, tuple[float, ChunkHit]], vector: np.ndarray, library: Library, weight: float
) -> dict[str, tuple[float, ChunkHit]]:
    """Each paper's dense score blended with the cosine of its abstract's best sentence (the
    vectors stored at ingest, :mod:`rag.index.sentence_vectors`): ``weight`` of it, the rest from
    its best chunk. A chunk holds several sentences and the title, so one sentence that says what
    the query asks can be diluted in it."""
    if not weight or not dense:
        return dense
    papers = library.store.get_papers(list(dense))
    blended = dict(dense)
    for read in library.sentences.sentences(list(papers.values())):
        rows = [i for i, at in enumerate(read.where or [-1] * len(read.spans)) if at < 0]
        if rows:
            best = float(np.max(read.vectors[rows] @ vector))
            score, chunk = dense[read.paper.id]
            blended[read.paper.id] = ((1 - weight) * score + weight * best, chunk)
    return blended


def _with_body(
    dense: dict[str, tuple[float, ChunkHit]], body: dict[str, list[PassageHit]]
) -> dict[str, tuple[float, ChunkHit]]:
    """Each paper's dense score counting its body passages too: the better of its best chunk and
    its best passage (a paper counts once, however many of its passages are near)."""
    if not body:
        return dense
    merged = dict(dense)
    for paper_id, found in body.items():
        if paper_id not in merged or found[0].score > merged[paper_id][0]:
            merged[paper_id] = (found[0].score, merged.get(paper_id, (0.0, None))[1])  # type: ignore[assignment]
    return merged


def default_reranker(library: Library) -> Reranker:
    settings = library.settings
    if settings.retrieval.rerank == "llm" and settings.llm.provider != "extractive":
        return LLMReranker(library.generator.complete)  # type: ignore[attr-defined]
    return FusionOrder()


def _ms(since: float) -> float:
    return (time.perf_counter() - since) * 1000.0


def _fuse(
    method: Method,
    dense: dict[str, tuple[float, ChunkHit]],
    lexical: dict[str, float],
    rrf_k: int,
    dense_weight: float,
) -> dict[str, float]:
    if method == "dense":
        return {pid: score for pid, (score, _) in dense.items()}
    if method == "lexical":
        return dict(lexical)
    if method == "rrf":
        fused: dict[str, float] = {}
        for ranking in (_ranking({p: s for p, (s, _) in dense.items()}), _ranking(lexical)):
            for rank, pid in enumerate(ranking):
                fused[pid] = fused.get(pid, 0.0) + 1.0 / (rrf_k + rank + 1)
        return fused
    top_lexical = max(lexical.values(), default=0.0)
    floor = min((s for s, _ in dense.values()), default=0.0)
    fused = {}
    for pid in dense.keys() | lexical.keys():
        cosine = dense[pid][0] if pid in dense else floor
        bm25 = lexical.get(pid, 0.0) / top_lexical if top_lexical > 0 else 0.0
        fused[pid] = dense_weight * cosine + (1.0 - dense_weight) * bm25
    return fused


def diversify(
    ranked: list[str], scores: dict[str, float], library: Library, mmr_lambda: float, k: int
) -> list[str]:
    """Maximal marginal relevance over the papers' mean vectors."""
    vectors = library.store.paper_vectors(ranked)
    top = max(scores[pid] for pid in ranked) or 1.0
    chosen: list[str] = []
    pool = [pid for pid in ranked if pid in vectors]
    while pool and len(chosen) < k:

        def gain(pid: str) -> float:
            redundancy = max((float(vectors[pid] @ vectors[c]) for c in chosen), default=0.0)
            return mmr_lambda * scores[pid] / top - (1 - mmr_lambda) * redundancy

        best = max(pool, key=gain)
        chosen.append(best)
        pool.remove(best)
    return chosen


def _ranking(scores: dict[str, float]) -> list[str]:
    return sorted(scores, key=lambda pid: (-scores[pid], pid))


_WORD = re.compile(r"\w+")


def best_sentence(
    paper: Paper, chunk: ChunkHit | None, terms: set[str], library: Library
) -> tuple[int, int] | None:
    """The sentence of the best chunk sharing most query terms; of the whole abstract when no
    sentence of the chunk shares one (a short last chunk, "Code: URL", can win on its title alone)."""
    everywhere = sentence_spans(paper.abstract)
    inside = [(s, e) for s, e in everywhere if chunk and s < chunk.end and e > chunk.start]
    spans = inside or everywhere
    if not spans:
        return None
    if not terms:
        return spans[0]

    def overlap(span: tuple[int, int]) -> float:
        return _overlap(paper.abstract[span[0] : span[1]], terms, library)

    best = max(spans, key=overlap)
    return best if overlap(best) > 0 else max(everywhere, key=overlap)


def best_in(text: str, terms: set[str], library: Library) -> tuple[int, int] | None:
    """The sentence of a body passage's ``text`` sharing most query terms (the first if none does)."""
    spans = body_sentence_spans(text)
    return max(spans, key=lambda span: _overlap(text[span[0] : span[1]], terms, library)) if spans else None


def _overlap(sentence: str, terms: set[str], library: Library) -> float:
    words = set(library.lexical.terms(sentence))
    return len(words & terms) / (1.0 + 0.05 * len(words))
