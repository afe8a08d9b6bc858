"""Records of the arXiv metadata snapshot (the JSON-lines dump), recognised by their keys.

Each line holds ``id``, ``authors_parsed``, ``categories``, ``versions`` and more. The arXiv id,
the year (from the first version's date), the categories (kept as tags), ``journal-ref`` as the
venue and the authors from ``authors_parsed`` are kept. :class:`~rag.sources.readers.base.ReadOptions`
slices the dump by category and year before any text is cleaned, so a slice of a multi-GB dump
costs little more than reading its lines.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from rag.sources.readers.base import ReadOptions

KEYS = frozenset({"id", "authors_parsed", "categories", "versions", "abstract", "title"})
_YEAR = re.compile(r"\b(19\d\d|20\d\d)\b")
_NEW_ID = re.compile(r"^(\d\d)(\d\d)\.\d{4,5}")
_OLD_ID = re.compile(r"/(\d\d)(\d\d)\d{3}")


def is_arxiv(record: Mapping[str, Any]) -> bool:
    return record.keys() >= KEYS


def year(record: Mapping[str, Any]) -> int | None:
    """The year of the first version; without dates, the year the id encodes."""
    versions = record.get("versions") or []
    if versions and isinstance(versions[0], Mapping):
        match = _YEAR.search(str(versions[0].get("created", "")))
        if match:
            return int(match.group(1))
    identifier = str(record.get("id", ""))
    match = _NEW_ID.match(identifier) or _OLD_ID.search(identifier)
    if match is None:
        return None
    short = int(match.group(1))
    return (1900 if short >= 91 else 2000) + short


def _author(parts: Any) -> str:
    if not isinstance(parts, list) or not parts:
        return str(parts)
    last, first, suffix = ([*map(str, parts), "", ""])[:3]
    names = [last.strip()]
    if suffix.strip():
        names.append(suffix.strip())
    if first.strip():
        names.append(first.strip())
    return ", ".join(names)


def to_record(record: Mapping[str, Any], options: ReadOptions) -> dict[str, Any] | None:
    """The paper fields of an arXiv metadata record, or ``None`` when it is outside the slice."""
    categories = str(record.get("categories") or "").split()
    published = year(record)
    if not options.wants(categories, published):
        return None
    identifier = str(record["id"]).strip()
    parsed = record.get("authors_parsed")
    journal = record.get("journal-ref")
    return {
        "title": record.get("title"),
        "abstract": record.get("abstract"),
        "authors": [_author(parts) for parts in parsed] if parsed else record.get("authors"),
        "year": published,
        "venue": journal,
        "doi": record.get("doi"),
        "arxiv_id": identifier,
        "url": f"https://arxiv.org/abs/{identifier}",
        "tags": categories,
        "entry_type": "article" if journal else "misc",
    }
