"""The web UI over full text: the Library tab takes PDFs and reports what became of each; answers,
lookups and the check show the page and section of a sentence from a PDF, and open its passage with
the sentence marked.

Real PDFs compiled with pdflatex (the full-text dev papers and the two-column test paper), ingested
through the Library tab's own handler or once for the session (:mod:`tests.pdf_fixtures`), the
real embedding model and the shipped judge; the handlers are called as the page calls them.
"""

from __future__ import annotations

import re
import shutil
from html import unescape
from pathlib import Path

from litrev_eval.fulltext_papers import LIBRARY_BIB
from markupsafe import escape

from rag.answers.answer import Answer, Citation
from rag.index.library import Library
from rag.sources.body_text import Passage
from tests import pdfs
from tests.pdf_fixtures import dev_pdfs, paper_pdf, pdf_folder, terracodec_library  # noqa: F401
from tests.test_ui_handlers import XSS, _count_rows, assert_inert, hostile_paper
from ui import chat, chat_html, handlers, shelf
from ui.check_tab import check_html
from ui.panel import Options

QUESTION = "What learning rate did TerraCodec train with?"
CLAIM = "trained with AdamW at a learning rate of 3e-4 and betas of 0.8 and 0.99"
TERRACODEC = "TerraCodec: Low-Bitrate Speech Coding with Grouped Residual Vector Quantization"
TRAINING = "§4.2 Training, p. 3"


def _passage_of(library: Library, paper_id: str, sentence: str) -> Passage:
    """The passage of the paper's PDF, as the index holds it, that holds ``sentence``."""
    paper = library.store.get_papers([paper_id])[paper_id]
    return next(p for p in library.store.passages.passages_of(paper) if sentence in p.text)


def _marked(passage: Passage, span: tuple[int, int]) -> str:
    """The passage as the page must show it: escaped, the sentence at ``span`` in ``<mark>``."""
    before, sentence, after = (
        passage.text[: span[0]],
        passage.text[span[0] : span[1]],
        passage.text[span[1] :],
    )
    return f'<p class="passage-text">{escape(before)}<mark>{escape(sentence)}</mark>{escape(after)}</p>'


def _table_row(table: str, title: str) -> str:
    return next(row for row in table.split("<tr>") if f"<summary>{escape(title)}" in row)


# -- the Library tab ----------------------------------------------------------------------------


def test_the_library_tab_takes_pdfs_and_reports_what_became_of_each(
    library: Library,
    tmp_path: Path,
    dev_pdfs: Path,  # noqa: F811
    paper_pdf: Path,  # noqa: F811
) -> None:
    shutil.copy(LIBRARY_BIB, tmp_path / "library.bib")
    shutil.copy(dev_pdfs / "terracodec.pdf", tmp_path / "terracodec.pdf")
    shutil.copy(paper_pdf, tmp_path / "preprint.pdf")  # its paper is in no .bib: made from its page 1
    (tmp_path / "damaged.pdf").write_bytes(b"%PDF-1.5\n" + bytes(range(256)) * 40 + b"\n%%EOF\n")
    files = [tmp_path / name for name in ("library.bib", "terracodec.pdf", "preprint.pdf", "damaged.pdf")]

    page = shelf.add_files([str(path) for path in files], library=library)

    assert _count_rows(page) == [
        "9 papers added",
        "2 PDFs read",
        "1 paper made from a PDF",
        "1 record rejected",
    ]
    passages = library.store.passages.count()
    assert passages > 20
    assert f"full text indexed: {passages} passages of the body, each with its page and section" in page
    assert "title and abstract read from its first page" in page
    made = (
        f'<li>{escape(pdfs.TITLE)} <span class="from-pdf">(title and abstract from the first page '
        "of preprint.pdf)</span></li>"
    )
    assert made in page and f"<li>{escape(TERRACODEC)}</li>" in page
    assert "<code>damaged.pdf</code> is damaged: PDFium cannot read its structure; download it again" in page
    assert "Read 9 papers from the files. The library now holds 9 papers." in page
    assert_inert(page)

    stats, table, _ = shelf.browse(library)
    assert "<b>2</b> with full text (PDF)" in stats
    assert '<span class="tag">full text</span></summary>' in _table_row(table, TERRACODEC)
    assert '<span class="tag">full text</span></summary>' in _table_row(table, pdfs.TITLE)
    assert 'data-label="Source">preprint.pdf, page 1</td>' in _table_row(table, pdfs.TITLE)
    without = [row for row in table.split("<tr>")[2:] if "full text" not in row]
    assert len(without) == 7  # the .bib's papers without a PDF

    again = shelf.add_files([str(path) for path in files], library=library)
    assert _count_rows(again) == [
        "0 papers added",
        "8 papers unchanged",
        "2 PDFs unchanged",
        "1 record rejected",
    ]
    assert "the library holds this full text already (the same file); not read again" in again
    assert library.store.passages.count() == passages


