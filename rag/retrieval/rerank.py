"""Re-ranking of fused search results, behind one small protocol.

- :class:`FusionOrder` (the default) keeps the fused order: no cross-encoder with pip-shipped
  weights exists for this, and the fusion is what ``litrev bench retrieval`` measures.
- :class:`LLMReranker` asks the configured LLM to order the top candidates. It is used only when
  ``retrieval.rerank = "llm"`` and an LLM is configured, and it is off by default because it has
  not been measured to help (see ``litrev bench retrieval --rerank llm``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from typing import Protocol, TypeVar

from rag import prompts
from rag.llm.generate import GenerationError
from rag.sources.corpus import Paper
from rag.sources.sentences import sentence_spans


class Candidate(Protocol):
    """What a reranker orders: anything that carries its paper (a search hit, for one)."""

    @property
    def paper(self) -> Paper: ...


C = TypeVar("C", bound=Candidate)


class Reranker(Protocol):
    name: str

    def rerank(self, query: str, hits: Sequence[C]) -> list[C]: ...


class FusionOrder:
    name = "fusion"

    def rerank(self, query: str, hits: Sequence[C]) -> list[C]:
        return list(hits)


def _summary(hit: Candidate) -> str:
    spans = sentence_spans(hit.paper.abstract)[:2]
    text = " ".join(hit.paper.abstract[start:end] for start, end in spans)
    return re.sub(r"\s+", " ", text)[:400]


def parse_order(reply: str, count: int) -> list[int]:
    """Candidate numbers (1-based) in the order the reply names them; unknown ones ignored."""
    seen: list[int] = []
    for number in (int(n) for n in re.findall(r"\d+", reply)):
        if 1 <= number <= count and number not in seen:
            seen.append(number)
    return seen


class LLMReranker:
    """Orders the top ``top_n`` hits as the model says; the rest, and anything it omits, keep
    their fused order after the ones it ranked. A failing model leaves the order unchanged."""

    name = "llm"

    def __init__(self, complete: Callable[..., Iterator[str]], top_n: int = 10) -> None:
        self.complete = complete
        self.top_n = top_n

    def rerank(self, query: str, hits: Sequence[C]) -> list[C]:
        head, tail = list(hits[: self.top_n]), list(hits[self.top_n :])
        if len(head) < 2:
            return list(hits)
        candidates = [
            {"number": i, "title": hit.paper.title, "summary": _summary(hit)} for i, hit in enumerate(head, 1)
        ]
        prompt = prompts.render("rerank", query=query, candidates=candidates)
        try:
            reply = "".join(self.complete(prompt, max_tokens=60))
        except GenerationError:
            return list(hits)
        order = parse_order(reply, len(head))
        ranked = [head[n - 1] for n in order]
        ranked += [hit for hit in head if hit not in ranked]
        return ranked + tail
