"""Citation lookup: which papers of the library is a claim or description most likely citing?

:func:`lookup` ranks papers with hybrid search and shows, for each, the abstract sentence most
similar to the claim (embedding similarity, an exact substring with its character span), or, for
a paper with full text, a sentence of its body when one of its nearest passages says it better
(then with its page and section), and a ready BibTeX entry under the paper's library-wide key
(:mod:`rag.cite.bibtex`).

When the candidates are too weak, by the same evidence strength and threshold that make
:func:`rag.answers.answer.answer` abstain, the result says so (``matched`` is false) and still lists the
nearest candidates as pointers, rather than presenting a wrong paper with confidence.
"""

from __future__ import annotations

import time

from pydantic import BaseModel, Field

from rag.answers.answer import evidence_strength
from rag.answers.record import place
from rag.cite import bibtex
from rag.errors import LitrevError
from rag.index.library import Library
from rag.llm.generate import Passage, rank_sentences
from rag.retrieval.retrieve import Filters, Hit, search
from rag.sources.body_text import PAGE_DESCRIPTION, sentence_spans
from rag.sources.body_text import Passage as BodyPassage


class Candidate(BaseModel):
    rank: int
    paper_id: str
    title: str
    authors: list[str] = Field(default_factory=list)
    year: int | None = None
    venue: str | None = None
    url: str | None = None
    score: float = Field(description="Hybrid retrieval score of the paper for the claim.")
    sentence: str = Field(description="The abstract sentence most similar to the claim.")
    span: tuple[int, int] = Field(
        description="Character span of that sentence in the abstract, or in its body passage (page set)."
    )
    sentence_score: float = Field(description="Cosine similarity of that sentence to the claim.")
    page: int | None = Field(default=None, description=PAGE_DESCRIPTION)
    section: str | None = Field(default=None, description="The heading of its section in the PDF.")
    key: str = Field(description="The paper's citation key, unique in the library.")
    bibtex: str = Field(description="A BibTeX entry for the paper under that key.")


class LookupResult(BaseModel):
    claim: str
    matched: bool = Field(description="False: no paper in the library is a good match for the claim.")
    evidence_strength: float = Field(description="Below `threshold` the result is not a match.")
    threshold: float
    candidates: list[Candidate] = Field(description="Best first; pointers only when not matched.")
    timings: dict[str, float] = Field(default_factory=dict)

    @property
    def best(self) -> Candidate | None:
        """The top candidate when the claim matched, else None."""
        return self.candidates[0] if self.matched and self.candidates else None

    def summary(self) -> str:
        """A short human-readable report: the verdict, then one block per candidate."""
        if self.matched:
            lines = [f"Most likely source of: {self.claim}"]
        else:
            lines = [
                f"No good match in your library (evidence strength {self.evidence_strength:.2f}, "
                f"below {self.threshold:.2f}). Nearest papers, as pointers only:"
            ]
        for candidate in self.candidates:
            where = ", ".join(str(v) for v in (candidate.venue, candidate.year) if v)
            lines.append(
                f"{candidate.rank}. [{candidate.score:.3f}] {candidate.title}"
                + (f" ({where})" if where else "")
                + f"  \\cite{{{candidate.key}}}"
            )
            where = place(candidate.page, candidate.section)
            lines.append(f'   "{candidate.sentence}"' + (f" ({where})" if where else ""))
        return "\n".join(lines)


def lookup(
    claim: str,
    *,
    library: Library | None = None,
    k: int = 5,
    filters: Filters | None = None,
    keys: dict[str, str] | None = None,
) -> LookupResult:
    """Rank the papers most likely behind ``claim``, each with its supporting sentence and BibTeX.

    ``keys`` maps paper ids to citation keys; by default :func:`rag.cite.bibtex.assign_keys` over the
    whole library, so a paper's key is the same here as in a related-work draft.
    """
    if not claim.strip():
        raise LitrevError("the claim to look up is empty")
    if k < 1:
        raise LitrevError(f"k must be at least 1, got {k}")
    library = library or Library()
    threshold = library.settings.answer.min_evidence
    started = time.perf_counter()
    # The strength looks at the top three papers whatever k is, as when answering a question.
    result = search(claim, library=library, k=max(k, 3), filters=filters)
    strength = round(evidence_strength(result, library), 4)
    timings = {"retrieve_ms": round((time.perf_counter() - started) * 1000, 1)}

    hits = result.hits[:k]
    passages = [Passage(rank, hit.paper) for rank, hit in enumerate(hits, start=1)]
    best = {}
    for sentence in rank_sentences(library.embedder, claim, passages):
        best.setdefault(sentence.marker, sentence)
    body = _body_sentences(library, claim, hits)
    if keys is None:
        keys = bibtex.assign_keys(library.store.iter_papers())
    candidates = []
    for passage, hit in zip(passages, hits, strict=True):
        paper = passage.paper
        sentence = best.get(passage.marker)
        start, end = (sentence.start, sentence.end) if sentence else (0, len(paper.abstract))
        text, score = paper.abstract[start:end], sentence.score if sentence else 0.0
        page, section = None, None
        found = body.get(passage.marker - 1)
        if found is not None and found[1] > score:  # a sentence of its body says it better
            (text, (start, end), where), score = found[0], found[1]
            page, section = where.page_at(start), where.section
        key = bibtex.safe_key(keys.get(paper.id) or bibtex.base_key(paper))
        candidates.append(
            Candidate(
                rank=passage.marker,
                paper_id=paper.id,
                title=paper.title,
                authors=list(paper.authors),
                year=paper.year,
                venue=paper.venue,
                url=paper.url,
                score=round(hit.score, 4),
                sentence=text,
                span=(start, end),
                sentence_score=round(score, 4),
                page=page,
                section=section,
                key=key,
                bibtex=bibtex.entry(paper, key),
            )
        )
    timings["total_ms"] = round((time.perf_counter() - started) * 1000, 1)
    return LookupResult(
        claim=claim,
        matched=bool(candidates) and strength >= threshold,
        evidence_strength=strength,
        threshold=threshold,
        candidates=candidates,
        timings=timings,
    )


BODY_PASSAGES = 2
"""Of a paper with full text, the passages nearest to the claim whose sentences are compared."""


def _body_sentences(
    library: Library, claim: str, hits: list[Hit]
) -> dict[int, tuple[tuple[str, tuple[int, int], BodyPassage], float]]:
    """For each hit (by position) with full text, its body sentence most similar to the claim
    (among its :data:`BODY_PASSAGES` nearest passages), with the cosine."""
    items = [
        (number, found.passage, span)
        for number, hit in enumerate(hits)
        for found in hit.passages[:BODY_PASSAGES]
        for span in sentence_spans(found.passage.text)
    ]
    if not items:
        return {}
    vectors = library.embedder.embed([claim] + [p.text[s:e] for _, p, (s, e) in items])
    best: dict[int, tuple[tuple[str, tuple[int, int], BodyPassage], float]] = {}
    for (number, passage, (start, end)), score in zip(items, vectors[1:] @ vectors[0], strict=True):
        if number not in best or float(score) > best[number][1]:
            best[number] = ((passage.text[start:end], (start, end), passage), float(score))
    return best
