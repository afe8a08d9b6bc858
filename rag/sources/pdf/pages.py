"""Open a PDF with pypdfium2 and read it one page at a time, as positioned pieces of text.

Takes a path; gives, page after page, a :class:`RawPage`: every text run PDFium finds on the page
(a line of a column, a cell of a table, a superscript) as a :class:`Piece` with its box in PDF
points (origin bottom left), the size and weight of its font, plus the page's text in the order it
is drawn (which still holds rotated text such as arXiv's margin stamp). PDFium marks a hyphen that
ends a line as U+0002; it is given back as :data:`LINE_END_HYPHEN`.

Each page and its text layer are closed before the next one is loaded, so memory holds one page's
objects at a time whatever the length of the document. PDFium's failures become one
:class:`~rag.errors.CorpusError` naming the file: encrypted, damaged or truncated, no pages, not
a PDF at all.
"""

from __future__ import annotations

import ctypes
import math
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_raw

from rag.errors import CorpusError

LINE_END_HYPHEN = "\u00ad"
"""How a hyphen PDFium found at the end of a line comes back (a soft hyphen)."""
BOLD_WEIGHT = 500
"""PDFium's weight estimate at or above which a font counts as bold (regular text: about 350-400)."""
GUTTER = 4.0
"""A line with no character this close (points) to the middle of the page is two columns' lines."""
_BOLD_NAMES = ("bold", "black", "heavy", "semibold", "demi", "medi", "cmbx", "bx1", "-bd")
Rect = tuple[float, float, float, float]
_T1_LIGATURES = {"\x1b": "ff", "\x1c": "fi", "\x1d": "fl", "\x1e": "ffi", "\x1f": "ffl"}
_LIGATURE_TABLE = str.maketrans(_T1_LIGATURES)
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_MAGIC = b"%PDF-"
_HEAD_BYTES = 1024
# PDFium's error codes (fpdfview.h, FPDF_ERR_*).
_ERR_FILE, _ERR_PASSWORD, _ERR_SECURITY = 2, 4, 5


@dataclass(frozen=True, slots=True)
class Piece:
    """One run of text on a page, with its box (points, origin bottom left) and font."""

    text: str
    x0: float
    y0: float
    x1: float
    y1: float
    size: float
    """Font size in points (0 when PDFium cannot tell)."""
    bold: bool
    spaced: bool | None = None
    """Whether PDFium's text puts a word break after the run (None: not known, the run was read
    by its box). PDFium decides from the characters' advances, which glyph boxes do not show:
    the "." of "2.1" set in math ends a run, and its box stands as far from the "1" as a
    narrow word space would."""

    @property
    def width(self) -> float:
        return self.x1 - self.x0

    @property
    def height(self) -> float:
        return self.y1 - self.y0


@dataclass(frozen=True, slots=True)
class RawPage:
    """The text of one page, as PDFium found it."""

    number: int
    """1-based."""
    width: float
    height: float
    pieces: tuple[Piece, ...]
    """Text runs in the order the page draws them."""
    text: str
    """All of the page's text in drawing order, rotated text included (for identifiers)."""


def page_count(path: Path) -> int:
    """How many pages ``path`` has; a CorpusError when it cannot be opened as a PDF."""
    document = open_pdf(path)
    try:
        return len(document)
    finally:
        document.close()


def open_pdf(path: Path) -> pdfium.PdfDocument:
    """``path`` opened by PDFium (the file is read as pages are loaded, not all at once)."""
    try:
        with path.open("rb") as handle:
            head = handle.read(_HEAD_BYTES)
    except OSError as error:
        raise CorpusError(path, f"cannot be read: {error.strerror or error}") from None
    if _MAGIC not in head:
        if re.search(rb"<!doctype html|<html", head, re.IGNORECASE):
            raise CorpusError(
                path, "is not a PDF but a web page (a download that got a login or error page?)"
            )
        raise CorpusError(path, "is not a PDF (it does not start with %PDF-)")
    raw = pdfium_raw.FPDF_LoadDocument((str(path.resolve()) + "\x00").encode("utf-8"), None)
    if not raw:
        raise CorpusError(path, _open_failure(path, pdfium_raw.FPDF_GetLastError()))
    if pdfium_raw.FPDF_GetPageCount(raw) < 1:
        pdfium_raw.FPDF_CloseDocument(raw)
        raise CorpusError(path, "has no pages")
    return pdfium.PdfDocument(raw)


