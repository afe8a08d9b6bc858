"""Find the PDFs a Zotero library holds for its items, and Zotero's own text of each where that
has to stand in for the PDF.

Takes Zotero's data folder (or its ``zotero.sqlite``) and optionally a collection; gives a
:class:`ZoteroAttachments`: for each item, under the id its paper gets
(:func:`~rag.sources.paper.paper_id` of its title), its PDF attachments as
:class:`AttachmentFile` records, and one note per PDF that cannot be read at all.

Where Zotero keeps things (zotero/zotero: ``resource/schema/userdata.sql``, ``Zotero.Attachments``
and ``Zotero.Item.getFile`` in ``chrome/content/zotero/xpcom``, ``Zotero.Fulltext`` in
``xpcom/fulltext.js``; zotero/pdf-worker: ``getFulltext`` in ``src/index.js``):

- ``itemAttachments`` has a row per attachment item: ``parentItemID`` (empty for a standalone
  file), ``linkMode`` (0 imported file, 1 file imported from a URL, 2 linked file, 3 link to a URL,
  4 embedded image), ``contentType`` (``application/pdf``), ``path`` and ``storageModTime`` (the
  file's modification time in milliseconds, as last synced).
- An imported file's path is ``storage:NAME``, the file ``<data folder>/storage/<attachment
  key>/NAME``. A linked file's path is absolute, or ``attachments:REL``, relative to the linked
  attachment base directory, a preference of Zotero's profile that litrev does not read: such
  PDFs are named in one note and not read.
- Zotero writes the text it extracts from a PDF to ``.zotero-ft-cache`` in the attachment's
  storage folder (for a linked file too). Zotero 7's PDF worker puts a form feed between pages;
  Zotero 5 and 6 ran ``pdftotext -nopgbrk``, which leaves no page breaks. ``fulltextItems``
  records ``indexedPages`` of ``totalPages`` (Zotero stops at 100 pages unless told otherwise) and
  ``synced``: 2 when newer text synced from another computer still waits in
  ``.zotero-ft-unprocessed``, 4 when the text is missing.

The PDF is read whenever it exists and PDFium opens it, since only the PDF gives each passage its
page (and its section). Zotero's text stands in when the PDF is missing (file syncing off, not
downloaded yet) or cannot be opened, and only if it is current: Zotero has it on record
(a ``fulltextItems`` row, not waiting or missing) and it is not older than the PDF (the files'
modification times; for a missing PDF, the time Zotero recorded for the file). Its pages are known
when it has a form feed between pages and as many pages as Zotero says it read; otherwise the
text is one block whose page is unknown, and what is cut from it cannot cite a page.

Passages are cut from Zotero's text by :func:`rag.sources.zotero_text.zotero_text_passages`.
Deleted (trashed) attachments, attachments of trashed items, attachments that are not PDFs and
links to URLs are left out without a note.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

from rag.errors import CorpusError
from rag.sources.paper import clean_title, paper_id
from rag.sources.pdf.pages import page_count
from rag.sources.zotero import database_path, library_items, open_database, table_named

PDF_TYPE = "application/pdf"
CACHE_FILE = ".zotero-ft-cache"
"""Zotero's extracted text of an attachment, in its storage folder."""
PAGE_BREAK = "\f"
"""What Zotero 7 puts between the pages of a PDF's text."""
STORAGE_PREFIX = "storage:"
BASE_DIRECTORY_PREFIX = "attachments:"
IMPORTED_MODES = (0, 1)
LINKED_FILE_MODE = 2
_SYNC_WAITING, _SYNC_MISSING = 2, 4
_SHOWN_KEYS = 10


@dataclass(frozen=True, slots=True)
class AttachmentFile:
    """One PDF attached to a Zotero item, and what to read for it."""

    item_key: str
    """The key of the item the PDF is attached to."""
    attachment_key: str
    """The attachment's own key (its folder under ``storage/``)."""
    path: Path
    """Where the PDF is, or where Zotero says it should be."""
    why: str
    """What is read and why, in a few words ("PDF", or why Zotero's text stands in and what
    that means for citations: the note an ingest gives)."""
    cached_pages: tuple[str, ...] = ()
    """Zotero's text, when it is read instead of the PDF (empty when the PDF is read): one string
    per page from page 1 when :attr:`pages_known`, else the whole text as one string."""
    pages_known: bool = True
    """False when Zotero's text is read and has no page breaks to tell its pages apart."""
    problem: str = ""
    """What is wrong with the PDF when Zotero's text is read instead ("is missing", PDFium's
    reason it cannot be opened)."""
    cache: Path | None = None
    """The ``.zotero-ft-cache`` file :attr:`cached_pages` were read from."""

    @property
    def reads_pdf(self) -> bool:
        return not self.cached_pages


