"""Finding the PDFs of a Zotero library's items in a data folder laid out as Zotero lays it out:
``zotero.sqlite`` (Zotero's DDL), ``storage/<attachment key>/`` with PDFs compiled by pdflatex and
Zotero's ``.zotero-ft-cache`` text, linked files elsewhere on disk."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from rag.errors import CorpusError
from rag.sources.pdf import read_pdf
from rag.sources.zotero import read_zotero
from rag.sources.zotero_attachments import AttachmentFile, ZoteroAttachments, pdf_attachments
from rag.sources.zotero_text import UNKNOWN_PAGE, zotero_text_passages
from tests import pdfs
from tests.pdf_fixtures import paper_pdf, pdf_folder  # noqa: F401
from tests.zotero_library import HOUR, ZoteroDB, pdf_library, zotero6_text


@pytest.fixture
def zotero(tmp_path: Path, paper_pdf: Path) -> ZoteroDB:  # noqa: F811
    return pdf_library(tmp_path / "Zotero", paper_pdf)


def _by_item(found: ZoteroAttachments) -> dict[str, list[AttachmentFile]]:
    items: dict[str, list[AttachmentFile]] = {}
    for files in found.files.values():
        for file in files:
            items.setdefault(file.item_key, []).append(file)
    return items


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_the_right_pdfs_for_the_right_items(zotero: ZoteroDB, paper_pdf: Path) -> None:  # noqa: F811
    before = _sha(zotero.path)
    found = pdf_attachments(zotero.path.parent, "Thesis")
    assert _sha(zotero.path) == before  # read-only
    items = _by_item(found)
    assert sorted(items) == ["AAAA1111", "BBBB2222", "DDDD4444", "FFFF6666", "IIII9999"]
    assert {key: len(files) for key, files in items.items() if len(files) > 1} == {"DDDD4444": 2}

    stored = items["AAAA1111"][0]
    assert stored.reads_pdf and stored.why == "PDF" and stored.cached_pages == ()
    assert stored.path == zotero.path.parent / "storage" / "PDFA0001" / "paper.pdf"
    assert _sha(stored.path) == _sha(paper_pdf)
    assert read_pdf(stored.path).title == pdfs.TITLE

    linked, supplement = items["DDDD4444"]  # in Zotero's order
    assert linked.reads_pdf and linked.path == zotero.path.parent.parent / "Papers" / "linked.pdf"
    assert linked.attachment_key == "PDFD0004"
    assert supplement.reads_pdf and supplement.path.parent.name == "PDFD0006"

    # Keys are the ids the library gives the items' papers.
    papers = {paper.title: paper.id for paper in read_zotero(zotero.path.parent, "Thesis").papers}
    assert found.files[papers[pdfs.TITLE]] == [stored]
    assert found.files[papers["Linked Elsewhere"]] == [linked, supplement]
    assert set(found.files) <= set(papers.values())

    # Without a collection, the other collection's item is there too.
    assert "HHHH8888" in _by_item(pdf_attachments(zotero.path))


def test_zotero_text_stands_in_only_when_current(zotero: ZoteroDB) -> None:
    items = _by_item(pdf_attachments(zotero.path.parent, "Thesis"))
    stored = items["AAAA1111"][0]

    synced = items["BBBB2222"][0]
    assert not synced.reads_pdf and synced.pages_known and len(synced.cached_pages) == 3
    assert synced.cached_pages[1].startswith(f"{pdfs.HEADER} Preprint\nsentence that ends")
    assert synced.why == "the PDF is missing; its passages come from Zotero's extracted text"
    assert synced.cache == zotero.path.parent / "storage" / "PDFB0002" / ".zotero-ft-cache"
    assert synced.problem == "is missing" and stored.problem == ""
    setup = [p for p in zotero_text_passages(synced.cached_pages, True) if pdfs.SETUP_SENTENCE in p.text]
    assert [(p.page, p.section) for p in setup] == [(2, "4 Experiments")]

    zotero6 = items["FFFF6666"][0]
    assert not zotero6.pages_known
    assert zotero6.cached_pages == (zotero6_text().strip(),)
    setup = [p for p in zotero_text_passages(zotero6.cached_pages, False) if pdfs.SETUP_SENTENCE in p.text]
    assert [(p.page, p.section) for p in setup] == [(UNKNOWN_PAGE, "4 Experiments")]
    assert zotero6.why.startswith("the PDF is truncated or damaged")  # PDFium's reason, in our words
    assert zotero6.why.endswith(
        "; its passages come from Zotero's extracted text, which has no page breaks: "
        "citations of them name no page"
    )

    partial = items["IIII9999"][0]
    assert partial.cached_pages == ("Page one.", "Page two.") and partial.pages_known
    assert partial.why.endswith("Zotero's extracted text (Zotero read pages 1-2 of 300)")


def test_one_note_per_pdf_that_cannot_be_read_at_all(zotero: ZoteroDB) -> None:
    found = pdf_attachments(zotero.path.parent, "Thesis")
    storage = zotero.path.parent / "storage"
    notes = {(Path(note.path), note.reason) for note in found.notes}
    damaged = next(reason for path, reason in notes if path == storage / "PDFE0005" / "broken.pdf")
    assert damaged.startswith("item EEEE5555: the PDF ")
    assert damaged.endswith(". Zotero's extracted text is older than the PDF: not read")
    assert (
        storage / "PDFC0003" / "gone.pdf",
        "item CCCC3333: the PDF is missing. Zotero has no extracted text of it either: not read",
    ) in notes
    assert (
        storage / "PDFJ0000" / "waiting.pdf",
        "item JJJJ0000: the PDF is missing. Zotero's extracted text is out of date (newer text "
        "from another computer is not processed yet): not read",
    ) in notes
    assert (
        zotero.path,
        "1 linked PDF(s) have paths relative to Zotero's linked attachment base directory, which "
        "litrev does not know: not read (items DDDD4444)",
    ) in notes
    assert (zotero.path, "1 PDF(s) not attached to any item (standalone): not read") in notes
    noted = {reason.split(":")[0] for _, reason in notes if reason.startswith("item ")}
    assert noted == {f"item {key}" for key in ("CCCC3333", "EEEE5555", "JJJJ0000")}
    # Nothing about the snapshot, the trash, the readable PDFs, or Zotero's text standing in
    # (the files' ``why`` says that, for the ingest to tell).
    assert len(found.notes) == 5


def test_text_older_than_the_last_synced_pdf_is_not_used(zotero: ZoteroDB) -> None:
    cache = zotero.path.parent / "storage" / "PDFB0002" / ".zotero-ft-cache"
    newer = int(cache.stat().st_mtime + HOUR) * 1000
    zotero.db.execute(
        "UPDATE itemAttachments SET storageModTime = ? WHERE path = 'storage:streaming.pdf'", (newer,)
    )
    zotero.commit()
    found = pdf_attachments(zotero.path.parent, "Thesis")
    assert "BBBB2222" not in _by_item(found)
    assert any(
        note.reason == "item BBBB2222: the PDF is missing. Zotero's extracted text is older than the "
        "last synced PDF: not read"
        for note in found.notes
    )


def test_a_folder_without_a_zotero_database_is_one_line(tmp_path: Path) -> None:
    with pytest.raises(CorpusError, match="no Zotero database here"):
        pdf_attachments(tmp_path)
