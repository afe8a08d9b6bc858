"""Linking a PDF to its library paper: by DOI, by the arXiv margin stamp (new and old style), then
by the first-page title, with the title threshold's figures measured on the test paper."""

from __future__ import annotations

from pathlib import Path

import pytest

from rag.sources.corpus import read_paths
from rag.sources.identifiers import find_arxiv_ids, find_dois, normal_arxiv, normal_doi
from rag.sources.paper import Paper, make_paper
from rag.sources.pdf import PdfDocument, match_document, match_paper, read_pdf, title_similarity
from rag.sources.pdf.matching import TITLE_THRESHOLD, same_words
from tests import pdfs
from tests.pdf_fixtures import old_stamp_pdf, paper_document, paper_pdf, pdf_folder  # noqa: F401

ABSTRACT = "An abstract long enough to be a paper's abstract in the library, about speech."
MUSIC = "Masked Spectrogram Modelling Learns Robust Music Representations"
FRAGILE = "Masked Spectrogram Modelling Learns Fragile Speech Representations"
LONGER = "Masked Spectrogram Modelling Learns Robust Speech Representations for Recognition"


def _bib(folder: Path, entries: str) -> list[Paper]:
    path = folder / "library.bib"
    path.write_text(entries, encoding="utf-8")
    report = read_paths([path])
    assert not report.problems
    return report.papers


def _entry(key: str, title: str, extra: str = "") -> str:
    return f"@article{{{key},\n  title = {{{title}}},\n  abstract = {{{ABSTRACT}}},\n{extra}}}\n\n"


def _paper(title: str, **fields: str) -> Paper:
    return make_paper({"title": title, "abstract": ABSTRACT, **fields}, source="test")


def test_a_pdf_is_linked_to_its_bibtex_entry_by_doi(paper_document: PdfDocument, tmp_path: Path) -> None:  # noqa: F811
    papers = _bib(
        tmp_path,
        _entry("music2024", MUSIC, "  doi = {10.5555/other.1},\n")
        + _entry(
            "preprint", "A Preprint With Another Title", f"  doi = {{https://doi.org/{pdfs.DOI.upper()}}},\n"
        ),
    )
    found = match_document(paper_document, papers)
    assert found is not None
    assert (found.paper.bibkey, found.how, found.score) == ("preprint", "doi", 1.0)


def test_a_pdf_is_linked_to_its_bibtex_entry_by_its_arxiv_stamp(
    paper_document: PdfDocument,  # noqa: F811
    tmp_path: Path,
) -> None:
    papers = _bib(
        tmp_path,
        _entry(
            "cited",
            "Strings on the Lattice",
            f"  eprint = {{{pdfs.OLD_ARXIV_ID}}},\n  archivePrefix = {{arXiv}},\n",
        )
        + _entry(
            "stamped",
            "Masking for Speech",
            f"  eprint = {{{pdfs.ARXIV_ID}v1}},\n  archivePrefix = {{arXiv}},\n",
        ),
    )
    found = match_document(paper_document, papers)
    assert found is not None
    assert (found.paper.bibkey, found.how) == ("stamped", "arxiv")


def test_an_old_style_arxiv_stamp_links_too(old_stamp_pdf: Path, tmp_path: Path) -> None:  # noqa: F811
    document = read_pdf(old_stamp_pdf)
    assert document.arxiv_ids == (pdfs.OLD_STAMP_ID,)
    papers = _bib(tmp_path, _entry("old", "Soft Matter Notes", f"  eprint = {{{pdfs.OLD_STAMP_ID}}},\n"))
    found = match_document(document, papers)
    assert found is not None
    assert (found.paper.bibkey, found.how) == ("old", "arxiv")


def test_an_id_cited_in_the_reference_list_links_nothing(paper_document: PdfDocument) -> None:  # noqa: F811
    cited = _paper("Strings on the Lattice", arxiv_id=pdfs.OLD_ARXIV_ID)
    assert match_document(paper_document, [cited]) is None


def test_without_identifiers_the_first_page_title_links(paper_document: PdfDocument) -> None:  # noqa: F811
    own = _paper("{M}asked spectrogram modeling learns robust speech representations.")
    found = match_document(paper_document, [_paper(MUSIC), own, _paper(FRAGILE)])
    assert found is not None
    assert (found.paper.id, found.how) == (own.id, "title")
    assert TITLE_THRESHOLD <= found.score < 1.0


