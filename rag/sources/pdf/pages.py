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
import re
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
    texts = _range_texts(textpage, firsts) or [textpage.get_text_bounded(*rect) for rect in rects]
    upright = [rect for rect in rects if rect[3] - rect[1] <= 3 * (rect[2] - rect[0])]
    middle = (min(r[0] for r in upright) + max(r[2] for r in upright)) / 2 if upright else 0.0
    name = ctypes.create_string_buffer(128)
    flags = ctypes.c_int()
    for rect, char, raw in zip(rects, firsts, texts, strict=True):
        size, bold = 0.0, False
        if char >= 0:
            size = float(pdfium_raw.FPDFText_GetFontSize(textpage.raw, char))
            weight = pdfium_raw.FPDFText_GetFontWeight(textpage.raw, char)
            pdfium_raw.FPDFText_GetFontInfo(textpage.raw, char, name, len(name), ctypes.byref(flags))
            font = name.value.decode("latin-1").casefold()
            bold = weight >= BOLD_WEIGHT or any(mark in font for mark in _BOLD_NAMES)
        for (x0, y0, x1, y1), part in _split_at_gutter(textpage, rect, raw, middle):
            text = " ".join(part.replace("\x02", LINE_END_HYPHEN).replace("\ufffe", LINE_END_HYPHEN).split())
            if text:
                yield Piece(text, x0, y0, x1, y1, size, bold)


def _split_at_gutter(
    textpage: pdfium.PdfTextPage, rect: tuple[float, float, float, float], text: str, middle: float
) -> list[tuple[tuple[float, float, float, float], str]]:
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


def _first_char(textpage: pdfium.PdfTextPage, rect: tuple[float, float, float, float]) -> int:
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


def _range_texts(textpage: pdfium.PdfTextPage, firsts: list[int]) -> list[str] | None:
    """The text of each rectangle as the run of characters from its first to the next one's (one
    call per line instead of a scan of the page per line); None when a first character is not
    known for sure (rotated text), and the page is read rectangle by rectangle instead."""
    if any(first < 0 for first in firsts) or len(set(firsts)) != len(firsts):
        return None
    ends = dict(zip(sorted(firsts), [*sorted(firsts)[1:], textpage.count_chars()], strict=True))
    return [textpage.get_text_range(first, ends[first] - first) for first in firsts]
