"""Cut the lines of a reference list into its entries.

Takes the lines of the References section (each with its page) and the document's vocabulary;
gives one string per entry, line-end hyphens resolved. An entry starts

- at each label, when the list is labelled ("[12] ...", "12. ...", "(12) ..."); else
- at each line that is not indented, when continuation lines are indented (a hanging indent,
  as author-year styles print); else
- at each paragraph start the layout found (entries set apart by space).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from rag.sources.pdf.hyphenation import join_lines
from rag.sources.pdf.layout import Line

_LABEL = re.compile(r"(?:\[\d{1,4}\]|\(\d{1,4}\)|\d{1,4}\.)\s")
INDENT = 0.5
"""A line this many ems right of its column's left edge is indented."""


def split_references(lines: Sequence[tuple[int, Line]], words: set[str]) -> list[str]:
    """The entries of a reference list, in order."""
    if not lines:
        return []
    starts = _label_starts(lines) or _hanging_starts(lines) or [line.paragraph for _, line in lines]
    entries: list[list[str]] = []
    for start, (_, line) in zip(starts, lines, strict=True):
        if start or not entries:
            entries.append([])
        entries[-1].append(line.text)
    return [text for entry in entries if (text := join_lines(entry, words))]


def _label_starts(lines: Sequence[tuple[int, Line]]) -> list[bool] | None:
    starts = [_LABEL.match(line.text) is not None for _, line in lines]
    return starts if starts[0] and sum(starts) >= 2 else None


def _hanging_starts(lines: Sequence[tuple[int, Line]]) -> list[bool] | None:
    left: dict[tuple[int, int], float] = {}
    for page, line in lines:
        key = (page, line.column)
        left[key] = min(left.get(key, line.x0), line.x0)
    indented = [line.x0 - left[(page, line.column)] > INDENT * (line.size or 10.0) for page, line in lines]
    if sum(indented) < len(lines) / 5:
        return None
    return [not flag for flag in indented]