def test_a_doi_wins_over_a_title(paper_document: PdfDocument) -> None:  # noqa: F811
    same_title = _paper(pdfs.TITLE)
    with_doi = _paper("Another Title Entirely", doi=pdfs.DOI)
    found = match_document(paper_document, [same_title, with_doi])
    assert found is not None
    assert (found.paper.id, found.how) == (with_doi.id, "doi")


@pytest.mark.parametrize(
    ("title", "score"),
    [(MUSIC, 0.946), (FRAGILE, 0.916), (LONGER, 0.89)],
)
def test_a_title_with_a_word_changed_or_added_is_another_paper(
    paper_document: PdfDocument,  # noqa: F811
    title: str,
    score: float,
) -> None:
    """The figures the threshold was chosen on: the character ratio alone would take the first
    two for the paper; the changed word rules them out."""
    assert round(title_similarity(paper_document.title, title), 3) == score
    assert not same_words(paper_document.title, title)
    assert match_document(paper_document, [_paper(title)]) is None


@pytest.mark.parametrize(
    ("title", "score"),
    [
        (pdfs.TITLE.upper(), 1.0),
        ("Masked Spectrogram Modeling Learns Robust Speech Representations", 0.992),
        ("Masked Spectrogram Modelling Learns Robust Speech Representation", 0.992),
        ("Masked Spectrogram Modelling Learns Robust Speech Represen- tations", 0.992),
    ],
)
def test_the_same_title_written_another_way_still_links(title: str, score: float) -> None:
    found = match_paper([_paper(title)], title=pdfs.TITLE)
    assert found is not None
    assert (found.how, found.score) == ("title", score)


def test_papers_on_the_same_topic_score_far_below_the_threshold() -> None:
    for other in ("Masked Autoencoders that Listen", "Masked Spectrogram Prediction for Audio Pre-training"):
        assert title_similarity(pdfs.TITLE, other) < 0.5


def test_two_titles_equally_close_link_neither() -> None:
    twins = [
        _paper("Masked Spectrogram Modeling Learns Robust Speech Representations"),
        _paper("Masked Spectrogram Modelling Learns Robust Speech Representation"),
    ]
    assert match_paper(twins, title=pdfs.TITLE) is None
    assert match_paper([*twins, _paper(pdfs.TITLE)], title=pdfs.TITLE) is not None


def test_a_short_or_missing_title_links_nothing() -> None:
    assert match_paper([_paper("Speech")], title="Speech") is None
    assert match_paper([_paper(pdfs.TITLE)], title="") is None


@pytest.mark.parametrize(
    ("text", "dois", "arxiv_ids"),
    [
        ("DOI: 10.5555/LITREV.2024.0042.", ["10.5555/litrev.2024.0042"], []),
        (
            "(https://doi.org/10.1016/j.cell.2020.01.001) and 10.1002/(SICI)1097-4571(199806)49;",
            ["10.1016/j.cell.2020.01.001", "10.1002/(sici)1097-4571(199806)49"],
            [],
        ),
        ("(doi:10.1145/3292500.3330701), and", ["10.1145/3292500.3330701"], []),
        (
            "arXiv preprint arXiv:2106.01234v3, then arXiv:2401.01234v2 [cs.CL] 3 Jan 2024",
            [],
            ["2401.01234", "2106.01234"],
        ),
        (
            "https://arxiv.org/abs/2303.00001 and hep-th/9901001v2 and math.AG/0101001",
            [],
            ["2303.00001", "hep-th/9901001", "math.ag/0101001"],
        ),
        ("Table 2401.01234 lists 1999 items; a version 2.10 of 10.5 points", [], []),
    ],
)
def test_identifiers_in_text_are_found_and_normalised(
    text: str, dois: list[str], arxiv_ids: list[str]
) -> None:
    assert find_dois(text) == dois
    assert find_arxiv_ids(text) == arxiv_ids


def test_identifiers_of_a_record_are_normalised_like_those_of_a_pdf() -> None:
    assert (
        normal_doi("https://dx.doi.org/10.5555/ABC.1") == normal_doi("doi: 10.5555/abc.1") == "10.5555/abc.1"
    )
    assert (
        normal_arxiv("arXiv:2401.01234v2") == normal_arxiv("https://arxiv.org/pdf/2401.01234") == "2401.01234"
    )
    assert normal_arxiv("hep-th/9901001v1") == "hep-th/9901001"
    assert normal_doi("") is None and normal_arxiv("no id here") is None