def _open_failure(path: Path, code: int) -> str:
    if code in (_ERR_PASSWORD, _ERR_SECURITY):
        return "is encrypted (password-protected); save a copy without the password to read it"
    if code == _ERR_FILE:
        return "cannot be opened (the file went away or is unreadable)"
    if not _has_end_marker(path):
        return "is truncated or damaged: it has no end-of-file marker; download it again"
    return "is damaged: PDFium cannot read its structure; download it again"


def _has_end_marker(path: Path) -> bool:
    try:
        with path.open("rb") as handle:
            handle.seek(0, 2)
            size = handle.tell()
            handle.seek(max(0, size - 2048))
            return b"%%EOF" in handle.read()
    except OSError:
        return False


def read_pages(path: Path) -> Iterator[RawPage]:
    """The pages of ``path`` one at a time, each closed before the next is loaded."""
    document = open_pdf(path)
    try:
        for index in range(len(document)):
            yield _read_page(path, document, index)
    finally:
        document.close()


def _read_page(path: Path, document: pdfium.PdfDocument, index: int) -> RawPage:
    try:
        page = document.get_page(index)
    except pdfium.PdfiumError:
        raise CorpusError(path, f"page {index + 1} is damaged: PDFium cannot load it") from None
    try:
        width, height = page.get_size()
        textpage = page.get_textpage()
        try:
            text = textpage.get_text_range().replace("\r\n", "\n").replace("\ufffe", "-")
            pieces = tuple(_pieces(textpage)) if text.strip() else ()
        finally:
            textpage.close()
    except pdfium.PdfiumError:
        raise CorpusError(path, f"page {index + 1} is damaged: PDFium cannot read its text") from None
    finally:
        page.close()
    return RawPage(number=index + 1, width=width, height=height, pieces=pieces, text=text)


def _pieces(textpage: pdfium.PdfTextPage) -> Iterator[Piece]:
    rects = [textpage.get_rect(index) for index in range(textpage.count_rects())]
    firsts = [_first_char(textpage, rect) for rect in rects]
    texts = _texts(textpage, rects, firsts)
    upright = [rect for rect in rects if rect[3] - rect[1] <= 3 * (rect[2] - rect[0])]
    middle = (min(r[0] for r in upright) + max(r[2] for r in upright)) / 2 if upright else 0.0
    for rect, char, (raw, by_run) in zip(rects, firsts, texts, strict=True):
        size, bold = _font(textpage, char if char >= 0 else _any_char(textpage, rect))
        parts = _split_at_gutter(textpage, rect, raw, middle)
        for (x0, y0, x1, y1), part in parts:
            text = clean_text(part)
            if text:
                spaced = part[-1:].isspace() if by_run and len(parts) == 1 else None
                yield Piece(text, x0, y0, x1, y1, size, bold, spaced)


def clean_text(text: str) -> str:
    """A run's text as PDFium gives it, made plain: its line-end hyphen as
    :data:`LINE_END_HYPHEN`, spacing collapsed, the ligatures of TeX's T1 fonts that have no
    Unicode map written out ("\\x1c" is "fi"), other control characters dropped, and a run that
    is one such character alone (a list's bullet drawn from a symbol font) written as a bullet."""
    text = text.replace("\x02", LINE_END_HYPHEN).replace("\ufffe", LINE_END_HYPHEN).strip(" \r\n\t")
    if len(text) == 1 and _CONTROL.fullmatch(text) and text not in _T1_LIGATURES:
        return "\u2022"
    return " ".join(_CONTROL.sub("", text.translate(_LIGATURE_TABLE)).split())


def _any_char(textpage: pdfium.PdfTextPage, rect: Rect) -> int:
    x0, y0, x1, y1 = rect
    char = textpage.get_index((x0 + x1) / 2, (y0 + y1) / 2, (x1 - x0) / 2, (y1 - y0) / 2)
    return -1 if char is None else char


