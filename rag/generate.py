"""Generators turn a question and numbered evidence passages into answer text with ``[n]`` markers.

:class:`ExtractiveGenerator` (the default) needs no model and no server: it quotes the evidence
sentences most similar to the question, each cited to its paper, so it is grounded by construction.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from rag.chunking import sentence_spans
from rag.corpus import Paper
from rag.embedding import Embedder
from rag.settings import AnswerSettings


@dataclass(frozen=True)
class Passage:
    """One evidence item as a generator sees it: its marker number and its paper."""

    marker: int
    paper: Paper
    focus: tuple[int, int] | None = None
    """The span of the abstract retrieval matched best (its best chunk), if known."""

    def sentence_spans(self) -> list[tuple[int, int]]:
        spans = sentence_spans(self.paper.abstract)
        if self.focus is None:
            return spans
        start, end = self.focus
        return [(s, e) for s, e in spans if s < end and e > start] or spans


class Generator(Protocol):
    name: str

    def stream(self, question: str, passages: Sequence[Passage]) -> Iterator[str]:
        """Yield the answer text piece by piece; cite passages as ``[marker]``."""
        ...


@dataclass(frozen=True)
class ScoredSentence:
    marker: int
    start: int
    end: int
    text: str
    score: float


def rank_sentences(embedder: Embedder, question: str, passages: Sequence[Passage]) -> list[ScoredSentence]:
    """Every sentence of every passage, scored by cosine similarity to the question, best first."""
    items = [
        (passage.marker, start, end, passage.paper.abstract[start:end])
        for passage in passages
        for start, end in passage.sentence_spans()
    ]
    if not items:
        return []
    vectors = embedder.embed([question] + [text for *_, text in items])
    scores = vectors[1:] @ vectors[0]
    order = np.argsort(-scores, kind="stable")
    return [ScoredSentence(*items[i], float(scores[i])) for i in order]


def _short_title(title: str) -> str | None:
    head, colon, _ = title.partition(":")
    return head.strip() if colon and len(head) <= 40 else None


class ExtractiveGenerator:
    """Quote the most relevant evidence sentences, at most one per paper, each with its marker."""

    name = "extractive"

    def __init__(self, embedder: Embedder, settings: AnswerSettings) -> None:
        self.embedder = embedder
        self.settings = settings

    def select(self, question: str, passages: Sequence[Passage]) -> list[ScoredSentence]:
        chosen: list[ScoredSentence] = []
        used: set[int] = set()
        ranked = rank_sentences(self.embedder, question, passages)
        if not ranked:
            return chosen
        floor = max(self.settings.sentence_floor, self.settings.relative_floor * ranked[0].score)
        for sentence in ranked:
            if sentence.score < floor and chosen:
                break
            if sentence.marker in used:
                continue
            chosen.append(sentence)
            used.add(sentence.marker)
            if len(chosen) == self.settings.max_sentences:
                break
        return chosen

    def stream(self, question: str, passages: Sequence[Passage]) -> Iterator[str]:
        papers = {passage.marker: passage.paper for passage in passages}
        for sentence in self.select(question, passages):
            short = _short_title(papers[sentence.marker].title)
            lead = f"{short}: " if short else ""
            yield f"- {lead}{sentence.text} [{sentence.marker}]\n"
