"""Reading a PDF made with pdflatex: passages with the right page and section, columns read one
after the other, line-end hyphens resolved, running headers and page numbers gone, captions and
footnotes kept, the reference list apart, the title, abstract and identifiers of page 1."""

from __future__ import annotations

import re
from pathlib import Path

import pypdfium2 as pdfium
import pytest

from rag.sources.pdf import PassageSettings, PdfDocument, read_pdf
from rag.sources.pdf.hyphenation import join_lines, join_pair, vocabulary
from rag.sources.pdf.layout import lay_out
from rag.sources.pdf.pages import Piece, RawPage, read_pages
from rag.sources.pdf.passages import sentence_spans
from rag.sources.pdf.running_lines import running_keys, split_running
from tests import pdfs
from tests.pdf_fixtures import (  # noqa: F401
    cells_pdf,
    interleaved_pdf,
    ligatures_pdf,
    math_pdf,
    paper_document,
    paper_pdf,
    pdf_folder,
)

_WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")


def _passage_with(document: PdfDocument, sentence: str):
    found = [passage for passage in document.passages if sentence in passage.text]
    assert len(found) == 1, f"{sentence[:50]!r} is in {len(found)} passages"
    return found[0]


def _raw_pages(path: Path) -> list[str]:
    document = pdfium.PdfDocument(path)
    try:
        return [document[index].get_textpage().get_text_range() for index in range(len(document))]
    finally:
        document.close()


def _flat(text: str) -> str:
    """Letters and digits only (PDFium's text has no bullets and marks line-end hyphens)."""
    return re.sub(r"[\W_]+", "", text)


@pytest.mark.parametrize(
    ("sentence", "page", "section"),
    [
        (pdfs.INTRO_SENTENCE, 1, "1 Introduction"),
        (pdfs.METHOD_SENTENCE, 2, "3 Method"),
        (pdfs.COLUMN_END_SENTENCE, 2, "3.1 Masking"),
        (pdfs.RIGHT_COLUMN_SENTENCE, 2, "4 Experiments"),
        (pdfs.SETUP_SENTENCE, 2, "4.1 Setup"),
        (pdfs.CONCLUSION_SENTENCE, 3, "5 Conclusion"),
        (pdfs.APPENDIX_SENTENCE, 3, "A Additional Results"),
    ],
)
def test_a_passage_carries_its_page_and_section(
    paper_document: PdfDocument,  # noqa: F811
    sentence: str,
    page: int,
    section: str,
) -> None:
    passage = _passage_with(paper_document, sentence)
    assert (passage.page, passage.section, passage.kind) == (page, section, "text")


def test_every_passage_starts_on_the_page_it_names(paper_document: PdfDocument, paper_pdf: Path) -> None:  # noqa: F811
    """Checked against PDFium's own text of that page: the passage's first words are there."""
    pages = [_flat(text) for text in _raw_pages(paper_pdf)]
    assert paper_document.pages == len(pages) == 3
    for passage in paper_document.passages:
        opening = _flat(" ".join(passage.text.split()[:6]))
        assert opening in pages[passage.page - 1], (passage.page, passage.text[:80])
    assert {passage.page for passage in paper_document.passages} == {1, 2, 3}


def test_the_headings_are_found_in_order(paper_document: PdfDocument) -> None:  # noqa: F811
    assert paper_document.headings == (
        (1, "Abstract"),
        (1, "1 Introduction"),
        (1, "2 Related Work"),
        (2, "3 Method"),
        (2, "3.1 Masking"),
        (2, "4 Experiments"),
        (2, "4.1 Setup"),
        (3, "5 Conclusion"),
        (3, "References"),
        (3, "A Additional Results"),
    )


def test_passages_hold_a_few_sentences_and_never_span_sections(paper_document: PdfDocument) -> None:  # noqa: F811
    settings = PassageSettings()
    texts = [p for p in paper_document.passages if p.kind == "text"]
    counts = [len(sentence_spans(p.text)) for p in texts]
    assert max(counts) <= settings.max_sentences
    assert sum(count >= settings.min_sentences for count in counts) >= 0.8 * len(counts)
    headings = [heading for _, heading in paper_document.headings]
    for passage in paper_document.passages:
        assert passage.section in headings
        others = [h for h in headings if h != passage.section and len(h) > 8]
        assert not any(heading in passage.text for heading in others), passage.text[:80]


