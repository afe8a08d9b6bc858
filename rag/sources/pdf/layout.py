"""Put the text runs of one page in reading order: lines, columns, paragraphs, footnotes last.

Takes a :class:`~rag.sources.pdf.pages.RawPage`; gives a :class:`LaidOutPage` whose lines are in
the order a person reads them, whatever order the PDF draws them in:

1. Rotated text (a run much taller than wide, such as arXiv's margin stamp) is set aside: it is
   not prose. Superscript footnote marks (small raised digits or symbols after a word) are
   dropped, and so are the line numbers of a review copy (numbers alone beside the text).
2. Runs chain into lines left to right: a run joins the line that ends just before it (a gap
   under :data:`JOIN_GAP` ems, narrower than a column gap) and that it sits level with.
3. The page is one column when most lines cross the middle of the text block; else it has two
   columns. On a two-column page, a line that crosses the middle (a title, a wide figure's caption)
   cuts the page into bands; each band is read left column top to bottom, then right column.
   Lines level with each other and apart by a wider gap that is no column gap (on a two-column
   page, one that does not hold the middle of the text block) are one line: a table's cells and
   inline math set with wide spaces, which would otherwise be lines of their own, read elsewhere;
   but not a heading run into its paragraph (a bold line, then one that does not open in bold),
   which stays a heading.
4. A line starts a paragraph when it is indented, follows a gap larger than the usual line
   spacing, follows a short line that ended a sentence, or opens with a bullet.
5. Footnotes (the last lines of a column, set smaller than the page's body text) move to the end
   of the page, so they do not cut the sentence that runs on into the next column.
"""

from __future__ import annotations

import itertools
import re
import statistics
from collections import Counter
from dataclasses import dataclass, replace

from rag.sources.pdf.pages import Piece, RawPage

JOIN_GAP = 0.6
"""Runs closer than this many font sizes on one baseline are one line (a column gap is wider)."""
TIGHT_GAP = 0.15
"""Runs of a line closer than this many font sizes are joined without a space."""
NARROW_GAP = 0.3
"""Runs up to this many font sizes apart are joined without a space too where PDFium's text has no
word break between them (:attr:`~rag.sources.pdf.pages.Piece.spaced`) and their type is of one
size: glyph boxes leave out their side bearings, so a number set in math ("2.1", "262{,}144") has
gaps as wide as a tight word space, while the characters' advances, which PDFium reads, do not.
A footnote mark or an exponent, set smaller, keeps its space ("1 Computed on ...")."""
CELL_GAP = 6.0
"""Lines level with each other, apart by at most this many font sizes (and not across a column
gap), are one line: the cells of a table's row, inline math set with wide spaces."""
PARAGRAPH_GAP = 1.6
"""A vertical gap this many times the usual line spacing starts a paragraph."""
FOOTNOTE_SIZE = 0.88
"""Lines this much smaller than the body text at a column's foot are footnotes."""
_FULL, _LEFT, _RIGHT = 0, 1, 2
_LINE_NUMBER = re.compile(r"\d{1,4}")
_BUCKET = 4.0
"""Points: lines are looked up by the height of their middle in bands this tall."""
_TALLEST = 60.0
"""Points: a run taller than this (a rotated word, a big initial) is not looked for lines beside."""
_BULLETS = frozenset("\u2022\u25e6\u25aa\u25b8\u2023\u2043")
_CLOSING = frozenset(",.;:!?)]}\u2019\u201d")
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
    lines = _without_line_numbers(_lines([p for p in pieces if not _footnote_mark(p, pieces)]))
    ordered = _reading_order(lines, body_size)
    return LaidOutPage(page.number, page.width, page.height, tuple(ordered), page.text, body_size)


