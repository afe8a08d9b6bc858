"""What the judge reads: a paper's sentences with their vectors, and the library's vocabulary.

:class:`PaperSentences` is one paper's abstract (and, for a paper with full text, its body's
passages) cut into sentences, each with its embedding (stored at ingest,
:mod:`rag.index.sentence_vectors`), and what the judge reads off the text once and keeps: the
figures of each sentence, the terms, the names the title and abstract state. Windows of two
adjacent sentences are embedded as the length-weighted mean of their two sentences' vectors (the
encoder mean-pools its tokens, so the mean of two sentences is close to the vector of both).

The judge takes its collaborators as protocols: a :class:`SentenceSource` that gives papers'
sentences, and a :class:`Vocabulary` with the library's term statistics (``LexicalIndex``).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Protocol

import numpy as np

from rag.grounding import figures as figure_reading
from rag.grounding.figure_matching import states as figure_states
from rag.grounding.names import Text

RARE_SHARE = 0.05
"""A name used by at most this share of the library's papers is rare."""
FOCUS_COVERAGE = 4.0
"""In :meth:`PaperSentences.focus`, the weight of a passage's share of the question's words (IDF
weighted, the paper's title left out) against its best sentence's cosine. Chosen on the tune half
of ``eval/datasets/fulltext_qa.jsonl`` (``litrev bench fulltext``), in the eight papers' own
library and with the bundled corpus beside them: 1, 2, 4, 8 and 16 were tried, 2 to 16 within a
question of each other in the first, 4 and 8 best in the second; the right passage came first
for 0.75 of the questions by the words alone and 0.36 by the cosine alone."""

FOCUS_SUMMARY = 0.5
"""In :meth:`PaperSentences.focus`, what a passage of an introduction, background, related-work or
conclusion section (:data:`SUMMARY_SECTIONS`) loses: such a section restates the paper (the
abstract, always read, already does) or describes other papers, and the details a question or a
claim asks after are in its method, experiments and results. Chosen with
:data:`FOCUS_FIGURE` on the tune half of ``eval/datasets/fulltext_qa.jsonl`` (0 to 1 tried; the
right passage first for 0.742 of its questions without either, 0.773 with both; holdout 0.681
and 0.754)."""
FOCUS_FIGURE = 0.5
"""In :meth:`PaperSentences.focus`, what a passage gains when one of its sentences states a figure
that can answer the figure question asked (``fitting``, :func:`rag.grounding.answers.fits`)."""
FOCUS_CONDITION = 0.5
"""In :meth:`PaperSentences.focus`, what a passage gains for stating the figures a question gives
(its share of them, :func:`rag.grounding.figure_matching.states`): "What rFID does it reach with
about 96 tokens?" is answered by the table row of 96 tokens, not by the prose that reports 128.
Chosen on the tune half of ``eval/datasets/fulltext_qa.jsonl``: 0.5 and 1 chose the right passage
for two more questions than 0; 0.5 for the smaller change."""
SUMMARY_SECTIONS = re.compile(
    r"\b(?:introduction|background|related\s+work|prior\s+work|previous\s+work|conclusions?|"
    r"concluding\s+remarks)\b",
    re.IGNORECASE,
)
"""Headings of the sections that summarise a paper or describe other papers."""

if TYPE_CHECKING:
    from rag.sources.body_text import Passage
    from rag.sources.corpus import Paper


class TermWeights(Protocol):
    """Terms of a text and their weights in the library: what :func:`coverage` and :func:`is_rare` read."""

    def terms(self, text: str) -> list[str]:
        """Stemmed, stop-word-free terms."""
        ...

    def idf(self, term: str) -> float: ...

    def share(self, term: str) -> float:
        """The share of the library's papers that use ``term`` (0 to 1)."""
        ...


class Vocabulary(TermWeights, Protocol):
    """The library's term statistics (``rag.index.lexical.LexicalIndex`` is one)."""

    def statistics(self, texts: Iterable[str]) -> TermStatistics:
        """The terms of each of ``texts`` with their IDF and share, read at once."""
        ...


@dataclass(frozen=True)
class TermStatistics:
    """The library's statistics for the words of a few texts (a question's), read in one call of
    :meth:`Vocabulary.statistics`. It answers for those texts and their terms only: asking it about
    any other text is a KeyError, so question analysis cannot drift back to one lookup per word."""

    terms_of: Mapping[str, tuple[str, ...]]
    idfs: Mapping[str, float]
    shares: Mapping[str, float]

    @classmethod
    def read(cls, vocabulary: TermWeights, texts: Iterable[str]) -> TermStatistics:
        """The statistics of ``texts`` from any :class:`TermWeights` (the vocabulary's own way)."""
        terms_of = {text: tuple(vocabulary.terms(text)) for text in dict.fromkeys(texts)}
        every = {term for terms in terms_of.values() for term in terms}
        return cls(terms_of, {t: vocabulary.idf(t) for t in every}, {t: vocabulary.share(t) for t in every})

    def terms(self, text: str) -> list[str]:
        return list(self.terms_of[text])

    def idf(self, term: str) -> float:
        return self.idfs[term]

    def share(self, term: str) -> float:
        return self.shares[term]


