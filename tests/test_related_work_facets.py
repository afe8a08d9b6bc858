"""Facets of a paper description, and drafts that cover each of them."""

from __future__ import annotations

import pytest

from rag.index.library import Library
from rag.related_work import draft_related_work, facet_groups, gather
from rag.related_work.facets import MAX_FACETS, content_words, facets


@pytest.mark.parametrize(
    ("description", "expected"),
    [
        (
            "A speculative decoding method for speech language models that drafts audio codec tokens "
            "with a small draft model.",
            ["speculative decoding method for speech language models", "drafts audio codec tokens"],
        ),
        (
            "We quantize the weights of large language models to four bits; in addition we compress "
            "the key-value cache with low-rank projections.",
            ["quantize the weights of large language models", "compress the key-value cache"],
        ),
        (
            "A zero-shot text-to-speech model built on a neural audio codec, compared with "
            "diffusion-based synthesizers on speaker similarity.",
            ["zero-shot text-to-speech model", "diffusion-based synthesizers on speaker similarity"],
        ),
        (
            "We train a streaming speech recognizer for low-resource languages (using self-supervised "
            "pretraining on untranscribed audio). Decoding runs on a phone in real time.",
            ["streaming speech recognizer", "low-resource languages using self-supervised", "on a phone"],
        ),
    ],
)
def test_a_description_splits_into_its_facets(description: str, expected: list[str]) -> None:
    found = facets(description)
    assert len(found) == len(expected), found
    for facet, words in zip(found, expected, strict=True):
        assert words in facet
        assert len(content_words(facet)) >= 4


def test_short_and_repeated_pieces_join_and_facets_are_capped() -> None:
    assert facets("Fast speech recognition.") == ["Fast speech recognition"]
    assert facets("Neural vocoders for speech synthesis. Neural vocoders for speech synthesis.") == [
        "Neural vocoders for speech synthesis"
    ]
    topics = ["pitch", "tone", "rhythm", "stress", "vowel", "accent", "timbre", "noise", "reverb", "echo"]
    long = " ".join(f"We study detailed {topic} modelling for expressive speech." for topic in topics)
    assert len(facets(long)) == MAX_FACETS


def test_papers_found_for_no_facet_join_the_nearest_group() -> None:
    import numpy as np

    vectors = np.array([[1, 0], [0.9, 0.1], [0, 1], [0.1, 0.9], [0.95, 0.0], [0.0, 0.97]])
    assert facet_groups([0, 0, 1, 1, None, None], vectors) == [[0, 1, 4], [2, 3, 5]]
    assert facet_groups([0, 0, 1, 0, 0, 0], vectors) == [[0, 1, 2, 3, 4, 5]]  # one paper is no theme
    assert facet_groups([None] * 6, vectors) == []  # no facets: the caller clusters


THREE_FACETS = (
    "We speed up autoregressive text-to-speech with a small draft model that proposes several codec "
    "tokens which the large model verifies in one pass. The waveform is then produced by a GAN-based "
    "neural vocoder. We also measure how well an automatic speech recognizer transcribes the output."
)


def test_every_facet_of_a_description_gets_a_theme_with_its_papers(bundled: Library) -> None:
    gathered = gather(THREE_FACETS, library=bundled)
    assert not gathered.uncovered and len(gathered.kept) <= 20
    draft = draft_related_work(THREE_FACETS, library=bundled)
    themes = {theme.title: [s.paper for s in theme.statements] for theme in draft.themes}

    def home(*words: str) -> str:  # the theme holding most papers about these words
        return max(themes, key=lambda t: sum(any(w in p.abstract.lower() for w in words) for p in themes[t]))

    homes = {home("speculative", "draft model"), home("vocoder"), home("speech recognition", "asr")}
    assert len(homes) == 3, themes  # each facet has a theme of its own
    assert all(len(papers) >= 2 for papers in themes.values())


def test_a_facet_the_library_does_not_cover_is_named_in_the_draft(bundled: Library) -> None:
    description = (
        "A zero-shot text-to-speech model built on a neural audio codec language model. "
        "We also fold proteins with attention over amino-acid sequences of enzymes."
    )
    draft = draft_related_work(description, library=bundled)
    assert draft.themes and any("protein" in facet for facet in draft.uncovered)
    assert "No paper in the library matches these parts of the description" in draft.markdown()
    assert "amino-acid" in draft.latex().splitlines()[-1]
