"""What a Zotero ingest hands the full-text index: for each paper read from Zotero, the one PDF to
read, or Zotero's own current text where no PDF of the paper opens (:func:`zotero_fulltext`); that
text indexed as a PDF's body is, with its pages (Zotero 7) or with no page shown (Zotero 5 and 6),
its reference list left out, read again only when it changed."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from rag.answers.answer import answer
from rag.answers.record import place
from rag.cite.lookup import lookup
from rag.cli.commands import app
from rag.index.embedding import Embedder
from rag.index.ingest_report import IngestReport
from rag.index.library import Library
from rag.index.zotero_ingest import ZoteroText, ingest_zotero, zotero_fulltext
from rag.retrieval.retrieve import search
from rag.settings import Settings
from rag.sources.body_text import Passage
from rag.sources.paper import Paper
from rag.sources.zotero import read_zotero
from rag.sources.zotero_attachments import pdf_attachments
from rag.sources.zotero_text import UNKNOWN_PAGE, zotero_text_passages
from tests import pdfs
from tests.pdf_fixtures import paper_pdf, pdf_folder  # noqa: F401
from tests.zotero_library import ABSTRACT, ZoteroDB, pdf_library, zotero6_text, zotero7_text

UNRECORDED = "Cached Text Without Its Row"
CHANGED_SENTENCE = (
    "The revised encoder quantises every visible patch to eight bits, which halves the memory "
    "that pretraining takes on each accelerator."
)


def test_one_source_per_paper(tmp_path: Path, paper_pdf: Path) -> None:  # noqa: F811
    zotero = pdf_library(tmp_path / "Zotero", paper_pdf)
    papers = read_zotero(zotero.path.parent, "Thesis").papers
    ids = {paper.title: paper.id for paper in papers}
    chosen = zotero_fulltext(papers, pdf_attachments(zotero.path.parent, "Thesis"))
    storage = zotero.path.parent / "storage"
    linked = tmp_path / "Papers" / "linked.pdf"
    assert chosen.pdfs == {
        ids[pdfs.TITLE]: storage / "PDFA0001" / "paper.pdf",
        ids["Linked Elsewhere"]: linked,
    }
    assert {paper_id: file.attachment_key for paper_id, file in chosen.texts.items()} == {
        ids["Streaming ASR on Phones"]: "PDFB0002",
        ids["Damaged With Zotero Six Text"]: "PDFF0006",
        ids["A Long Thesis"]: "PDFI0009",
    }
    synced = chosen.texts[ids["Streaming ASR on Phones"]]
    setup = [
        p
        for p in zotero_text_passages(synced.cached_pages, synced.pages_known)
        if pdfs.SETUP_SENTENCE in p.text
    ]
    assert [(p.page, p.section) for p in setup] == [(2, "4 Experiments")]
    zotero6 = chosen.texts[ids["Damaged With Zotero Six Text"]]
    assert {p.page for p in zotero_text_passages(zotero6.cached_pages, zotero6.pages_known)} == {UNKNOWN_PAGE}

    notes = {(Path(note.path), note.reason) for note in chosen.notes}
    assert (
        storage / "PDFD0006" / "supplement.pdf",
        f"item DDDD4444: another PDF of 'Linked Elsewhere'; only {linked} is read",
    ) in notes
    assert synced.why == "the PDF is missing; its passages come from Zotero's extracted text"
    told = sorted(reason.split(":")[0] for _, reason in notes if reason.startswith("item "))
    # Unreadable in any way (CCCC, EEEE, JJJJ) and a second PDF (DDDD).
    keys = ("CCCC3333", "DDDD4444", "EEEE5555", "JJJJ0000")
    assert told == [f"item {key}" for key in keys]


@pytest.fixture(scope="module")
def zotero_indexed(
    tmp_path_factory: pytest.TempPathFactory,
    paper_pdf: Path,  # noqa: F811
    embedder: Embedder,
) -> tuple[Library, IngestReport, ZoteroDB]:
    """The Zotero library of every PDF state, and an item whose text Zotero has no record of,
    ingested once."""
    folder = tmp_path_factory.mktemp("zotero")
    zotero = pdf_library(folder / "Zotero", paper_pdf)
    item = zotero.item("KKKK1111", collection="Thesis", title=UNRECORDED, abstractNote=ABSTRACT + UNRECORDED)
    zotero.attachment(item, "PDFK0001", "storage:unrecorded.pdf")
    (zotero.storage("PDFK0001") / ".zotero-ft-cache").write_text(zotero7_text(), encoding="utf-8")
    zotero.commit()
    library = Library(Settings(home=folder / "home"), embedder=embedder)
    return library, ingest_zotero(zotero.path.parent, "Thesis", library=library), zotero


def _papers(library: Library) -> dict[str, Paper]:
    return {paper.title: paper for paper in library.store.iter_papers()}


@pytest.mark.fulltext_index
def test_zotero_pdfs_are_indexed_with_their_pages(
    zotero_indexed: tuple[Library, IngestReport, ZoteroDB],
) -> None:
    library, report, _ = zotero_indexed
    assert report.pdfs_read == 2  # the stored PDF and the linked one; a second PDF is not read
    papers = _papers(library)
    masked = papers[pdfs.TITLE]
    assert masked.fulltext and papers["Linked Elsewhere"].fulltext
    passages = library.store.passages.passages_of(masked)
    assert [(p.page, p.section) for p in passages if pdfs.SETUP_SENTENCE in p.text] == [(2, "4.1 Setup")]
    assert not any(title in p.text for p in passages for title in pdfs.REFERENCE_TITLES)
    hits = search("LibriLight recordings four hundred thousand steps", library=library).hits
    assert hits[0].paper.fulltext  # only the body says it


@pytest.mark.fulltext_index
def test_zotero7_text_stands_in_for_a_missing_pdf_with_its_pages(
    zotero_indexed: tuple[Library, IngestReport, ZoteroDB],
) -> None:
    library, report, zotero = zotero_indexed
    assert report.texts_read == 3  # Zotero 7's text, Zotero 6's, and the first pages of a thesis
    assert "Zotero's extracted text read for 3 papers without a readable PDF." in report.line
    streaming = _papers(library)["Streaming ASR on Phones"]
    file = next(f for f in pdf_attachments(zotero.path.parent, "Thesis").files[streaming.id])
    assert streaming.fulltext == ZoteroText.of(file).digest
    passages = library.store.passages.passages_of(streaming)
    assert [(p.page, p.section) for p in passages if pdfs.SETUP_SENTENCE in p.text] == [(2, "4 Experiments")]
    assert [(p.page, p.section) for p in passages if pdfs.INTRO_SENTENCE in p.text] == [(1, "1 Introduction")]
    assert not any(title in p.text for p in passages for title in pdfs.REFERENCE_TITLES)
    assert not any(pdfs.HEADER in p.text for p in passages)  # the running header is gone

    result = lookup(pdfs.SETUP_SENTENCE, library=library, k=8)
    cited = next(c for c in result.candidates if c.title == "Streaming ASR on Phones")
    assert (cited.page, cited.section) == (2, "4 Experiments") and "LibriLight" in cited.sentence
    assert f'"{cited.sentence}" (§4 Experiments, p. 2)' in result.summary()
    reasons = {note.reason for note in report.notes}
    assert "item BBBB2222: the PDF is missing; its passages come from Zotero's extracted text" in reasons
    assert not any("not indexed" in reason for reason in reasons)


@pytest.mark.fulltext_index
def test_zotero6_text_without_page_breaks_is_cited_without_a_page(
    zotero_indexed: tuple[Library, IngestReport, ZoteroDB],
) -> None:
    library, report, _ = zotero_indexed
    old = _papers(library)["Damaged With Zotero Six Text"]
    passages = library.store.passages.passages_of(old)
    assert passages and {p.page for p in passages} == {UNKNOWN_PAGE}
    assert [p.section for p in passages if pdfs.SETUP_SENTENCE in p.text] == ["4 Experiments"]
    assert not any(title in p.text for p in passages for title in pdfs.REFERENCE_TITLES)

    result = lookup(pdfs.SETUP_SENTENCE, library=library, k=8)
    cited = next(c for c in result.candidates if c.title == old.title)
    assert (cited.page, cited.section) == (UNKNOWN_PAGE, "4 Experiments")
    assert f'   "{cited.sentence}" (§4 Experiments)' in result.summary().splitlines()
    assert "p. 0" not in result.summary()
    assert any(
        note.reason.startswith("item FFFF6666: the PDF is truncated or damaged")
        and note.reason.endswith("which has no page breaks: citations of them name no page")
        for note in report.notes
    )


def test_an_unknown_page_is_not_shown() -> None:
    passage = Passage(UNKNOWN_PAGE, "4 Experiments", "We trained it. It worked.", turns=((15, UNKNOWN_PAGE),))
    assert passage.place(20) == "§4 Experiments"
    assert Passage(UNKNOWN_PAGE, "", "Text.").place() == ""
    assert (place(UNKNOWN_PAGE, "4 Experiments"), place(UNKNOWN_PAGE, None)) == ("§4 Experiments", "")
    assert (place(5, "4 Experiments"), place(5, None), place(None, "4")) == (
        "§4 Experiments, p. 5",
        "p. 5",
        "",
    )


@pytest.mark.fulltext_index
def test_stale_or_unrecorded_zotero_text_is_not_indexed(
    zotero_indexed: tuple[Library, IngestReport, ZoteroDB],
) -> None:
    library, report, _ = zotero_indexed
    papers = _papers(library)
    for title in ("Damaged With Old Text", "Text Still Waiting", UNRECORDED, "Missing Everything"):
        assert papers[title].fulltext is None, title  # the abstract only
        assert library.store.passages.passages_of(papers[title]) == []
    reasons = {note.reason for note in report.notes}
    assert (
        "item KKKK1111: the PDF is missing. Zotero has no record of the text in its storage folder: not read"
        in reasons
    )
    assert any(
        r.startswith("item EEEE5555:")
        and r.endswith("Zotero's extracted text is older than the PDF: not read")
        for r in reasons
    )
    titles = {papers[title].id: title for title in papers}
    assert {titles[p] for p in library.store.passages.fulltexts(set(titles))} == {
        pdfs.TITLE,
        "Linked Elsewhere",
        "Streaming ASR on Phones",
        "Damaged With Zotero Six Text",
        "A Long Thesis",
    }


@pytest.mark.fulltext_index
def test_unchanged_zotero_text_is_not_read_again_and_a_changed_one_replaces_its_passages(
    tmp_path: Path,
    paper_pdf: Path,  # noqa: F811
    library: Library,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    zotero = pdf_library(tmp_path / "Zotero", paper_pdf)
    first = ingest_zotero(zotero.path.parent, "Thesis", library=library)
    assert first.texts_read == 3 and first.passages > 0

    again = ingest_zotero(zotero.path.parent, "Thesis", library=library)
    assert (again.pdfs_read, again.texts_read, again.added, again.updated) == (0, 0, 0, 0)
    assert (again.chunks, again.passages) == (0, 0)  # nothing embedded

    cache = zotero.path.parent / "storage" / "PDFB0002" / ".zotero-ft-cache"
    cache.write_text(zotero7_text().replace(pdfs.METHOD_SENTENCE, CHANGED_SENTENCE), encoding="utf-8")
    changed = ingest_zotero(zotero.path.parent, "Thesis", library=library)
    assert (changed.texts_read, changed.pdfs_read, changed.updated) == (1, 0, 1)
    streaming = _papers(library)["Streaming ASR on Phones"]
    passages = library.store.passages.passages_of(streaming)
    assert [(p.page, p.section) for p in passages if CHANGED_SENTENCE in p.text] == [(2, "3 Method")]
    assert not any(pdfs.METHOD_SENTENCE in p.text for p in passages)
    indexed = sum(len(library.store.passages.passages_of(p)) for p in library.store.iter_papers())
    assert library.store.passages.count() == indexed  # the old text's passages are gone
    bodies = {
        digest for paper_id, digest in library.sentence_file.stored_bodies() if paper_id == streaming.id
    }
    assert bodies == {streaming.fulltext}
    hits = search("quantises every visible patch to eight bits", library=library).hits
    found = next(hit for hit in hits if hit.paper.title == "Streaming ASR on Phones")
    assert found.in_body and found.sentence_text == CHANGED_SENTENCE

    # A litrev that reads PDFs and cuts text into passages otherwise reads the same files again.
    from rag.sources.pdf import papers as pdf_papers

    monkeypatch.setattr(pdf_papers, "READING", pdf_papers.READING + 1)
    upgraded = ingest_zotero(zotero.path.parent, "Thesis", library=library)
    assert (upgraded.texts_read, upgraded.pdfs_read, upgraded.updated) == (3, 2, 5)
    assert _papers(library)["Streaming ASR on Phones"].fulltext != streaming.fulltext


@pytest.mark.fulltext_index
def test_a_question_answered_from_zotero_text_cites_its_page(tmp_path: Path, library: Library) -> None:
    zotero = ZoteroDB(tmp_path / "Zotero")
    zotero.collection("Thesis")
    for key, title, text, pages in (
        ("AAAA1111", "Streaming ASR on Phones", zotero7_text(), 3),
        ("BBBB2222", "Keyword Spotting Without Pages", zotero6_text().replace("LibriLight", "GigaSpeech"), 4),
    ):
        item = zotero.item(key, collection="Thesis", title=title, abstractNote=ABSTRACT + title)
        attachment = zotero.attachment(item, f"PDF{key[:5]}", "storage:paper.pdf")
        zotero.extracted_text(attachment, f"PDF{key[:5]}", text, pages=pages, total=pages)
    zotero.commit()
    report = ingest_zotero(zotero.path.parent, "Thesis", library=library)
    assert report.texts_read == 2

    result = answer(
        "How many steps were the models trained for on the LibriLight recordings?", library=library
    )
    assert not result.abstained
    cited = next(c for c in result.citations if c.title == "Streaming ASR on Phones")
    assert (cited.page, cited.section) == (2, "4 Experiments") and "four hundred thousand" in cited.sentence
    assert f"[{cited.marker}, p. 2]" in result.answer
    assert f"[{cited.marker}] Streaming ASR on Phones, §4 Experiments, p. 2" in result.references()

    result = answer(
        "How many steps were the models trained for on the GigaSpeech recordings?", library=library
    )
    cited = next(c for c in result.citations if c.title == "Keyword Spotting Without Pages")
    assert (cited.page, cited.section, cited.place) == (UNKNOWN_PAGE, "4 Experiments", "§4 Experiments")
    assert (
        f"[{cited.marker}] Keyword Spotting Without Pages, §4 Experiments" in result.references().splitlines()
    )


@pytest.mark.fulltext_index
def test_no_fulltext_indexes_abstracts_only(tmp_path: Path, paper_pdf: Path, library: Library) -> None:  # noqa: F811
    zotero = pdf_library(tmp_path / "Zotero", paper_pdf)
    report = ingest_zotero(zotero.path.parent, "Thesis", library=library, fulltext=False)
    assert report.pdfs_read == 0 and not any("PDF" in note.reason for note in report.notes)
    assert all(paper.fulltext is None for paper in library.store.iter_papers())
    assert "--no-fulltext" in CliRunner().invoke(app, ["ingest", "--help"]).output
