"""CSV: simple ``title,abstract,...`` headers, and Zotero's export columns recognised by name.

The dialect is explicit: comma-separated, ``"`` quoting with doubled quotes inside a field (what
Python's ``csv.writer``, Excel and Zotero write), unless the file states otherwise with Excel's
``sep=;`` first line. No guessing: a sniffer once took a file with ``""`` in its abstracts for one
without doubled quotes and cut an abstract short. A row whose field count differs from the
header's is reported with its line and skipped.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path
from typing import Any

from rag.errors import CorpusError
from rag.sources.readers.base import FileResult, ReadOptions, build

# Our names -> the column names that supply them, first match wins (compared case-insensitively).
COLUMNS: dict[str, tuple[str, ...]] = {
    "title": ("title",),
    "abstract": ("abstract", "abstract note"),
    "authors": ("authors", "author"),
    "year": ("year", "publication year", "date"),
    "venue": ("venue", "journal", "booktitle", "publication title"),
    "url": ("url",),
    "doi": ("doi",),
    "arxiv_id": ("arxiv_id", "arxiv"),
    "bibkey": ("bibkey", "citation key"),
    "item_type": ("item type",),
    "tags": ("tags", "keywords", "manual tags", "automatic tags"),
    "extra": ("extra",),
}
# Zotero item types -> BibTeX entry types (others become misc).
ITEM_TYPES = {
    "journalArticle": "article",
    "magazineArticle": "article",
    "newspaperArticle": "article",
    "conferencePaper": "inproceedings",
    "bookSection": "incollection",
    "book": "book",
    "thesis": "phdthesis",
    "report": "techreport",
    "preprint": "misc",
}
_SEPARATOR_LINE = re.compile(r"^sep=(.)\r?\n")
_EXTRA_ARXIV = re.compile(r"^arXiv:\s*(\S+)", re.IGNORECASE | re.MULTILINE)
_EXTRA_KEY = re.compile(r"^Citation Key:\s*(\S+)", re.IGNORECASE | re.MULTILINE)


class _Dialect(csv.Dialect):
    delimiter = ","
    quotechar = '"'
    doublequote = True
    skipinitialspace = False
    lineterminator = "\r\n"
    quoting = csv.QUOTE_MINIMAL
    strict = True


def _record(row: list[str], columns: dict[str, list[int]]) -> dict[str, Any]:
    def first(name: str) -> str | None:
        return next((row[i] for i in columns.get(name, []) if row[i].strip()), None)

    record: dict[str, Any] = {name: first(name) for name in COLUMNS}
    record["tags"] = [tag for i in columns.get("tags", []) for tag in re.split(r";", row[i]) if tag.strip()]
    extra = record.pop("extra") or ""
    if not record["arxiv_id"] and (match := _EXTRA_ARXIV.search(extra)):
        record["arxiv_id"] = match.group(1)
    if not record["bibkey"] and (match := _EXTRA_KEY.search(extra)):
        record["bibkey"] = match.group(1)
    item_type = record.pop("item_type")
    if item_type:
        record["entry_type"] = ITEM_TYPES.get(item_type.strip(), "misc")
    return record


def read_csv(path: Path, text: str, options: ReadOptions) -> FileResult:
    dialect: type[csv.Dialect] = _Dialect
    offset = 0
    if match := _SEPARATOR_LINE.match(text):
        dialect = type("_Stated", (_Dialect,), {"delimiter": match.group(1)})
        text, offset = text[match.end() :], 1
    reader = csv.reader(io.StringIO(text, newline=""), dialect=dialect)
    try:
        header = next(reader, [])
    except csv.Error as error:
        raise CorpusError(path, f"CSV header cannot be read ({error})", line=1 + offset) from None
    columns: dict[str, list[int]] = {}
    names = [name.strip().lower() for name in header]
    for ours, theirs in COLUMNS.items():
        columns[ours] = [names.index(name) for name in theirs if name in names]
    missing = [name for name in ("title", "abstract") if not columns[name]]
    if missing:
        raise CorpusError(
            path,
            "CSV header needs a title and an abstract column ('Title' and 'Abstract', or Zotero's "
            f"'Title' and 'Abstract Note'); no {' or '.join(missing)} column found",
            line=1 + offset,
        )
    result = FileResult()
    start = reader.line_num + 1
    while True:
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as error:
            result.problems.append(CorpusError(path, f"malformed CSV row ({error})", line=start + offset))
            start = reader.line_num + 1
            continue
        line, start = start + offset, reader.line_num + 1
        result.lines += 1
        if not any(field.strip() for field in row):
            continue
        if len(row) != len(header):
            result.problems.append(
                CorpusError(path, f"row has {len(row)} fields but the header has {len(header)}", line=line)
            )
            continue
        build(_record(row, columns), path, line, result)
    return result
