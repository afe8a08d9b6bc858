"""The text of one manuscript file being read: markup blanked in place, then cut into sentences.

Markup is removed by *blanking* it (every character but newlines becomes a space), so offsets and
line numbers in the cleaned text are those of the file. A citation belongs to the sentence whose
span holds it; one written after the full stop (``shown.~\\cite{x}``) belongs to that sentence,
while a textual one (``\\citet{x} show``, pandoc's ``@x says``) opens the next. :mod:`rag.check.manuscript`
does the format-specific blanking.
"""

from __future__ import annotations

import bisect
import itertools
import re
from dataclasses import dataclass, field

from rag.errors import DraftError


@dataclass(frozen=True)
class Cite:
    key: str
    line: int
    at: int | None = None
    """Where the citation stands in its sentence's text (a character offset; one after the full
    stop is at its end); None for citations on their own after the sentence (they back all of it)."""


@dataclass(frozen=True)
class Sentence:
    text: str
    line: int
    file: str
    cites: tuple[Cite, ...] = ()

    @property
    def keys(self) -> list[str]:
        """The cited keys, each once, in order of appearance."""
        return list(dict.fromkeys(cite.key for cite in self.cites))


@dataclass
class Draft:
    sentences: list[Sentence] = field(default_factory=list)
    problems: list[DraftError] = field(default_factory=list)


class Page:
    """One file's text being cleaned: blanked in place, with sentence breaks and citations noted."""

    def __init__(self, text: str, name: str) -> None:
        self.original = text
        self.chars = list(text)
        self.name = name
        self.breaks: set[int] = set()
        self.cites: list[tuple[int, int, str]] = []
        """(offset, order of appearance, key)"""
        self.textual: set[int] = set()
        self.inserts: list[tuple[int, list[Sentence]]] = []
        self.problems: list[DraftError] = []
        self._newlines = [i for i, char in enumerate(text) if char == "\n"]

    @property
    def text(self) -> str:
        return "".join(self.chars)

    def line(self, offset: int) -> int:
        return bisect.bisect_left(self._newlines, offset) + 1

    def blank(self, start: int, end: int) -> None:
        for i in range(start, min(end, len(self.chars))):
            if self.chars[i] != "\n":
                self.chars[i] = " "

    def blank_all(self, pattern: re.Pattern[str], *, breaks: bool = False) -> None:
        for match in pattern.finditer(self.text):
            self.blank(match.start(), match.end())
            if breaks:
                self.breaks.add(match.start())

    def keep_plain(self, start: int, end: int) -> None:
        """Inline math: a figure keeps its digits and signs (``$25\\%$`` reads ``25%``); a formula goes."""
        inner = "".join(self.chars[start:end])
        for match in re.finditer(r"\\[a-zA-Z]+", inner):
            self.blank(start + match.start(), start + match.end())
        if re.search(r"[^\W\d_]", "".join(self.chars[start:end])):  # a formula, not a figure: drop it
            self.blank(start, end)
            return
        for i in range(start, end):
            if not (self.chars[i].isalnum() or self.chars[i] in ".,%-+"):
                self.blank(i, i + 1)

    def problem(self, offset: int, message: str) -> None:
        self.problems.append(DraftError(self.name, message, line=self.line(offset)))

    def cite(self, offset: int, keys: list[str], command: str, *, textual: bool = False) -> None:
        if textual:  # "\\citet{x} show that...": the citation opens the next sentence
            self.textual.add(offset)
        for key in keys:
            if key:
                self.cites.append((offset, len(self.cites), key))
            else:
                self.problem(offset, f"empty citation key in {command}")


def closing(text: str, start: int, open_: str = "{", close: str = "}") -> int:
    """The offset just after the bracket matching the one at ``start`` (or the text's end)."""
    depth = 0
    for i in range(start, len(text)):
        if text[i] == "\\":
            continue
        if text[i] == open_ and (i == 0 or text[i - 1] != "\\"):
            depth += 1
        elif text[i] == close and (i == 0 or text[i - 1] != "\\"):
            depth -= 1
            if depth == 0:
                return i + 1
    return len(text)


_ABBREVIATIONS = frozenset(
    {"al", "e.g", "eg", "i.e", "ie", "fig", "figs", "eq", "eqs", "sec", "secs", "vs", "cf", "etc"}
    | {"resp", "approx", "no", "ref", "refs", "tab", "ch", "app"}
)
_END = re.compile(r"[.!?][\"')\]]*(?=\s)")
_NEXT_START = re.compile(r"[A-Z0-9\"'(\[]")


def sentences(page: Page) -> list[tuple[int, Sentence]]:
    """Split the blanked text into sentences, attaching each citation to the sentence holding it."""
    text = page.text
    cuts = {0, len(text)} | page.breaks
    for match in re.finditer(r"\n[ \t]*\n", page.original):
        cuts.add(match.start())
    for match in _END.finditer(text):
        word = re.search(r"([\w.]+)[.!?][\"')\]]*$", text[max(0, match.start() - 12) : match.end()])
        before = word.group(1).lower().rstrip(".") if word else ""
        if before in _ABBREVIATIONS or (len(before) == 1 and before.isalpha()):
            continue
        following = (
            len(text) - len(text[match.end() :].lstrip()) if text[match.end() :].strip() else len(text)
        )
        opening = [at for at in page.textual if match.end() <= at < following]
        if opening:
            cuts.add(min(opening))
        elif _NEXT_START.match(text, following):
            cuts.add(following)  # citations between the full stop and the next sentence stay behind
    bounds = sorted(cuts)
    cites = sorted(page.cites)
    result = []
    for start, end in itertools.pairwise(bounds):
        chunk = text[start:end]
        words = chunk.strip()
        first = lo = bisect.bisect_left(cites, (start,))
        hi = bisect.bisect_left(cites, (end,))
        if not re.search(r"[^\W\d_]{2}", words):
            if lo < hi and result:  # citations on their own after a sentence: they belong to it
                offset, sentence = result[-1]
                extra = tuple(Cite(key, page.line(at)) for at, _, key in cites[first:hi])
                result[-1] = (
                    offset,
                    Sentence(sentence.text, sentence.line, sentence.file, sentence.cites + extra),
                )
            continue
        begin = start + len(chunk) - len(chunk.lstrip())
        clean = _cleaned(words)
        found = tuple(
            Cite(key, page.line(at), min(len(_cleaned(text[begin:at])), len(clean)))
            for at, _, key in cites[lo:hi]
        )
        result.append((begin, Sentence(clean, page.line(begin), page.name, found)))
    return result


def _cleaned(words: str) -> str:
    """A sentence's blanked text as it is shown and judged: spacing collapsed, the brackets its
    citations left empty dropped."""
    clean = re.sub(r"\s+", " ", words)
    clean = re.sub(r"\(\s*[,;]?\s*\)|\[\s*[,;]?\s*\]", "", clean)
    clean = re.sub(r"\s+([.,;:!?)])", r"\1", clean).replace("( ", "(")
    clean = re.sub(r"(\d)\s+%", r"\1%", clean)
    return re.sub(r"\s+", " ", clean).strip()


def assemble(page: Page) -> list[Sentence]:
    pieces: list[tuple[int, int, list[Sentence]]] = [
        (offset, 0, [sentence]) for offset, sentence in sentences(page)
    ]
    pieces.extend((offset, 1, included) for offset, included in page.inserts)
    return [sentence for *_, group in sorted(pieces, key=lambda p: (p[0], p[1])) for sentence in group]
