"""What a Zotero ingest hands the full-text index: for each paper read from Zotero, the one PDF to
read, or Zotero's own text where no PDF of the paper opens (:func:`zotero_fulltext`)."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from rag.cli.commands import app
from rag.index.library import Library
from rag.index.zotero_ingest import ingest_zotero, zotero_fulltext
from rag.retrieval.retrieve import search
from rag.sources.zotero import read_zotero
from rag.sources.zotero_attachments import pdf_attachments
from rag.sources.zotero_text import UNKNOWN_PAGE, zotero_text_passages
from tests import pdfs
from tests.pdf_fixtures import paper_pdf, pdf_folder  # noqa: F401
from tests.zotero_library import pdf_library


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
    assert synced.why == "the PDF is missing. Zotero's extracted text is read instead"
    told = sorted(reason.split(":")[0] for _, reason in notes if reason.startswith("item "))
    # Unreadable in any way (CCCC, EEEE, JJJJ) and a second PDF (DDDD).
    keys = ("CCCC3333", "DDDD4444", "EEEE5555", "JJJJ0000")
    assert told == [f"item {key}" for key in keys]


@pytest.mark.fulltext_index
def test_zotero_pdfs_are_indexed_with_their_pages(tmp_path: Path, paper_pdf: Path, library: Library) -> None:  # noqa: F811
    zotero = pdf_library(tmp_path / "Zotero", paper_pdf)
    report = ingest_zotero(zotero.path.parent, "Thesis", library=library)
    assert report.pdfs_read == 2  # the stored PDF and the linked one; a second PDF is not read
    papers = {paper.title: paper for paper in library.store.iter_papers()}
    masked = papers[pdfs.TITLE]
    assert masked.fulltext and papers["Linked Elsewhere"].fulltext
    passages = library.store.passages.passages_of(masked)
    assert [(p.page, p.section) for p in passages if pdfs.SETUP_SENTENCE in p.text] == [(2, "4.1 Setup")]
    assert not any(title in p.text for p in passages for title in pdfs.REFERENCE_TITLES)
    for title in ("Streaming ASR on Phones", "Missing Everything", "Damaged With Old Text"):
        assert papers[title].fulltext is None, title  # no PDF that opens: the abstract only
    reasons = {note.reason for note in report.notes}
    assert "item BBBB2222: the PDF is missing; Zotero's extracted text of it is not indexed" in reasons
    hits = search("LibriLight recordings four hundred thousand steps", library=library).hits
    assert hits[0].paper.title in {pdfs.TITLE, "Linked Elsewhere"}  # only the body says it

    again = ingest_zotero(zotero.path.parent, "Thesis", library=library)
    assert (again.pdfs_read, again.added, again.updated) == (0, 0, 0)  # the same bytes: not read again


@pytest.mark.fulltext_index
def test_no_fulltext_indexes_abstracts_only(tmp_path: Path, paper_pdf: Path, library: Library) -> None:  # noqa: F811
    zotero = pdf_library(tmp_path / "Zotero", paper_pdf)
    report = ingest_zotero(zotero.path.parent, "Thesis", library=library, fulltext=False)
    assert report.pdfs_read == 0 and not any("PDF" in note.reason for note in report.notes)
    assert all(paper.fulltext is None for paper in library.store.iter_papers())
    assert "--no-fulltext" in CliRunner().invoke(app, ["ingest", "--help"]).output
