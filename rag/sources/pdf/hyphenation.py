"""Join words hyphenated at line ends, keeping the hyphen of words that have one.

Takes the lines of a paragraph and the document's own vocabulary; gives the paragraph as one
string. A line that ends in a hyphen (PDFium marks it; a plain ``-`` counts too) meets the next
line's first word, and the two are written

1. with the hyphen when either part already holds a hyphen ("state-of-" + "the-art",
   "sequence-to-" + "sequence"): typesetters do not hyphenate such words, so the line broke at
   the word's own hyphen;
2. as one word when the document uses the joined word elsewhere, unbroken ("configu-" + "ration"
   where "configuration" appears on another line);
3. with the hyphen when the document uses the hyphenated word elsewhere ("zero-" + "shot" where
   "zero-shot" appears);
4. with the hyphen when both parts are words of the document of at least
   :data:`MIN_PART_LETTERS` letters ("speaker-" + "independent") or the second part is not a
   word ("hep-" + "th/9901001");
5. else as one word: line-end hyphens are mostly the typesetter's ("repre-" + "sentations").

The vocabulary (:func:`vocabulary`) is every word of the document that is not cut by a line end,
casefolded.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from rag.sources.pdf.pages import LINE_END_HYPHEN

MIN_PART_LETTERS = 4
"""Rule 4: both parts of a kept compound have at least this many letters."""
HYPHENS = (LINE_END_HYPHEN, "-", "\u2010")
_WORD = re.compile(r"[^\W\d_]+(?:[-\u2010'\u2019][^\W\d_]+)*")
_LETTERS = re.compile(r"[^\W\d_]+")
_LAST_TOKEN = re.compile(r"(\S*)$")
_FIRST_TOKEN = re.compile(r"^(\S+)")


def ends_hyphenated(line: str) -> bool:
    """Whether ``line`` ends in a hyphen after a letter (not a dash standing alone)."""
    return len(line) >= 2 and line.endswith(HYPHENS) and line[-2].isalpha()


def vocabulary(lines: Iterable[str]) -> set[str]:
    """The casefolded words of ``lines`` that no line end cuts (a line's first word after a
    hyphenated line end and the hyphenated word itself are left out)."""
    words: set[str] = set()
    cut_start = False
    for line in lines:
        tokens = _WORD.findall(line)
        if cut_start and tokens:
            tokens = tokens[1:]
        cut_start = ends_hyphenated(line)
        if cut_start and tokens:
            tokens = tokens[:-1]
        words.update(token.casefold() for token in tokens)
    return words


def join_pair(left: str, right: str, words: set[str]) -> str:
    """The word made of ``left`` (a line's last token, hyphen dropped) and ``right`` (the next
    line's first token), by the rules of this module."""
    head = _trailing_word(left)
    tail = _leading_word(right)
    if not head or not tail:
        return f"{left}-{right}"
    if "-" in head or "-" in tail or "\u2010" in tail:
        return f"{left}-{right}"
    joined, compound = (head + tail).casefold(), f"{head}-{tail}".casefold()
    if joined in words:
        return left + right
    if compound in words:
        return f"{left}-{right}"
    tail_is_word = tail == right.rstrip(".,;:!?)]}'\"\u2019\u201d")
    if not tail_is_word:
        return f"{left}-{right}"
    parts_are_words = head.casefold() in words and tail.casefold() in words
    if parts_are_words and min(len(head), len(tail)) >= MIN_PART_LETTERS:
        return f"{left}-{right}"
    return left + right


def _trailing_word(token: str) -> str:
    match = re.search(r"[^\W\d_]+(?:-[^\W\d_]+)*$", token)
    return match.group(0) if match else ""


def _leading_word(token: str) -> str:
    match = re.match(r"[^\W\d_]+(?:[-\u2010][^\W\d_]+)*", token)
    return match.group(0) if match else ""


def join_lines(lines: Sequence[str], words: set[str]) -> str:
    """``lines`` as one paragraph: spaces between lines, line-end hyphens resolved."""
    return join_lines_at(lines, words)[0]


def join_lines_at(lines: Sequence[str], words: set[str]) -> tuple[str, list[int]]:
    """:func:`join_lines`, and where each line starts in the text (a line whose first word was
    joined to the line before starts where that word does)."""
    text = ""
    starts: list[int] = []
    for line in lines:
        line = line.strip()
        if text and line and ends_hyphenated(text):
            head = _LAST_TOKEN.search(text[:-1])
            first = _FIRST_TOKEN.match(line)
            if head is not None and first is not None:
                starts.append(head.start(1))
                joined = join_pair(head.group(1), first.group(1), words)
                text = text[: head.start(1)] + joined + line[first.end(1) :]
                continue
        if text and line:
            text += " "
        starts.append(len(text))
        text += line
    return text.replace(LINE_END_HYPHEN, "-"), starts
