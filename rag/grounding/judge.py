"""The judge: does a passage state that? One decision for every stage that needs it.

:meth:`Judge.support` takes a claim and the papers it cites and returns a :class:`Verdict`: supported
or not, a calibrated probability, the evidence (one sentence, or two adjacent ones, of a cited
abstract) and a reason in words. :meth:`Judge.answer` takes a question and the papers retrieved for
it and returns an :class:`Answerability`: whether the papers answer it, which paper it is about, and
the sentences that answer it, best first.

Both read named features (:mod:`rag.grounding.claims`, :mod:`rag.grounding.answers`) and combine
them with fitted weights (:mod:`rag.grounding.model`); nothing here is hand-set but the features
themselves. Sentence vectors come from the index (:class:`~rag.grounding.evidence.SentenceSource`),
so a judgement embeds only the claim or the question.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import TYPE_CHECKING, Protocol

import numpy as np

from rag.grounding import reasons
from rag.grounding.answerability import QUESTION, Reading, question_features, question_words, read
from rag.grounding.answers import ANSWER, Candidate, QuestionVectors, answer_features, figure_conditions, fits
from rag.grounding.claims import SUPPORT, Findings, clauses, support_features
from rag.grounding.entailment import Entailment, premise
from rag.grounding.entailment import shipped as shipped_entailment
from rag.grounding.evidence import PaperSentences, SentenceSource, TermStatistics, Unit, Vocabulary
from rag.grounding.model import JudgeModel, shipped
from rag.grounding.question import Question, analyse

if TYPE_CHECKING:
    from rag.sources.body_text import Passage
    from rag.sources.corpus import Paper

MIN_SUBJECT_WORDS = 3
"""A subject shorter than this is not taken out of the question to find what is asked."""
RUNNERS_UP = 2
"""Of each paper, the sentences after its best that the judge reports with their scores (an
extractive answer may quote them too: ``answer.runner_up_margin``)."""
FOCUS_PASSAGES = 2
"""Of a paper with full text, the judge reads the abstract and the body passages (this many) that
come closest to a question (:meth:`PaperSentences.focus`), and a sentence of a passage that came
lower than the best one loses :data:`FOCUS_GAP` times the difference from its ranker score. Chosen
on the tune half of ``eval/datasets/fulltext_qa.jsonl`` (``litrev bench fulltext``): 1 to 4
passages tried with the penalty; a third passage answers more unanswerable questions."""
FOCUS_GAP = 20.0
"""See :data:`FOCUS_PASSAGES`: chosen on the tune half among 0 to 100 (9 to 50 answered as many
questions with the right page, 0 fewer: the ranker, fitted on sentences of one passage, cannot
tell two passages' sentences apart; 100 fewer)."""
CLAIM_PASSAGES = 1
"""Of a cited paper with full text, the judge reads the abstract and the body passage (this many)
that come closest to a claim (chosen for questions before :data:`FOCUS_GAP`; the check is not
measured on full text yet)."""


@dataclass(frozen=True)
class Evidence:
    """Where a cited paper states (or comes closest to stating) a claim: a span of its abstract,
    or of a passage of its body (``passage``: with its page and section)."""

    paper_id: str
    start: int
    end: int
    text: str
    passage: Passage | None = None
    """The body passage the span is in; None: the abstract."""

    @property
    def page(self) -> int | None:
        """The PDF page the span starts on (None: the abstract)."""
        return self.passage.page_at(self.start) if self.passage is not None else None

    @property
    def section(self) -> str | None:
        return self.passage.section if self.passage is not None else None


@dataclass(frozen=True)
class Verdict:
    supported: bool
    score: float
    """The probability that the cited papers state the claim (supported at the model's threshold)."""
    evidence: Evidence | None
    reason: str
    features: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class Scored:
    """A sentence of a retrieved paper, scored as an answer to a question."""

    candidate: int
    """Index of its paper among the candidates."""
    index: int
    """Index of the sentence in its paper."""
    score: float
    """The ranker's score (compares within one question)."""
    answers: float
    """The probability that the library answers the question with this sentence's paper as subject."""
    runners_up: tuple[tuple[int, float], ...] = ()
    """The paper's next best sentences (index, score), best first, at most :data:`RUNNERS_UP`."""


@dataclass(frozen=True)
class Answerability:
    question: Question
    answerable: bool
    score: float
    """The probability that the retrieved papers answer the question."""
    subject: int | None
    """Index of the candidate the question is about (None: no candidates)."""
    sentences: list[Scored]
    """The best sentence of each candidate, best first."""
    missing: list[str] = field(default_factory=list)
    """Names of the question that no candidate states."""
    sources: list[PaperSentences] = field(default_factory=list)
    """The sentences read of each candidate (``Scored.index`` counts in these)."""
    figure_found: bool = False
    """A figure question whose subject paper states a figure of the asked measure: what it lacks
    is the question's condition or comparison, not the figure."""


class Supports(Protocol):
    """What decides support of a claim: :class:`Judge`, or an LLM asked instead
    (:class:`rag.grounding.llm_judge.LLMJudge`)."""

    name: str

    def support(self, claim: str, papers: Sequence[Paper], *, whole: bool = True) -> Verdict: ...

    def support_all(
        self, items: Sequence[tuple[str, Sequence[Paper]]], *, whole: bool = True
    ) -> list[Verdict]: ...


class Judge:
    """The fitted judge over a library's sentences and vocabulary."""

    name = "fitted"

    def __init__(
        self,
        sentences: SentenceSource,
        vocabulary: Vocabulary,
        model: JudgeModel | None = None,
        entailment: Entailment | None = None,
    ) -> None:
        self.sentences = sentences
        self.vocabulary = vocabulary
        self._model = model
        self._entailment = entailment

    @property
    def entailment(self) -> Entailment:
        """The cross-encoder given, else the shipped one (loaded on first use)."""
        return self._entailment or shipped_entailment()

    @property
    def model(self) -> JudgeModel:
        """The weights given, else the shipped ones (read on first use)."""
        return self._model or shipped()

    @property
    def threshold(self) -> float:
        return self.model.support.threshold

    # -- claims ---------------------------------------------------------------------------------

    def support(self, claim: str, papers: Sequence[Paper], *, whole: bool = True) -> Verdict:
        """Whether ``papers`` (together) state ``claim``; ``whole=False``: the claim is the part of
        a sentence that one citation vouches for (see :meth:`claim_features`)."""
        return self.support_all([(claim, papers)], whole=whole)[0]

    def support_all(
        self, items: Sequence[tuple[str, Sequence[Paper]]], *, whole: bool = True
    ) -> list[Verdict]:
        """:meth:`support` for many claims, their vectors computed in one batch."""
        return [
            self._verdict(claim, read)
            for (claim, _), read in zip(items, self.claim_features(items, whole=whole), strict=True)
        ]

    def claim_sources(
        self, items: Sequence[tuple[str, Sequence[Paper]]]
    ) -> list[tuple[str, np.ndarray, list[PaperSentences]] | None]:
        """For each (claim, cited papers): the claim, its vectors (the claim's, then its clauses')
        and the cited papers' sentences as a claim reads them (None: nothing to judge)."""
        parts = [clauses(claim) for claim, _ in items]
        texts = [text for (claim, _), split in zip(items, parts, strict=True) for text in (claim, *split)]
        vectors = self.sentences.embed(texts) if texts else np.zeros((0, 1), dtype=np.float32)
        read: list[tuple[str, np.ndarray, list[PaperSentences]] | None] = []
        at = 0
        for (claim, papers), split in zip(items, parts, strict=True):
            claim_vectors = vectors[at : at + 1 + len(split)]
            at += 1 + len(split)
            if not papers or not claim.strip():
                read.append(None)
                continue
            terms = frozenset(self.vocabulary.terms(claim))
            sources = [
                s.focus(claim_vectors[0], CLAIM_PASSAGES, terms, self.vocabulary)
                for s in self.sentences.sentences(papers)
            ]
            read.append((claim, claim_vectors, sources))
        return read

    def claim_features(
        self, items: Sequence[tuple[str, Sequence[Paper]]], *, whole: bool = True
    ) -> list[tuple[np.ndarray, Findings, list[PaperSentences]] | None]:
        """The :data:`~rag.grounding.claims.SUPPORT` features of each (claim, cited papers), what
        they found and the papers' sentences (None: nothing to judge); vectors in one batch. With
        ``whole=False`` the claims are parts of sentences cut at their citations, which the
        cross-encoder (fitted on sentences) scores as stated by nothing: their ``entailment`` is the
        support model's mean, which moves no verdict."""
        read = self.claim_sources(items)
        judged = [r for r in read if r is not None]
        if whole:
            pairs = [(claim, premise(vectors[0], sources)) for claim, vectors, sources in judged]
            logits = iter(self.entailment.logits(pairs).tolist())
        else:
            neutral = float(self.model.support.mean[SUPPORT.index("entailment")])
            logits = iter([neutral] * len(judged))
        out: list[tuple[np.ndarray, Findings, list[PaperSentences]] | None] = []
        for one in read:
            if one is None:
                out.append(None)
                continue
            claim, (first, *rest), sources = one
            row, found = support_features(
                claim, first, sources, self.vocabulary, rest, entailment=next(logits)
            )
            out.append((row, found, sources))
        return out

    def _verdict(self, claim: str, read: tuple[np.ndarray, Findings, list[PaperSentences]] | None) -> Verdict:
        if read is None:
            return Verdict(False, 0.0, None, reasons.NOTHING_CITED)
        row, found, sources = read
        model = self.model.support
        score = float(model.probabilities(row)[0])
        supported = score >= model.threshold
        evidence = _evidence(found.unit, sources)
        features = dict(zip(SUPPORT, (float(v) for v in row), strict=True))
        why = reasons.support(
            claim,
            supported,
            model.contributions(row),
            features,
            evidence.text if evidence else "",
            unmatched=found.unmatched,
            missing=found.missing,
            absolute=found.absolute,
            place=evidence.passage.place(evidence.start) if evidence and evidence.passage else "",
            cited="cited paper" if any(source.paper.fulltext for source in sources) else "cited abstract",
        )
        return Verdict(supported, score, evidence, why, features)

    # -- questions ------------------------------------------------------------------------------

    def answer(
        self, question: str | Question, papers: Sequence[tuple[Paper, float]], strength: float
    ) -> Answerability:
        """Whether ``papers`` (retrieved for the question, best first, with their fused scores)
        answer ``question``; ``strength`` is retrieval's evidence strength."""
        asked = question if isinstance(question, Question) else analyse(question)
        words = question_words(asked, self.vocabulary)
        candidates, rows, where = self.question_features(asked, papers, words)
        if not len(rows):
            return Answerability(asked, False, 0.0, None, [])
        scores = self.model.ranker.logits(rows) + focus_offsets(candidates, where)
        reading = read(rows, where, scores, asked, candidates)
        row = question_features(asked, reading, candidates, strength, words, self.vocabulary)
        model = self.model.answerable
        probability = float(model.probabilities(row)[0])
        sentences = self._per_paper(asked, words, rows, where, scores, candidates, strength, reading.subject)
        missing = [n for n in asked.names if not any(c.sentences.named.states(n) for c in candidates)]
        sources = [candidate.sentences for candidate in candidates]
        return Answerability(
            asked,
            probability >= model.threshold,
            probability,
            reading.subject,
            sentences,
            missing,
            sources,
            figure_found=asked.kind == "figure" and not row[QUESTION.index("figure_unfit")],
        )

    def question_features(
        self, question: Question, papers: Sequence[tuple[Paper, float]], words: TermStatistics
    ) -> tuple[list[Candidate], np.ndarray, list[tuple[int, int]]]:
        """The candidates and the :data:`~rag.grounding.answers.ANSWER` features of their
        sentences, with (candidate, sentence) for each row; ``words``: :func:`question_words`."""
        if not papers:
            return [], np.zeros((0, len(ANSWER)), dtype=np.float32), []
        best = max(score for _, score in papers) or 1.0
        vectors = self._vectors(question)
        read = self.sentences.sentences([paper for paper, _ in papers])
        terms = frozenset(words.terms(question.text))

        fitting = partial(fits, question) if question.kind == "figure" else None
        conditions = figure_conditions(question)

        def focused(sentences: PaperSentences) -> PaperSentences:
            return sentences.focus(
                vectors.question, FOCUS_PASSAGES, terms, self.vocabulary, fitting, conditions
            )

        candidates = [
            Candidate(focused(sentences), rank, score / best)
            for rank, (sentences, (_, score)) in enumerate(zip(read, papers, strict=True), start=1)
        ]
        rows, where = answer_features(question, vectors, candidates, words, self.vocabulary)
        return candidates, self._body_positions(rows, where, candidates), where

    def _body_positions(
        self, rows: np.ndarray, where: list[tuple[int, int]], candidates: Sequence[Candidate]
    ) -> np.ndarray:
        """``position`` says where a sentence is in its abstract: an abstract's sentences keep the
        value they have alone, and a body sentence, which is in no abstract, gets the ranker's mean
        (it neither helps nor hurts it)."""
        if not any(candidate.sentences.where for candidate in candidates):
            return rows
        column = ANSWER.index("position")
        neutral = float(self.model.ranker.mean[column])
        for row, (number, index) in enumerate(where):
            sentences = candidates[number].sentences
            if sentences.passage(index) is not None:
                rows[row, column] = neutral
            elif sentences.where:
                in_abstract = sum(1 for at in sentences.where if at < 0)
                rows[row, column] = index / max(in_abstract - 1, 1)
        return rows

    def _vectors(self, question: Question) -> QuestionVectors:
        rest = None
        if question.subject and len(question.subject.split()) >= MIN_SUBJECT_WORDS:
            rest = " ".join(question.text.replace(question.subject, " ").split())
        texts = [question.text, rest or question.text, question.asked or question.text]
        vectors = self.sentences.embed(texts)
        return QuestionVectors(
            vectors[0], vectors[1] if rest else None, vectors[2] if question.asked else None
        )

    def _per_paper(
        self,
        question: Question,
        words: TermStatistics,
        rows: np.ndarray,
        where: list[tuple[int, int]],
        scores: np.ndarray,
        candidates: Sequence[Candidate],
        strength: float,
        subject: int,
    ) -> list[Scored]:
        """Each candidate's best sentence, with the probability of an answer were it the subject."""
        usable = rows[:, ANSWER.index("boilerplate")] == 0  # a link or a release note answers nothing
        ranked: dict[int, list[int]] = {}
        for row in sorted(range(len(where)), key=lambda r: (not usable[r], -scores[r])):
            ranked.setdefault(where[row][0], []).append(row)
        out = []
        for candidate, rows_of in ranked.items():
            row = rows_of[0]
            reading = Reading(rows, where, scores, candidate, row)
            features = question_features(question, reading, candidates, strength, words, self.vocabulary)
            probability = float(self.model.answerable.probabilities(features)[0])
            after = [other for other in rows_of[1 : 1 + RUNNERS_UP] if usable[other]]
            runners = tuple((where[other][1], float(scores[other])) for other in after)
            out.append(Scored(candidate, where[row][1], float(scores[row]), probability, runners))
        return sorted(out, key=lambda s: (s.candidate != subject, -s.score))


def focus_offsets(candidates: Sequence[Candidate], where: Sequence[tuple[int, int]]) -> np.ndarray:
    """What each sentence's ranker score loses for its passage's focus gap (:data:`FOCUS_GAP`)."""
    gaps = [candidates[n].sentences.gaps[i] if candidates[n].sentences.gaps else 0.0 for n, i in where]
    return -FOCUS_GAP * np.asarray(gaps, dtype=np.float64)


def _evidence(unit: Unit | None, sources: Sequence[PaperSentences]) -> Evidence | None:
    if unit is None:
        return None
    return evidence_of(sources[unit.source], unit.sentences())


def evidence_of(source: PaperSentences, indices: Sequence[int]) -> Evidence:
    """The evidence that sentences ``indices`` of ``source`` are (two adjacent ones in one text,
    else the first alone)."""
    passage = source.passage(indices[0])
    last = indices[-1] if source.passage(indices[-1]) is passage else indices[0]
    start, end = source.spans[indices[0]][0], source.spans[last][1]
    text = passage.text if passage is not None else source.paper.abstract
    return Evidence(source.paper.id, start, end, text[start:end], passage)
