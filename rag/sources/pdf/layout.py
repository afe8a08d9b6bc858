"""Put the text runs of one page in reading order: lines, columns, paragraphs, footnotes last.

Takes a :class:`~rag.sources.pdf.pages.RawPage`; gives a :class:`LaidOutPage` whose lines are in
the order a person reads them, whatever order the PDF draws them in:

1. Rotated text (a run much taller than wide, such as arXiv's margin stamp) is set aside: it is
   not prose. Superscript footnote marks (small raised digits or symbols after a word) are dropped.
2. Runs on the same baseline that touch (a gap under :data:`JOIN_GAP` ems) become one line.
3. The page is one column when most lines cross the middle of the text block; else it has two
   columns. On a two-column page, a line that crosses the middle (a title, a wide figure's caption)
   cuts the page into bands; each band is read left column top to bottom, then right column.
4. A line starts a paragraph when it is indented, follows a gap larger than the usual line
   spacing, or follows a short line that ended a sentence.
5. Footnotes (the last lines of a column, set smaller than the page's body text) move to the end
   of the page, so they do not cut the sentence that runs on into the next column.
"""

from __future__ import annotations

import itertools
import statistics
from collections import Counter
from dataclasses import dataclass, replace

from rag.sources.pdf.pages import Piece, RawPage

JOIN_GAP = 0.6
"""Runs closer than this many font sizes on one baseline are one line (a column gap is wider)."""
PARAGRAPH_GAP = 1.6
"""A vertical gap this many times the usual line spacing starts a paragraph."""
FOOTNOTE_SIZE = 0.88
"""Lines this much smaller than the body text at a column's foot are footnotes."""
_FULL, _LEFT, _RIGHT = 0, 1, 2
_ROWS_BACK = 6
_MARKS = frozenset("0123456789*\u2020\u2021\u00a7\u00b6,")


@dataclass(frozen=True, slots=True)
class Line:
    """One line of text in reading order."""

    text: str
    x0: float
    y0: float
    x1: float
    y1: float
    size: float
    """The font size of most of the line, in points."""
    bold: bool
    """Whether all of the line is set in a bold font."""
    bold_start: bool
    """Whether the line begins in a bold font (a heading run into its paragraph)."""
    column: int = _FULL
    paragraph: bool = False
    """Whether the line starts a paragraph."""
    footnote: bool = False


@dataclass(frozen=True, slots=True)
class LaidOutPage:
    number: int
    width: float
    height: float
    lines: tuple[Line, ...]
    text: str
    """The page's text in drawing order (see :attr:`RawPage.text`)."""
    body_size: float
    """The font size most of the page's text is set in."""


def lay_out(page: RawPage) -> LaidOutPage:
    """``page``'s lines in reading order."""
    pieces = [piece for piece in page.pieces if not _rotated(piece)]
    body_size = _body_size(pieces)
    lines = _lines([p for p in pieces if not _footnote_mark(p, pieces)])
    ordered = _reading_order(lines, body_size)
    return LaidOutPage(page.number, page.width, page.height, tuple(ordered), page.text, body_size)


def _rotated(piece: Piece) -> bool:
    return piece.height > 3 * max(piece.width, 1.0) and piece.height > 3 * max(piece.size, 1.0)


def _body_size(pieces: list[Piece]) -> float:
    sizes: Counter[float] = Counter()
    for piece in pieces:
        sizes[round(piece.size, 1)] += len(piece.text)
    return sizes.most_common(1)[0][0] if sizes else 0.0


def _footnote_mark(piece: Piece, pieces: list[Piece]) -> bool:
    """A small raised run of digits or symbols just after a word (a footnote or citation mark)."""
    if len(piece.text) > 4 or not set(piece.text) <= _MARKS:
        return False
    for other in pieces:
        if other is piece or other.size <= piece.size * 1.1:
            continue
        same_row = other.y0 < piece.y0 < other.y1
        raised = piece.y0 > other.y0 + 0.2 * other.height
        touching = -1.0 <= piece.x0 - other.x1 <= 0.5 * other.size
        if same_row and raised and touching:
            return not other.text[-1:].isdigit()
    return False


