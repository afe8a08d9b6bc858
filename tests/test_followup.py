"""Follow-up questions become standalone queries: by rule without a model, by the model with one."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from rag import prompts
from rag.answers.followup import key_terms, leans_on_context, standalone
from rag.llm.generate import GenerationError

FIRST = "Which papers accelerate LLM inference with speculative decoding?"


@pytest.mark.parametrize(
    "question",
    [
        "What are its limitations?",
        "How do they verify the drafts in parallel?",
        "And for speech?",
        "Does that method need a second model?",
        "Which of those are surveys?",
    ],
)
def test_short_or_referring_follow_ups_get_the_previous_key_terms(question: str) -> None:
    rewrite = standalone(question, [FIRST])
    assert rewrite.method == "terms"
    assert rewrite.query.endswith(question)
    assert rewrite.query.startswith("accelerate LLM inference speculative decoding")


@pytest.mark.parametrize(
    "question",
    [
        "Which papers show that distillation helps small speech models generalise?",
        "How do neural audio codecs quantise speech into discrete tokens?",
    ],
)
def test_a_question_that_stands_alone_is_kept(question: str) -> None:
    assert not leans_on_context(question)
    assert standalone(question, [FIRST]).query == question


def test_the_first_question_is_never_rewritten() -> None:
    def fail(prompt: str, **_: object) -> Iterator[str]:
        raise AssertionError("no model call without history")

    rewrite = standalone("What are its limitations?", [], complete=fail)
    assert (rewrite.query, rewrite.method) == ("What are its limitations?", "none")


def test_key_terms_skip_function_words_and_words_already_asked() -> None:
    assert key_terms(FIRST, exclude=["inference"]) == ["accelerate", "LLM", "speculative", "decoding"]


def test_with_a_model_the_rendered_prompt_is_sent_and_its_first_line_used() -> None:
    sent: list[str] = []

    def complete(prompt: str, *, max_tokens: int) -> Iterator[str]:
        sent.append(prompt)
        yield 'Standalone question: "What are the limitations of speculative '
        yield 'decoding?"\nExtra chatter the parser must ignore.'

    rewrite = standalone("What are its limitations?", ["older question", FIRST], complete=complete)
    assert (rewrite.query, rewrite.method) == ("What are the limitations of speculative decoding?", "model")
    expected = prompts.render(
        "followup", history=["older question", FIRST], question="What are its limitations?"
    )
    assert sent == [expected]
    assert prompts.variables("followup") == {"history", "question"}


@pytest.mark.parametrize("reply", ["", "   \n  ", "x" * 500])
def test_an_unusable_reply_falls_back_to_the_rule(reply: str) -> None:
    rewrite = standalone("What are its limitations?", [FIRST], complete=lambda prompt, **_: iter([reply]))
    assert rewrite.method == "terms"


def test_a_failing_model_falls_back_to_the_rule() -> None:
    def broken(prompt: str, **_: object) -> Iterator[str]:
        raise GenerationError("the model at http://127.0.0.1:1 failed")
        yield ""  # pragma: no cover

    assert standalone("What are its limitations?", [FIRST], complete=broken).method == "terms"