def _without_line_numbers(lines: list[Line]) -> list[Line]:
    """``lines`` without the numbers a review copy prints beside each line: lines that are a
    number alone, left or right of all the other text of the page."""
    numbers = {id(line) for line in lines if _LINE_NUMBER.fullmatch(line.text)}
    if not numbers or len(numbers) == len(lines):
        return lines
    text = [line for line in lines if id(line) not in numbers]
    left, right = min(line.x0 for line in text), max(line.x1 for line in text)
    return [line for line in lines if id(line) not in numbers or (left < line.x1 and line.x0 < right)]


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
    """Chain runs into lines, left to right: a run goes on the line whose last run ends just
    before it (a gap under :data:`JOIN_GAP` ems, so never across a column gap) and whose tallest
    run it sits level with (the middle of one within the other's height, so a comma or a
    superscript joins its line). Runs that overlap across the page (a fraction's numerator and
    denominator) are on two lines."""
    chains: list[list[Piece]] = []
    tallest: list[Piece] = []
    near: dict[int, list[int]] = {}  # chains by the height of their tallest run's middle
    tallest_run = min(max((p.height for p in pieces), default=1.0), _TALLEST)
    for piece in sorted(pieces, key=lambda p: p.x0):
        middle = (piece.y0 + piece.y1) / 2
        reach = 0.75 * max(piece.height, tallest_run) + 1.0
        best, best_offset = -1, 0.0
        for bucket in range(int((middle - reach) // _BUCKET), int((middle + reach) // _BUCKET) + 1):
            for index in near.get(bucket, ()):
                last, anchor = chains[index][-1], tallest[index]
                gap = piece.x0 - last.x1
                if not -1.0 <= gap <= JOIN_GAP * max(last.size, piece.size, 1.0):
                    continue
                if not (_within(piece, anchor) or _within(anchor, piece)):
                    continue
                offset = abs(middle - (anchor.y0 + anchor.y1) / 2)
                if best < 0 or offset < best_offset:
                    best, best_offset = index, offset
        if best < 0:
            best = len(chains)
            chains.append([piece])
            tallest.append(piece)
            near.setdefault(int(middle // _BUCKET), []).append(best)
            continue
        chains[best].append(piece)
        anchor = tallest[best]
        if piece.height > anchor.height:
            near[int((anchor.y0 + anchor.y1) / 2 // _BUCKET)].remove(best)
            near.setdefault(int(middle // _BUCKET), []).append(best)
            tallest[best] = piece
    return [_line(chain) for chain in chains]


def _within(piece: Piece, line: Piece) -> bool:
    middle = (piece.y0 + piece.y1) / 2
    slack = 0.25 * line.height
    return line.y0 - slack <= middle <= line.y1 + slack


def _top_to_bottom(lines: list[Line]) -> list[Line]:
    """``lines`` from the top of the page down; lines level with each other, left to right."""
    ordered = sorted(lines, key=lambda line: -(line.y0 + line.y1))
    out: list[Line] = []
    group: list[Line] = []
    for line in ordered:
        if group and (group[0].y0 + group[0].y1) / 2 - (line.y0 + line.y1) / 2 > 0.3 * _height(group[0]):
            out += sorted(group, key=lambda item: item.x0)
            group = []
        group.append(line)
    return out + sorted(group, key=lambda item: item.x0)


def _height(line: Line) -> float:
    return line.y1 - line.y0


def _line(row: list[Piece]) -> Line:
    text = row[0].text
    for before, piece in itertools.pairwise(row):
        gap = (piece.x0 - before.x1) / max(piece.size, 1.0)
        same_size = abs(piece.size - before.size) <= 0.1 * max(piece.size, 1.0)
        unbroken = before.spaced is False and same_size and gap < NARROW_GAP
        tight = gap < TIGHT_GAP or piece.text[0] in _CLOSING or unbroken
        space = "" if tight else " "
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
        return _flush({_LEFT: _top_to_bottom(_level_joined(lines, None)), _RIGHT: []}, body_size)
    lines = _level_joined(lines, middle)
    columns = [_column(line, middle) for line in lines]
    ordered: list[Line] = []
    band: dict[int, list[Line]] = {_LEFT: [], _RIGHT: []}
    column_of = {id(line): column for line, column in zip(lines, columns, strict=True)}
    for line in _top_to_bottom(lines):
        column = column_of[id(line)]
        if column == _FULL:
            ordered += _flush(band, body_size)
            ordered += _paragraphs([line], body_size)
        else:
            band[column].append(line)
    return ordered + _flush(band, body_size)


def _level_joined(lines: list[Line], gutter: float | None) -> list[Line]:
    """``lines`` with those level with each other and at most :data:`CELL_GAP` ems apart joined,
    left to right, unless the gap holds ``gutter`` (the middle of a two-column page's text block)
    or ends a heading run into its paragraph (a bold line, then one that does not open in bold)."""
    out: list[Line] = []
    near: dict[int, list[int]] = {}  # lines of ``out`` by the height of their middle
    tallest = min(max((line.y1 - line.y0 for line in lines), default=1.0), _TALLEST)
    for line in sorted(lines, key=lambda item: item.x0):
        best = -1
        middle, reach = (line.y0 + line.y1) / 2, 0.75 * max(line.y1 - line.y0, tallest) + 1.0
        buckets = range(int((middle - reach) // _BUCKET), int((middle + reach) // _BUCKET) + 1)
        for index in sorted({index for bucket in buckets for index in near.get(bucket, ())}):
            before = out[index]
            gap = line.x0 - before.x1
            if not 0 <= gap <= CELL_GAP * max(before.size, line.size, 1.0):
                continue
            if gutter is not None and before.x1 <= gutter <= line.x0:
                continue
            if before.bold and not line.bold_start:
                continue
            if not (_level(line, before) or _level(before, line)):
                continue
            if best < 0 or before.x1 > out[best].x1:
                best = index
        if best < 0:
            near.setdefault(int(middle // _BUCKET), []).append(len(out))
            out.append(line)
            continue
        before = out[best]
        main = before if len(before.text) >= len(line.text) else line
        out[best] = replace(
            before,
            text=f"{before.text} {line.text}",
            y0=min(before.y0, line.y0),
            x1=line.x1,
            y1=max(before.y1, line.y1),
            size=main.size,
            bold=before.bold and line.bold,
        )
    return out


def _level(line: Line, other: Line) -> bool:
    """The middle of ``line`` is within ``other``'s height (a little slack: a raised symbol)."""
    middle = (line.y0 + line.y1) / 2
    slack = 0.25 * (other.y1 - other.y0)
    return other.y0 - slack <= middle <= other.y1 + slack


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
    bullet = ""
    for line in lines:
        if line.text in _BULLETS:  # a bullet set apart from its item's first line
            bullet = line.text
            continue
        if previous is None:
            starts = 0.5 * em < line.x0 - left < 4 * em
        else:
            gap = previous.y0 - line.y0
            indented = 0.5 * em < line.x0 - left < 4 * em
            short_end = previous.x1 < right - 2 * em and previous.text.rstrip().endswith((".", ":", "?", "!"))
            starts = indented or gap > PARAGRAPH_GAP * spacing or short_end or gap < 0
        if bullet:
            line = replace(line, text=f"{bullet} {line.text}")
        starts = starts or bool(bullet) or line.text[:1] in _BULLETS
        out.append(replace(line, paragraph=starts, column=column))
        previous, bullet = line, ""
    return out
