"""The answerability check: figures need a plausible unit, proposing needs the paper's own contribution."""

from __future__ import annotations

import pytest

from rag.answerability import (
    check,
    figures_missing,
    has_figure,
    is_baseline_mention,
    is_boilerplate,
    mentions,
    proposes,
)
from rag.corpus import Paper
from rag.lexical import LexicalIndex
from rag.question import analyse

EAGLE = Paper(
    id="eagle",
    title="EAGLE: Speculative Sampling Requires Rethinking Feature Uncertainty",
    abstract=(
        "We propose a simple framework, EAGLE, for lossless acceleration. "
        "On MT-bench, EAGLE is 3x faster than vanilla decoding, 2x faster than Lookahead, and 1.6x faster "
        "than Medusa. Using gpt-fast, EAGLE attains on average 160 tokens/s with LLaMA2-Chat 13B."
    ),
)
HYDRA = Paper(
    id="hydra",
    title="Hydra: Sequentially-Dependent Draft Heads for Medusa Decoding",
    abstract=(
        "One way to specify the draft model, as used in the recent Medusa decoding framework, is as a "
        "collection of light-weight heads. In this work, we propose Hydra heads, a sequentially dependent "
        "replacement for standard draft heads. Hydra++ improves decoding throughput by 1.31x compared to "
        "Medusa decoding."
    ),
)
VALLER = Paper(
    id="valler",
    title="VALL-E R: Robust and Efficient Zero-Shot Text-to-Speech Synthesis via Monotonic Alignment",
    abstract=(
        "To address these issues, we propose VALL-E R, a robust and efficient zero-shot TTS system, "
        "building upon the foundation of VALL-E. It requires fewer autoregressive steps, with over 60% time "
        "reduction during inference. Audio samples will be available at: https://aka.ms/valler."
    ),
)
GIGA = Paper(
    id="giga",
    title="GigaSpeech 2: An Evolving, Large-Scale and Multi-domain ASR Corpus",
    abstract=(
        "GigaSpeech 2 comprises about 30,000 hours of automatically transcribed speech. "
        "This pipeline uses Whisper for initial transcription. Models trained on it reduce the word error "
        "rate by 25% compared to the Whisper large-v3 model."
    ),
)
PAPERS = [EAGLE, HYDRA, VALLER, GIGA]


@pytest.fixture(scope="module")
def terms():
    return LexicalIndex.build(PAPERS).terms


def _check(question: str, terms, papers=PAPERS):
    return check(analyse(question), list(enumerate(papers, start=1)), terms)


def test_a_baseline_mention_does_not_count_as_proposing() -> None:
    assert proposes(EAGLE, ["Lookahead"]) == []  # "2x faster than Lookahead"
    assert proposes(HYDRA, ["Medusa"]) == []  # "as used in", "compared to", and only in the title tail
    assert proposes(EAGLE, ["EAGLE"])  # "We propose a simple framework, EAGLE"


def test_a_versioned_name_is_another_name() -> None:
    assert proposes(VALLER, ["VALL-E R"])
    assert proposes(VALLER, ["VALL-E"]) == []  # proposes VALL-E R, builds upon VALL-E
    text = "we propose VALL-E R, building upon VALL-E."
    assert mentions("VALL-E", text) == [text.index("VALL-E.")]


def test_which_paper_proposed_a_baseline_only_name_has_no_answer(terms) -> None:
    found = _check("Which paper proposed Lookahead decoding?", terms)
    assert found.answers == []
    assert found.mentioning == [EAGLE] and found.baseline_only


def test_which_paper_proposed_is_answered_by_the_contribution_sentence(terms) -> None:
    found = _check("Which paper proposed Hydra heads?", terms)
    assert [(s.paper.id, s.text[:32]) for s in found.answers] == [
        ("hydra", "In this work, we propose Hydra h")
    ]


@pytest.mark.parametrize(
    ("sentence", "name", "baseline"),
    [
        ("EAGLE is 2x faster than Lookahead.", "Lookahead", True),
        ("It outperforms YourTTS, VALL-E and CosyVoice.", "VALL-E", True),
        ("Inspired by HuBERT, we cluster units.", "HuBERT", True),
        ("This paper presents Clover-2, an iteration of Clover.", "Clover", True),
        ("On MT-bench, EAGLE is 3x faster.", "EAGLE", False),
        ("Compared with LoRA, our S2-LoRA needs fewer parameters.", "S2-LoRA", False),
    ],
)
def test_baseline_cues(sentence: str, name: str, baseline: bool) -> None:
    (at,) = mentions(name, sentence)
    assert is_baseline_mention(sentence, at) is baseline


def test_a_figure_question_needs_the_focus_and_a_number_with_the_asked_unit(terms) -> None:
    # GigaSpeech 2 mentions Whisper and states hours, but not in a sentence about Whisper.
    found = _check("How many hours of audio was Whisper trained on?", terms)
    assert found.answers == []
    assert found.mentioning == [GIGA]  # a pointer: it mentions Whisper
    # The same paper answers for its own corpus.
    found = _check("How many hours of speech does GigaSpeech 2 contain?", terms)
    assert [s.text[:30] for s in found.answers] == ["GigaSpeech 2 comprises about 3"]


def test_a_figure_for_another_benchmark_is_not_an_answer(terms) -> None:
    assert _check("How much faster than vanilla decoding is EAGLE on HumanEval?", terms).answers == []
    found = _check("How much faster than vanilla decoding is EAGLE on MT-bench?", terms)
    assert [s.text[:14] for s in found.answers] == ["On MT-bench, E"]


@pytest.mark.parametrize(
    ("question", "sentence", "answers"),
    [
        ("What MOS did TalkNet get?", "TalkNet trained on LJSpeech got MOS 4.08.", True),
        ("What MOS did TalkNet get?", "TalkNet has 13.2M parameters.", False),
        ("How many parameters does TalkNet have?", "TalkNet has 13.2M parameters.", True),
        ("How much faster is PALLE?", "It achieves up to ten times faster inference.", True),
        ("How much faster is PALLE?", "It is trained on ten speakers.", False),
        ("What speed-up does OPT-Tree reach?", "It achieves a speed-up ratio of up to 3.2.", True),
        ("How many tail languages are covered?", "It includes 39 tail languages.", True),
        ("How many tail languages are covered?", "It includes 39 speakers.", False),
        ("At what frame rate does NanoCodec run?", "It compresses at just 12.5 frames per second.", True),
        ("What is the sampling rate of NanoCodec?", "It runs at 12.5 frames per second.", False),
    ],
)
def test_figure_units(question: str, sentence: str, answers: bool) -> None:
    assert has_figure(analyse(question), sentence) is answers


def test_boilerplate_never_answers() -> None:
    assert is_boilerplate("We aim for this work to serve as a catalyst for further research.")
    assert is_boilerplate("This survey aims to guide future research in this area.")
    assert is_boilerplate("Audio samples will be available at: https://aka.ms/valler.")
    assert not is_boilerplate("On MT-bench, EAGLE is 3x faster than vanilla decoding.")


def test_figures_missing_from_the_cited_sources() -> None:
    sources = [EAGLE.abstract]
    assert figures_missing("EAGLE is 3x faster than vanilla decoding.", sources) == []
    assert figures_missing("EAGLE reaches 4.5x on HumanEval and 160 tokens/s.", sources) == ["4.5"]
