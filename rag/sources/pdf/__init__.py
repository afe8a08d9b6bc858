"""Read the full text of a paper's PDF: passages with their page and section, kept apart from its
reference list, and the identifiers that tie the PDF to a library paper.

Takes a path to a PDF; gives a :class:`PdfDocument` (title and abstract from page 1, DOIs and
arXiv ids, section headings, passages of the body and appendices each with its 1-based page and
its section, the reference list's entries). :func:`match_paper` finds which library paper a
document is (by DOI, arXiv id, then title). A PDF that cannot be read (encrypted, damaged or
truncated, no pages, not a PDF, no text layer) is one :class:`~rag.errors.CorpusError` naming the
file.

PDFs are read with pypdfium2 (PDFium), chosen by measurement (``docs/pdf.md``); pages are read
one at a time. The steps, one module each: :mod:`.pages` (open, read a page's text runs),
:mod:`.layout` (reading order: lines, columns, paragraphs, footnotes), :mod:`.running_lines`
(running headers, footers, page numbers), :mod:`.hyphenation` (line-end hyphens),
:mod:`.headings` and :mod:`.sections` (structure), :mod:`.references` (the reference list),
:mod:`.tables` (a table's rows with its caption), :mod:`.passages`, :mod:`.identifiers`,
:mod:`.document` (the whole read), :mod:`.matching` and :mod:`.papers` (a PDF's digest, its front
pages for matching, and the paper an unmatched PDF becomes).
"""

from rag.sources.pdf.document import PdfDocument, read_pdf
from rag.sources.pdf.matching import PaperMatch, match_document, match_paper, title_similarity
from rag.sources.pdf.passages import Passage, PassageSettings

__all__ = [
    "PaperMatch",
    "Passage",
    "PassageSettings",
    "PdfDocument",
    "match_document",
    "match_paper",
    "read_pdf",
    "title_similarity",
]
