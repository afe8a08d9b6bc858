"""The :class:`Paper` record every reader builds, and the cleaning that turns raw fields into one.

A paper is a title and an abstract plus whatever metadata its source had, and, once its PDF was
read, the digest of that PDF (``fulltext``; its passages are indexed beside the abstract). A paper
that came from the user's own .bib also keeps that entry's type and raw fields (``entry_type``,
``bib_fields``), so :mod:`rag.cite.bibtex` can give the entry back as it was written.

Every field is measured before its LaTeX is parsed (:mod:`rag.sources.latex`): one longer than
:data:`RAW_GROWTH` times its limit, or nested deeper than :data:`rag.sources.latex.MAX_DEPTH`, rejects
the record, so a hostile field costs a length check, not a parse.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from rag.sources.latex import MAX_DEPTH, clean_latex, nesting_depth

MAX_TITLE_CHARS = 1_000
MAX_ABSTRACT_CHARS = 20_000
MAX_FIELD_CHARS = 20_000
"""The longest any other field (an author, the venue, a BibTeX field) may be."""
RAW_GROWTH = 4
"""How many times longer than its limit a field may be as written, LaTeX and all."""
_SPACE = re.compile(r"\s+")
_TUPLE_FIELDS = ("authors", "tags", "collections")
# Fields added after indexes existed: left out of the content hash while empty, so adding them
# did not make every indexed paper look changed.
_LATER_FIELDS = ("tags", "collections", "entry_type", "bib_fields", "fulltext")


@dataclass(frozen=True, slots=True)
class Paper:
    """One paper: a title and abstract, plus whatever metadata the source had."""

    id: str
    title: str
    abstract: str
    authors: tuple[str, ...] = ()
    year: int | None = None
    venue: str | None = None
    url: str | None = None
    doi: str | None = None
    arxiv_id: str | None = None
    bibkey: str | None = None
    source: str | None = None
    tags: tuple[str, ...] = ()
    """Tags and keywords from the source (Zotero tags, RIS ``KW``, BibTeX ``keywords``)."""
    collections: tuple[str, ...] = ()
    """The Zotero collections the paper is filed in."""
    entry_type: str | None = None
    """The kind of publication, as a BibTeX entry type (``article``, ``inproceedings``...)."""
    bib_fields: tuple[tuple[str, str], ...] = ()
    """The fields of the user's own BibTeX entry, as written (only for papers read from a .bib)."""
    fulltext: str | None = None
    """The digest of the PDF whose passages the index holds for this paper (None: abstract only)."""

    @property
    def labels(self) -> list[str]:
        """Tags and collection names, casefolded: what ``--tag`` matches."""
        return sorted({label.casefold() for label in (*self.tags, *self.collections)})

    @property
    def content_hash(self) -> str:
        """Changes whenever anything that is indexed or shown about the paper changes."""
        data = dataclasses.asdict(self)
        data.pop("source")
        for name in _LATER_FIELDS:
            if not data[name]:
                data.pop(name)
        blob = json.dumps(data, sort_keys=True, ensure_ascii=False)
        return hashlib.sha1(blob.encode("utf-8")).hexdigest()[:16]

    def to_dict(self) -> dict[str, Any]:
        data = dataclasses.asdict(self)
        for name in _TUPLE_FIELDS:
            data[name] = list(getattr(self, name))
        data["bib_fields"] = [list(pair) for pair in self.bib_fields]
        return {key: value for key, value in data.items() if value not in (None, [], "")}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Paper:
        """The paper :meth:`to_dict` wrote."""
        values = dict(data)
        for name in _TUPLE_FIELDS:
            values[name] = tuple(values.get(name, ()))
        values["bib_fields"] = tuple((str(k), str(v)) for k, v in values.get("bib_fields", ()))
        return cls(**values)


def title_key(title: str) -> str:
    """Normalise a title for de-duplication: accents, case, punctuation and spacing ignored."""
    text = unicodedata.normalize("NFKD", title)
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).casefold()
    text = re.sub(r"[^\w]+", " ", text)
    return _SPACE.sub(" ", text).strip()


