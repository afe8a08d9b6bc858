"""Citation markers in generated text: parse them and drop those that name no evidence passage.

Generators cite evidence passages as ``[n]`` (also ``[n, m]`` or ``[n][m]``), numbered as the
passages were given to them; litrev keeps those numbers, so a marker seen while an answer streams
never changes meaning afterwards. :class:`MarkerFilter` works on a stream: it holds back a
half-written ``[12`` until it is complete, then lets valid markers through and drops the rest,
so an invented citation is never shown, not even for a moment. :func:`checked_sentences` goes one
step further: it holds text back until a sentence is complete and shows it only if it passes the
citation check, so no sentence reaches the screen that the check would later remove.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

MARKER = re.compile(r"\[(\d+(?:\s*,\s*\d+)*)\]")
_PARTIAL = re.compile(r"\[[\d,\s]*")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z\"'(])|(?<=\])\s+(?=[A-Z\"'(])|\n+")


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
        # ("[[99]1]" must not become "[1]").
        return "".join(f"[{n}]" for n in kept) or " "

    def feed(self, piece: str) -> str:
        text = self._pending + piece
        self._pending = ""
        out: list[str] = []
        while text:
            start = text.find("[")
            if start < 0:
                out.append(text)
                break
            out.append(text[:start])
            text = text[start:]
            match = MARKER.match(text)
            if match:
                out.append(self._rewrite(match))
                text = text[match.end() :]
            elif _PARTIAL.fullmatch(text):
                self._pending = text  # maybe the start of a marker: wait for more
                break
            else:
                out.append("[")
                text = text[1:]
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


def checked_sentences(pieces: Iterable[str], passes: Callable[[str], bool]) -> Iterator[str]:
    """The text of ``pieces``, released one whole sentence at a time and only the sentences for
    which ``passes(sentence)`` is true; the separators of kept sentences are kept, and a line
    break between two kept sentences survives even when the sentences between them were cut.

    A sentence is complete when the boundary after it (as :func:`split_sentences` sees it) is
    followed by the next sentence's first character, or when the stream ends.
    """
    buffer = ""
    gap = ""  # what separates the next kept sentence from the last one shown
    shown = False

    def release(sentence: str, separator: str) -> Iterator[str]:
        nonlocal gap, shown
        if sentence.strip() and passes(sentence.strip()):
            if shown:
                yield gap
            yield sentence.strip()
            gap, shown = separator, True
        elif "\n" in separator or not gap:
            gap = separator

    for piece in pieces:
        buffer += piece
        cut = 0
        for boundary in _SENTENCE_END.finditer(buffer):
            if boundary.end() == len(buffer):
                break  # the separator may still grow, or the lookahead is not there yet
            yield from release(buffer[cut : boundary.start()], boundary.group())
            cut = boundary.end()
        buffer = buffer[cut:]
    yield from release(buffer, "")