@dataclass
class ZoteroAttachments:
    """The PDFs of a Zotero library's items, and what could not be read."""

    files: dict[str, list[AttachmentFile]] = field(default_factory=dict)
    """By the paper id of the item's title, attachments in Zotero's order (two items with one
    title share a paper, and so a list)."""
    notes: list[CorpusError] = field(default_factory=list)
    """One line per PDF that can be read neither from the file nor from Zotero's text (missing,
    cannot be opened, a path litrev cannot resolve); where Zotero's text stands in, the file's
    :attr:`AttachmentFile.why` says so, for whoever reads it to tell."""


@dataclass(frozen=True, slots=True)
class _Row:
    item_key: str
    attachment_key: str
    link_mode: int | None
    path: str
    storage_mtime_ms: int | None
    indexed_pages: int | None
    total_pages: int | None
    synced: int | None


def pdf_attachments(location: Path | None = None, collection: str | None = None) -> ZoteroAttachments:
    """The PDF attachments of the library's items (or of one collection's items), read-only."""
    database = database_path(location)
    folder = database.parent
    db = open_database(database)
    try:
        rows, titles, standalone = _attachment_rows(db, database, collection)
    except sqlite3.Error as error:
        raise CorpusError(database, f"not a Zotero database this version can read ({error})") from None
    finally:
        db.close()
    found = ZoteroAttachments()
    relative: list[str] = []
    for row in rows:
        try:
            paper = paper_id(clean_title(titles.get(row.item_key)))
        except ValueError:
            continue  # no paper: the item's own problem line says why
        path = _file_path(folder, row)
        if path is None:
            if row.path.startswith(BASE_DIRECTORY_PREFIX):
                relative.append(row.item_key)
            else:
                found.notes.append(
                    CorpusError(
                        database, f"item {row.item_key}: PDF at {row.path!r}, not a path litrev can read"
                    )
                )
            continue
        chosen = _choose(folder, path, row)
        if isinstance(chosen, CorpusError):
            found.notes.append(chosen)
            continue
        found.files.setdefault(paper, []).append(chosen)
    if relative:
        shown = ", ".join(relative[:_SHOWN_KEYS]) + (", ..." if len(relative) > _SHOWN_KEYS else "")
        found.notes.append(
            CorpusError(
                database,
                f"{len(relative)} linked PDF(s) have paths relative to Zotero's linked attachment base "
                f"directory, which litrev does not know: not read (items {shown})",
            )
        )
    if standalone:
        found.notes.append(
            CorpusError(database, f"{standalone} PDF(s) not attached to any item (standalone): not read")
        )
    return found


def _attachment_rows(
    db: sqlite3.Connection, path: Path, collection: str | None
) -> tuple[list[_Row], dict[str, str], int]:
    """The PDF attachments of the items to read, the items' titles by key, and how many PDFs in
    the library (or collection) are standalone."""
    items = library_items(db, path, collection, skipped=("note", "annotation"))
    parents = {item_id: key for item_id, key, kind in items if kind != "attachment"}
    tops = {item_id for item_id, _, kind in items if kind == "attachment"}
    fields = table_named(db, "fieldsCombined", "fields")
    titles = {
        parents[item_id]: str(value)
        for item_id, value in db.execute(
            f"SELECT d.itemID, v.value FROM itemData d JOIN {fields} f ON f.fieldID = d.fieldID "
            "JOIN itemDataValues v ON v.valueID = d.valueID WHERE f.fieldName = 'title'"
        )
        if item_id in parents
    }
    rows: list[_Row] = []
    standalone = 0
    query = (
        "SELECT a.itemID, a.parentItemID, i.key, a.linkMode, a.path, a.storageModTime, "
        "f.indexedPages, f.totalPages, f.synced FROM itemAttachments a "
        "JOIN items i ON i.itemID = a.itemID LEFT JOIN fulltextItems f ON f.itemID = a.itemID "
        "WHERE a.contentType = ? AND a.itemID NOT IN (SELECT itemID FROM deletedItems) "
        "ORDER BY a.parentItemID, a.itemID"
    )
    for item_id, parent, key, mode, raw, mtime, indexed, total, synced in db.execute(query, (PDF_TYPE,)):
        if parent is None:
            standalone += item_id in tops
        elif parent in parents:  # not trashed, and in the collection
            rows.append(
                _Row(
                    parents[parent],
                    str(key),
                    mode,
                    str(raw or ""),
                    _int(mtime),
                    _int(indexed),
                    _int(total),
                    _int(synced),
                )
            )
    return rows, titles, standalone


