"""Walk a document's lines into sections of paragraphs, with the reference list kept apart.

Takes the laid-out pages (running lines already dropped) and the document's vocabulary; gives
the :class:`Section` list in reading order (the first, with no heading, is the front matter:
title, authors, affiliations) and the lines of the reference list (for
:func:`~rag.sources.pdf.references.split_references`). Within a section:

- a paragraph is the run of lines between paragraph starts (:mod:`~rag.sources.pdf.layout`),
  joined with line-end hyphens resolved (:mod:`~rag.sources.pdf.hyphenation`);
- a line that opens with a float's label ("Table 2:", "Figure 3.", "Fig. 1:", "Algorithm 1")
  starts a caption paragraph, kept whole with its label; after a table's caption, each line that
  reads as a row (:func:`~rag.sources.pdf.tables.is_row`) is a ``row`` paragraph of its own;
  footnotes are paragraphs of their own;
- a chapter's label ("Chapter 2", :mod:`~rag.sources.pdf.headings`) and the title set below it are
  one heading, "Chapter 2 Recorders for Salt Marshes";
- a paragraph that stops mid-sentence (no closing punctuation, or a hyphen) and the next text
  paragraph that goes on in lower case are one paragraph: a column, page or float cut it; so are
  a paragraph and the next one when that one opens with punctuation (the full stop after a
  displayed equation). The captions and footnotes in between come after it;
- the lines of a displayed formula (:func:`formula_line`) are left out: their text is symbols out
  of order, which no question matches.

Everything from a References (or Bibliography) heading to the next heading (an appendix, most
often) is the reference list; it never becomes a paragraph.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Literal

from rag.sources.body_text import page_at
from rag.sources.pdf.headings import LARGER, Heading, Kind, read_heading
from rag.sources.pdf.hyphenation import ends_hyphenated, join_lines_at
from rag.sources.pdf.layout import LaidOutPage, Line
from rag.sources.pdf.tables import is_row

ParagraphKind = Literal["text", "caption", "footnote", "row"]
_CAPTION = re.compile(
    r"(?:Table|Figure|Fig\.|Algorithm|Listing)\s*(?:\d{1,3}|[IVX]{1,5}|[A-Z]\.\d{1,2})\s*[.:|]"
)
_EQUATION_NUMBER = re.compile(r"\(\d{1,3}[a-z]?\)")
_FRAGMENT = re.compile(r"[A-Za-z0-9]{1,2}")
_MATH = re.compile(
    "[\u0370-\u03ff"  # Greek
    "=<>|"
    "\u2264\u2265\u2248\u223c\u221d\u2208\u2209\u2282\u2286\u2225"  # relations, set membership, norm bars
    "\u2211\u220f\u222b\u2202\u2207\u221e\u222a\u2229\u2200\u2203"  # big operators, calculus, quantifiers
    "\u02c6\u02dc\u00af\u00b7\u00d7\u00b1\u2213\u2212\u2192\u2190\u21a6"  # accents, products, minus, arrows
    "]"
)
_FOOTNOTE_START = re.compile(r"[\d*\u2020\u2021\u00a7\u00b6]{1,3}\s")


@dataclass(frozen=True, slots=True)
class Paragraph:
    page: int
    """The page the paragraph starts on (1-based)."""
    text: str
    kind: ParagraphKind = "text"
    turns: tuple[tuple[int, int], ...] = ()
    """``(offset, page)`` where the paragraph goes on to another page: ``text[offset:]`` is on
    ``page``."""

    def page_at(self, offset: int) -> int:
        """The page the character at ``offset`` is on."""
        return page_at(self.page, self.turns, offset)


@dataclass
class Section:
    heading: str
    """As printed ("3 Method"); empty for the front matter."""
    kind: Kind
    page: int
    """The page the heading is on."""
    paragraphs: list[Paragraph] = field(default_factory=list)


@dataclass
class _Open:
    """The paragraph being read: its kind and its lines, each with its page."""

    kind: ParagraphKind
    lines: list[tuple[int, str]]

    @property
    def page(self) -> int:
        return self.lines[0][0]


def find_sections(
    pages: Sequence[LaidOutPage], words: set[str]
) -> tuple[list[Section], list[tuple[int, Line]]]:
    """The sections of the document in order, and the lines of its reference list."""
    sections = [Section("", "front", 1)]
    raw: list[list[_Open]] = [[]]
    references: list[tuple[int, Line]] = []
    seen_references = False
    heading_line: Line | None = None
    chapter: tuple[int, Line] | None = None  # a chapter's label, on its page, its title still to come
    for page, line in _lines(pages):
        section = sections[-1]
        found = read_heading(line, page.body_size)
        if chapter is not None and _chapter_title(chapter, page, line, found):
            section.heading = f"{section.heading} {' '.join(line.text.split())}"
            if found is not None and found[0].kind != "body":  # "Chapter 7 References"
                section.kind = found[0].kind
                seen_references = seen_references or section.kind == "references"
            chapter, heading_line = None, line
            continue
        chapter = None
        goes_on = heading_line is not None and _heading_goes_on(heading_line, line, page.body_size)
        if found is None and goes_on:
            section.heading = join_lines_at([section.heading, line.text], words)[0]
            heading_line = line
            continue
        heading_line = None
        if section.kind == "references" and found is None:
            references.append((page.number, line))
            continue
        if found is not None:
            heading, rest = found
            kind = _kind(heading, section.kind, seen_references)
            seen_references = seen_references or kind == "references"
            sections.append(Section(heading.text, kind, page.number))
            raw.append([_Open("text", [(page.number, rest)])] if rest else [])
            heading_line = line if heading.numbered and not rest else None
            chapter = (page.number, line) if heading.chapter else None
            continue
        _add_line(raw[-1], page.number, line)
    for section, paragraphs in zip(sections, raw, strict=True):
        section.paragraphs = list(_stitched(paragraphs, words))
    return sections, references


def _lines(pages: Sequence[LaidOutPage]) -> Iterator[tuple[LaidOutPage, Line]]:
    for page in pages:
        for line in page.lines:
            yield page, line


def _chapter_title(
    chapter: tuple[int, Line], page: LaidOutPage, line: Line, found: tuple[Heading, str] | None
) -> bool:
    """Whether ``line`` is the title of the chapter labelled ``chapter`` ("Chapter 2"): on its
    page, below it (within three times its size), set in bold or larger than the text, and not a
    numbered heading of its own ("2.1 Setup", when the chapter has no title)."""
    number, label = chapter
    styled = line.bold or line.size >= LARGER * page.body_size
    below = -1.0 <= label.y0 - line.y1 < 3 * max(label.size, 1.0)
    numbered = found is not None and found[0].numbered
    return number == page.number and styled and below and not numbered and len(line.text) < 80


def _heading_goes_on(heading: Line, line: Line, body_size: float) -> bool:
    """Whether ``line`` is the second line of a numbered heading: set like it (in bold or larger
    than the text), right under it."""
    styled = heading.bold or heading.size >= LARGER * body_size
    same_style = heading.bold == line.bold and abs(heading.size - line.size) <= 0.2
    under = -1.0 <= heading.y0 - line.y1 < 0.8 * max(heading.size, 1.0) and heading.column == line.column
    return styled and same_style and under and len(line.text) < 80


def _kind(heading: Heading, current: Kind, seen_references: bool) -> Kind:
    if heading.kind != "body":
        return heading.kind
    if heading.lettered and seen_references:
        return "appendix"
    if current == "appendix" and not heading.text[:1].isdigit():
        return "appendix"
    return "body"


def _add_line(paragraphs: list[_Open], page: int, line: Line) -> None:
    text = line.text
    last = paragraphs[-1] if paragraphs else None
    row = last is not None and _table_goes_on(last) and is_row(text, header=last.kind == "caption")
    if formula_line(text) and not row:  # a row of speed-ups reads as symbols ("1.9\u00d7")
        return
    if line.footnote:
        if last is None or last.kind != "footnote" or last.page != page or _FOOTNOTE_START.match(text):
            paragraphs.append(_Open("footnote", [(page, text)]))
        else:
            last.lines.append((page, text))
    elif _CAPTION.match(text):
        paragraphs.append(_Open("caption", [(page, text)]))
    elif row:
        paragraphs.append(_Open("row", [(page, text)]))  # each row of a table a paragraph of its own
    elif last is None or line.paragraph or last.kind in ("footnote", "row"):
        paragraphs.append(_Open("text", [(page, text)]))
    else:
        last.lines.append((page, text))


def _table_goes_on(last: _Open) -> bool:
    """Whether a table's rows may follow ``last``: a row, or a table's whole caption."""
    if last.kind == "row":
        return True
    text = last.lines[-1][1].rstrip()
    return last.kind == "caption" and last.lines[0][1].startswith("Table") and text.endswith((".", ":"))


def _stitched(paragraphs: list[_Open], words: set[str]) -> Iterator[Paragraph]:
    """The section's paragraphs, those cut by a column, page or float joined again."""
    waiting: list[_Open] = []
    text: _Open | None = None
    for paragraph in paragraphs:
        if paragraph.kind != "text":
            waiting.append(paragraph)
            continue
        if text is not None and _cut(text, paragraph):
            text.lines += paragraph.lines
            continue
        if text is not None:
            yield _paragraph(text, words)
        yield from (_paragraph(item, words) for item in waiting)
        waiting = []
        text = paragraph
    if text is not None:
        yield _paragraph(text, words)
    yield from (_paragraph(item, words) for item in waiting)