@dataclass(eq=False)
class PaperSentences:
    """A paper's sentences: character spans and unit-length vectors, one row each. A paper with
    full text has sentences of its body too: ``where`` gives each sentence's passage in ``body``
    (-1: the abstract; empty: every sentence is the abstract's), and its span is in that text."""

    paper: Paper
    spans: list[tuple[int, int]]
    vectors: np.ndarray
    body: Sequence[Passage] = ()
    """The paper's body passages (:class:`~rag.sources.body_text.Passage`), page and section each."""
    where: Sequence[int] = ()
    """Each sentence's body passage (an index into ``body``), -1 for a sentence of the abstract."""
    gaps: Sequence[float] = ()
    """After :meth:`focus`: how far each sentence's passage scored below the best passage (0 for
    the best one's sentences and the abstract's); empty otherwise."""
    _terms: dict[int, frozenset[str]] = field(default_factory=dict, repr=False)

    def passage(self, index: int) -> Passage | None:
        """The body passage sentence ``index`` is in; None for a sentence of the abstract."""
        at = self.where[index] if self.where else -1
        return self.body[at] if at >= 0 else None

    def text(self, index: int) -> str:
        start, end = self.spans[index]
        passage = self.passage(index)
        return (passage.text if passage is not None else self.paper.abstract)[start:end]

    def focus(
        self,
        vector: np.ndarray,
        passages: int,
        terms: frozenset[str] = frozenset(),
        vocabulary: TermWeights | None = None,
        fitting: Callable[[str, figure_reading.Figure], bool] | None = None,
        conditions: Sequence[figure_reading.Figure] = (),
    ) -> PaperSentences:
        """The abstract's sentences and those of the ``passages`` body passages that come closest
        to the claim or question: by the cosine of their best sentence to ``vector``, plus
        :data:`FOCUS_COVERAGE` times the share of its ``terms`` they contain, each weighted by
        :func:`within_paper`, the words of the paper's title left out (they name the paper, not
        what is asked of it); plus :data:`FOCUS_FIGURE` when a sentence states a figure that
        ``fitting`` says answers the question, plus :data:`FOCUS_CONDITION` times the share of the
        figures the question gives (``conditions``) that the passage states, less
        :data:`FOCUS_SUMMARY` in a section that summarises the paper or describes others
        (:data:`SUMMARY_SECTIONS`). Each sentence read carries how far its passage's score came
        below the best's (``gaps``), a paper with no more passages than ``passages`` too."""
        if not any(at >= 0 for at in self.where):
            return self
        best: dict[int, float] = {}
        for at, score in zip(self.where, self.vectors @ vector, strict=True):
            if at >= 0 and score > best.get(at, -2.0):
                best[at] = float(score)
        if terms and vocabulary is not None:
            asked = terms - self.terms(-1, vocabulary)  # what is asked of the paper, less its title
            held = {at: self.passage_terms(at, vocabulary) for at in best}
            weights = within_paper(asked, held.values(), vocabulary)
            for at, found in held.items():
                best[at] += FOCUS_COVERAGE * weighted_share(asked, found, weights.__getitem__)
        for at in best:
            if SUMMARY_SECTIONS.search(self.body[at].section or ""):
                best[at] -= FOCUS_SUMMARY
        if fitting is not None:
            body = [i for i, at in enumerate(self.where) if at >= 0]
            for at in {self.where[i] for i in body if _states_fitting(self, i, fitting)}:
                best[at] += FOCUS_FIGURE
        if conditions:
            stated: dict[int, list[figure_reading.Figure]] = {}
            for i, at in enumerate(self.where):
                if at >= 0:
                    stated.setdefault(at, []).extend(self.figures[i])
            for at, found in stated.items():
                share = sum(figure_states(given, found) for given in conditions) / len(conditions)
                best[at] += FOCUS_CONDITION * share
        chosen = set(sorted(best, key=lambda at: -best[at])[:passages])
        top = max(best.values())
        rows = [i for i, at in enumerate(self.where) if at < 0 or at in chosen]
        spans, where = [self.spans[i] for i in rows], [self.where[i] for i in rows]
        gaps = [top - best[at] if at >= 0 else 0.0 for at in where]
        return PaperSentences(self.paper, spans, self.vectors[rows], self.body, where, gaps)

    def passage_terms(self, at: int, vocabulary: TermWeights) -> frozenset[str]:
        """The terms of body passage ``at``, its section's heading included."""
        key = -2 - at  # kept beside the sentences' terms (-1 is the title)
        if key not in self._terms:
            passage = self.body[at]
            self._terms[key] = frozenset(vocabulary.terms(f"{passage.section} {passage.text}"))
        return self._terms[key]

    @cached_property
    def body_text(self) -> str:
        """The body sentences read, joined ("" for an abstract alone)."""
        return " ".join(self.text(i) for i in range(len(self.spans)) if self.passage(i) is not None)

    @cached_property
    def texts(self) -> list[str]:
        return [self.text(i) for i in range(len(self.spans))]

    @cached_property
    def lengths(self) -> np.ndarray:
        return np.array([max(1, len(text.split())) for text in self.texts], dtype=np.float32)

    @cached_property
    def window_vectors(self) -> np.ndarray:
        """Vector of sentences i and i+1 together, for each i (empty with one sentence); zero
        where the two are in different texts (the abstract and a passage, or two passages)."""
        if len(self.spans) < 2:
            return np.zeros((0, self.vectors.shape[1]), dtype=np.float32)
        weighted = self.vectors * self.lengths[:, None]
        pairs = weighted[:-1] + weighted[1:]
        if self.where:  # two sentences of different texts (abstract, passages) are no window
            pairs[np.asarray(self.where[:-1]) != np.asarray(self.where[1:])] = 0.0
        return pairs / np.linalg.norm(pairs, axis=1, keepdims=True).clip(min=1e-9)

    @cached_property
    def figures(self) -> list[list[figure_reading.Figure]]:
        return [figure_reading.figures(text) for text in self.texts]

    @cached_property
    def title_figures(self) -> list[figure_reading.Figure]:
        return figure_reading.figures(self.paper.title)

    @cached_property
    def named(self) -> Text:
        """The title, abstract and the body passages read, for name look-ups."""
        body = " ".join(self.body[at].text for at in dict.fromkeys(self.where) if at >= 0)
        return Text(f"{self.paper.title}. {self.paper.abstract} {body}".rstrip())

    def terms(self, index: int, vocabulary: Vocabulary) -> frozenset[str]:
        """The terms of sentence ``index`` (-1: the title). A sentence of the body is read with the
        paper's title: it speaks of the paper without naming it ("we use 32 steps"), where an
        abstract's sentences name it ("Brindle uses ...")."""
        if index not in self._terms:
            text = self.paper.title if index < 0 else self.text(index)
            if index >= 0 and self.passage(index) is not None:
                text = f"{self.paper.title} {text}"
            self._terms[index] = frozenset(vocabulary.terms(text))
        return self._terms[index]

    def all_terms(self, vocabulary: Vocabulary) -> frozenset[str]:
        found = set(self.terms(-1, vocabulary))
        for index in range(len(self.spans)):
            found |= self.terms(index, vocabulary)
        return frozenset(found)


