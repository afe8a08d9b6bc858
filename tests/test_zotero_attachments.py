"""Finding the PDFs of a Zotero library's items in a data folder laid out as Zotero lays it out:
``zotero.sqlite`` (Zotero's DDL), ``storage/<attachment key>/`` with PDFs compiled by pdflatex and
Zotero's ``.zotero-ft-cache`` text, linked files elsewhere on disk."""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path

import pytest

from rag.errors import CorpusError
from rag.sources.pdf import read_pdf
from rag.sources.zotero import read_zotero
from rag.sources.zotero_attachments import AttachmentFile, ZoteroAttachments, pdf_attachments
from rag.sources.zotero_text import UNKNOWN_PAGE, zotero_text_passages
from tests import pdfs
from tests.pdf_fixtures import paper_pdf, pdf_folder  # noqa: F401
from tests.zotero_library import ABSTRACT, ZoteroDB, zotero6_text, zotero7_text

DAMAGED = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\nnot really a PDF\n"
HOUR = 3600


def _age(path: Path, seconds: float) -> None:
    """Move the file's modification time ``seconds`` into the past."""
    stamp = path.stat().st_mtime - seconds
    os.utime(path, (stamp, stamp))


@pytest.fixture
def zotero(tmp_path: Path, paper_pdf: Path) -> ZoteroDB:  # noqa: F811
    z = ZoteroDB(tmp_path / "Zotero")
    z.collection("Thesis")
    z.collection("Other")

    def paper(key: str, title: str, collection: str = "Thesis") -> int:
        return z.item(key, collection=collection, title=title, abstractNote=ABSTRACT + title)

    # A stored PDF that opens: read, though Zotero's text sits beside it; a snapshot and a
    # trashed PDF next to it are left out.
    masked = paper("AAAA1111", pdfs.TITLE)
    z.attachment(masked, "PDFA0001", "storage:paper.pdf")
    shutil.copy(paper_pdf, z.storage("PDFA0001") / "paper.pdf")
    z.extracted_text(masked, "PDFA0001", zotero7_text(), pages=3, total=3)
    z.attachment(masked, "SNAP0001", "storage:page.html", mode="imported_url", content_type="text/html")
    (z.storage("SNAP0001") / "page.html").write_text("<html></html>", encoding="utf-8")
    z.trash(z.attachment(masked, "DELA0001", "storage:old.pdf"))
    shutil.copy(paper_pdf, z.storage("DELA0001") / "old.pdf")

    # The PDF was never downloaded, Zotero 7's text (pages apart) was synced: it stands in.
    synced = paper("BBBB2222", "Streaming ASR on Phones")
    attachment = z.attachment(synced, "PDFB0002", "storage:streaming.pdf", storage_mtime_ms=1_000)
    z.extracted_text(attachment, "PDFB0002", zotero7_text(), pages=3, total=3)

    # Neither the PDF nor any text.
    gone = paper("CCCC3333", "Missing Everything")
    z.attachment(gone, "PDFC0003", "storage:gone.pdf")

    # A linked file at an absolute path; another relative to the base directory.
    linked = paper("DDDD4444", "Linked Elsewhere")
    elsewhere = z.path.parent.parent / "Papers" / "linked.pdf"
    elsewhere.parent.mkdir()
    shutil.copy(paper_pdf, elsewhere)
    z.attachment(linked, "PDFD0004", str(elsewhere), mode="linked_file")
    z.attachment(linked, "PDFD0005", "attachments:Reading/relative.pdf", mode="linked_file")

    # Damaged PDFs: Zotero's text older than the PDF is not used; Zotero 6's current text is,
    # without pages.
    for key, title, attachment_key, text in (
        ("EEEE5555", "Damaged With Old Text", "PDFE0005", zotero7_text()),
        ("FFFF6666", "Damaged With Zotero Six Text", "PDFF0006", zotero6_text()),
    ):
        item = paper(key, title)
        attachment = z.attachment(item, attachment_key, "storage:broken.pdf")
        cache = z.extracted_text(attachment, attachment_key, text, pages=4, total=4)
        (z.storage(attachment_key) / "broken.pdf").write_bytes(DAMAGED)
        if key == "EEEE5555":
            _age(cache, HOUR)
        else:
            _age(z.storage(attachment_key) / "broken.pdf", HOUR)

    # Zotero read only the first pages of a long PDF that is not here.
    partial = paper("IIII9999", "A Long Thesis")
    attachment = z.attachment(partial, "PDFI0009", "storage:thesis.pdf")
    z.extracted_text(attachment, "PDFI0009", "Page one.\n\n\fPage two.", pages=2, total=300)

    # Newer text from another computer waits to be processed: what is on disk is out of date.
    waiting = paper("JJJJ0000", "Text Still Waiting")
    attachment = z.attachment(waiting, "PDFJ0000", "storage:waiting.pdf")
    z.extracted_text(attachment, "PDFJ0000", zotero7_text(), pages=3, total=3, synced=2)

    # Trashed item, an item in another collection, a standalone PDF in the collection.
    trashed = paper("GGGG7777", "Trashed With Its PDF")
    z.trash(trashed)
    z.attachment(trashed, "PDFG0007", "storage:paper.pdf")
    shutil.copy(paper_pdf, z.storage("PDFG0007") / "paper.pdf")
    other = paper("HHHH8888", "In Another Collection", "Other")
    z.attachment(other, "PDFH0008", "storage:paper.pdf")
    shutil.copy(paper_pdf, z.storage("PDFH0008") / "paper.pdf")
    z.attachment(None, "PDFS0001", "storage:loose.pdf", collection="Thesis")
    shutil.copy(paper_pdf, z.storage("PDFS0001") / "loose.pdf")
    z.commit()
    return z


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
    assert all(len(files) == 1 for files in items.values())

    stored = items["AAAA1111"][0]
    assert stored.reads_pdf and stored.why == "PDF" and stored.cached_pages == ()
    assert stored.path == zotero.path.parent / "storage" / "PDFA0001" / "paper.pdf"
    assert _sha(stored.path) == _sha(paper_pdf)
    assert read_pdf(stored.path).title == pdfs.TITLE

    linked = items["DDDD4444"][0]
    assert linked.reads_pdf and linked.path == zotero.path.parent.parent / "Papers" / "linked.pdf"
    assert linked.attachment_key == "PDFD0004"

    # Keys are the ids the library gives the items' papers.
    papers = {paper.title: paper.id for paper in read_zotero(zotero.path.parent, "Thesis").papers}
    assert found.files[papers[pdfs.TITLE]] == [stored]
    assert found.files[papers["Linked Elsewhere"]] == [linked]
    assert set(found.files) <= set(papers.values())

    # Without a collection, the other collection's item is there too.
    assert "HHHH8888" in _by_item(pdf_attachments(zotero.path))


