"""A ``zotero.sqlite`` built for the tests with Zotero's own DDL (``tests/fixtures/zotero-schema.sql``),
its rows laid out the way Zotero writes them, and a data folder around it; and the test paper's
text as Zotero extracts it (:func:`zotero7_text`, :func:`zotero6_text`)."""

from __future__ import annotations

import os
import random
import shutil
import sqlite3
import textwrap
from pathlib import Path

from tests import pdfs

SCHEMA = Path(__file__).parent / "fixtures" / "zotero-schema.sql"
ABSTRACT = "We study how speech recognisers handle accented English across many recording conditions. "
FIELDS = {"title": 110, "abstractNote": 90, "date": 14, "publicationTitle": 12, "extra": 22, "DOI": 26}
TYPES = {"journalArticle": 4, "conferencePaper": 33, "note": 1, "attachment": 14}
LINK_MODES = {"imported_file": 0, "imported_url": 1, "linked_file": 2, "linked_url": 3}


class ZoteroDB:
    """A zotero.sqlite written the way Zotero lays its rows out."""

    def __init__(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self.path = folder / "zotero.sqlite"
        self.db = sqlite3.connect(self.path)
        self.db.executescript(SCHEMA.read_text(encoding="utf-8"))
        self.collections: dict[str, int] = {}

    def collection(self, name: str, parent: str | None = None) -> None:
        cursor = self.db.execute(
            "INSERT INTO collections (collectionName, parentCollectionID, libraryID, key) "
            "VALUES (?, ?, 1, ?)",
            (name, self.collections.get(parent or ""), f"C{len(self.collections):07d}"),
        )
        self.collections[name] = int(cursor.lastrowid or 0)

    def value(self, value: str) -> int:
        self.db.execute("INSERT OR IGNORE INTO itemDataValues (value) VALUES (?)", (value,))
        return int(
            self.db.execute("SELECT valueID FROM itemDataValues WHERE value = ?", (value,)).fetchone()[0]
        )

    def set(self, item: int, field: str, value: str) -> None:
        self.db.execute(
            "INSERT OR REPLACE INTO itemData VALUES (?, ?, ?)", (item, FIELDS[field], self.value(value))
        )

    def item(
        self, key: str, kind: str = "journalArticle", *, collection: str | None = None, **fields: str
    ) -> int:
        cursor = self.db.execute(
            "INSERT INTO items (itemTypeID, libraryID, key) VALUES (?, 1, ?)", (TYPES[kind], key)
        )
        item = int(cursor.lastrowid or 0)
        for field, value in fields.items():
            self.set(item, field, value)
        if collection:
            self.db.execute(
                "INSERT INTO collectionItems VALUES (?, ?, 0)", (self.collections[collection], item)
            )
        return item

    def author(self, item: int, first: str, last: str, index: int, kind: int = 1) -> None:
        self.db.execute(
            "INSERT OR IGNORE INTO creators (firstName, lastName, fieldMode) VALUES (?, ?, 0)", (first, last)
        )
        (creator,) = self.db.execute(
            "SELECT creatorID FROM creators WHERE firstName = ? AND lastName = ?", (first, last)
        ).fetchone()
        self.db.execute("INSERT INTO itemCreators VALUES (?, ?, ?, ?)", (item, creator, kind, index))

    def tag(self, item: int, name: str) -> None:
        self.db.execute("INSERT OR IGNORE INTO tags (name) VALUES (?)", (name,))
        (tag,) = self.db.execute("SELECT tagID FROM tags WHERE name = ?", (name,)).fetchone()
        self.db.execute("INSERT INTO itemTags VALUES (?, ?, 0)", (item, tag))

    def attachment(
        self,
        parent: int | None,
        key: str,
        path: str,
        *,
        mode: str = "imported_file",
        content_type: str = "application/pdf",
        collection: str | None = None,
        storage_mtime_ms: int | None = None,
    ) -> int:
        """An attachment item (a child of ``parent``, or standalone) with its ``itemAttachments``
        row; ``path`` as Zotero stores it (``storage:NAME``, absolute, ``attachments:REL``)."""
        item = self.item(key, "attachment", collection=collection)
        self.db.execute(
            "INSERT INTO itemAttachments (itemID, parentItemID, linkMode, contentType, path, storageModTime) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (item, parent, LINK_MODES[mode], content_type, path, storage_mtime_ms),
        )
        return item

    def storage(self, key: str) -> Path:
        """The attachment's folder in Zotero's storage (created)."""
        folder = self.path.parent / "storage" / key
        folder.mkdir(parents=True, exist_ok=True)
        return folder

    def extracted_text(
        self, item: int, key: str, text: str, *, pages: int, total: int, synced: int = 1
    ) -> Path:
        """Text Zotero extracted from the attachment: its ``.zotero-ft-cache`` and ``fulltextItems`` row."""
        cache = self.storage(key) / ".zotero-ft-cache"
        cache.write_text(text, encoding="utf-8")
        self.db.execute(
            "INSERT INTO fulltextItems (itemID, indexedPages, totalPages, version, synced) "
            "VALUES (?, ?, ?, 0, ?)",
            (item, pages, total, synced),
        )
        return cache

    def trash(self, item: int) -> None:
        self.db.execute("INSERT INTO deletedItems (itemID) VALUES (?)", (item,))

    def commit(self) -> None:
        self.db.commit()


HEADER = f"{pdfs.HEADER} Preprint"
ACROSS_PAGES = (
    "The first paragraph of the introduction stops at the foot of the first page in the middle of a",
    "sentence that ends at the top of the second page, after the running header.",
)
HYPHENATED = ("The learned repre-", "sentations transfer to recognition with fewer labels.")


def _pages() -> list[list[str]]:
    """The test paper's paragraphs, page by page, as Zotero 7's PDF worker gives them."""
    rng = random.Random(3)
    return [
        [
            HEADER,
            pdfs.TITLE,
            "Ada Example Bo Sample Institute of Made-Up Acoustics",
            "Abstract",
            pdfs.ABSTRACT,
            "1 Introduction",
            f"{pdfs.filler(rng, 3)} {pdfs.INTRO_SENTENCE} {pdfs.filler(rng, 3)}",
            f"{pdfs.filler(rng, 3)} {ACROSS_PAGES[0]}",
            "1",
        ],
        [
            HEADER,
            ACROSS_PAGES[1],
            "3 Method",
            f"{pdfs.METHOD_SENTENCE} {pdfs.filler(rng, 4)}",
            "4 Experiments",
            f"{pdfs.SETUP_SENTENCE} {pdfs.filler(rng, 3)}",
            f"{pdfs.TABLE_CAPTION} {HYPHENATED[0][:-1]}{HYPHENATED[1]}",
            "2",
        ],
        [
            HEADER,
            "5 Conclusion",
            f"{pdfs.CONCLUSION_SENTENCE} {pdfs.filler(rng, 4)}",
            "REFERENCES",
            f"[1] A. Writer and B. Reader. {pdfs.REFERENCE_TITLES[0]}. In Proc. Imaginary Speech, 2021.",
            f"[2] C. Author. {pdfs.REFERENCE_TITLES[1]}. Journal of Pretend Acoustics, 2022.",
            "Appendix A: Additional Results",
            f"{pdfs.APPENDIX_SENTENCE} {pdfs.filler(rng, 4)}",
            "3",
        ],
    ]


def zotero7_text() -> str:
    """What Zotero 7 writes to ``.zotero-ft-cache``: paragraphs a line, then a blank line and a
    form feed after every page but the last."""
    return "\f".join("\n".join(page) + "\n\n" for page in _pages()).strip()


def zotero6_text() -> str:
    """What ``pdftotext -nopgbrk`` wrote for Zotero 5 and 6: wrapped lines, a blank line between
    paragraphs, a hyphen where a word was broken at a line end, no page breaks."""
    blocks = []
    for page in _pages():
        for paragraph in page:
            if paragraph.endswith(HYPHENATED[1]):
                head = paragraph[: -len(HYPHENATED[0][:-1] + HYPHENATED[1])]
                blocks.append("\n".join([*textwrap.wrap(head, 60), *HYPHENATED]))
            else:
                blocks.append("\n".join(textwrap.wrap(paragraph, 60)))
    return "\n\n".join(blocks) + "\n"


DAMAGED = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\nnot really a PDF\n"
HOUR = 3600


def _age(path: Path, seconds: float) -> None:
    """Move the file's modification time ``seconds`` into the past."""
    stamp = path.stat().st_mtime - seconds
    os.utime(path, (stamp, stamp))


def pdf_library(folder: Path, paper_pdf: Path) -> ZoteroDB:
    """A Zotero data folder in ``folder`` whose items have PDFs in every state Zotero leaves them
    in (``paper_pdf``: the compiled test paper); the comments say which item is which."""
    z = ZoteroDB(folder)
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
    z.attachment(linked, "PDFD0006", "storage:supplement.pdf")  # a second PDF of the item
    shutil.copy(paper_pdf, z.storage("PDFD0006") / "supplement.pdf")

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