def _font(textpage: pdfium.PdfTextPage, char: int) -> tuple[float, bool]:
    """The size (points, as printed: the font's size scaled by its matrix) and boldness of the
    font of character ``char``; (0, False) when there is no such character."""
    if char < 0:
        return 0.0, False
    matrix = pdfium_raw.FS_MATRIX()
    scale = 1.0
    if pdfium_raw.FPDFText_GetMatrix(textpage.raw, char, ctypes.byref(matrix)):
        scale = math.sqrt(abs(matrix.a * matrix.d - matrix.b * matrix.c)) or 1.0
    size = float(pdfium_raw.FPDFText_GetFontSize(textpage.raw, char)) * scale
    name = ctypes.create_string_buffer(128)
    flags = ctypes.c_int()
    weight = pdfium_raw.FPDFText_GetFontWeight(textpage.raw, char)
    pdfium_raw.FPDFText_GetFontInfo(textpage.raw, char, name, len(name), ctypes.byref(flags))
    font = name.value.decode("latin-1").casefold()
    return size, weight >= BOLD_WEIGHT or any(mark in font for mark in _BOLD_NAMES)


def _split_at_gutter(
    textpage: pdfium.PdfTextPage, rect: Rect, text: str, middle: float
) -> list[tuple[Rect, str]]:
    """A rectangle that runs across an empty gutter in the middle of the page, cut in two.

    PDFium joins the text on one baseline when the PDF draws it in one go; a PDF that draws two
    columns row by row so gets rectangles holding a line of each column."""
    x0, y0, x1, y1 = rect
    if not (x0 < middle - GUTTER < middle + GUTTER < x1):
        return [(rect, text)]
    if textpage.get_index(middle, (y0 + y1) / 2, GUTTER, (y1 - y0) / 2) is not None:
        return [(rect, text)]
    return [
        ((x0, y0, middle - GUTTER, y1), textpage.get_text_bounded(x0, y0, middle, y1)),
        ((middle + GUTTER, y0, x1, y1), textpage.get_text_bounded(middle, y0, x1, y1)),
    ]


def _first_char(textpage: pdfium.PdfTextPage, rect: Rect) -> int:
    """The index of the first character of a text rectangle, or -1 when it cannot be told."""
    x0, y0, x1, y1 = rect
    if y1 - y0 > 3 * (x1 - x0):  # rotated text: every character starts at x0
        return -1
    char = textpage.get_index(x0 + min(1.0, (x1 - x0) / 2), (y0 + y1) / 2, 1.0, (y1 - y0) / 2)
    if char is None:
        return -1
    left, bottom, _, top = textpage.get_charbox(char)
    starts_there = abs(left - x0) <= 1.0 and y0 - 1.0 <= (bottom + top) / 2 <= y1 + 1.0
    return char if starts_there else -1


def _texts(textpage: pdfium.PdfTextPage, rects: list[Rect], firsts: list[int]) -> list[tuple[str, bool]]:
    """The text of each rectangle, and whether it was read as a run (else by its box).

    Rectangles are runs of consecutive characters, so a rectangle's text is the run from its first
    character to the next rectangle's first (one call per line, where asking for the text inside a
    box scans the whole page each time). The run is checked: its last character must lie in the
    rectangle. A rectangle whose first character is not known for sure (rotated text), or whose
    run fails the check, is read by its box instead."""
    seen = Counter(firsts)
    known = sorted(first for first in firsts if first >= 0 and seen[first] == 1)
    ends = dict(zip(known, [*known[1:], textpage.count_chars()], strict=True))
    texts = []
    for rect, first in zip(rects, firsts, strict=True):
        text = textpage.get_text_range(first, ends[first] - first) if first in ends else None
        if text is None or not _ends_inside(textpage, rect, first, text):
            texts.append((textpage.get_text_bounded(*rect), False))
        else:
            texts.append((text, True))
    return texts


def _ends_inside(textpage: pdfium.PdfTextPage, rect: Rect, first: int, text: str) -> bool:
    last = first + len(text.rstrip()) - 1
    if last < first:
        return False
    left, bottom, right, top = textpage.get_charbox(last)
    x0, y0, x1, y1 = rect
    return x0 - 1.0 <= (left + right) / 2 <= x1 + 1.0 and y0 - 1.0 <= (bottom + top) / 2 <= y1 + 1.0
