"""Answers, lookups and the citation check over full text: a question only a PDF's body answers is
answered from it and cited with its page (``[1, p. 3]``, "§4.2 Training, p. 3", ``page`` and
``section`` in --json); without the PDF the same question abstains and says that adding the PDF may
answer it; the reference list is never quoted.

A real library: the full-text dev papers' ``library.bib`` and TerraCodec's PDF (compiled with
pdflatex), the real embedding model and the shipped judge.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from litrev_eval.fulltext_papers import LIBRARY_BIB

from rag.answers.answer import answer
from rag.check.verdicts import check_file
from rag.cite.lookup import lookup
from rag.grounding.citations import MarkerFilter, markers_in, strip_markers
from rag.index.embedding import Embedder
from rag.index.ingest import ingest
from rag.index.library import Library
from rag.settings import Settings
from rag.sources.pdf import read_pdf
from tests.homes import litrev, share_export
from tests.pdf_fixtures import dev_pdfs, terracodec_library  # noqa: F401

QUESTION = "What learning rate did TerraCodec train with?"
TERRACODEC = "TerraCodec: Low-Bitrate Speech Coding with Grouped Residual Vector Quantization"


@pytest.fixture(scope="module")
def with_pdf(terracodec_library: Library) -> Library:  # noqa: F811
    """library.bib and TerraCodec's PDF."""
    return terracodec_library


@pytest.fixture(scope="module")
def without_pdf(tmp_path_factory: pytest.TempPathFactory, embedder: Embedder) -> Library:
    """library.bib alone."""
    library = Library(Settings(home=tmp_path_factory.mktemp("home")), embedder=embedder)
    ingest([LIBRARY_BIB], library=library)
    return library


def test_a_question_only_the_body_answers_is_cited_with_its_page(with_pdf: Library) -> None:
    result = answer(QUESTION, library=with_pdf)
    assert not result.abstained
    cited = next(c for c in result.citations if c.title == TERRACODEC)
    assert (cited.page, cited.section) == (3, "4.2 Training")
    assert "learning rate of 3e-4" in cited.sentence
    assert f"[{cited.marker}, p. 3]" in result.answer
    assert f"[{cited.marker}] {TERRACODEC} (2024), §4.2 Training, p. 3" in result.references()
    # The citation's span is the sentence's place in its passage.
    paper = with_pdf.store.get_papers([cited.paper_id])[cited.paper_id]
    passage = next(p for p in with_pdf.store.passages.passages_of(paper) if cited.sentence in p.text)
    assert passage.text[cited.span[0] : cited.span[1]] == cited.sentence


def test_ask_json_carries_the_page_and_section(with_pdf: Library, embedder: Embedder) -> None:
    share_export(embedder, with_pdf.settings.home)
    done = litrev(with_pdf.settings.home, "ask", QUESTION, "--json")
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    cited = next(c for c in data["citations"] if c["title"] == TERRACODEC)
    assert (cited["page"], cited["section"]) == (3, "4.2 Training")
    assert all("page" in row and "section" in row for row in data["evidence"])


def test_without_its_pdf_the_question_abstains_saying_the_pdf_may_answer_it(without_pdf: Library) -> None:
    result = answer(QUESTION, library=without_pdf)
    assert result.abstained and not result.citations
    assert f"“{TERRACODEC}” is in your library without its full text; adding its PDF may answer this." in (
        result.answer
    )


def test_an_abstention_about_a_paper_with_full_text_does_not_ask_for_its_pdf(with_pdf: Library) -> None:
    result = answer("How does protein folding work in yeast cells?", library=with_pdf)
    assert result.abstained and "adding its PDF" not in result.answer


def test_the_reference_list_is_never_quoted(with_pdf: Library, dev_pdfs: Path) -> None:  # noqa: F811
    references = read_pdf(dev_pdfs / "terracodec.pdf").references
    result = answer(
        "Which paper proposed autoregressive decoding of quantized speech features?", library=with_pdf
    )
    for citation in result.citations:
        assert not any(citation.sentence[:40] in entry for entry in references)


def test_a_lookup_shows_the_page_of_a_body_sentence(with_pdf: Library) -> None:
    result = lookup(
        "trained with AdamW at a learning rate of 3e-4 and betas of 0.8 and 0.99", library=with_pdf
    )
    cited = next(c for c in result.candidates if c.title == TERRACODEC)
    assert (cited.page, cited.section) == (3, "4.2 Training") and "3e-4" in cited.sentence
    assert "(§4.2 Training, p. 3)" in result.summary()


def test_the_check_names_the_page_of_its_evidence(with_pdf: Library, tmp_path: Path) -> None:
    draft = tmp_path / "draft.tex"
    draft.write_text(
        "TerraCodec is trained with AdamW at a learning rate of 3e-4 \\cite{hollis2024terracodec}.\n",
        encoding="utf-8",
    )
    report = check_file(draft, LIBRARY_BIB, library=with_pdf)
    citation = report.sentences[0].citations[0]
    assert citation.verdict == "supported" and (citation.page, citation.section) == (3, "4.2 Training")
    assert "3e-4" in (citation.evidence or "") and "(§4.2 Training, p. 3)" in (citation.reason or "")
    assert citation.to_json()["page"] == 3


@pytest.mark.parametrize(
    ("pieces", "kept", "dropped"),
    [
        (["Text [1, p. 3]."], "Text [1, p. 3].", []),
        (["Text [1, p", ". 3] and [9, p. 2]."], "Text [1, p. 3] and  .", [9]),
        (["[2][3, p. 4] and [1, probably]"], "[2][3, p. 4] and [1, probably]", []),
    ],
)
def test_markers_with_a_page_are_checked_like_any_other(
    pieces: list[str], kept: str, dropped: list[int]
) -> None:
    markers = MarkerFilter({1, 2, 3})
    assert "".join(markers.filter(pieces)) == kept and markers.dropped == dropped
    assert strip_markers("A claim [1, p. 3].") == "A claim ."
    assert markers_in("A [1, p. 3] B [2]") == [1, 2]
