from __future__ import annotations

from collections.abc import Iterator

from rag.llm.generate import GenerationError
from rag.retrieval.rerank import LLMReranker, parse_order
from rag.retrieval.retrieve import Hit
from rag.sources.corpus import make_paper

ABSTRACT = "We propose a method for speech. It works well on many benchmarks."


def hits(n: int) -> list[Hit]:
    return [
        Hit(make_paper({"title": f"Paper {i}", "abstract": ABSTRACT}, source="x"), 1.0 / i)
        for i in range(1, n + 1)
    ]


def test_parse_order_keeps_known_numbers_once() -> None:
    assert parse_order("3, 1, 3, 9, 2", 3) == [3, 1, 2]
    assert parse_order("no numbers", 3) == []


def test_llm_order_is_applied_and_omitted_hits_keep_fused_order() -> None:
    prompts: list[str] = []

    def complete(prompt: str, **_: object) -> Iterator[str]:
        prompts.append(prompt)
        yield "3, 1"

    ranked = LLMReranker(complete, top_n=4).rerank("speech?", hits(6))
    assert [h.paper.title for h in ranked] == [
        "Paper 3",
        "Paper 1",
        "Paper 2",
        "Paper 4",
        "Paper 5",
        "Paper 6",
    ]
    assert "4. Paper 4:" in prompts[0] and "5. Paper 5" not in prompts[0]


def test_failing_model_leaves_the_order_alone() -> None:
    def complete(prompt: str, **_: object) -> Iterator[str]:
        raise GenerationError("down")
        yield ""

    original = hits(5)
    assert LLMReranker(complete).rerank("q", original) == original
