"""Find the running headers, running footers and page numbers of a document, to drop them.

Takes the laid-out pages; gives the set of lines to drop. Only the :data:`EDGE_LINES` topmost and
bottommost lines of a page (by position, not reading order) can be running lines. One is dropped
when

- it is a bare page number ("7", "vii", "Page 7", "7 of 30"), or
- the same line, with its digits ignored ("Preprint, page 7" and "Preprint, page 8" are the same),
  is at the top or bottom of at least :func:`repeats_needed` pages out of :data:`SPREAD` times as
  many in a row. A running line repeats page after page (every other page, in a book's two-sided
  layout); the last line of a paragraph ("stations.") may come back at the foot of a few pages of
  a long document, far apart, and is kept.

A document of one page has no running lines but its page number.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence

from rag.sources.pdf.layout import LaidOutPage, Line

EDGE_LINES = 2
"""How many lines at the top and at the bottom of each page may be running lines."""
REPEATS = 3
"""On how many pages an edge line must repeat to be a running line (fewer in short documents)."""
SPREAD = 2
"""A running line's repeats lie within this many times :func:`repeats_needed` pages in a row."""
_PAGE_NUMBER = re.compile(r"(?:page\s+)?(?:\d{1,4}|[ivxlc]{1,7})(?:\s*(?:of|/)\s*\d{1,4})?", re.IGNORECASE)
_DIGITS = re.compile(r"\d+")
_SPACE = re.compile(r"\s+")


def repeats_needed(pages: int) -> int:
    """Pages an edge line must appear on: :data:`REPEATS`, or 2 in documents of under 6 pages."""
    return min(REPEATS, max(2, pages // 2))


def edge_key(text: str) -> str:
    """``text`` as compared across pages: case, spacing and digits ignored."""
    return _SPACE.sub(" ", _DIGITS.sub("#", text.casefold())).strip()


def edge_lines(page: LaidOutPage) -> list[Line]:
    """The lines at the top and the bottom of ``page`` that could be running lines."""
    body = [line for line in page.lines if not line.footnote]
    top = sorted(body, key=lambda line: -line.y1)[:EDGE_LINES]
    bottom = sorted(body, key=lambda line: line.y0)[:EDGE_LINES]
    return list({id(line): line for line in top + bottom}.values())


def is_page_number(text: str) -> bool:
    return _PAGE_NUMBER.fullmatch(text.strip()) is not None


def running_keys(pages: Sequence[LaidOutPage]) -> frozenset[str]:
    """The edge lines (as :func:`edge_key`) that repeat on enough pages to be running lines."""
    if len(pages) < 2:
        return frozenset()
    seen: dict[str, list[int]] = defaultdict(list)
    for at, page in enumerate(pages):
        for key in {edge_key(line.text) for line in edge_lines(page)}:
            seen[key].append(at)
    needed = repeats_needed(len(pages))
    return frozenset(key for key, where in seen.items() if _close_repeats(where, needed))


def _close_repeats(where: list[int], needed: int) -> bool:
    """Whether ``needed`` of the pages ``where`` (in order) lie within ``SPREAD * needed`` pages."""
    return any(where[i + needed - 1] - where[i] < SPREAD * needed for i in range(len(where) - needed + 1))


def split_running(page: LaidOutPage, keys: frozenset[str]) -> tuple[LaidOutPage, list[str]]:
    """``page`` without its running lines and page number; and the text of the lines dropped."""
    drop = {id(line) for line in edge_lines(page) if is_page_number(line.text) or edge_key(line.text) in keys}
    if not drop:
        return page, []
    kept = tuple(line for line in page.lines if id(line) not in drop)
    dropped = [line.text for line in page.lines if id(line) in drop]
    return (
        LaidOutPage(page.number, page.width, page.height, kept, page.text, page.body_size),
        dropped,
    )
