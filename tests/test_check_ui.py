"""The Check tab's handler on real files, and the tab in the page (no browser needed)."""

from __future__ import annotations

import re
from pathlib import Path

from rag.library import Library
from tests.ui_server import QUIET_GRADIO, gradio_loops_closed
from ui.check_tab import check_html

pytestmark = QUIET_GRADIO

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "check"


def test_uploaded_draft_and_bib(bundled: Library) -> None:
    page = check_html("", str(FIXTURES / "paper.md"), "", str(FIXTURES / "refs.bib"), library=bundled)
    assert "paper.md:9" in page and "adds nothing" in page
    assert "We present Medusa" in page  # the evidence from the .bib abstract
    # Each suggestion has a copy button naming the <pre> that holds its BibTeX.
    targets = re.findall(r'class="copy" data-target="([^"]+)"', page)
    for target in targets:
        assert re.search(rf'<pre id="{target}">@\w+\{{', page)


def test_pasted_draft_is_escaped_and_bad_bib_reported(bundled: Library) -> None:
    draft = (
        "\\begin{document}\n"
        "EAGLE runs 3x faster than vanilla decoding on MT-bench \\cite{hydra2024}.\n"
        "The <img src=x onerror=alert(1)> drafter outperforms the others \\cite{hydra2024}.\n"
        "\\end{document}\n"
    )
    bib = (
        "@misc{hydra2024, title = {Hydra: Sequentially-Dependent Draft Heads for Medusa Decoding}}\n"
        "@misc{broken,\n"
    )
    page = check_html(draft, None, bib, None, library=bundled)
    assert "<img" not in page and "&lt;img" in page
    assert "unsupported" in page
    suggestion = re.search(r'<pre id="check-bib-1-1">([^<]*)</pre>', page)
    assert suggestion is not None and "EAGLE" in suggestion.group(1)
    assert "pasted .bib:2" in page  # the entry that does not parse, on its line


def test_nothing_to_check_and_unreadable_file(bundled: Library, tmp_path: Path) -> None:
    assert "Upload or paste" in check_html("  ", None, "", None, library=bundled)
    binary = tmp_path / "x.tex"
    binary.write_bytes(b"\x00\x01")
    page = check_html("", str(binary), "", None, library=bundled)
    assert 'class="error"' in page and "looks like a binary file" in page


def test_page_has_a_check_tab(bundled: Library, tmp_path: Path) -> None:
    from ui.app import create_app

    with gradio_loops_closed():
        app = create_app(bundled, work_dir=tmp_path)
    labels = {getattr(block, "label", None) for block in app.blocks.values()}
    assert {"Check", "or paste the draft", "Its .bib (optional)"} <= labels