def paper_id(title: str) -> str:
    """A stable id derived from the normalised title."""
    return "p" + hashlib.sha1(title_key(title).encode("utf-8")).hexdigest()[:12]


def _raw(value: Any, what: str, limit: int = MAX_FIELD_CHARS) -> str:
    """``value`` as a string, if it is short and shallow enough to parse; else a ValueError."""
    text = str(value)
    if len(text) > limit * RAW_GROWTH:
        raise ValueError(f"{what} is {len(text)} characters long (at most {limit})")
    depth = nesting_depth(text)
    if depth > MAX_DEPTH:
        raise ValueError(f"{what} nests braces or environments {depth} levels deep (at most {MAX_DEPTH})")
    return text


def _text(value: Any, what: str, limit: int = MAX_FIELD_CHARS) -> str:
    if value is None:
        return ""
    return _SPACE.sub(" ", clean_latex(_raw(value, what, limit))).strip()


def _optional(value: Any, what: str) -> str | None:
    text = _text(value, what)
    return text or None


def _names(value: Any, what: str, separator: str = r"\s+and\s+|;") -> tuple[str, ...]:
    if value is None or value == "":
        return ()
    if isinstance(value, str):
        parts = re.split(separator, value)
    elif isinstance(value, Iterable):
        parts = [str(part) for part in value]
    else:
        raise ValueError(f"{what} must be a list or a string, got {type(value).__name__}")
    return tuple(dict.fromkeys(name for name in (_text(part, what) for part in parts) if name))


def _year(value: Any) -> int | None:
    if value is None or value == "":
        return None
    match = re.search(r"\b(1[89]\d\d|2[01]\d\d)\b", str(value))
    if match is None:
        raise ValueError(f"year must be a four-digit year, got {str(value)[:40]!r}")
    return int(match.group(1))


def clean_title(value: Any) -> str:
    """A raw title as a paper's title (LaTeX to text, spacing normalised), so that
    ``paper_id(clean_title(raw))`` is the id :func:`make_paper` gives its record. Raises
    ``ValueError`` when it cannot be a title (none, too long, nested too deep)."""
    title = _text(value, "title", MAX_TITLE_CHARS)
    if not title:
        raise ValueError("no title")
    if len(title) > MAX_TITLE_CHARS:
        raise ValueError(f"title is {len(title)} characters long (at most {MAX_TITLE_CHARS})")
    return title


def make_paper(record: Mapping[str, Any], *, source: str) -> Paper:
    """Build a cleaned :class:`Paper` from a mapping of raw fields.

    Raises ``ValueError`` with a short reason when the record cannot be a paper.
    """
    title = clean_title(record.get("title"))
    abstract = _text(record.get("abstract"), f"abstract of {title[:60]!r}", MAX_ABSTRACT_CHARS)
    if not abstract:
        raise ValueError(f"no abstract for {title[:60]!r}")
    if len(abstract) > MAX_ABSTRACT_CHARS:
        raise ValueError(
            f"abstract of {title[:60]!r} is {len(abstract)} characters long (at most {MAX_ABSTRACT_CHARS})"
        )
    bib_fields = tuple(
        (str(name), _raw(value, f"BibTeX field {str(name)[:40]!r}"))
        for name, value in record.get("bib_fields") or ()
    )
    return Paper(
        id=paper_id(title),
        title=title,
        abstract=abstract,
        authors=_names(record.get("authors"), "authors"),
        year=_year(record.get("year")),
        venue=_optional(record.get("venue"), "venue"),
        url=_optional(record.get("url"), "url"),
        doi=_optional(record.get("doi"), "doi"),
        arxiv_id=_optional(record.get("arxiv_id"), "arxiv_id"),
        bibkey=_optional(record.get("bibkey"), "bibkey"),
        source=source,
        tags=_names(record.get("tags"), "tags", r"[;,]"),
        collections=_names(record.get("collections"), "collections", r";"),
        entry_type=_optional(record.get("entry_type"), "entry_type"),
        bib_fields=bib_fields,
    )
