"""Read a Zotero library straight from its database, ``zotero.sqlite``, without changing it.

Zotero holds a lock on the database while it runs, so it is opened read-only with SQLite's
``immutable=1`` URI (what Zotero has committed to the main file is read; nothing is written).
Items in the trash (``deletedItems``), notes, attachments and annotations are skipped. With a
collection name, only that collection and its subcollections are read.

Each paper keeps its tags and the names of its collections. Its citation key is the Better
BibTeX key when there is one (a ``Citation Key:`` line in ``Extra``, Zotero 7's ``citationKey``
field, or BBT's own ``better-bibtex.sqlite``), else Zotero's item key.

The index stage (:func:`rag.index.zotero_ingest.ingest_zotero`) indexes the result and removes
the papers that an earlier run of the same library (and collection) indexed but that are no
longer there (deleted, trashed, moved out, or renamed, since a paper's id follows its title).
"""

from __future__ import annotations

import re
import sqlite3
from collections import defaultdict
from pathlib import Path
from typing import Any
from urllib.parse import quote

from rag.errors import CorpusError
from rag.sources.corpus import ReadReport, deduplicate
from rag.sources.paper import Paper, make_paper
from rag.sources.readers.base import safe_record_key
from rag.sources.readers.csvfile import ITEM_TYPES

DEFAULT_FOLDER = Path.home() / "Zotero"
_SKIPPED_TYPES = ("note", "attachment", "annotation")
_VENUE_FIELDS = ("publicationTitle", "proceedingsTitle", "bookTitle", "conferenceName", "websiteTitle")
_EXTRA_KEY = re.compile(r"^Citation Key:\s*(\S+)", re.IGNORECASE | re.MULTILINE)
_EXTRA_ARXIV = re.compile(r"^arXiv:\s*(\S+)", re.IGNORECASE | re.MULTILINE)


def database_path(location: Path | None) -> Path:
    """``zotero.sqlite`` in Zotero's data folder (``~/Zotero`` by default), or the file named."""
    location = (location or DEFAULT_FOLDER).expanduser()
    path = location / "zotero.sqlite" if location.is_dir() else location
    if not path.is_file():
        raise CorpusError(path, "no Zotero database here (expected zotero.sqlite in Zotero's data folder)")
    return path


def open_database(path: Path) -> sqlite3.Connection:
    uri = f"file:{quote(str(path.resolve()))}?mode=ro&immutable=1"
    try:
        connection = sqlite3.connect(uri, uri=True)
        connection.execute("SELECT 1 FROM sqlite_master LIMIT 1").fetchall()
    except sqlite3.Error as error:
        raise CorpusError(path, f"cannot open the Zotero database ({error})") from None
    return connection


def table_named(db: sqlite3.Connection, *names: str) -> str:
    """The first of ``names`` that the database has (newer Zotero adds ``*Combined`` tables)."""
    have = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    return next((name for name in names if name in have), names[-1])


def library_items(
    db: sqlite3.Connection, path: Path, collection: str | None, *, skipped: tuple[str, ...] = _SKIPPED_TYPES
) -> list[tuple[int, str, str]]:
    """``(itemID, key, typeName)`` of the items to read, trash excluded: those whose type is not
    in ``skipped`` (by default, regular items only), in the collection when one is named."""
    types = table_named(db, "itemTypesCombined", "itemTypes")
    query = (
        f"SELECT i.itemID, i.key, t.typeName FROM items i JOIN {types} t ON t.itemTypeID = i.itemTypeID "
        f"WHERE t.typeName NOT IN ({', '.join('?' * len(skipped))}) "
        "AND i.itemID NOT IN (SELECT itemID FROM deletedItems)"
    )
    arguments: list[Any] = list(skipped)
    if collection is not None:
        found = [
            row[0]
            for row in db.execute(
                "SELECT collectionID FROM collections WHERE collectionName = ?", (collection,)
            )
        ]
        if not found:
            names = sorted({row[0] for row in db.execute("SELECT collectionName FROM collections")})
            shown = ", ".join(names[:10]) + (", ..." if len(names) > 10 else "")
            raise CorpusError(path, f"no collection named {collection!r} (collections: {shown or 'none'})")
        query += (
            " AND i.itemID IN (WITH RECURSIVE tree(id) AS ("
            f"SELECT collectionID FROM collections WHERE collectionID IN ({', '.join('?' * len(found))}) "
            "UNION SELECT c.collectionID FROM collections c JOIN tree ON c.parentCollectionID = tree.id) "
            "SELECT itemID FROM collectionItems WHERE collectionID IN (SELECT id FROM tree))"
        )
        arguments += found
    return [(row[0], row[1], row[2]) for row in db.execute(query + " ORDER BY i.itemID", arguments)]


