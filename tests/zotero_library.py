"""A ``zotero.sqlite`` built for the tests with Zotero's own DDL (``tests/fixtures/zotero-schema.sql``),
its rows laid out the way Zotero writes them, and a data folder around it; and the test paper's
text as Zotero extracts it (:func:`zotero7_text`, :func:`zotero6_text`)."""

from __future__ import annotations

import random
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