def _lines(pieces: list[Piece]) -> list[Line]:
    """Join runs that share a baseline and touch into lines (left to right)."""
    rows: list[list[Piece]] = []
    for piece in sorted(pieces, key=lambda p: -(p.y0 + p.y1)):
        row = next((row for row in reversed(rows[-_ROWS_BACK:]) if _same_row(row, piece)), None)
        if row is None:
            rows.append([piece])
        else:
            row.append(piece)
    lines = []
    for row in rows:
        row.sort(key=lambda p: p.x0)
        segment = [row[0]]
        for piece in row[1:]:
            if piece.x0 - segment[-1].x1 > JOIN_GAP * max(segment[-1].size, piece.size, 1.0):
                lines.append(_line(segment))
                segment = []
            segment.append(piece)
        lines.append(_line(segment))
    return lines


def _same_row(row: list[Piece], piece: Piece) -> bool:
    """Whether ``piece`` shares the baseline of ``row`` (its first run) and overlaps none of it."""
    anchor = row[0]
    overlap = min(anchor.y1, piece.y1) - max(anchor.y0, piece.y0)
    if overlap <= 0.5 * min(anchor.height, piece.height):
        return False
    return all(min(other.x1, piece.x1) - max(other.x0, piece.x0) < 1.0 for other in row)


def _line(row: list[Piece]) -> Line:
    text = row[0].text
    for before, piece in itertools.pairwise(row):
        space = "" if piece.x0 - before.x1 < 0.15 * max(piece.size, 1.0) else " "
        text += space + piece.text
    main = max(row, key=lambda p: len(p.text))
    return Line(
        text=text,
        x0=min(p.x0 for p in row),
        y0=min(p.y0 for p in row),
        x1=max(p.x1 for p in row),
        y1=max(p.y1 for p in row),
        size=main.size,
        bold=all(p.bold for p in row),
        bold_start=row[0].bold,
    )


def _reading_order(lines: list[Line], body_size: float) -> list[Line]:
    if not lines:
        return []
    middle = (min(line.x0 for line in lines) + max(line.x1 for line in lines)) / 2
    columns = [_column(line, middle) for line in lines]
    long_lines = [c for c, line in zip(columns, lines, strict=True) if len(line.text) > 20]
    if long_lines and long_lines.count(_FULL) > len(long_lines) / 2:
        return _flush({_LEFT: sorted(lines, key=lambda line: (-line.y1, line.x0)), _RIGHT: []}, body_size)
    ordered: list[Line] = []
    band: dict[int, list[Line]] = {_LEFT: [], _RIGHT: []}
    for line, column in sorted(zip(lines, columns, strict=True), key=lambda pair: -pair[0].y1):
        if column == _FULL:
            ordered += _flush(band, body_size)
            ordered += _paragraphs([line], body_size)
        else:
            band[column].append(line)
    return ordered + _flush(band, body_size)


def _column(line: Line, middle: float) -> int:
    if line.x1 <= middle:
        return _LEFT
    if line.x0 >= middle:
        return _RIGHT
    return _FULL


def _flush(band: dict[int, list[Line]], body_size: float) -> list[Line]:
    out: list[Line] = []
    footnotes: list[Line] = []
    for column in (_LEFT, _RIGHT):
        lines = _paragraphs(band[column], body_size, column)
        cut = len(lines)
        while cut > 0 and body_size and lines[cut - 1].size < FOOTNOTE_SIZE * body_size:
            cut -= 1
        if 0 < cut < len(lines):
            footnotes += [replace(line, footnote=True) for line in lines[cut:]]
            lines = lines[:cut]
        out += lines
        band[column] = []
    return out + footnotes


def _paragraphs(lines: list[Line], body_size: float, column: int = _FULL) -> list[Line]:
    """``lines`` (one column, top to bottom) with paragraph starts marked."""
    if not lines:
        return []
    left = min(line.x0 for line in lines)
    right = max(line.x1 for line in lines)
    em = body_size or 10.0
    spacings = [a.y0 - b.y0 for a, b in itertools.pairwise(lines) if 0 < a.y0 - b.y0 < 3 * em]
    spacing = statistics.median(spacings) if spacings else 1.2 * em
    out = []
    previous: Line | None = None
    for line in lines:
        if previous is None:
            starts = 0.5 * em < line.x0 - left < 4 * em
        else:
            gap = previous.y0 - line.y0
            indented = 0.5 * em < line.x0 - left < 4 * em
            short_end = previous.x1 < right - 2 * em and previous.text.rstrip().endswith((".", ":", "?", "!"))
            starts = indented or gap > PARAGRAPH_GAP * spacing or short_end or gap < 0
        out.append(replace(line, paragraph=starts, column=column))
        previous = line
    return out
