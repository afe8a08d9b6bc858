"""Question analysis: focus terms by shape and by the library's IDF, and the kind of answer wanted."""

from __future__ import annotations

import pytest

from rag.corpus import Paper
from rag.lexical import LexicalIndex
from rag.question import COUNT, analyse, counted_noun, focus_terms, without_contrast


def _library() -> LexicalIndex:
    """Sixty speech papers: "ASR" and "model" in all of them, "Whisper" in two, "padding" in one."""
    papers = [
        Paper(
            id=f"p{i}",
            title=f"Speech paper {i}",
            abstract=f"An ASR model for speech number {i} with attention and a decoder."
            + (" We adapt Whisper." if i < 2 else "")
            + (" Padding wastes compute." if i == 5 else ""),
        )
        for i in range(60)
    ]
    return LexicalIndex.build(papers)


@pytest.mark.parametrize(
    ("question", "names"),
    [
        ("How does the Zipformer encoder downsample?", ["Zipformer"]),  # capitalised inside
        ("What speedup does EAGLE reach on MT-bench?", ["EAGLE", "MT-bench"]),  # acronym, hyphen+capital
        ("How fast is LLaMA2-Chat 13B on an RTX 3090?", ["LLaMA2-Chat 13B", "RTX 3090"]),  # digits
        ("Which paper introduced Sparsely Shared LoRA (S2-LoRA)?", ["Sparsely Shared LoRA", "S2-LoRA"]),
        ("Which paper introduced NVIDIA's Canary-1B model?", ["NVIDIA", "Canary-1B"]),  # possessive splits
    ],
)
def test_names_by_shape_without_a_library(question: str, names: list[str]) -> None:
    assert list(analyse(question).names) == names


def test_first_word_measure_words_and_lowercase_hyphens_are_not_names() -> None:
    question = analyse("What WER does fine-tuning with text-to-speech data give?")
    assert question.names == ()


def test_library_idf_drops_common_names_and_adds_rare_plain_words() -> None:
    lexical = _library()
    focus, names, _ = focus_terms("How much padding does an ASR model for Whisper waste?", lexical)
    assert names == ["Whisper"]  # "ASR" is name-shaped but in every paper
    assert "padding" in focus  # a plain word one paper in sixty uses
    assert "model" not in focus and "ASR" not in focus


def test_a_name_the_library_never_uses_is_in_focus() -> None:
    focus, names, _ = focus_terms("How does Zipformer downsample?", _library())
    assert names == ["Zipformer"] and focus[0] == "Zipformer"


@pytest.mark.parametrize(
    ("question", "kind", "measure"),
    [
        ("How many hours of audio was Whisper trained on?", "figure", "hours"),
        ("What MOS did TalkNet achieve when trained on LJSpeech?", "figure", "mos"),
        ("What average relative WER improvement does it get on FLEURS?", "figure", "error-rate"),
        ("How much faster than vanilla decoding is EAGLE?", "figure", "speed-up"),
        ("How many parameters does MaskGCT have?", "figure", "parameters"),
        ("At what frame rate does NanoCodec operate?", "figure", "frame-rate"),
        ("What is the sampling rate of the codec?", "figure", "sampling-rate"),
        ("How many tokens per second does EAGLE reach?", "figure", "tokens-rate"),
        ("What is Moshi's latency?", "figure", "latency"),
        ("How many tail languages does the dataset include?", "figure", "count"),
        ("By how much does the method improve efficiency?", "figure", "figure"),
        ("Which paper proposed the Conformer architecture?", "proposed", None),
        ("Who introduced speculative decoding?", "proposed", None),
        ("Which papers accelerate LLM inference with speculative decoding?", "list", None),
        ("Which text-to-speech papers rely on diffusion models?", "list", None),
        ("Which speech/audio generation papers use preference alignment?", "list", None),
        ("Does EAGLE require fine-tuning the target LLM?", "yes-no", None),
        ("How does Token Recycling construct its draft tree?", "explanation", None),
        ("Why do autoregressive TTS models skip words?", "explanation", None),
        ("Which quantization does CosyVoice 2 introduce?", "other", None),
    ],
)
def test_kind_and_measure(question: str, kind: str, measure: str | None) -> None:
    analysed = analyse(question)
    assert analysed.kind == kind
    assert (analysed.measure.name if analysed.measure else None) == measure


def test_how_does_x_speed_up_is_an_explanation_not_a_figure() -> None:
    assert analyse("How does VALL-E R speed up decoding?").kind == "explanation"


def test_the_subject_of_a_proposed_question_keeps_its_aliases() -> None:
    question = analyse("Which paper proposed the Universal Speech Model (USM)?")
    assert question.subject == ("Universal Speech Model", "USM")


def test_the_subject_without_names_is_the_phrase_minus_generic_heads() -> None:
    assert analyse("Which paper first proposed speculative decoding methods?").subject == (
        "speculative decoding",
    )


def test_how_many_counts_the_noun_before_the_verb() -> None:
    question = analyse("How many multi-turn speech dialogue samples was LLaMA-Omni 2 trained on?")
    assert question.measure is COUNT
    assert question.counted == "samples"
    assert counted_noun("How many GPUs was Moshi trained on?") == "GPUs"


@pytest.mark.parametrize(
    ("question", "searched"),
    [
        (
            "Which papers build speech tokens from ASR labels rather than self-supervised clustering?",
            "Which papers build speech tokens from ASR labels?",
        ),
        (
            "Which papers draft with early layers (self-speculative decoding) instead of a draft model?",
            "Which papers draft with early layers (self-speculative decoding)?",
        ),
        ("Which papers study non-autoregressive MT?", "Which papers study non-autoregressive MT?"),
    ],
)
def test_a_contrast_clause_is_left_out(question: str, searched: str) -> None:
    assert without_contrast(question) == searched
