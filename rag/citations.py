"""Citation markers in generated text: parse them, drop invalid ones, renumber the rest.

Generators cite evidence passages as ``[n]`` (also ``[n, m]`` or ``[n][m]``), numbered as the
passages were given to them. :func:`resolve` keeps only markers that name a passage, renumbers them
1, 2, ... in order of first appearance, and reports what it dropped. It never invents a citation.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

MARKER = re.compile(r"\[(\d+(?:\s*,\s*\d+)*)\]")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z\"'(])|(?<=\])\s+(?=[A-Z\"'(])|\n+")


@dataclass
class Resolved:
    text: str
    order: list[int]
    """Passage numbers (as given to the generator) in the order of their new markers 1, 2, ..."""
    dropped: list[int] = field(default_factory=list)


def markers_in(text: str) -> list[int]:
    return [int(n) for match in MARKER.finditer(text) for n in match.group(1).split(",")]


def resolve(text: str, valid: set[int]) -> Resolved:
    """Renumber valid markers by first appearance and remove markers naming no passage."""
    order: list[int] = []
    dropped: list[int] = []

    def replace(match: re.Match[str]) -> str:
        kept = []
        for number in (int(n) for n in match.group(1).split(",")):
            if number not in valid:
                dropped.append(number)
                continue
            if number not in order:
                order.append(number)
            new = order.index(number) + 1
            if new not in kept:
                kept.append(new)
        return "".join(f"[{n}]" for n in kept)

    rewritten = MARKER.sub(replace, text)
    rewritten = re.sub(r"[ \t]+([.,;:])", r"\1", rewritten)
    rewritten = re.sub(r"[ \t]{2,}", " ", rewritten)
    return Resolved(rewritten.strip(), order, dropped)


def split_sentences(text: str) -> list[str]:
    """Answer text as sentences (or bullet lines), each keeping its trailing markers."""
    parts = [part.strip() for part in _SENTENCE_END.split(text)]
    return [part for part in parts if part]


def strip_markers(sentence: str) -> str:
    bare = MARKER.sub("", sentence)
    bare = re.sub(r"^\s*[-*•]\s+", "", bare)
    return re.sub(r"\s+", " ", bare).strip()