def test_the_two_columns_are_read_one_after_the_other(paper_document: PdfDocument) -> None:  # noqa: F811
    """Each marker sentence wraps over several lines of a column: a reader that took a line from
    the other column would break it. The left column's last sentence comes before the right
    column's first."""
    for sentence in (
        pdfs.INTRO_SENTENCE,
        pdfs.METHOD_SENTENCE,
        pdfs.SETUP_SENTENCE,
        pdfs.CONCLUSION_SENTENCE,
    ):
        _passage_with(paper_document, sentence)
    order = [passage.text for passage in paper_document.passages]
    left = next(i for i, text in enumerate(order) if pdfs.COLUMN_END_SENTENCE in text)
    right = next(i for i, text in enumerate(order) if pdfs.RIGHT_COLUMN_SENTENCE in text)
    assert left < right


def test_columns_drawn_row_by_row_are_still_read_one_after_the_other(interleaved_pdf: Path) -> None:  # noqa: F811
    raw = _raw_pages(interleaved_pdf)[0]
    assert pdfs.LEFT_SENTENCE not in " ".join(raw.split()), "the PDF must draw the columns row by row"
    document = read_pdf(interleaved_pdf)
    text = " ".join(passage.text for passage in document.passages)
    assert text == f"{pdfs.LEFT_SENTENCE} {pdfs.RIGHT_SENTENCE}"


def _source_words() -> set[str]:
    words: set[str] = set()
    for group in (pdfs._SUBJECTS, pdfs._VERBS, pdfs._OBJECTS, pdfs._MODIFIERS):
        for phrase in group:
            words.update(word.casefold() for word in _WORD.findall(phrase))
    for name in dir(pdfs):
        value = getattr(pdfs, name)
        if name.isupper() and isinstance(value, str | tuple):
            text = value if isinstance(value, str) else " ".join(value)
            words.update(word.casefold() for word in _WORD.findall(text))
    return words


def test_words_hyphenated_at_line_ends_come_back_whole(paper_document: PdfDocument, paper_pdf: Path) -> None:  # noqa: F811
    """Every word of every passage is a word of the LaTeX source: no "represen" + "tations", no
    "zeroshot" for "zero-shot", though PDFium reports dozens of hyphens at line ends."""
    line_end_hyphens = sum(text.count("\ufffe") for text in _raw_pages(paper_pdf))
    assert line_end_hyphens >= 30
    known = _source_words() | {"system", "wer", "baseline", "ours", "l", "xt", "mean", "squared"}
    known |= {"the", "loss", "is", "error", "over", "hidden", "patches", "code"}
    words = {word for p in paper_document.passages for word in _WORD.findall(p.text)}
    assert {word for word in words if word.casefold() not in known} == set()
    text = " ".join(p.text for p in paper_document.passages)
    for compound in (
        "state-of-the-art",
        "sequence-to-sequence",
        "self-supervised",
        "zero-shot",
        "low-resource",
    ):
        assert compound in text


@pytest.mark.parametrize(
    ("left", "right", "words", "expected"),
    [
        ("configu", "ration", {"configuration"}, "configuration"),
        ("repre", "sentations.", set(), "representations."),
        ("state-of", "the-art", set(), "state-of-the-art"),
        ("sequence-to", "sequence", {"sequence"}, "sequence-to-sequence"),
        ("zero", "shot", {"zero-shot"}, "zero-shot"),
        ("speaker", "independent", {"speaker", "independent"}, "speaker-independent"),
        ("arXiv:hep", "th/9901001,", set(), "arXiv:hep-th/9901001,"),
        ("in", "formation", {"in", "formation"}, "information"),
        ("under", "standing", {"under", "standing", "understanding"}, "understanding"),
    ],
)
def test_a_line_end_hyphen_is_joined_or_kept_by_the_documents_own_words(
    left: str, right: str, words: set[str], expected: str
) -> None:
    assert join_pair(left, right, words) == expected


