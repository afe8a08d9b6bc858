"""A PDF that cannot be read is one line in our words that names the file and says why: encrypted,
truncated, damaged, without pages, without a text layer, or not a PDF at all."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image, ImageDraw
from pypdf import PdfWriter

from rag.errors import CorpusError, LitrevError
from rag.sources.pdf import read_pdf
from tests import pdfs
from tests.pdf_fixtures import paper_pdf, pdf_folder  # noqa: F401


def _error(path: Path) -> str:
    with pytest.raises(CorpusError) as raised:
        read_pdf(path)
    message = str(raised.value)
    assert isinstance(raised.value, LitrevError)
    assert "\n" not in message
    assert message.startswith(f"{path}: ")
    assert raised.value.path == str(path)
    return message.removeprefix(f"{path}: ")


def test_an_encrypted_pdf_says_so(paper_pdf: Path, tmp_path: Path) -> None:  # noqa: F811
    writer = PdfWriter(clone_from=paper_pdf)
    writer.encrypt(user_password="secret", owner_password="owner")
    path = tmp_path / "locked.pdf"
    writer.write(path)
    assert _error(path) == "is encrypted (password-protected); save a copy without the password to read it"


def test_a_pdf_locked_only_against_editing_is_read(paper_pdf: Path, tmp_path: Path) -> None:  # noqa: F811
    writer = PdfWriter(clone_from=paper_pdf)
    writer.encrypt(user_password="", owner_password="owner")
    path = tmp_path / "no-edits.pdf"
    writer.write(path)
    document = read_pdf(path)
    assert document.title == pdfs.TITLE
    assert any(pdfs.METHOD_SENTENCE in passage.text for passage in document.passages)


@pytest.mark.parametrize("kept", [0.5, 0.9])
def test_a_truncated_pdf_says_so(paper_pdf: Path, tmp_path: Path, kept: float) -> None:  # noqa: F811
    data = paper_pdf.read_bytes()
    path = tmp_path / "cut.pdf"
    path.write_bytes(data[: int(len(data) * kept)])
    assert _error(path) == "is truncated or damaged: it has no end-of-file marker; download it again"


def test_a_damaged_pdf_says_so(tmp_path: Path) -> None:
    path = tmp_path / "damaged.pdf"
    path.write_bytes(b"%PDF-1.5\n" + bytes(range(256)) * 40 + b"\n%%EOF\n")
    assert _error(path) == "is damaged: PDFium cannot read its structure; download it again"


def test_a_pdf_without_pages_says_so(tmp_path: Path) -> None:
    path = tmp_path / "empty.pdf"
    PdfWriter().write(path)
    assert _error(path) == "has no pages"


def test_a_scanned_pdf_without_a_text_layer_says_so(tmp_path: Path) -> None:
    pages = []
    for number in range(2):
        image = Image.new("L", (850, 1100), 255)
        ImageDraw.Draw(image).text((80, 80), f"A scanned page {number + 1}: pixels, not text.", fill=0)
        pages.append(image)
    path = tmp_path / "scan.pdf"
    pages[0].save(path, save_all=True, append_images=pages[1:])
    assert _error(path) == "has no text layer (scanned?); text recognition (OCR) is not done"


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (
            b"Title: not a paper\nJust some notes saved with the wrong name.\n",
            "is not a PDF (it does not start with %PDF-)",
        ),
        (
            b"<!DOCTYPE html><html><body>Please sign in</body></html>",
            "is not a PDF but a web page (a download that got a login or error page?)",
        ),
        (b"", "is not a PDF (it does not start with %PDF-)"),
    ],
)
def test_a_file_that_is_not_a_pdf_says_so(tmp_path: Path, content: bytes, reason: str) -> None:
    path = tmp_path / "paper.pdf"
    path.write_bytes(content)
    assert _error(path) == reason


def test_a_missing_file_says_so(tmp_path: Path) -> None:
    assert _error(tmp_path / "gone.pdf") == "cannot be read: No such file or directory"