def test_the_upload_box_takes_pdfs(library: Library, tmp_path: Path) -> None:
    from tests.ui_server import gradio_loops_closed
    from ui.app import create_app

    with gradio_loops_closed():
        app = create_app(library, work_dir=tmp_path)
    upload = next(b for b in app.blocks.values() if getattr(b, "elem_id", None) == "upload")
    assert ".pdf" in upload.file_types and ".bib" in upload.file_types
    assert upload.label == "JSONL, CSV, BibTeX, RIS, daily-papers .txt or PDF"
    assert "Choose one or more .jsonl, .csv, .bib, .ris, .txt or .pdf files first." in shelf.add_files(
        [], library=library
    )


# -- Ask, Cite, Check ---------------------------------------------------------------------------


def test_an_answer_from_a_pdf_shows_its_page_and_opens_its_passage(terracodec_library: Library) -> None:  # noqa: F811
    page, turns = list(chat.ask(QUESTION, [], library=terracodec_library, options=Options()))[-1]
    answer = turns[-1].answer
    cited = next(c for c in answer.citations if c.title == TERRACODEC)
    assert (cited.page, cited.section) == (3, "4.2 Training") and "learning rate of 3e-4" in cited.sentence
    n = cited.marker
    assert f'data-target="t1-c{n}" title="{escape(TERRACODEC)}">[{n}, p. 3]</button>' in page
    card = page.split(f'<details class="paper" id="t1-c{n}">')[1].split("</div></details>")[0]
    assert f'<span class="title">{escape(TERRACODEC)}</span>' in card
    assert f'<span class="place">{TRAINING}</span></summary>' in card
    passage = _passage_of(terracodec_library, cited.paper_id, cited.sentence)
    opened = (
        f'<details class="passage" open><summary>Passage, {TRAINING}</summary>{_marked(passage, cited.span)}'
    )
    assert opened in card
    assert card.count("<mark>") == 1  # the abstract is shown unmarked: the sentence is not in it
    assert_inert(page)


def test_a_lookup_shows_the_page_of_a_body_sentence_and_opens_its_passage(
    terracodec_library: Library,  # noqa: F811
) -> None:
    page, bib = handlers.cite(CLAIM, library=terracodec_library, options=Options(k=3))
    assert bib.startswith("@")
    blocks = page.split('<div class="candidate"')[1:]
    block = next(b for b in blocks if escape(TERRACODEC) in b)
    sentence = re.search(r'<blockquote class="support">(.*?) <span class="place">', block).group(1)
    assert "3e-4" in sentence
    assert f'<span class="place">({TRAINING})</span></blockquote>' in block
    sentence = unescape(sentence)
    paper = next(p for p in terracodec_library.store.iter_papers() if p.title == TERRACODEC)
    passage = _passage_of(terracodec_library, paper.id, sentence)
    start = passage.text.index(sentence)
    marked = _marked(passage, (start, start + len(sentence)))
    assert f'<details class="passage"><summary>Passage, {TRAINING}</summary>{marked}</details>' in block
    for other in blocks:  # a sentence of an abstract has no page: marked in the abstract
        if other is not block:
            assert "Passage," not in other and '<span class="place">' not in other and "<mark>" in other
    assert_inert(page)


def test_the_check_tab_names_the_page_of_its_evidence(terracodec_library: Library) -> None:  # noqa: F811
    draft = "TerraCodec is trained with AdamW at a learning rate of 3e-4 \\cite{hollis2024terracodec}.\n"
    page = check_html(draft, None, LIBRARY_BIB.read_text(encoding="utf-8"), None, library=terracodec_library)
    evidence = page.split('<blockquote class="support">')[2].split("</blockquote>")[0]
    assert "3e-4" in evidence and f'<span class="place">({TRAINING})</span>' in evidence


def test_a_passage_is_escaped_like_everything_else() -> None:
    paper = hostile_paper()
    sentence = f"We trained {XSS} for a week."
    passage = Passage(page=5, section=f"4 {XSS}", text=f"Before {XSS}. {sentence} After.")
    start = passage.text.index(sentence)
    citation = Citation(
        marker=1,
        paper_id=paper.id,
        title=paper.title,
        sentence=sentence,
        span=(start, start + len(sentence)),
        page=5,
        section=passage.section,
    )
    answer = Answer(
        question="q",
        answer="They trained for a week [1, p. 5].",
        citations=[citation],
        evidence=[],
        abstained=False,
        evidence_strength=0.5,
        generator="extractive",
    )
    page = chat_html.answer_html(answer, {paper.id: paper}, "t1", passages={(paper.id, sentence): passage})
    assert_inert(page)
    assert "<script" not in page and "<img" not in page
    assert f"<mark>{escape(sentence)}</mark>" in page and f"§4 {escape(XSS)}, p. 5" in page
    assert f"Passage, §4 {escape(XSS)}, p. 5</summary>" in page
    assert ">[1, p. 5]</button>" in page