def test_the_vocabulary_leaves_out_the_words_a_line_end_cuts() -> None:
    lines = ["the configu\u00ad", "ration of the zero-shot", "model"]
    assert vocabulary(lines) == {"the", "of", "zero-shot", "model"}
    assert join_lines(lines, vocabulary(lines)) == "the configuration of the zero-shot model"


def test_ligatures_of_fonts_without_a_unicode_map_are_written_out(ligatures_pdf: Path) -> None:  # noqa: F811
    assert "\x1c" in _raw_pages(ligatures_pdf)[0], "the PDF must give its ligatures as control characters"
    document = read_pdf(ligatures_pdf)
    assert [p.text for p in document.passages] == [f"{pdfs.LIGATURE_SENTENCE} {pdfs.LIGATURE_SENTENCE}"]


def test_numbers_set_in_math_read_as_printed_and_words_keep_their_spaces(math_pdf: Path) -> None:  # noqa: F811
    document = read_pdf(math_pdf)
    text = " ".join(passage.text for passage in document.passages if passage.kind != "footnote")
    for printed in pdfs.MATH_READ:
        assert text.count(printed) == 3, (printed, text)
    words = re.sub(r"\$[^$]*\$|\{|\}", " ", pdfs.MATH_SENTENCE).split()
    assert all(word in text.split() for word in words if word.isalpha()), text
    footnote = [passage.text for passage in document.passages if passage.kind == "footnote"]
    assert footnote == [f"1 {pdfs.MATH_FOOTNOTE}"], footnote


def test_table_cells_and_math_set_far_apart_stay_on_their_line(cells_pdf: Path) -> None:  # noqa: F811
    """A table's cells are further apart than the words of a line, as far as the gap between two
    columns: they are read on their line, each row naming its columns, the abbreviation's stop of
    a column name ("Summ.") dropped so that a row stays one sentence; inline math reads as printed;
    a heading run into its paragraph still opens a section."""
    document = read_pdf(cells_pdf)
    text = " ".join(passage.text for passage in document.passages)
    assert text.count(pdfs.CELLS_READ) == 3, text
    table = _passage_with(document, pdfs.CELLS_CAPTION)
    assert table.kind == "caption" and all(row in table.text for row in pdfs.CELLS_ROWS), table.text
    assert [table.text[start:end] for start, end in sentence_spans(table.text)][-2:] == list(pdfs.CELLS_ROWS)
    limitation = _passage_with(document, pdfs.LIMITATION_SENTENCE)
    assert (limitation.section, limitation.text) == ("Limitations", pdfs.LIMITATION_SENTENCE)


def test_math_set_with_wide_spaces_stays_on_its_line_but_never_across_the_column_gap() -> None:
    """Runs of one line further apart than a word space ("mixup with", a raised alpha, "= 0.5 and
    ...", as PDFium gives them from a justified line) are one line; runs as far apart across
    the gap between two columns are not."""
    left = ["Pretraining takes five days on sixty", "four GPUs with thirty-two gigabytes each."]
    pieces = []
    for index, text in enumerate(left):
        y = 275.0 - 12 * index
        pieces.append(Piece(text, 72.0, y, 301.5, y + 8, 10.9, False))
    pieces += [
        Piece("mixup with", 311.0, 275.1, 367.7, 283.0, 10.9, False, True),
        Piece("\u03b1", 374.6, 277.1, 380.7, 282.0, 10.9, False, True),
        Piece("= 0.5 and SpecAugment-style", 389.0, 275.0, 538.8, 283.0, 10.9, False, True),
        Piece("time and frequency masking.", 311.0, 263.0, 420.0, 271.0, 10.9, False, True),
    ]
    page = lay_out(RawPage(1, 612.0, 792.0, tuple(pieces), ""))
    assert [line.text for line in page.lines] == [
        *left,
        "mixup with \u03b1 = 0.5 and SpecAugment-style",
        "time and frequency masking.",
    ]


