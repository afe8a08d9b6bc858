"""Cut Zotero's extracted text of a PDF (``.zotero-ft-cache``) into passages, for a paper whose
PDF is missing or cannot be opened (:mod:`rag.sources.zotero_attachments` decides when).

Takes the pages of Zotero's text (:attr:`~rag.sources.zotero_attachments.AttachmentFile.cached_pages`)
and whether they are pages; gives :class:`~rag.sources.pdf.passages.Passage` records, cut by the
PDF reader's own cutter (:func:`~rag.sources.pdf.passages.make_passages`), with what plain text
can tell:

- paragraphs: Zotero 7 writes a paragraph a line (its lines joined, line-end hyphens removed) and
  no blank line within a page; Zotero 5 and 6 (``pdftotext``) write the lines of the page, a blank
  line between paragraphs, and those lines are joined here with line-end hyphens resolved
  (:mod:`rag.sources.pdf.hyphenation`);
- the page: the page a passage starts on when the text has Zotero 7's page breaks, else
  :data:`~rag.sources.body_text.UNKNOWN_PAGE` (a reference to it names no page);
- running headers, footers and page numbers: the first and last :data:`EDGE_PARAGRAPHS`
  paragraphs of a page are dropped when they are a page number or repeat on enough pages, digits
  ignored (:mod:`rag.sources.pdf.running_lines`' rule for lines); without pages, page numbers and
  short paragraphs that repeat :data:`~rag.sources.pdf.running_lines.REPEATS` times or more;
- sections: a paragraph that is a known section name on its own, numbered or not ("1
  Introduction", "REFERENCES", "Appendix B: Proofs"; :data:`rag.sources.pdf.headings.KNOWN`), opens
  a section. Plain text has no type sizes, so other headings ("4.1 Setup") stay in their
  section's text. The text before the first heading is the front matter (title, authors), not a
  passage, unless no heading is found at all;
- the reference list, from a References or Bibliography paragraph to the next heading, never
  becomes a passage;
- a paragraph that stops mid-sentence at the end of a page goes on in the next page's first
  paragraph when that one starts in lower case.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence

from rag.sources.body_text import UNKNOWN_PAGE
from rag.sources.pdf.headings import KNOWN, MAX_WORDS, Kind
from rag.sources.pdf.hyphenation import join_lines, vocabulary
from rag.sources.pdf.passages import Passage, PassageSettings, make_passages
from rag.sources.pdf.running_lines import REPEATS, edge_key, is_page_number, repeats_needed
from rag.sources.pdf.sections import Paragraph, Section

EDGE_PARAGRAPHS = 2
"""How many paragraphs at the top and at the bottom of a page may be running lines."""
_NUMBER = re.compile(r"(?:\d{1,2}(?:\.\d{1,2}){0,3}|[A-H](?:\.\d{1,2}){0,3}|[IVX]{1,5})\.?\s+")
_APPENDIX = re.compile(r"(?:appendix|appendices)(?:\s+[A-Z0-9]{1,2})?(?:\s*[:.\u2014\u2013-]\s*.*)?", re.I)
_SENTENCE_END = (".", "!", "?", ":", ";", ")", "]", '"', "\u201d")


def zotero_text_passages(
    pages: Sequence[str], pages_known: bool, settings: PassageSettings | None = None
) -> list[Passage]:
    """The passages of Zotero's text of a PDF (``pages``: one string a page from page 1, or the
    whole text as one when ``pages_known`` is False)."""
    by_page = _paragraphs(pages)
    by_page = _without_running(by_page) if pages_known else _without_repeats(by_page)
    numbered = [
        (number if pages_known else UNKNOWN_PAGE, text)
        for number, page in enumerate(by_page, 1)
        for text in page
    ]
    return make_passages(_sections(numbered), settings)


def _paragraphs(pages: Sequence[str]) -> list[list[str]]:
    """Each page's paragraphs, in order."""
    blocks = [[block for block in re.split(r"\n\s*\n", page.strip()) if block.strip()] for page in pages]
    words = vocabulary(line for page in pages for line in page.splitlines())
    if all(len(page) <= 1 for page in blocks):  # Zotero 7: a paragraph a line
        return [[" ".join(line.split()) for line in page.splitlines() if line.strip()] for page in pages]
    return [[join_lines(block.splitlines(), words) for block in page] for page in blocks]


def _without_running(pages: list[list[str]]) -> list[list[str]]:
    """The pages without their running headers, footers and page numbers."""

    def edges(page: list[str]) -> set[int]:
        return set(range(min(EDGE_PARAGRAPHS, len(page)))) | set(
            range(max(0, len(page) - EDGE_PARAGRAPHS), len(page))
        )

    counts: Counter[str] = Counter()
    for page in pages:
        counts.update({edge_key(page[index]) for index in edges(page)})
    needed = repeats_needed(len(pages)) if len(pages) > 1 else len(pages) + 1
    return [
        [
            text
            for index, text in enumerate(page)
            if index not in edges(page) or not (is_page_number(text) or counts[edge_key(text)] >= needed)
        ]
        for page in pages
    ]


def _without_repeats(pages: list[list[str]]) -> list[list[str]]:
    """Text without pages: page numbers dropped, and short paragraphs (not headings) that repeat
    :data:`~rag.sources.pdf.running_lines.REPEATS` times or more, digits ignored."""

    def short(text: str) -> bool:
        return len(text.split()) <= MAX_WORDS and heading_kind(text) is None

    counts = Counter(edge_key(text) for page in pages for text in page if short(text))
    return [
        [
            text
            for text in page
            if not is_page_number(text) and not (short(text) and counts[edge_key(text)] >= REPEATS)
        ]
        for page in pages
    ]


def heading_kind(text: str) -> Kind | None:
    """The kind of section ``text`` opens when it is a known section name on its own, else None."""
    bare = " ".join(text.split()).rstrip(" .:")
    if not bare or len(bare.split()) > MAX_WORDS:
        return None
    if _APPENDIX.fullmatch(bare):
        return "appendix"
    number = _NUMBER.match(bare)
    name = bare[number.end() :] if number else bare
    return KNOWN.get(name.casefold())


def _sections(paragraphs: list[tuple[int, str]]) -> list[Section]:
    """The paragraphs walked into sections, each heading opening one."""
    first = paragraphs[0][0] if paragraphs else UNKNOWN_PAGE
    sections = [Section("", "front", first)]
    for page, text in paragraphs:
        kind = heading_kind(text)
        if kind is not None:
            sections.append(Section(" ".join(text.split()).rstrip(" .:"), kind, page))
            continue
        current = sections[-1]
        last = current.paragraphs[-1] if current.paragraphs else None
        if last is not None and page != last.page and _goes_on(last.text, text):
            turn = (len(last.text) + 1, page)
            current.paragraphs[-1] = Paragraph(last.page, f"{last.text} {text}", turns=(*last.turns, turn))
        else:
            current.paragraphs.append(Paragraph(page, text))
    if len(sections) == 1:  # no heading at all: the whole text is the body
        sections[0].kind = "body"
    return sections


def _goes_on(before: str, after: str) -> bool:
    return not before.rstrip().endswith(_SENTENCE_END) and after[:1].islower()
