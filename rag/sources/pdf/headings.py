"""Tell a section heading from a line of prose, and what kind of section it opens.

Takes one laid-out line and the page's body font size; gives a :class:`Heading` (its text, as
printed, and its kind) or None. A line is a heading when it is one of

- a known section name alone on its line, numbered or not, any case: "Abstract", "1 Introduction",
  "REFERENCES", "Conclusions", "Appendix B: Proofs" (see :data:`KNOWN`); the names of body
  sections ("Method", "Results") also need bold, a larger size or capitals, as they can be a
  table's column heading;
- a numbered heading, "3 Method", "4.1 Setup", "III. RESULTS", "A Additional Results": a number
  (or a capital letter, or a Roman numeral) and a capitalised title of at most
  :data:`MAX_WORDS` words, set in bold or larger than the body text, never smaller than it;
- a known name run into its paragraph: "Abstract—We study ...", "Abstract. We study ..." (bold, or
  in capitals), given back with the rest of the line.
- a chapter's label alone, "Chapter 2", "CHAPTER IV" (bold or larger than the body text), as a
  thesis or a book sets it above the chapter's title: the title, on the lines below, is joined to
  it by :func:`~rag.sources.pdf.sections.find_sections`.

Kinds: ``abstract``, ``body``, ``references`` (the reference list, kept apart) and ``appendix``
("Appendix", "Supplementary material", or a lettered heading after the references).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from rag.sources.pdf.layout import Line

Kind = Literal["front", "abstract", "body", "references", "appendix"]
MAX_WORDS = 12
"""The longest heading, in words."""
LARGER = 1.1
"""A heading not in bold is at least this many times the body text's size."""
KNOWN: dict[str, Kind] = {
    "abstract": "abstract",
    "introduction": "body",
    "background": "body",
    "related work": "body",
    "related works": "body",
    "method": "body",
    "methods": "body",
    "methodology": "body",
    "experiments": "body",
    "experimental setup": "body",
    "results": "body",
    "discussion": "body",
    "limitations": "body",
    "conclusion": "body",
    "conclusions": "body",
    "conclusion and future work": "body",
    "acknowledgements": "body",
    "acknowledgments": "body",
    "acknowledgement": "body",
    "acknowledgment": "body",
    "references": "references",
    "bibliography": "references",
    "literature cited": "references",
    "works cited": "references",
    "appendix": "appendix",
    "appendices": "appendix",
    "supplementary material": "appendix",
    "supplementary materials": "appendix",
}
_NUMBER = r"(?:\d{1,2}(?:\.\d{1,2}){0,3}|[A-H](?:\.\d{1,2}){0,3}|[IVX]{1,5})\.?"
_NUMBERED = re.compile(rf"(?P<number>{_NUMBER})\s+(?P<title>[A-Z].*)")
_APPENDIX = re.compile(
    r"(?:appendix|appendices)(?:\s+[A-Z0-9]{1,2})?(?:\s*[:.\u2014\u2013-]\s*.*)?", re.IGNORECASE
)
_RUN_IN = re.compile(r"(?P<name>abstract)\s*(?:[.:\u2014\u2013]|-{1,2})\s*(?P<rest>\S.*)", re.IGNORECASE)
_CHAPTER = re.compile(r"chapter\s+(?:\d{1,2}|[IVXLC]{1,6})", re.IGNORECASE)
_TRAILING = " .:"


@dataclass(frozen=True, slots=True)
class Heading:
    text: str
    """As printed, spacing tidied: "3 Method"."""
    kind: Kind
    lettered: bool = False
    """Numbered with a capital letter ("A Proofs"): an appendix when it follows the references."""
    numbered: bool = False
    """Numbered ("3 Method"), not a known name alone; only such a heading may run on a second line."""
    chapter: bool = False
    """A chapter's label alone ("Chapter 2"), its title on the next lines."""


def _styled(line: Line, body_size: float) -> bool:
    return line.bold or (body_size > 0 and line.size >= LARGER * body_size)


def _not_smaller(line: Line, body_size: float) -> bool:
    return body_size <= 0 or line.size >= 0.95 * body_size


def read_heading(line: Line, body_size: float) -> tuple[Heading, str] | None:
    """The heading ``line`` is, and the text run in after it ("" for most headings); or None."""
    text = " ".join(line.text.split())
    if not text or line.footnote or not _not_smaller(line, body_size):
        return None
    bare = text.rstrip(_TRAILING)
    known = _known(bare)
    if known is not None and (_styled(line, body_size) or bare.isupper() or known != "body"):
        return Heading(bare, known), ""
    if _APPENDIX.fullmatch(bare) and (len(bare.split()) <= MAX_WORDS):
        return Heading(bare, "appendix"), ""
    numbered = _NUMBERED.fullmatch(bare)
    if numbered and _styled(line, body_size) and _title_like(numbered.group("title")):
        number = numbered.group("number").rstrip(".")
        kind = _known(numbered.group("title")) or "body"
        return Heading(bare, kind, lettered=number.isalpha() and len(number) == 1, numbered=True), ""
    if _CHAPTER.fullmatch(bare) and _styled(line, body_size):
        return Heading(bare, "body", chapter=True), ""
    run_in = _RUN_IN.fullmatch(text)
    if run_in and (line.bold_start or run_in.group("name").isupper()):
        return Heading(run_in.group("name").capitalize(), "abstract"), run_in.group("rest")
    return None


def _known(text: str) -> Kind | None:
    """The kind of a known section name, numbered or not ("4 Conclusions", "REFERENCES")."""
    words = text.split(maxsplit=1)
    if len(words) == 2 and re.fullmatch(_NUMBER, words[0]):
        text = words[1]
    return KNOWN.get(" ".join(text.split()).casefold().rstrip(_TRAILING))


def _title_like(title: str) -> bool:
    words = title.split()
    if not words or len(words) > MAX_WORDS:
        return False
    letters = sum(char.isalpha() for char in title)
    return letters >= 0.6 * len(title.replace(" ", "")) and not title.endswith((",", ";"))
