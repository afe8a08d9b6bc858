"""Citation markers in generated text: parse them and drop those that name no evidence passage.

Generators cite evidence passages as ``[n]`` (also ``[n, m]`` or ``[n][m]``; ``[n, p. 5]`` cites
page 5 of paper n's body), numbered as the passages were given to them; litrev keeps those numbers,
so a marker seen while an answer streams never changes meaning afterwards. :class:`MarkerFilter`
works on a stream: it holds back a half-written ``[12`` until it is complete, then lets valid
markers through and drops the rest, so an invented citation is never shown, not even for a moment.
:func:`checked_sentences` goes one step further: it holds text back until a sentence is complete
and shows it only if it passes the citation check, so no sentence reaches the screen that the check
would later remove. Both take time linear in the text however it is cut into pieces
(:func:`sentence_breaks`), so a model streaming a flood of tiny pieces costs no more than the same
text in one piece.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

MARKER = re.compile(r"\[(\d+(?:\s*,\s*\d+)*)(?:,\s*(p\.\s*\d+))?\]")
"""``[3]``, ``[3, 5]``, ``[3][5]``, and with the page of a body passage, ``[3, p. 5]``."""
_PARTIAL = re.compile(r"\[[\d,\s]*(?:p(?:\.\s*\d*)?)?")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z\"'(])|(?<=\])\s+(?=[A-Z\"'(])|\n+")
LONGEST_MARKER = 100
"""Characters of the longest marker, ``[`` and numbers, commas and spaces: a longer run is never
a marker, so a half-written one is never held back longer."""


@dataclass
class MarkerFilter:
    valid: set[int]
    dropped: list[int] = field(default_factory=list)
    _pending: str = ""

    def _rewrite(self, match: re.Match[str]) -> str:
        kept: list[int] = []
        for number in (int(n) for n in match.group(1).split(",")):
            if number not in self.valid:
                self.dropped.append(number)
            elif number not in kept:
                kept.append(number)
        # A marker dropped whole leaves a space, so its neighbours cannot fuse into a new marker
        # ("[[99]1]" must not become "[1]"). A page stays with the last number kept.
        page = f", {match.group(2)}" if match.group(2) else ""
        return "".join(f"[{n}{page if i == len(kept) - 1 else ''}]" for i, n in enumerate(kept)) or " "

    def feed(self, piece: str) -> str:
        text = self._pending + piece
        self._pending = ""
        out: list[str] = []
        at = 0
        while (start := text.find("[", at)) >= 0:
            out.append(text[at:start])
            run = _PARTIAL.match(text, start)
            assert run is not None  # "[" alone is a partial marker
            match = MARKER.match(text, start)
            if run.end() - start > LONGEST_MARKER:
                # Too long to be a marker: its "[" becomes "(", so no "]" can close it into one.
                out.append("(")
                at = start + 1
            elif match:
                out.append(self._rewrite(match))
                at = match.end()
            elif run.end() == len(text):
                self._pending = text[start:]  # maybe the start of a marker: wait for more
                return "".join(out)
            else:
                out.append("[")
                at = start + 1
        out.append(text[at:])
        return "".join(out)

    def flush(self) -> str:
        rest, self._pending = self._pending, ""
        return rest

    def filter(self, pieces: Iterable[str]) -> Iterator[str]:
        for piece in pieces:
            if kept := self.feed(piece):
                yield kept
        if rest := self.flush():
            yield rest


@dataclass
class Resolved:
    text: str
    order: list[int]
    """Cited passage numbers in order of first appearance."""
    dropped: list[int] = field(default_factory=list)


def markers_in(text: str) -> list[int]:
    return [int(n) for match in MARKER.finditer(text) for n in match.group(1).split(",")]


def tidy(text: str) -> str:
    """Spacing left behind by dropped markers."""
    text = re.sub(r"[ \t]+([.,;:])", r"\1", text)
    return re.sub(r"[ \t]{2,}", " ", text).strip()


def resolve(text: str, valid: set[int]) -> Resolved:
    """Drop markers naming no passage; list the cited passages by first appearance."""
    markers = MarkerFilter(valid)
    kept = tidy(markers.feed(text) + markers.flush())
    return Resolved(kept, list(dict.fromkeys(markers_in(kept))), markers.dropped)


def split_sentences(text: str) -> list[str]:
    """Answer text as sentences (or bullet lines), each keeping its trailing markers."""
    parts = [part.strip() for part in _SENTENCE_END.split(text)]
    return [part for part in parts if part]


def strip_markers(sentence: str) -> str:
    bare = MARKER.sub("", sentence)
    bare = re.sub(r"^\s*[-*•]\s+", "", bare)
    return re.sub(r"\s+", " ", bare).strip()


def sentence_breaks(pieces: Iterable[str]) -> Iterator[tuple[str, str]]:
    """``(sentence, separator)`` for each sentence of streamed text as soon as it is complete, cut
    where :func:`split_sentences` cuts the whole text; the last sentence comes with separator "".

    A sentence is complete when the boundary after it is followed by the next sentence's first
    character. Linear in the length of the text, however it is cut into pieces: each piece is
    scanned once, with the one character before it (a boundary looks back at it) and the
    whitespace that was waiting for the next character, and only up to its last non-space
    character, so a boundary once seen is final.
    """
    head: list[str] = []  # the current sentence, scanned, up to ``tail``
    tail = ""  # the last scanned character and the whitespace after it
    spaces: list[str] = []  # whitespace pieces waiting for the next character
    for piece in pieces:
        if not piece or piece.isspace():
            spaces.append(piece)
            continue
        text = tail + "".join(spaces) + piece
        spaces.clear()
        end = len(text.rstrip())
        cut = 0
        for boundary in _SENTENCE_END.finditer(text, 1 if tail else 0, end):
            yield "".join(head) + text[cut : boundary.start()], boundary.group()
            head.clear()
            cut = boundary.end()
        head.append(text[cut : end - 1])
        tail = text[end - 1 :]
    yield "".join(head) + tail + "".join(spaces), ""


def checked_sentences(pieces: Iterable[str], passes: Callable[[str], bool]) -> Iterator[str]:
    """The text of ``pieces``, released one whole sentence at a time (:func:`sentence_breaks`) and
    only the sentences for which ``passes(sentence)`` is true; the separators of kept sentences
    are kept, and a line break between two kept sentences survives even when the sentences
    between them were cut.
    """
    gap = ""  # what separates the next kept sentence from the last one shown
    shown = False
    for sentence, separator in sentence_breaks(pieces):
        if sentence.strip() and passes(sentence.strip()):
            if shown:
                yield gap
            yield sentence.strip()
            gap, shown = separator, True
        elif "\n" in separator or not gap:
            gap = separator