def test_zotero_text_stands_in_only_when_current(zotero: ZoteroDB) -> None:
    items = _by_item(pdf_attachments(zotero.path.parent, "Thesis"))

    synced = items["BBBB2222"][0]
    assert not synced.reads_pdf and synced.pages_known and len(synced.cached_pages) == 3
    assert synced.cached_pages[1].startswith(f"{pdfs.HEADER} Preprint\nsentence that ends")
    assert synced.why == "the PDF is missing. Zotero's extracted text is read instead"
    setup = [p for p in zotero_text_passages(synced.cached_pages, True) if pdfs.SETUP_SENTENCE in p.text]
    assert [(p.page, p.section) for p in setup] == [(2, "4 Experiments")]

    zotero6 = items["FFFF6666"][0]
    assert not zotero6.pages_known
    assert zotero6.cached_pages == (zotero6_text().strip(),)
    setup = [p for p in zotero_text_passages(zotero6.cached_pages, False) if pdfs.SETUP_SENTENCE in p.text]
    assert [(p.page, p.section) for p in setup] == [(UNKNOWN_PAGE, "4 Experiments")]
    assert zotero6.why.startswith("the PDF is truncated or damaged")  # PDFium's reason, in our words
    assert zotero6.why.endswith(". Zotero's extracted text is read instead, without page numbers")

    partial = items["IIII9999"][0]
    assert partial.cached_pages == ("Page one.", "Page two.") and partial.pages_known
    assert partial.why.endswith("instead (Zotero read pages 1-2 of 300)")


def test_one_note_per_pdf_that_is_not_read_as_it_should_be(zotero: ZoteroDB) -> None:
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
        storage / "PDFB0002" / "streaming.pdf",
        "item BBBB2222: the PDF is missing. Zotero's extracted text is read instead",
    ) in notes
    assert (
        zotero.path,
        "1 linked PDF(s) have paths relative to Zotero's linked attachment base directory, which "
        "litrev does not know: not read (items DDDD4444)",
    ) in notes
    assert (zotero.path, "1 PDF(s) not attached to any item (standalone): not read") in notes
    noted = {reason.split(":")[0] for _, reason in notes if reason.startswith("item ")}
    assert noted == {
        f"item {key}" for key in ("BBBB2222", "CCCC3333", "EEEE5555", "FFFF6666", "IIII9999", "JJJJ0000")
    }
    assert len(found.notes) == 8  # nothing about the snapshot, the trash or the readable PDFs


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
