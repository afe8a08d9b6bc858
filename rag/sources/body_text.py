"""A passage of a paper's body: a few sentences with the page and section they are on.

The record the PDF reader gives (:mod:`rag.sources.pdf.passages`), the index stores beside the
abstract chunks and the judge reads sentences from. It lives apart from the PDF reader so that
reading an index (a question) does not import PDFium.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from nltk.tokenize.punkt import PunktSentenceTokenizer

UNKNOWN_PAGE = 0
"""The page of a passage cut from text that has no page breaks (Zotero 5 and 6's extracted
text): a reference names its section alone."""
PAGE_DESCRIPTION = "The PDF page of the sentence (None: the abstract; 0: not known, a text without pages)."
"""How every record that gives a sentence's page describes that field."""

ABBREVIATIONS = frozenset(
    {"e.g", "i.e", "cf", "vs", "etc", "al", "fig", "figs", "eq", "eqs", "sec", "secs", "tab", "ref", "refs"}
    | {"no", "resp", "approx", "appx", "app", "ch", "def", "thm", "prop", "lem", "alg", "dr", "prof"}
)
"""Words Punkt must not end a sentence after (lowercase, without their final period)."""


@dataclass(frozen=True, slots=True)
class Passage:
    """A few sentences of a paper's body, with where they are."""

    page: int
    """The page the passage starts on, 1-based (:data:`UNKNOWN_PAGE` when the text has no pages)."""
    section: str
    """The heading of the section it is in, as printed ("4.1 Setup")."""
    text: str
    kind: str = "text"
    """``text``, or ``caption`` (a table's or figure's caption, label first), or ``footnote``."""
    turns: tuple[tuple[int, int], ...] = ()
    """``(offset, page)`` where the passage goes on to another page: ``text[offset:]`` is on ``page``."""

    def page_at(self, offset: int) -> int:
        """The page the character at ``offset`` is on."""
        return page_at(self.page, self.turns, offset)

    def place(self, offset: int = 0) -> str:
        """Where the text at ``offset`` is, as a reference shows it (:func:`place`)."""
        return place(self.page_at(offset), self.section)


def place(page: int, section: str | None) -> str:
    """Where a sentence of a body passage is, as a reference shows it: "§4.1 Setup, p. 5", "p. 5"
    without a heading; "§4.1 Setup" (or nothing) on an :data:`UNKNOWN_PAGE`."""
    shown = [f"§{section}"] if section else []
    if page != UNKNOWN_PAGE:
        shown.append(f"p. {page}")
    return ", ".join(shown)


@cache
def _punkt() -> PunktSentenceTokenizer:
    from nltk.tokenize.punkt import PunktParameters, PunktSentenceTokenizer

    parameters = PunktParameters()
    parameters.abbrev_types.update(ABBREVIATIONS)
    return PunktSentenceTokenizer(parameters)


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Where the sentences of a body text start and end (Punkt, told the abbreviations papers
    use: "e.g.", "Fig.", "et al.", "Eq.", "Sec.")."""
    return [(start, end) for start, end in _punkt().span_tokenize(text) if text[start:end].strip()]


def page_at(page: int, turns: tuple[tuple[int, int], ...], offset: int) -> int:
    """The page of the character at ``offset`` of a text that starts on ``page`` and goes on to
    another page at each ``(offset, page)`` of ``turns``."""
    for start, later in turns:
        if start > offset:
            break
        page = later
    return page
