"""The PDFs the PDF tests read, compiled once per test session into a temporary folder.

Test modules import the fixtures they use by name (``from tests.pdf_fixtures import paper_pdf``),
and the fixtures those depend on (``pdf_folder`` for ``paper_pdf``, ``dev_pdfs`` for
``terracodec_library``).
pytest keeps a fixture imported into several modules once per module, so each PDF is compiled
only if the session's folder does not hold it yet, and each is read once. Without pdflatex
(texlive) the tests that need them are skipped.
"""

from __future__ import annotations

import shutil
from functools import cache
from pathlib import Path

import pytest

from rag.index.embedding import Embedder
from rag.index.ingest import ingest
from rag.index.library import Library
from rag.settings import Settings
from rag.sources.pdf import PdfDocument, read_pdf
from tests import pdfs


@pytest.fixture(scope="session")
def pdf_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if shutil.which("pdflatex") is None:
        pytest.skip("pdflatex comes from texlive (make test installs it)")
    folder = tmp_path_factory.getbasetemp() / "pdfs"
    folder.mkdir(exist_ok=True)
    return folder


def _compiled(folder: Path, tex: str) -> Path:
    pdf = folder / "paper.pdf"
    return pdf if pdf.exists() else pdfs.compile_tex(folder, tex)


@cache
def _read(path: Path) -> PdfDocument:
    return read_pdf(path)


@pytest.fixture(scope="session")
def paper_pdf(pdf_folder: Path) -> Path:
    """The two-column test paper (:func:`tests.pdfs.paper_tex`)."""
    return _compiled(pdf_folder / "paper", pdfs.paper_tex())


@pytest.fixture(scope="session")
def paper_document(paper_pdf: Path) -> PdfDocument:
    return _read(paper_pdf)


@pytest.fixture(scope="session")
def interleaved_pdf(pdf_folder: Path) -> Path:
    """A page whose two columns the PDF draws row by row."""
    return _compiled(pdf_folder / "interleaved", pdfs.interleaved_tex())


@pytest.fixture(scope="session")
def old_stamp_pdf(pdf_folder: Path) -> Path:
    """The test paper with an old-style arXiv stamp (``cond-mat/0211034``)."""
    return _compiled(pdf_folder / "old_stamp", pdfs.paper_tex(stamp=pdfs.OLD_STAMP))


@pytest.fixture(scope="session")
def math_pdf(pdf_folder: Path) -> Path:
    """A page with numbers set in math and a footnote."""
    return _compiled(pdf_folder / "math", pdfs.math_tex())


@pytest.fixture(scope="session")
def cells_pdf(pdf_folder: Path) -> Path:
    """A page with a table whose cells are set far apart, inline math and a run-in heading."""
    return _compiled(pdf_folder / "cells", pdfs.cells_tex())


@pytest.fixture(scope="session")
def ligatures_pdf(pdf_folder: Path) -> Path:
    """A page in T1 fonts without a Unicode map (ligatures as control characters)."""
    return _compiled(pdf_folder / "ligatures", pdfs.ligatures_tex())


@pytest.fixture(scope="session")
def dev_pdfs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The eight full-text dev papers (``eval/datasets/fulltext``) compiled, in a session folder."""
    if shutil.which("pdflatex") is None:
        pytest.skip("pdflatex comes from texlive (make test installs it)")
    from litrev_eval.fulltext_papers import compile_papers

    folder = tmp_path_factory.getbasetemp() / "dev-pdfs"
    if not (folder / "terracodec.pdf").exists():
        compile_papers(folder)
    return folder


@pytest.fixture(scope="session")
def terracodec_library(
    tmp_path_factory: pytest.TempPathFactory,
    dev_pdfs: Path,
    embedder: Embedder,
) -> Library:
    """The dev papers' ``library.bib`` and TerraCodec's PDF, ingested once for the session (its
    training details, "§4.2 Training" on page 3, are in the body only). Tests must not write to it."""
    from litrev_eval.fulltext_papers import LIBRARY_BIB

    folder = tmp_path_factory.mktemp("terracodec")
    shutil.copy(dev_pdfs / "terracodec.pdf", folder / "terracodec.pdf")
    library = Library(Settings(home=tmp_path_factory.mktemp("home")), embedder=embedder)
    ingest([LIBRARY_BIB, folder], library=library)
    return library
