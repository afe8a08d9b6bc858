"""Read a PDF into a :class:`PdfDocument`: title, abstract, identifiers, passages, references.

Takes a path; gives the document, or raises a one-line :class:`~rag.errors.CorpusError` naming
the file (encrypted, damaged, truncated, no pages, not a PDF, no text layer). The stages:

1. pages are read and laid out one at a time (:mod:`.pages`, :mod:`.layout`); only their lines of
   text are kept, so memory grows with the text, not with the PDF's objects;
2. running headers, footers and page numbers are dropped (:mod:`.running_lines`);
3. the document's vocabulary is gathered, to resolve line-end hyphens (:mod:`.hyphenation`);
4. lines are walked into sections of paragraphs and a reference list (:mod:`.sections`,
   :mod:`.headings`, :mod:`.references`);
5. body and appendix sections are cut into passages (:mod:`.passages`).

The title is the largest text in the upper part of page 1 (the lines set in the largest size,
read in order); when page 1 has no text larger than its body text, its first bold line of two
words or more, else its first line of two words or more, running lines left out. The abstract is
the text of the Abstract section up to a "Keywords", "Index Terms" or "DOI"
line; without an Abstract heading, the longest paragraph before the first heading, if it has
:data:`MIN_FRONT_ABSTRACT` characters. Identifiers are looked for on page 1 (its margin stamp
included) and in the running lines of every page, never in the reference list.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from pathlib import Path

from rag.errors import CorpusError
from rag.sources.identifiers import find_arxiv_ids, find_dois
from rag.sources.pdf.hyphenation import join_lines, vocabulary
from rag.sources.pdf.layout import LaidOutPage, lay_out
from rag.sources.pdf.pages import read_pages
from rag.sources.pdf.passages import Passage, PassageSettings, make_passages
from rag.sources.pdf.references import split_references
from rag.sources.pdf.running_lines import is_page_number, running_keys, split_running
from rag.sources.pdf.sections import Section, find_sections

TITLE_AREA = 0.4
"""The title is looked for above this fraction of page 1's height, from the bottom."""
TITLE_LARGER = 1.15
"""Text this many times the body size or larger can be a title."""
MIN_FRONT_ABSTRACT = 300
"""A paragraph before the first heading this long is taken for the abstract, when none is headed."""
_ABSTRACT_END = re.compile(
    r"(?:doi\b|keywords|key words|index terms|ccs concepts|acm reference format|https?://|arxiv:)",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class PdfDocument:
    """What was read from one PDF."""

    path: str
    pages: int
    title: str
    """From page 1 ("" when page 1 has none)."""
    abstract: str
    """The Abstract section's text ("" when the PDF has none that can be told apart)."""
    dois: tuple[str, ...]
    """DOIs on page 1 and in running lines, normalised, the paper's own most likely first."""
    arxiv_ids: tuple[str, ...]
    """arXiv ids on page 1 (margin stamp first) and in running lines, normalised."""
    headings: tuple[tuple[int, str], ...]
    """``(page, heading)`` of every section found, in order."""
    passages: tuple[Passage, ...]
    """The body and appendices in passages of a few sentences (never the reference list)."""
    references: tuple[str, ...]
    """The entries of the reference list, kept apart from the passages."""

    @property
    def doi(self) -> str | None:
        return self.dois[0] if self.dois else None

    @property
    def arxiv_id(self) -> str | None:
        return self.arxiv_ids[0] if self.arxiv_ids else None


def read_pdf(
    path: str | Path, *, settings: PassageSettings | None = None, max_pages: int | None = None
) -> PdfDocument:
    """Read ``path``: one page at a time, then its structure from the text kept. ``max_pages``
    reads only the first pages (enough for the title, abstract and identifiers of page 1)."""
    path = Path(path)
    pages: list[LaidOutPage] = []
    reading = read_pages(path)
    try:
        for raw in reading:
            page = lay_out(raw)
            pages.append(page if page.number == 1 else dataclasses.replace(page, text=""))
            if max_pages is not None and len(pages) >= max_pages:
                break
    finally:
        reading.close()  # closes the document now, not when the generator is collected
    if not any(page.lines for page in pages):
        raise CorpusError(path, "has no text layer (scanned?); text recognition (OCR) is not done")
    keys = running_keys(pages)
    stripped: list[LaidOutPage] = []
    running: list[str] = []
    for page in pages:
        kept, dropped = split_running(page, keys)
        stripped.append(kept)
        running += dropped
    title_lines = _title_lines(pages[0], stripped[0])
    words = vocabulary(line.text for page in stripped for line in page.lines)
    sections, reference_lines = find_sections(stripped, words)
    identifiers = "\n".join([pages[0].text, *running])
    return PdfDocument(
        path=str(path),
        pages=len(pages),
        title=" ".join(join_lines(title_lines, words).split()),
        abstract=_abstract(sections),
        dois=tuple(find_dois(identifiers)),
        arxiv_ids=tuple(find_arxiv_ids(identifiers)),
        headings=tuple((section.page, section.heading) for section in sections if section.heading),
        passages=tuple(make_passages(sections, settings)),
        references=tuple(split_references(reference_lines, words)),
    )


def _title_lines(page: LaidOutPage, stripped: LaidOutPage) -> list[str]:
    """The lines of the title on page 1 (``stripped``: without its running lines)."""
    upper = [
        line
        for line in page.lines
        if line.y0 >= TITLE_AREA * page.height and sum(c.isalpha() for c in line.text) >= 2
    ]
    if not upper:
        return []
    largest = max(line.size for line in upper)
    if largest < TITLE_LARGER * page.body_size:
        candidates = [line for line in stripped.lines if len(line.text.split()) >= 2 and line in upper]
        first = next((line for line in candidates if line.bold), candidates[0] if candidates else None)
        return [first.text] if first else []
    picked: list[str] = []
    for line in page.lines:
        if line in upper and line.size >= largest - 0.5 and not is_page_number(line.text):
            picked.append(line.text)
        elif picked:
            break
    return picked


def _abstract(sections: list[Section]) -> str:
    for section in sections:
        if section.kind == "abstract":
            kept = []
            for paragraph in section.paragraphs:
                if _ABSTRACT_END.match(paragraph.text):
                    break
                if paragraph.kind == "text":
                    kept.append(paragraph.text)
            return " ".join(kept)
    front = [p.text for p in sections[0].paragraphs if p.kind == "text"] if sections else []
    longest = max(front, key=len, default="")
    return longest if len(longest) >= MIN_FRONT_ABSTRACT else ""
