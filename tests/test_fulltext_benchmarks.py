"""The full-text benchmarks run and report coherent figures: ``litrev bench ingest --pdf`` on two of
the dev PDFs (real parse, encoder, ingest and peak memory of real processes), and the scoring of
``litrev bench fulltext`` on answers made for it (speed and quality targets are not asserted)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from litrev_eval import bench_fulltext, bench_pdf_ingest

from rag.answers.record import Answer, Citation
from rag.index.embedding import Embedder
from rag.index.library import Library
from rag.settings import Settings
from rag.sources.body_text import Passage as BodyPassage
from tests.pdf_fixtures import dev_pdfs  # noqa: F401

ITEM = {
    "id": "ft-001",
    "question": "What learning rate did TerraCodec train with?",
    "paper": "hollis2024terracodec",
    "page": 3,
    "answer_contains": ["3e-4"],
}


def _answer(*citations: Citation) -> Answer:
    return Answer(
        question=ITEM["question"],
        answer="",
        citations=list(citations),
        evidence=[],
        abstained=not citations,
        evidence_strength=0.5,
        generator="extractive",
    )


def _cited(paper_id: str, sentence: str, page: int | None) -> Citation:
    return Citation(
        marker=1, paper_id=paper_id, title="T", sentence=sentence, span=(0, len(sentence)), page=page
    )


def test_an_item_counts_when_its_papers_cited_sentence_holds_the_answer_on_its_page() -> None:
    right = bench_fulltext.judge_item(ITEM, _answer(_cited("p1", "A learning rate of 3E-4.", 3)), "p1")
    assert right["right_page"] and right["answer_held"] and right["half"] in ("tune", "holdout")
    wrong_page = bench_fulltext.judge_item(ITEM, _answer(_cited("p1", "A learning rate of 3e-4.", 2)), "p1")
    assert wrong_page["answer_held"] and not wrong_page["right_page"] and not wrong_page["page_right"]
    other_paper = bench_fulltext.judge_item(ITEM, _answer(_cited("p2", "A learning rate of 3e-4.", 3)), "p1")
    assert not other_paper["paper_cited"] and not other_paper["right_page"]
    abstained = bench_fulltext.judge_item(ITEM, _answer(), "p1")
    assert not abstained["answered"] and not abstained["right_page"]


def test_a_sentence_the_answer_quotes_beside_the_cited_one_counts_on_its_own_page() -> None:
    body = [
        BodyPassage(
            2, "Method", "We branch on entropy. The threshold is tuned. We use 3e-4 here.", turns=((41, 3),)
        ),
    ]
    quoted = _cited("p1", "We branch on entropy.", 2).model_copy(
        update={"quotes": ["We branch on entropy.", "We use 3e-4 here."]}
    )
    item = bench_fulltext.judge_item(ITEM, _answer(quoted), "p1", body)
    assert item["answer_held"] and item["right_page"]  # "We use 3e-4 here." starts on page 3
    on_page_two = ITEM | {"page": 2}
    assert not bench_fulltext.judge_item(on_page_two, _answer(quoted), "p1", body)["right_page"]
    unquoted = bench_fulltext.judge_item(ITEM, _answer(_cited("p1", "We branch on entropy.", 2)), "p1", body)
    assert not unquoted["answer_held"]


def test_the_fulltext_table_has_both_halves() -> None:
    half = {key: 0.5 for _, key in bench_fulltext.ROWS} | {"items": 2}
    figures = {"answerable": 4, "unanswerable": 2, "papers": 8, "passages": 151, "ingest_s": 1.0}
    figures |= {"answer_median_s": 0.5, "tune": half, "holdout": half, "all": half | {"items": 4}}
    text = bench_fulltext.table(figures)
    assert (
        "| answered with the right page (the cited sentence holds the answer) | 0.500 | 0.500 | 0.500 |"
        in text
    )


def test_bench_ingest_pdf_reports_parse_and_embed_rates_the_ratio_and_memory(
    tmp_path: Path,
    dev_pdfs: Path,  # noqa: F811
    embedder: Embedder,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    folder = tmp_path / "pdfs"
    folder.mkdir()
    for name in ("terracodec.pdf", "marram.pdf"):
        shutil.copy(dev_pdfs / name, folder / name)
    monkeypatch.setattr(bench_pdf_ingest, "RUNS", 1)
    settings = Settings(home=tmp_path / "home")
    figures = bench_pdf_ingest.run(folder, settings, Library(settings, embedder=embedder))
    assert figures["pdfs"] == 2 and figures["pages"] == 8 and figures["passages"] > 20
    assert figures["texts"] > 4 * figures["passages"]  # chunks, passages and every sentence
    assert figures["parse_pages_per_s"] == pytest.approx(figures["pages"] / figures["parse_s"])
    assert figures["ratio"] == pytest.approx(figures["ingest_texts_per_s"] / figures["encode_texts_per_s"])
    # Each ingest's own peak (not this process's, which holds the encoder): they differ by noise.
    assert figures["peak_rss_all_mb"] > 100 and figures["peak_rss_one_mb"] > 100
    assert figures["rss_per_100_pdfs_mb"] == pytest.approx(
        (figures["peak_rss_all_mb"] - figures["peak_rss_one_mb"]) * 100
    )
    assert f"| ratio ingest / encoder | {figures['ratio']:.3f} |" in bench_pdf_ingest.table(figures)
