"""A long PDF, a thesis made with the real pdflatex (:mod:`litrev_eval.thesis_pdf`), read in full:
every sentence of every page comes back on its page, chapters are headings, running heads are
gone; and ingested beside a short paper, in a batch of its own, with nothing lost of either.

Speed and memory are measured by ``litrev bench thesis``, not asserted here.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from litrev_eval import bench_thesis
from litrev_eval.thesis_pdf import (
    PARAGRAPHS_PER_PAGE,
    SENTENCES_PER_PARAGRAPH,
    TITLE,
    chapter_heading,
    compile_thesis,
    page_paragraphs,
    survey_sentence,
)

from rag.index.embedding import Embedder
from rag.index.ingest import IngestReport, ingest
from rag.index.library import Library
from rag.retrieval.retrieve import search
from rag.settings import ChunkingSettings, Settings
from rag.sources.body_text import Passage
from rag.sources.corpus import Paper
from rag.sources.pdf import PdfDocument, read_pdf
from tests import pdfs
from tests.pdf_fixtures import paper_pdf, pdf_folder  # noqa: F401

LONG = 300
SHORT = 12
"""Pages of the thesis ingested (each page's sentences are embedded, so it is kept short)."""
CHAPTER_PAGES = 5


def _sentences_by_page(passages: list[Passage] | tuple[Passage, ...]) -> dict[str, list[int]]:
    """Each generated sentence found in ``passages``, with the pages it is found on."""
    return {
        sentence: [p.page_at(p.text.index(sentence)) for p in passages if sentence in p.text]
        for printed in page_paragraphs(max(p.page for p in passages)).values()
        for paragraph in printed
        for sentence in paragraph
    }


def _printed(pages: int) -> dict[str, list[int]]:
    """Each sentence of a thesis of ``pages`` pages, with the one page it is printed on."""
    return {s: [page] for page, printed in page_paragraphs(pages).items() for para in printed for s in para}


@pytest.fixture(scope="module")
def thesis(tmp_path_factory: pytest.TempPathFactory) -> PdfDocument:
    if not pdfs.pdflatex_available():
        pytest.skip("pdflatex comes from texlive (make test installs it)")
    return read_pdf(compile_thesis(tmp_path_factory.mktemp("thesis"), LONG))


def test_every_sentence_of_a_300_page_thesis_is_read_on_its_page(thesis: PdfDocument) -> None:
    assert (thesis.pages, thesis.title) == (LONG, TITLE)
    found = _sentences_by_page(thesis.passages)
    expected = _printed(LONG)
    assert len(found) == len(expected) == (PARAGRAPHS_PER_PAGE * SENTENCES_PER_PARAGRAPH + 1) * (LONG - 1)
    assert found == expected  # each once, on its page: none dropped as a running line
    # The passages hold those sentences and nothing else.
    assert sum(len(p.text) + 1 for p in thesis.passages) == sum(len(s) + 1 for s in expected)


def test_a_chapters_label_and_title_are_one_heading_and_running_heads_are_gone(thesis: PdfDocument) -> None:
    chapters = [(page, heading) for page, heading in thesis.headings if heading.startswith("Chapter")]
    assert chapters == [(2 + 25 * n, chapter_heading(n + 1)) for n in range(12)]
    page_27 = {p.section for p in thesis.passages if p.page == 27}
    assert page_27 == {"2.1 Survey 27 at Marram Spit"}
    text = " ".join(p.text for p in thesis.passages)
    assert "CHAPTER" not in text and "Chapter" not in text and "Salt Marshes" not in text


@pytest.fixture(scope="module")
def ingested(
    tmp_path_factory: pytest.TempPathFactory,
    paper_pdf: Path,  # noqa: F811
    embedder: Embedder,
) -> tuple[Library, IngestReport, list[tuple[int, int]]]:
    """A folder of the test paper (3 pages) and a 12-page thesis, ingested with batches of at most
    10 pages of PDFs: the thesis is a batch of its own."""
    folder = tmp_path_factory.mktemp("pdfs")
    shutil.copy(paper_pdf, folder / "paper.pdf")
    compile_thesis(folder, SHORT, chapter_pages=CHAPTER_PAGES)
    settings = Settings(home=tmp_path_factory.mktemp("home"), chunking=ChunkingSettings(batch_pages=10))
    library = Library(settings, embedder=embedder)
    batches: list[tuple[int, int]] = []
    report = ingest([folder], library=library, progress=lambda done, total: batches.append((done, total)))
    return library, report, batches


def _paper(library: Library, title: str) -> Paper:
    return next(paper for paper in library.store.iter_papers() if paper.title == title)


def test_a_long_pdf_is_indexed_in_full_beside_a_short_one(
    ingested: tuple[Library, IngestReport, list[tuple[int, int]]],
) -> None:
    library, report, batches = ingested
    assert report.problems == [] and report.notes == []
    assert (report.pdfs_read, report.pdf_papers, library.store.paper_count()) == (2, 2, 2)
    assert batches == [(0, 2), (1, 2), (2, 2)]  # over 10 pages: the thesis was read in a batch of its own
    thesis = _paper(library, TITLE)
    assert thesis.source == "thesis.pdf, page 1"
    passages = library.store.passages.passages_of(thesis)
    expected = _printed(SHORT)
    assert _sentences_by_page(passages) == expected  # every page's sentences, on their page
    chapters = [(p.page, p.section) for p in passages if p.section.startswith(("2.1 ", "3.1 "))]
    assert {page for page, _ in chapters} == {7, 12}
    paper = _paper(library, pdfs.TITLE)
    setup = [p for p in library.store.passages.passages_of(paper) if pdfs.SETUP_SENTENCE in p.text]
    assert [(p.page, p.section) for p in setup] == [(2, "4.1 Setup")]
    assert (
        report.passages
        == library.store.passages.count()
        == len(passages) + len(library.store.passages.passages_of(paper))
    )


def test_a_sentence_of_the_long_pdf_is_found_on_its_page(
    ingested: tuple[Library, IngestReport, list[tuple[int, int]]],
) -> None:
    """Page 7 opens chapter 2: its survey's sentence is shown, with its page and section."""
    library, _, _ = ingested
    query = survey_sentence(7)
    hit = search(query, library=library, k=2).hits[0]
    assert hit.paper.title == TITLE and hit.in_body and hit.sentence_text == query
    assert hit.place is not None and hit.sentence is not None
    assert hit.place.place(hit.sentence[0]) == "§2.1 Survey 7 at Teal Hollow, p. 7"


def test_bench_thesis_reports_both_documents_in_processes_of_their_own(
    bundled: Library, bundled_home: Path
) -> None:
    if not pdfs.pdflatex_available():
        pytest.skip("pdflatex comes from texlive (make test installs it)")
    assert (bundled_home / "models").is_dir()  # the session's library made the model's export
    figures = bench_thesis.run(pages=4, short=2, exported=bundled_home)
    long, short = figures["long"], figures["short"]
    assert (long["pages"], short["pages"], figures["pages_ratio"]) == (4, 2, 2.0)
    assert long["passages_embedded"] == long["passages"] > short["passages_embedded"] == short["passages"] > 0
    assert long["ingest_peak_mb"] > long["parse_peak_mb"] > 100 and short["ingest_peak_mb"] > 100
    assert figures["ingest_peak_ratio"] == pytest.approx(long["ingest_peak_mb"] / short["ingest_peak_mb"])
    assert figures["ingest_mb_per_100_pages"] == pytest.approx(
        (long["ingest_peak_mb"] - short["ingest_peak_mb"]) / 2 * 100
    )
    text = bench_thesis.table(figures)
    assert "| figure | 2 pages | 4 pages | ratio |" in text
    assert f"| ingest: peak RSS (MB) | {short['ingest_peak_mb']:.0f} | {long['ingest_peak_mb']:.0f} |" in text