def _int(value: object) -> int | None:
    try:
        return None if value is None or value == "" else int(str(value))
    except ValueError:
        return None


def _file_path(folder: Path, row: _Row) -> Path | None:
    """Where Zotero keeps the PDF, or None when its path is not one litrev can resolve."""
    if row.link_mode in IMPORTED_MODES and row.path.startswith(STORAGE_PREFIX):
        return folder / "storage" / row.attachment_key / row.path[len(STORAGE_PREFIX) :]
    if row.link_mode == LINKED_FILE_MODE and Path(row.path).is_absolute():
        return Path(row.path)
    return None


def _choose(folder: Path, path: Path, row: _Row) -> AttachmentFile | CorpusError:
    """The PDF when PDFium opens it; else Zotero's text when it is current; else why neither."""
    if path.is_file():
        try:
            page_count(path)
        except CorpusError as error:
            problem = error.reason
        else:
            return AttachmentFile(row.item_key, row.attachment_key, path, "PDF")
    else:
        problem = "is not a regular file" if path.exists() else "is missing"
    cache = folder / "storage" / row.attachment_key / CACHE_FILE
    cached = _cached_text(cache, path, row)
    if isinstance(cached, str):
        return CorpusError(path, f"item {row.item_key}: the PDF {problem}. {cached}: not read")
    pages, known = cached
    why = f"the PDF {problem}; its passages come from Zotero's extracted text"
    if row.indexed_pages and row.total_pages and row.indexed_pages < row.total_pages:
        why += f" (Zotero read pages 1-{row.indexed_pages} of {row.total_pages})"
    if not known:
        why += ", which has no page breaks: citations of them name no page"
    return AttachmentFile(row.item_key, row.attachment_key, path, why, pages, known, problem, cache)


def _cached_text(cache: Path, pdf: Path, row: _Row) -> tuple[tuple[str, ...], bool] | str:
    """Zotero's text by page (and whether pages are known), or why it cannot stand in."""
    if not cache.is_file() or row.synced == _SYNC_MISSING:
        return "Zotero has no extracted text of it either"
    if row.synced is None:
        return "Zotero has no record of the text in its storage folder"
    if row.synced == _SYNC_WAITING:
        return (
            "Zotero's extracted text is out of date (newer text from another computer is not processed yet)"
        )
    cache_mtime = cache.stat().st_mtime
    if pdf.exists() and cache_mtime < pdf.stat().st_mtime:
        return "Zotero's extracted text is older than the PDF"
    if not pdf.exists() and row.storage_mtime_ms and int(cache_mtime) < row.storage_mtime_ms // 1000:
        return "Zotero's extracted text is older than the last synced PDF"
    try:
        text = cache.read_text(encoding="utf-8", errors="replace")
    except OSError as error:
        return f"Zotero's extracted text cannot be read ({error.strerror or error})"
    if not text.strip():
        return "Zotero's extracted text is empty (a PDF without a text layer?)"
    pages = [page.strip() for page in text.split(PAGE_BREAK)]
    if len(pages) > 1 and row.indexed_pages in (None, len(pages)):
        return tuple(pages), True
    if len(pages) == 1 and row.indexed_pages == 1:
        return (pages[0],), True
    return (text.replace(PAGE_BREAK, "\n").strip(),), False
