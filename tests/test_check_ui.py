"""The Check tab's handler on real files, and the tab in the page (no browser needed)."""

from __future__ import annotations

import re
from pathlib import Path

from rag.index.library import Library
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


def test_the_part_a_citation_was_checked_on_is_shown_escaped(bundled: Library) -> None:
    """A citation inside a sentence is checked on its part, and the tab says which, as text."""
    draft = (
        "Our <b onmouseover=alert(1)>method</b> differs from draft-head approaches [@hydra2024] in that "
        "it adds no weights.\n"
    )
    bib = "@misc{hydra2024, title = {Hydra: Sequentially-Dependent Draft Heads for Medusa Decoding}}\n"
    page = check_html(draft, None, bib, None, library=bundled)
    assert "Checked against its part of the sentence:\n      \u201cdraft-head approaches\u201d" in page
    assert "<b onmouseover" not in page and "&lt;b onmouseover" in page


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


def test_report_leads_with_counts_and_says_why(bundled: Library) -> None:
    from html import escape

    from rag.check.bibfile import parse_bib
    from rag.check.manuscript import parse_draft
    from rag.check.verdicts import check_draft
    from ui.check_tab import report_html

    draft = parse_draft(
        "EAGLE runs 3x faster than vanilla decoding on MT-bench \\cite{hydra2024}.\n", name="d.tex"
    )
    bib = parse_bib(
        "@misc{hydra2024, title = {Hydra: Sequentially-Dependent Draft Heads for Medusa Decoding}}\n"
    )
    report = check_draft(draft, bib, library=bundled, suggest=False)
    page = report_html(report)
    # The counts by verdict come first, each with an icon and its words, before the headline.
    counts = page.index('class="check-counts"')
    assert counts < page.index('class="verdict"')
    items = re.findall(
        r'<li><span class="v ([\w-]+)">\s*<span class="v-icon" aria-hidden="true">(.)</span> '
        r"([\w ]+)</span> <b>(\d+)</b></li>",
        page,
    )
    assert [(css, icon, words) for css, icon, words, _ in items] == [
        ("v-supported", "\u2713", "supported"),
        ("v-unsupported", "\u2717", "unsupported"),
        ("v-unknown", "?", "cannot check"),
        ("v-finding", "!", "uncited finding"),
    ]
    assert int(items[1][3]) == report.summary()["unsupported"] == 1
    # The unsupported citation shows the judge's reason and the abstract sentence it compared.
    (citation,) = report.sentences[0].citations
    assert citation.verdict == "unsupported" and citation.reason and citation.evidence
    assert f"<b>Why:</b> {escape(citation.reason)}" in page
    assert f'<blockquote class="support">{escape(citation.evidence)}</blockquote>' in page
    assert 'class="candidate check-sentence is-unsupported"' in page


def test_unparsable_bib_and_two_inputs_are_named(bundled: Library) -> None:
    draft = "Medusa adds decoding heads \\cite{nokey}.\n"
    broken = check_html(draft, None, "@misc{broken,\n", None, library=bundled)
    assert "no .bib given" not in broken
    assert "not in the library (pasted .bib has no entry that parses)" in broken
    assert "pasted .bib:1: entry does not parse" in broken
    junk = check_html(draft, None, "just some words", None, library=bundled)
    assert "pasted .bib: holds no BibTeX entry" in junk and "no .bib given" not in junk
    both = check_html(
        "An unrelated pasted draft \\cite{x}.",
        str(FIXTURES / "paper.md"),
        "@misc{y,",
        str(FIXTURES / "refs.bib"),
        library=bundled,
    )
    assert "Checked the uploaded draft paper.md; the pasted draft was not used" in both
    assert "Used the uploaded refs.bib; the pasted .bib was not used" in both
    assert "paper.md:9" in both and "pasted draft" not in both.replace("the pasted draft was not used", "")