def _states_fitting(
    sentences: PaperSentences, index: int, fitting: Callable[[str, figure_reading.Figure], bool]
) -> bool:
    text = sentences.text(index)
    return any(fitting(text, figure) for figure in sentences.figures[index])


class SentenceSource(Protocol):
    """Gives papers' sentences with their vectors (:class:`rag.index.sentence_vectors.SentenceVectors`)."""

    def sentences(self, papers: Sequence[Paper]) -> list[PaperSentences]: ...

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Vectors of texts that are not sentences of the library (claims, questions)."""
        ...


@dataclass(frozen=True)
class Unit:
    """Where evidence lies: sentence ``first`` (and ``first + 1`` when ``pair``) of source ``source``."""

    source: int
    first: int
    pair: bool = False

    def sentences(self) -> list[int]:
        return [self.first, self.first + 1] if self.pair else [self.first]

    def text(self, sources: Sequence[PaperSentences]) -> str:
        return " ".join(sources[self.source].text(i) for i in self.sentences())


def coverage(
    terms: frozenset[str] | set[str], found: frozenset[str] | set[str], vocabulary: TermWeights
) -> float:
    """The share of ``terms``' IDF weight that ``found`` holds."""
    return weighted_share(terms, found, vocabulary.idf)


def weighted_share(
    terms: frozenset[str] | set[str], found: frozenset[str] | set[str], weight: Callable[[str], float]
) -> float:
    """The share of ``terms``' ``weight`` that ``found`` holds (1 when they weigh nothing)."""
    total = sum(weight(term) for term in terms)
    if not total:
        return 1.0
    return sum(weight(term) for term in terms & found) / total


def within_paper(
    terms: frozenset[str], passages: Iterable[frozenset[str]], vocabulary: TermWeights
) -> dict[str, float]:
    """Each term's weight for telling one passage of a paper from its others: its IDF in the
    library times its IDF among the paper's passages (a word most of them use, such as what the
    paper is about, tells them apart no more than the paper's name does)."""
    held = list(passages)
    return {
        term: vocabulary.idf(term) * math.log((len(held) + 1) / (sum(term in found for found in held) + 0.5))
        for term in terms
    }


def is_rare(name: str, vocabulary: TermWeights) -> bool:
    parts = vocabulary.terms(name)
    return not parts or min(vocabulary.share(part) for part in parts) <= RARE_SHARE


def best_units(claim_vector: np.ndarray, sources: Sequence[PaperSentences]) -> list[tuple[float, Unit]]:
    """Every sentence and every window of two adjacent sentences, scored by similarity, best first."""
    scored: list[tuple[float, Unit]] = []
    for index, source in enumerate(sources):
        scored += [(float(s), Unit(index, i)) for i, s in enumerate(source.vectors @ claim_vector)]
        scored += [
            (float(s), Unit(index, i, True)) for i, s in enumerate(source.window_vectors @ claim_vector)
        ]
    return sorted(scored, key=lambda item: -item[0])
