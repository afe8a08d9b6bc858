"""Answer a question from the library with cited evidence, or say the library does not cover it.

The answer object keeps the contract of DESIGN.md: text, citations (marker -> paper -> the exact
supporting sentence of its abstract), the evidence with scores, the generator used, timings and
an ``abstained`` flag with its ``reason`` (:mod:`rag.grounding.reasons`).

Between retrieval and generation, two gates:

1. topic: below ``answer.min_evidence`` evidence strength the library does not cover the
   question (reason ``off-topic``);
2. the judge (:meth:`rag.grounding.judge.Judge.answer`): does a retrieved abstract answer the
   question? It finds the paper the question is about (named or described) and the sentence that
   answers it; when none does, the reason is ``focus-missing`` (a name no retrieved paper states)
   or ``not-stated``, with pointers.

The extractive answer quotes the judge's answering sentences (:mod:`rag.answers.quotes`), markers ascending.

The citation check, on every model-written answer, streamed or not:

1. markers that name no evidence passage are removed before the text is shown (streaming too);
2. each sentence is judged against the abstracts it cites (:meth:`rag.grounding.judge.Judge.support`)
   as soon as it is complete, and shown only if it is cited and supported: the others never
   reach the screen and are not in ``answer``; ``sentences`` lists them all, each with the
   judge's reason;
3. when too few sentences are cited and supported (``answer.min_supported``), or the model cannot
   be reached, the extractive answer replaces it and ``notice`` says why. An uncited answer is
   never shown as if it were grounded.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Mapping, Sequence

from rag.answers import quotes
from rag.answers.record import Answer, Citation, SentenceCheck, evidence_items
from rag.grounding import reasons
from rag.grounding.citations import (
    MarkerFilter,
    checked_sentences,
    markers_in,
    split_sentences,
    strip_markers,
    tidy,
)
from rag.grounding.judge import Evidence, Supports
from rag.grounding.question import analyse
from rag.grounding.reasons import Reason
from rag.index.lexical import lexical_text
from rag.index.library import Library
from rag.index.sentence_vectors import spans_of
from rag.llm.generate import ExtractiveGenerator, GenerationError, Generator, Passage
from rag.retrieval.retrieve import Filters, Hit, SearchResult, search
from rag.sources.corpus import Paper

DENSE_SHARE = 0.5
COVERAGE_SHARE = 0.4


STRENGTH_PASSAGES = 3
"""Body passages of a paper with full text read with its title and abstract for the coverage."""


def evidence_strength(result: SearchResult, library: Library) -> float:
    """How well the retrieved papers cover the question, from 0 (not at all) to about 0.9: the best
    cosine of a chunk or passage, and the share of the question's words in one top paper's title,
    abstract and nearest body passages."""
    texts = [
        " ".join([lexical_text(hit.paper), *(p.passage.text for p in hit.passages[:STRENGTH_PASSAGES])])
        for hit in result.hits[:3]
    ]
    coverage = library.lexical.coverage(result.query, texts)
    return DENSE_SHARE * result.best_dense + COVERAGE_SHARE * coverage


def abstention_text(strength: float, threshold: float, hits: Sequence[Hit]) -> str:
    """The ``off-topic`` notice (:func:`rag.grounding.reasons.off_topic`) with ``hits`` as pointers."""
    return reasons.off_topic(strength, threshold, [hit.paper.title for hit in hits])


def pointers(hits: Sequence[Hit]) -> str:
    return reasons.pointers([hit.paper.title for hit in hits])


NOT_COVERED = "NOT COVERED"


def answer(
    question: str,
    *,
    library: Library | None = None,
    generator: Generator | None = None,
    judge: Supports | None = None,
    k: int | None = None,
    filters: Filters | None = None,
    asked: str | None = None,
    shown: str = "",
) -> Answer:
    """Retrieve evidence for ``question`` and answer it with checked citations."""
    final = None
    for event in answer_stream(
        question,
        library=library,
        generator=generator,
        judge=judge,
        k=k,
        filters=filters,
        asked=asked,
        shown=shown,
    ):
        if isinstance(event, Answer):
            final = event
    assert final is not None  # answer_stream always ends with the Answer
    return final


def answer_stream(
    question: str,
    *,
    library: Library | None = None,
    generator: Generator | None = None,
    judge: Supports | None = None,
    k: int | None = None,
    filters: Filters | None = None,
    asked: str | None = None,
    shown: str = "",
) -> Iterator[str | Answer]:
    """Yield the answer text as it is written, sentence by sentence once each passed the citation
    check, then the checked :class:`Answer`, whose ``answer`` is the text to keep (it differs from
    the streamed text only when the extractive answer replaced it; ``notice`` then says why).

    ``question`` is the standalone query retrieval uses; ``asked``, when given, is what the user
    typed (a follow-up before :mod:`rag.answers.followup` rewrote it): extractive sentences are chosen
    by similarity to it. ``shown`` is the text of the conversation's earlier answers: the extractive
    answer quotes a sentence of it only when it has nothing else to quote."""
    library = library or Library()
    settings = library.settings.answer
    generator = generator or library.generator
    started = time.perf_counter()
    result = search(question, library=library, k=k, filters=filters)
    timings = {"retrieve_ms": _ms(started)}
    evidence = evidence_items(result.hits)
    strength = round(evidence_strength(result, library), 4)
    passages = [
        Passage(rank, hit.paper, (hit.chunk.start, hit.chunk.end) if hit.chunk else None)
        for rank, hit in enumerate(result.hits, start=1)
    ]
    analysed = analyse(asked or question)  # a follow-up is judged in the user's own words
    common = {
        "question": question,
        "evidence": evidence,
        "evidence_strength": strength,
        "kind": analysed.kind,
    }

    def abstain(text: str, reason: Reason) -> Answer:
        timings["total_ms"] = _ms(started)
        return Answer(
            **common,
            answer=text,
            citations=[],
            abstained=True,
            reason=reason,
            generator=generator.name,
            timings=timings,
        )

    if strength < settings.min_evidence:
        named = set(library.lexical.named(question))  # a paper the question names by its title's name
        about = next((hit.paper for hit in result.hits if hit.paper.id in named), None)
        unread = reasons.no_fulltext(about.title) if about is not None and about.fulltext is None else ""
        yield abstain(abstention_text(strength, settings.min_evidence, result.hits) + unread, "off-topic")
        return
    judged = time.perf_counter()
    found = library.judge.answer(analysed, [(hit.paper, hit.score) for hit in result.hits], strength)
    timings["judge_ms"] = _ms(judged)
    common["answerable"] = round(found.score, 4)
    if not found.answerable:
        titles = [hit.paper.title for hit in result.hits]
        if found.subject is not None:
            subject = result.hits[found.subject].paper.title
            titles = [subject, *(title for title in titles if title != subject)]
        rare = [name for name in found.missing if library.lexical.share(name.lower()) <= 0.05]
        about = result.hits[found.subject if found.subject is not None else 0].paper
        unread = reasons.no_fulltext(about.title) if about.fulltext is None else ""
        if rare:
            yield abstain(reasons.focus_missing(analysed, rare, titles) + unread, "focus-missing")
        else:
            yield abstain(reasons.not_stated(analysed, titles, found.figure_found) + unread, "not-stated")
        return
    chosen = quotes.choose(found, passages, settings, library.judge, shown)

    extractive = isinstance(generator, ExtractiveGenerator)
    markers = MarkerFilter({passage.marker for passage in passages})
    checks: list[SentenceCheck] = []
    judge = judge or library.judge

    def passes(sentence: str) -> bool:
        begun = time.perf_counter()
        checks.append(check_sentence(sentence, passages, judge))
        timings["check_ms"] = timings.get("check_ms", 0.0) + _ms(begun)
        return checks[-1].supported

    pieces: list[str] = []
    notice = None
    mark = time.perf_counter()
    try:
        stream = quotes.lines(analysed, chosen) if extractive else generator.stream(question, passages)
        shown = markers.filter(stream)
        for piece in shown if extractive else checked_sentences(shown, passes):
            pieces.append(piece)
            yield piece
    except GenerationError as error:
        notice = f"{error}; showing the extractive answer instead."
    timings["generate_ms"] = _ms(mark)
    text = tidy("".join(pieces))

    if notice is None and not extractive:
        if any(NOT_COVERED in check.text for check in checks) and not any(c.markers for c in checks):
            titles = [hit.paper.title for hit in result.hits]
            yield abstain(reasons.model_not_covered(titles), "model-not-covered")
            return
        supported = sum(check.supported for check in checks)
        if not checks:
            notice = f"The {generator.name} answer was empty; showing the extractive answer instead."
        elif supported / len(checks) < settings.min_supported:
            notice = (
                f"The {generator.name} answer failed the citation check ({supported} of {len(checks)} "
                "sentences cited and supported); showing the extractive answer instead."
            )

    name = generator.name
    if notice is not None:
        text = tidy("".join(quotes.lines(analysed, chosen)))
        checks, name = [], ExtractiveGenerator.name
    order = list(dict.fromkeys(markers_in(text)))
    by_marker = {passage.marker: passage for passage in passages}
    quoted = {quote.marker: quote for quote in chosen} if name == ExtractiveGenerator.name else {}
    citations = _citations(text, [by_marker[n] for n in order], judge, quoted)
    timings["total_ms"] = _ms(started)
    yield Answer(
        **common,
        answer=text,
        citations=citations,
        abstained=not citations,
        generator=name,
        notice=notice,
        sentences=checks,
        dropped_markers=markers.dropped,
        timings=timings,
    )


def _ms(since: float) -> float:
    return round((time.perf_counter() - since) * 1000, 1)


def check_sentences(text: str, passages: Sequence[Passage], judge: Supports) -> list[SentenceCheck]:
    """Judge each sentence against the abstracts it cites; uncited sentences are unsupported."""
    return [check_sentence(sentence, passages, judge) for sentence in split_sentences(text)]


def check_sentence(sentence: str, passages: Sequence[Passage], judge: Supports) -> SentenceCheck:
    """Judge one sentence against the abstracts it cites (together); an uncited sentence is
    unsupported."""
    by_marker = {passage.marker: passage for passage in passages}
    cited = [m for m in dict.fromkeys(markers_in(sentence)) if m in by_marker]
    claim = strip_markers(sentence)
    if not cited or not claim:
        return SentenceCheck(
            text=claim or sentence, markers=cited, supported=False, score=None, reason="It cites no evidence."
        )
    verdict = judge.support(claim, [by_marker[m].paper for m in cited])
    return SentenceCheck(
        text=claim,
        markers=cited,
        supported=verdict.supported,
        score=round(verdict.score, 4),
        reason=verdict.reason,
    )


def _citations(
    text: str, cited: Sequence[Passage], judge: Supports, quoted: Mapping[int, quotes.Quote]
) -> list[Citation]:
    """One citation per cited passage, pointing at the sentence its claims rest on: the sentence the
    extractive answer quotes (``quoted``, by marker), else the abstract sentence a claim holds, else
    the judge's evidence for the claims (which may be in the paper's body: then with its page)."""
    claims: dict[int, list[str]] = {passage.marker: [] for passage in cited}
    for sentence in split_sentences(text):
        for marker in dict.fromkeys(markers_in(sentence)):
            if marker in claims:
                claims[marker].append(strip_markers(sentence))
    citations = []
    for passage in cited:
        paper = passage.paper
        quote = quoted.get(passage.marker)
        if quote is not None:  # a quote of two sentences of a body is one claim
            claims[passage.marker] = quote.parts
        evidence = _supporting(paper, claims[passage.marker], judge, quote)
        citations.append(
            Citation(
                marker=passage.marker,
                paper_id=paper.id,
                title=paper.title,
                year=paper.year,
                venue=paper.venue,
                url=paper.url,
                sentence=evidence.text,
                span=(evidence.start, evidence.end),
                page=evidence.page,
                section=evidence.section,
                claims=claims[passage.marker],
                quotes=quote.parts if quote is not None else [],
            )
        )
    return citations


def _supporting(paper: Paper, claims: Sequence[str], judge: Supports, quote: quotes.Quote | None) -> Evidence:
    """The sentence quoted, else the abstract sentence a claim holds (perhaps without its opening
    connective, as the extractive answer quotes it), else where the judge finds the claims stated."""
    if quote is not None:
        return Evidence(paper.id, *quote.span, quote.text, quote.passage)
    abstract = paper.abstract
    for claim in claims:
        for start, end in spans_of(paper):
            if abstract[start:end] and quotes.detached(abstract[start:end]) in claim:
                return Evidence(paper.id, start, end, abstract[start:end])
    evidence: Evidence | None = judge.support(" ".join(claims), [paper]).evidence if claims else None
    if evidence is None:
        start, end = (spans_of(paper) or [(0, len(abstract))])[0]
        return Evidence(paper.id, start, end, abstract[start:end])
    return evidence
