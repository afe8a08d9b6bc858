"""Zotero's extracted text of the test paper cut into passages: as Zotero 7 writes it (a paragraph
a line, form feeds between pages) with pages and sections, and as Zotero 5 and 6 wrote it
(``pdftotext -nopgbrk``: wrapped lines, hyphens at line ends, no page breaks) without pages."""

from __future__ import annotations

import pytest

from rag.sources.pdf import Passage
from rag.sources.zotero_attachments import PAGE_BREAK
from rag.sources.zotero_text import UNKNOWN_PAGE, heading_kind, zotero_text_passages
from tests import pdfs
from tests.zotero_library import ACROSS_PAGES, zotero6_text, zotero7_text


def _with(passages: list[Passage], sentence: str) -> Passage:
    found = [passage for passage in passages if sentence in passage.text]
    assert len(found) == 1, f"{sentence[:40]!r} is in {len(found)} passages"
    return found[0]


PLACES = [
    (pdfs.INTRO_SENTENCE, 1, "1 Introduction"),
    (" ".join(ACROSS_PAGES), 1, "1 Introduction"),
    (pdfs.METHOD_SENTENCE, 2, "3 Method"),
    (pdfs.SETUP_SENTENCE, 2, "4 Experiments"),
    ("The learned representations transfer to recognition", 2, "4 Experiments"),
    (pdfs.CONCLUSION_SENTENCE, 3, "5 Conclusion"),
    (pdfs.APPENDIX_SENTENCE, 3, "Appendix A: Additional Results"),
]


@pytest.mark.parametrize(("sentence", "page", "section"), PLACES)
def test_zotero7_text_gives_page_and_section(sentence: str, page: int, section: str) -> None:
    pages = zotero7_text().split(PAGE_BREAK)
    assert len(pages) == 3
    passage = _with(zotero_text_passages([page.strip() for page in pages], True), sentence)
    assert (passage.page, passage.section) == (page, section)


@pytest.mark.parametrize(
    ("sentence", "page", "section"), [p for p in PLACES if p[0] != " ".join(ACROSS_PAGES)]
)
def test_zotero6_text_gives_section_without_page(sentence: str, page: int, section: str) -> None:
    assert PAGE_BREAK not in zotero6_text()
    passage = _with(zotero_text_passages([zotero6_text()], False), sentence)
    assert (passage.page, passage.section) == (UNKNOWN_PAGE, section)


@pytest.mark.parametrize(
    ("text", "known"), [(zotero7_text(), True), (zotero6_text(), False)], ids=["zotero7", "zotero6"]
)
def test_references_front_matter_and_running_lines_are_never_passages(text: str, known: bool) -> None:
    pages = [page.strip() for page in text.split(PAGE_BREAK)]
    passages = zotero_text_passages(pages, known)
    everything = " ".join(passage.text for passage in passages)
    for absent in (
        *pdfs.REFERENCE_TITLES,
        "Preprint",
        pdfs.TITLE,
        pdfs.ABSTRACT[:60],
        "Institute of Made-Up",
    ):
        assert absent not in everything, absent
    assert "repre-" not in everything and "representations transfer" in everything
    assert all(passage.text.strip() not in {"1", "2", "3"} for passage in passages)
    assert {passage.section for passage in passages} == {
        "1 Introduction",
        "3 Method",
        "4 Experiments",
        "5 Conclusion",
        "Appendix A: Additional Results",
    }


def test_text_without_any_heading_is_all_body() -> None:
    passages = zotero_text_passages([f"{pdfs.INTRO_SENTENCE} {pdfs.SETUP_SENTENCE}"], False)
    assert [(p.page, p.section) for p in passages] == [(UNKNOWN_PAGE, "")]


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("1 Introduction", "body"),
        ("REFERENCES", "references"),
        ("Bibliography", "references"),
        ("Appendix B: Proofs", "appendix"),
        ("IV. CONCLUSIONS", "body"),
        ("Abstract", "abstract"),
        ("4.1 Setup", None),  # not a known name: plain text cannot tell it from prose
        ("Methods like ours need less data.", None),
    ],
)
def test_heading_kinds(text: str, kind: str | None) -> None:
    assert heading_kind(text) == kind