def formula_line(text: str) -> bool:
    """Whether a line is part of a displayed formula: math symbols, and under half of its tokens
    words; or an equation number alone ("(3)"), or a letter or digit or two alone (an index, a
    numerator)."""
    if _EQUATION_NUMBER.fullmatch(text.strip()) or _FRAGMENT.fullmatch(text.strip()):
        return True
    if not _MATH.search(text):
        return False
    tokens = text.split()
    words = [token for token in tokens if sum(char.isalpha() for char in token) >= max(2, 0.6 * len(token))]
    return len(words) < len(tokens) / 2


def _cut(before: _Open, after: _Open) -> bool:
    """Whether ``after`` goes on with the sentence ``before`` stops in the middle of."""
    last = before.lines[-1][1].rstrip()
    first = after.lines[0][1].lstrip()
    if not last or not first:
        return False
    if ends_hyphenated(last):
        return first[0].isalpha()
    if first[0] in ".,;:)":
        return True
    ends_mid_sentence = last[-1].isalpha() or last.endswith((",", ";"))
    return ends_mid_sentence and first[0].islower()


def _paragraph(paragraph: _Open, words: set[str]) -> Paragraph:
    text, starts = join_lines_at([text for _, text in paragraph.lines], words)
    turns = []
    page = paragraph.page
    for start, (line_page, _) in zip(starts, paragraph.lines, strict=False):
        if line_page != page:
            turns.append((start, line_page))
            page = line_page
    return Paragraph(paragraph.page, text, paragraph.kind, tuple(turns))
