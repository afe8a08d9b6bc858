"""Does a passage support a claim? Support judges score (claim, passage) pairs.

The offline default, :class:`OverlapJudge`, needs no LLM. It combines

- ``coverage``: the share of the claim's IDF weight (stemmed, stop words dropped) found in the passage;
- ``similarity``: the best cosine similarity between the claim and one sentence of the passage;
- ``numbers``: whether every number in the claim also appears in the passage;

as ``0.8 * coverage + 0.2 * similarity - 0.1 * (numbers missing)``, supported at >= 0.82.
Weights and threshold were fitted on the 86 hand-labelled pairs of
``eval/datasets/support_labels.jsonl``: 88.4% agreement with the labels on the data it was fitted
on, 83.7% on held-out folds (5-fold cross-validation); precision 0.87, recall 0.91 for "supported".
``litrev bench support`` re-measures this.

:class:`LLMJudge` asks the configured LLM instead (``rag/data/prompts/support_judge.txt``); evaluation uses
it when an LLM is configured (``litrev eval --judge auto``) and reports which judge produced the
numbers.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from rag import prompts
from rag.chunking import sentence_spans
from rag.embedding import Embedder
from rag.errors import LitrevError
from rag.lexical import LexicalIndex

if TYPE_CHECKING:
    from rag.library import Library

_NUMBER = re.compile(r"\d+(?:\.\d+)?")

COVERAGE_WEIGHT = 0.8
SIMILARITY_WEIGHT = 0.2
MISSING_NUMBER_PENALTY = 0.1
THRESHOLD = 0.82


class SupportJudge(Protocol):
    name: str
    threshold: float

    def score(self, claim: str, passage: str) -> float:
        """Higher means better supported; ``score >= threshold`` counts as supported."""
        ...


@dataclass(frozen=True)
class Features:
    coverage: float
    similarity: float
    numbers_present: bool


class OverlapJudge:
    """Lexical coverage plus embedding similarity with the local model (no LLM needed)."""

    name = "overlap+embedding"
    threshold = THRESHOLD

    def __init__(self, embedder: Embedder, lexical: LexicalIndex) -> None:
        self.embedder = embedder
        self.lexical = lexical

    def features(self, claim: str, passage: str) -> Features:
        claim_terms = set(self.lexical.terms(claim))
        total = sum(self.lexical.idf(term) for term in claim_terms)
        shared = claim_terms.intersection(self.lexical.terms(passage))
        coverage = sum(self.lexical.idf(term) for term in shared) / total if total else 0.0
        sentences = [passage[start:end] for start, end in sentence_spans(passage)] or [passage]
        vectors = self.embedder.embed([claim, *sentences])
        similarity = float((vectors[1:] @ vectors[0]).max())
        numbers = set(_NUMBER.findall(claim)) <= set(_NUMBER.findall(passage))
        return Features(coverage, similarity, numbers)

    def score(self, claim: str, passage: str) -> float:
        return combine(self.features(claim, passage))

    def supports(self, claim: str, passage: str) -> bool:
        return self.score(claim, passage) >= self.threshold


def combine(features: Features) -> float:
    penalty = 0.0 if features.numbers_present else MISSING_NUMBER_PENALTY
    return COVERAGE_WEIGHT * features.coverage + SIMILARITY_WEIGHT * features.similarity - penalty


class LLMJudge:
    """Asks the configured LLM whether the passage supports the claim (YES/NO)."""

    threshold = 0.5

    def __init__(self, complete: Callable[..., Iterator[str]], model: str) -> None:
        self.complete = complete
        self.name = f"llm:{model}"

    def score(self, claim: str, passage: str) -> float:
        prompt = prompts.render("support_judge", claim=claim, passage=passage)
        reply = "".join(self.complete(prompt, max_tokens=4)).strip().upper()
        return 1.0 if reply.startswith("YES") else 0.0


def make_judge(library: Library, kind: str = "auto") -> SupportJudge:
    """``overlap``, ``llm`` (needs an LLM configured) or ``auto`` (the LLM when there is one)."""
    provider = library.settings.llm.provider
    if kind == "llm" and provider == "extractive":
        raise LitrevError("the llm judge needs an LLM: set LITREV_LLM__PROVIDER (openai or local)")
    if kind == "llm" or (kind == "auto" and provider != "extractive"):
        model = library.settings.llm.model if provider == "openai" else str(library.settings.llm.model_path)
        return LLMJudge(library.generator.complete, model)  # type: ignore[attr-defined]
    if kind not in ("auto", "overlap"):
        raise LitrevError(f"judge must be auto, overlap or llm, got {kind!r}")
    return OverlapJudge(library.embedder, library.lexical)