def _grouped(db: sqlite3.Connection, query: str) -> dict[int, list[tuple[Any, ...]]]:
    groups: dict[int, list[tuple[Any, ...]]] = defaultdict(list)
    for row in db.execute(query):
        groups[row[0]].append(tuple(row[1:]))
    return groups


def _bbt_keys(path: Path) -> dict[str, str]:
    """Better BibTeX's citation keys by Zotero item key, from ``better-bibtex.sqlite`` if present."""
    bbt = path.with_name("better-bibtex.sqlite")
    if not bbt.is_file():
        return {}
    try:
        db = open_database(bbt)
        with db:
            return {row[0]: row[1] for row in db.execute("SELECT itemKey, citationKey FROM citationkey")}
    except (CorpusError, sqlite3.Error):
        return {}  # an older BBT layout: Extra and citationKey still apply


def _author(first: str | None, last: str | None, mode: int | None) -> str:
    if mode == 1 or not first:  # one-field names (institutions) keep the one field
        return (last or first or "").strip()
    return f"{(last or '').strip()}, {first.strip()}"


def read_zotero(location: Path | None = None, collection: str | None = None) -> ReadReport:
    """The papers of a Zotero library (or of one collection in it)."""
    path = database_path(location)
    db = open_database(path)
    try:
        items = library_items(db, path, collection)
        fields = table_named(db, "fieldsCombined", "fields")
        data = _grouped(
            db,
            f"SELECT d.itemID, f.fieldName, v.value FROM itemData d JOIN {fields} f ON f.fieldID = d.fieldID "
            "JOIN itemDataValues v ON v.valueID = d.valueID",
        )
        creators = _grouped(
            db,
            "SELECT ic.itemID, c.firstName, c.lastName, c.fieldMode, ct.creatorType FROM itemCreators ic "
            "JOIN creators c ON c.creatorID = ic.creatorID "
            "LEFT JOIN creatorTypes ct ON ct.creatorTypeID = ic.creatorTypeID "
            "ORDER BY ic.itemID, ic.orderIndex",
        )
        tags = _grouped(db, "SELECT it.itemID, t.name FROM itemTags it JOIN tags t ON t.tagID = it.tagID")
        folders = _grouped(
            db,
            "SELECT ci.itemID, c.collectionName FROM collectionItems ci "
            "JOIN collections c ON c.collectionID = ci.collectionID",
        )
    except sqlite3.Error as error:
        raise CorpusError(path, f"not a Zotero database this version can read ({error})") from None
    finally:
        db.close()
    bbt = _bbt_keys(path)
    label = source_label(collection)
    report = ReadReport(lines=len(items))
    papers: list[Paper] = []
    for item_id, key, kind in items:
        values = {name: str(value) for name, value in data.get(item_id, [])}
        people = creators.get(item_id, [])
        authors = [_author(*person[:3]) for person in people if person[3] in (None, "author")]
        extra = values.get("extra", "")
        cited = _EXTRA_KEY.search(extra)
        arxiv = _EXTRA_ARXIV.search(extra)
        record = {
            "title": values.get("title"),
            "abstract": values.get("abstractNote"),
            "authors": authors or [_author(*person[:3]) for person in people],
            "year": values.get("date"),
            "venue": next((values[name] for name in _VENUE_FIELDS if values.get(name)), None),
            "url": values.get("url"),
            "doi": values.get("DOI"),
            "arxiv_id": arxiv.group(1) if arxiv else None,
            "bibkey": values.get("citationKey") or (cited.group(1) if cited else None) or bbt.get(key) or key,
            "tags": [row[0] for row in tags.get(item_id, [])],
            "collections": [row[0] for row in folders.get(item_id, [])],
            "entry_type": ITEM_TYPES.get(kind, "misc"),
        }
        safe, note = safe_record_key(record)
        try:
            papers.append(make_paper(safe, source=label))
        except ValueError as error:  # a database has no lines: the item's key names it
            report.problems.append(CorpusError(path, f"item {key}: {error}"))
            continue
        if note:
            report.notes.append(CorpusError(path, f"item {key}: {note}"))
    report.papers, report.duplicates = deduplicate(papers, report.conflicts)
    return report


def source_label(collection: str | None) -> str:
    """The ``source`` of papers read from Zotero: the library, or one collection of it."""
    return "zotero" if collection is None else f"zotero:{collection}"
