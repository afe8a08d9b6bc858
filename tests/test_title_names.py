"""Names that titles give their papers, and the questions that use them (real titles)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from rag.index.lexical import LexicalIndex, open_lexical
from rag.sources.corpus import read_paths
from rag.sources.title_names import MAX_SHARED, name_index, named_papers, title_name
from tests.helpers import BUNDLED


@pytest.mark.parametrize(
    ("title", "name"),
    [
        ("FastSpeech 2: Fast and High-Quality End-to-End Text to Speech", "FastSpeech 2"),
        ("VALL-E R: Robust and Efficient Zero-Shot Text-to-Speech Synthesis", "VALL-E R"),
        ("BASE TTS: Lessons from building a billion-parameter Text-to-Speech model", "BASE TTS"),
        ("dMel: Speech Tokenization made Simple", "dMel"),
        ("Moshi: a speech-text foundation model for real-time dialogue", "Moshi"),
        ("Turning Trash into Treasure: Accelerating Inference of Large Language Models", None),
        ("Speculative Decoding and Beyond: An In-Depth Survey of Techniques", None),
        ("Blockwise Parallel Decoding for Deep Autoregressive Models", None),
        ("speculative decoding: a note", None),
    ],
)
def test_the_name_before_the_colon_if_it_looks_like_one(title: str, name: str | None) -> None:
    assert title_name(title) == name


def test_the_longest_name_is_used_and_words_count_once() -> None:
    index = name_index([("a", "VALL-E"), ("b", "VALL-E R"), ("c", "FastSpeech"), ("d", "FastSpeech 2")])
    assert named_papers("How much does VALL-E R reduce inference time?", index) == ["b"]
    assert named_papers("Which paper proposed FastSpeech?", index) == ["c"]
    assert named_papers("Is VALL-E, or \u201cFastSpeech 2\u201d, faster?", index) == ["d", "a"]
    assert named_papers("Is vall-e r fast?", index) == []  # case counts: a name, not a word


def test_a_name_many_papers_share_names_none() -> None:
    shared = [(f"p{i}", "Whisper") for i in range(MAX_SHARED + 1)]
    assert named_papers("Does Whisper hallucinate?", name_index([*shared, ("q", "Moshi")])) == []


def test_the_lexical_index_keeps_names_and_rebuilds_an_index_saved_without_them(tmp_path: Path) -> None:
    papers = read_paths([BUNDLED]).papers
    target = next(p for p in papers if title_name(p.title) == "VALL-E R")
    index = LexicalIndex.build(papers)
    assert index.named("How much does VALL-E R reduce inference time?") == [target.id]
    directory = tmp_path / "lexical"
    index.save(directory)
    manifest = json.loads((directory / "manifest.json").read_text(encoding="utf-8"))
    del manifest["format"]  # as an earlier version saved it
    for facets in manifest["facets"]:
        del facets["name"]
    (directory / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    reopened = open_lexical(directory, lambda: papers)
    assert reopened.named("What does VALL-E R improve?") == [target.id]