def test_list_items_keep_their_bullet(paper_document: PdfDocument) -> None:  # noqa: F811
    """LaTeX's bullet comes from a symbol font without a Unicode map: it is written as one."""
    text = " ".join(p.text for p in paper_document.passages)
    first, second = pdfs.LIST_ITEMS
    assert f"\u2022 {first} \u2022 {second}" in text


def test_the_line_numbers_of_a_review_copy_are_dropped() -> None:
    """Numbers alone beside the text go; a number inside the text block (a table's cell) stays."""
    lines = ["We study masked modelling of speech", "spectrograms and find that most of it", "can be hidden."]
    pieces = []
    for index, text in enumerate(lines):
        y = 700.0 - 12 * index
        pieces.append(Piece(f"{index + 1:03d}", 30.0, y, 45.0, y + 7, 8.0, False))
        pieces.append(Piece(text, 72.0, y, 300.0, y + 7, 10.0, False))
        pieces.append(Piece(f"{index + 40:03d}", 560.0, y, 575.0, y + 7, 8.0, False))
    pieces += [
        Piece("Baseline", 72.0, 600.0, 110.0, 607.0, 10.0, False),
        Piece("12", 250.0, 600.0, 260.0, 607.0, 10.0, False),
    ]
    page = lay_out(RawPage(1, 612.0, 792.0, tuple(pieces), ""))
    assert [line.text for line in page.lines] == [*lines, "Baseline", "12"]


def test_running_headers_and_page_numbers_are_gone(paper_document: PdfDocument, paper_pdf: Path) -> None:  # noqa: F811
    pages = [lay_out(page) for page in read_pages(paper_pdf)]
    keys = running_keys(pages)
    for page in pages:
        _, dropped = split_running(page, keys)
        assert sorted(dropped) == sorted([pdfs.HEADER, "Preprint", str(page.number)])
    text = " ".join(p.text for p in paper_document.passages)
    assert pdfs.HEADER not in text
    assert "Preprint" not in text
    prose = " ".join(p.text for p in paper_document.passages if p.kind == "text")
    assert not re.search(r"(?:^|\s)[123](?:\s|$)", prose)


def test_captions_are_kept_with_their_label(paper_document: PdfDocument) -> None:  # noqa: F811
    table = _passage_with(paper_document, pdfs.TABLE_CAPTION)
    figure = _passage_with(paper_document, pdfs.FIGURE_CAPTION)
    assert (table.kind, table.text, table.section) == ("caption", pdfs.TABLE_CAPTION, "4.1 Setup")
    assert (figure.kind, figure.text) == ("caption", pdfs.FIGURE_CAPTION)


def test_a_footnote_is_a_passage_of_its_own(paper_document: PdfDocument) -> None:  # noqa: F811
    footnote = _passage_with(paper_document, pdfs.FOOTNOTE)
    assert (footnote.kind, footnote.page) == ("footnote", 1)


def test_the_reference_list_is_kept_apart_and_never_a_passage(paper_document: PdfDocument) -> None:  # noqa: F811
    first, second = pdfs.REFERENCE_TITLES
    references = paper_document.references
    assert len(references) == 3
    assert references[0].startswith("[1] A. Writer") and first in references[0]
    assert second in references[1]
    assert f"arXiv:{pdfs.OLD_ARXIV_ID}" in references[2]
    text = " ".join(p.text for p in paper_document.passages)
    for title in (first, second, "Strings on the lattice", "Imaginary Speech"):
        assert title not in text


def test_title_abstract_and_identifiers_come_from_page_one(paper_document: PdfDocument) -> None:  # noqa: F811
    assert paper_document.title == pdfs.TITLE
    assert paper_document.abstract == pdfs.ABSTRACT
    assert paper_document.dois == (pdfs.DOI,)
    assert paper_document.arxiv_ids == (pdfs.ARXIV_ID,)
    assert pdfs.OLD_ARXIV_ID not in paper_document.arxiv_ids  # cited in the references only
    assert not any(pdfs.ABSTRACT[:40] in p.text for p in paper_document.passages)
