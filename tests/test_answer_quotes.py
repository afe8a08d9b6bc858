"""The extractive answer's quotes read on their own: no opening connective pointing back to a
sentence the reader cannot see."""

from __future__ import annotations

import re

import pytest

from rag.answers.answer import answer
from rag.answers.followup import standalone
from rag.answers.quotes import detached
from rag.grounding.citations import strip_markers
from rag.index.library import Library

CONNECTIVE = re.compile(
    r"^(Moreover|Furthermore|Additionally|Also|In addition|However|Besides|Nevertheless)\b", re.IGNORECASE
)


@pytest.mark.parametrize(
    ("sentence", "quoted"),
    [
        ("Moreover, we release the code.", "We release the code."),
        ("Furthermore, the drafter is trained once.", "The drafter is trained once."),
        ("Additionally, it runs on CPUs.", "It runs on CPUs."),
        ("Also, latency drops by half.", "Latency drops by half."),
        ("Also we show a 2x speedup.", "We show a 2x speedup."),
        ("In addition, our tokenizer is causal.", "Our tokenizer is causal."),
        ("However, they face challenges like storage.", "They face challenges like storage."),
        ("Moreover, dMel needs no training.", "dMel needs no training."),  # a name keeps its case
        ("However large the model, the drafter is small.", "However large the model, the drafter is small."),
        ("Further experiments confirm it.", "Further experiments confirm it."),
        ("We propose a draft head.", "We propose a draft head."),
    ],
)
def test_an_opening_connective_is_dropped_and_the_sentence_capitalised(sentence: str, quoted: str) -> None:
    assert detached(sentence) == quoted


def test_a_follow_up_answer_opens_no_sentence_with_a_connective(bundled: Library) -> None:
    first = "Which papers accelerate LLM inference with speculative decoding?"
    follow_up = "What are its limitations?"
    rewrite = standalone(follow_up, [first])
    result = answer(rewrite.query, library=bundled, asked=follow_up)
    assert not result.abstained
    # the abstracts' own sentences open with "However, ..." here: the answer quotes them without it
    opening = [c for c in result.citations if CONNECTIVE.match(c.sentence)]
    assert opening, [c.sentence for c in result.citations]
    lines = [strip_markers(line).strip() for line in result.answer.splitlines() if line.strip()]
    assert len(lines) == len(result.citations)
    for line in lines:
        quoted = line.removeprefix("- ")
        for citation in result.citations:  # "PARD: However, ..." -> "PARD: The overhead ..."
            short = citation.title.partition(":")[0]
            quoted = quoted.removeprefix(f"{short}: ")
        assert not CONNECTIVE.match(quoted), line
        assert quoted[0].isupper(), line
    for citation in opening:  # the marker still highlights the sentence that was quoted
        assert detached(citation.sentence) in result.answer
