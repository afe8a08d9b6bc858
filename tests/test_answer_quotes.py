"""The extractive answer's quotes read on their own: no opening connective pointing back to a
sentence the reader cannot see."""

from __future__ import annotations

import re

import pytest

from rag.answers.answer import answer
from rag.answers.followup import standalone
from rag.answers.quotes import Quote, detached
from rag.grounding.citations import strip_markers
from rag.index.library import Library
from rag.sources.body_text import UNKNOWN_PAGE
from rag.sources.body_text import Passage as BodyPassage
from rag.sources.corpus import Paper

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
    abstracts = {paper.id: paper.abstract for paper in bundled.store.iter_papers()}
    marked = [abstracts[c.paper_id][c.span[0] : c.span[1]] for c in result.citations]
    opening = [sentence for sentence in marked if CONNECTIVE.match(sentence)]
    assert opening, marked
    lines = [strip_markers(line).strip() for line in result.answer.splitlines() if line.strip()]
    assert len(lines) >= len(result.citations)  # a paper may give more than one line
    for line in lines:
        quoted = line.removeprefix("- ")
        for citation in result.citations:  # "PARD: However, ..." -> "PARD: The overhead ..."
            short = citation.title.partition(":")[0]
            quoted = quoted.removeprefix(f"{short}: ")
        assert not CONNECTIVE.match(quoted), line
        assert quoted[0].isupper(), line
    for sentence in opening:  # the marker still highlights the sentence that was quoted
        assert detached(sentence) in result.answer


RUNNER_UP_QUESTIONS = [
    "How long can the audio and the text descriptions be in the contrastive long-form language-audio "
    "pretraining model for full songs?",
    "In the speech LLM that decouples semantic and perceptual information modeling, how is flow "
    "matching made more efficient?",
    "What is Moshi's latency?",
]


@pytest.mark.parametrize("question", RUNNER_UP_QUESTIONS)
def test_the_subject_papers_runners_up_are_quoted_within_the_margin_and_only_then(
    bundled: Library, question: str
) -> None:
    """With no margin the subject paper gives one line; with a wide one, its next two sentences
    too, each on its own line citing it, in the abstract's order, and the citation holds them all."""

    def asked(margin: float) -> tuple[list[str], object]:
        answer_settings = bundled.settings.answer.model_copy(update={"runner_up_margin": margin})
        library = Library(
            bundled.settings.model_copy(update={"answer": answer_settings}), embedder=bundled.embedder
        )
        result = answer(question, library=library)
        assert not result.abstained, result.answer
        subject = result.citations[0]
        return [line for line in result.answer.splitlines() if line.endswith(f"[{subject.marker}]")], subject

    one, alone = asked(0.0)
    several, together = asked(100.0)
    assert len(one) == 1 and len(several) == 3
    assert alone.quotes == [alone.sentence] and len(together.quotes) == 3
    abstract = next(paper for paper in bundled.store.iter_papers() if paper.id == together.paper_id).abstract
    places = [abstract.find(text) for text in together.quotes]
    assert all(place >= 0 for place in places) and places == sorted(places), together.quotes
    for line, text in zip(several, together.quotes, strict=True):  # a line per quote, in that order
        assert detached(text) in line
    assert together.sentence == alone.sentence in together.quotes  # the best-ranked one is marked
    assert abstract[together.span[0] : together.span[1]] == together.sentence


def test_a_quote_names_its_page_only_when_the_page_is_known() -> None:
    paper = Paper(id="p1", title="T", abstract="An abstract.")
    text = "We train for six days. We use eight GPUs."
    on_page = Quote(3, paper, (23, len(text)), BodyPassage(4, "Setup", text, turns=((23, 5),)))
    assert on_page.label == "[3, p. 5]"
    unknown = Quote(3, paper, (0, 22), BodyPassage(UNKNOWN_PAGE, "Setup", text))
    assert unknown.label == "[3]"
    assert Quote(3, paper, (0, 12)).label == "[3]"
