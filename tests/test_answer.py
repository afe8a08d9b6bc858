"""Answers on the bundled corpus through the real model and index."""

from __future__ import annotations

from rag.answer import answer
from rag.citations import MarkerFilter, markers_in, resolve
from rag.library import Library

SPECULATIVE = "Which papers accelerate LLM inference with speculative decoding?"


def test_speculative_decoding_question_cites_real_papers_on_it(bundled: Library) -> None:
    result = answer(SPECULATIVE, library=bundled)
    assert not result.abstained
    assert len(result.citations) >= 3
    titles = {paper.title for paper in bundled.store.iter_papers()}
    for citation in result.citations:
        assert citation.title in titles
        paper = bundled.store.get_papers([citation.paper_id])[citation.paper_id]
        assert paper.abstract[citation.span[0] : citation.span[1]] == citation.sentence
        text = (citation.title + " " + paper.abstract).lower()
        assert "speculative" in text or "draft" in text, citation.title
    assert set(markers_in(result.answer)) == {c.marker for c in result.citations}


def test_every_answer_line_is_cited(bundled: Library) -> None:
    result = answer("How can speech be turned into discrete tokens for language models?", library=bundled)
    assert not result.abstained
    for line in result.answer.splitlines():
        assert markers_in(line), line


def test_off_topic_question_abstains_with_pointers(bundled: Library) -> None:
    for question in ("How does protein folding work?", "What is the best sourdough bread recipe?"):
        result = answer(question, library=bundled)
        assert result.abstained, question
        assert result.citations == []
        assert "does not cover" in result.answer
        assert result.evidence  # the nearest papers are still listed as pointers


def test_answer_json_has_the_contract_fields(bundled: Library) -> None:
    data = answer(SPECULATIVE, library=bundled).model_dump(mode="json")
    for key in ("answer", "citations", "evidence", "abstained", "generator", "timings"):
        assert key in data
    assert data["generator"] == "extractive"
    assert {"marker", "paper_id", "title"} <= set(data["citations"][0])


def test_resolve_drops_unknown_markers_and_keeps_numbers() -> None:
    resolved = resolve("A is true [3]. B too [9][1]. C [3, 1]. D [9].", valid={1, 3})
    assert resolved.text == "A is true [3]. B too [1]. C [3][1]. D."
    assert resolved.order == [3, 1]
    assert resolved.dropped == [9, 9]


def test_marker_filter_never_shows_an_invalid_marker_while_streaming() -> None:
    pieces = ["Speech [", "1", "] is fast [1", "2] and [2, 7", "] so [x] ok", " [3"]
    markers = MarkerFilter({1, 2})
    shown = list(markers.filter(pieces))
    assert "".join(shown) == "Speech [1] is fast   and [2] so [x] ok [3"
    assert all("[12" not in piece and "7" not in piece for piece in shown)
    assert markers.dropped == [12, 7]


def test_abstention_separates_unanswerable_from_answerable_dev_questions(bundled: Library) -> None:
    from eval.bench_retrieval import DATASETS
    from eval.datasets import load

    papers = list(bundled.store.iter_papers())
    unanswerable = load(DATASETS / "unanswerable.jsonl", "unanswerable", papers)
    answerable = load(DATASETS / "qa.jsonl", "qa", papers)
    abstained = sum(answer(item.text, library=bundled).abstained for item in unanswerable)
    wrongly = sum(answer(item.text, library=bundled).abstained for item in answerable)
    assert abstained / len(unanswerable) >= 0.8
    assert wrongly / len(answerable) <= 0.1
