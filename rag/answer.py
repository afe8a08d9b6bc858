"""Answer a question from the library with cited evidence, or say the library does not cover it.

The answer object keeps the contract of DESIGN.md: text, citations (marker -> paper -> the exact
supporting sentence of its abstract), the evidence with scores, the generator used, timings and
an ``abstained`` flag. A marker that names no evidence passage is removed, never shown.
"""

from __future__ import annotations

import time
from collections.abc import Sequence

from pydantic import BaseModel, Field

from rag.chunking import sentence_spans
from rag.citations import markers_in, resolve, split_sentences, strip_markers
from rag.generate import ExtractiveGenerator, Generator, Passage
from rag.lexical import lexical_text
from rag.library import Library
from rag.retrieve import Filters, Hit, SearchResult, search


class Citation(BaseModel):
    marker: int = Field(description="The [n] used in the answer text.")
    paper_id: str
    title: str
    year: int | None = None
    venue: str | None = None
    url: str | None = None
    sentence: str = Field(description="The sentence of the abstract that supports the claim.")
    span: tuple[int, int] = Field(description="Character span of that sentence in the abstract.")
    claims: list[str] = Field(default_factory=list, description="Answer sentences citing it.")


class EvidenceItem(BaseModel):
    rank: int
    paper_id: str
    title: str
    year: int | None = None
    score: float
    dense: float | None = None
    lexical: float | None = None
    sentence: str = ""


class Answer(BaseModel):
    question: str
    answer: str
    citations: list[Citation]
    evidence: list[EvidenceItem]
    abstained: bool
    evidence_strength: float = Field(description="Abstain below settings.answer.min_evidence.")
    generator: str
    notice: str | None = None
    dropped_markers: list[int] = Field(default_factory=list)
    timings: dict[str, float] = Field(default_factory=dict)

    def references(self) -> str:
        """The reference list: one line per cited paper."""
        lines = []
        for citation in self.citations:
            where = ", ".join(str(v) for v in (citation.venue, citation.year) if v)
            lines.append(f"[{citation.marker}] {citation.title}" + (f" ({where})" if where else ""))
        return "\n".join(lines)


def _evidence(hits: Sequence[Hit]) -> list[EvidenceItem]:
    return [
        EvidenceItem(
            rank=rank,
            paper_id=hit.paper.id,
            title=hit.paper.title,
            year=hit.paper.year,
            score=round(hit.score, 4),
            dense=None if hit.dense is None else round(hit.dense, 4),
            lexical=None if hit.lexical is None else round(hit.lexical, 4),
            sentence=hit.sentence_text,
        )
        for rank, hit in enumerate(hits, start=1)
    ]


DENSE_SHARE = 0.5
COVERAGE_SHARE = 0.4


def evidence_strength(result: SearchResult, library: Library) -> float:
    """How well the retrieved papers cover the question, from 0 (not at all) to about 0.9."""
    texts = [lexical_text(hit.paper) for hit in result.hits[:3]]
    coverage = library.lexical.coverage(result.query, texts)
    return DENSE_SHARE * result.best_dense + COVERAGE_SHARE * coverage


def abstention_text(strength: float, threshold: float, hits: Sequence[Hit]) -> str:
    text = (
        "Your library does not cover this question: the evidence strength of its closest papers "
        f"is {strength:.2f}, below the {threshold:.2f} needed to answer."
    )
    if hits:
        text += " Nearest papers, as pointers only: " + "; ".join(hit.paper.title for hit in hits[:3]) + "."
    return text


def answer(
    question: str,
    *,
    library: Library | None = None,
    generator: Generator | None = None,
    k: int | None = None,
    filters: Filters | None = None,
) -> Answer:
    """Retrieve evidence for ``question`` and answer it with verified citations."""
    library = library or Library()
    settings = library.settings.answer
    generator = generator or ExtractiveGenerator(library.embedder, settings)
    started = time.perf_counter()
    result = search(question, library=library, k=k, filters=filters)
    timings = {"retrieve_ms": round((time.perf_counter() - started) * 1000, 1)}
    evidence = _evidence(result.hits)
    strength = round(evidence_strength(result, library), 4)
    if strength < settings.min_evidence:
        timings["total_ms"] = timings["retrieve_ms"]
        return Answer(
            question=question,
            answer=abstention_text(strength, settings.min_evidence, result.hits),
            evidence_strength=strength,
            citations=[],
            evidence=evidence,
            abstained=True,
            generator=generator.name,
            timings=timings,
        )
    passages = [
        Passage(rank, hit.paper, (hit.chunk.start, hit.chunk.end) if hit.chunk else None)
        for rank, hit in enumerate(result.hits, start=1)
    ]
    mark = time.perf_counter()
    raw = "".join(generator.stream(question, passages))
    timings["generate_ms"] = round((time.perf_counter() - mark) * 1000, 1)
    resolved = resolve(raw, {passage.marker for passage in passages})
    citations = _citations(resolved.text, [passages[n - 1] for n in resolved.order])
    timings["total_ms"] = round((time.perf_counter() - started) * 1000, 1)
    return Answer(
        question=question,
        answer=resolved.text,
        citations=citations,
        evidence=evidence,
        abstained=not citations,
        evidence_strength=strength,
        generator=generator.name,
        dropped_markers=resolved.dropped,
        timings=timings,
    )


def _citations(text: str, cited: Sequence[Passage]) -> list[Citation]:
    """One citation per cited passage, pointing at the abstract sentence its claims rest on."""
    claims: dict[int, list[str]] = {marker: [] for marker in range(1, len(cited) + 1)}
    for sentence in split_sentences(text):
        for marker in dict.fromkeys(markers_in(sentence)):
            claims[marker].append(strip_markers(sentence))
    citations = []
    for marker, passage in enumerate(cited, start=1):
        paper = passage.paper
        start, end = _supporting_span(paper.abstract, claims[marker])
        citations.append(
            Citation(
                marker=marker,
                paper_id=paper.id,
                title=paper.title,
                year=paper.year,
                venue=paper.venue,
                url=paper.url,
                sentence=paper.abstract[start:end],
                span=(start, end),
                claims=claims[marker],
            )
        )
    return citations


def _supporting_span(abstract: str, claims: Sequence[str]) -> tuple[int, int]:
    """The abstract sentence quoted by a claim, else the one sharing most words with the claims."""
    spans = sentence_spans(abstract) or [(0, len(abstract))]
    for claim in claims:
        for start, end in spans:
            if abstract[start:end] in claim:
                return start, end
    words = {w.lower() for claim in claims for w in claim.split() if len(w) > 3}

    def shared(span: tuple[int, int]) -> int:
        return len(words & {w.lower() for w in abstract[span[0] : span[1]].split()})

    return max(spans, key=shared)
