"""The page's layout and colours, read from the built app and its style sheets (no browser needed)."""

from __future__ import annotations

import re
from pathlib import Path

import gradio as gr
import pytest

from rag.index.library import Library
from tests.ui_server import QUIET_GRADIO, gradio_loops_closed
from ui import render

pytestmark = QUIET_GRADIO

WHITE, GREY_50, DARK_BACKGROUND = "#ffffff", "#f9fafb", "#0b0f19"  # the theme's page and panel colours


def _luminance(colour: str) -> float:
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    r, g, b = (c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(foreground: str, background: str) -> float:
    """The WCAG 2.1 contrast ratio of two ``#rrggbb`` colours."""
    light, dark = sorted((_luminance(foreground), _luminance(background)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def _rule(css: str, selector: str) -> dict[str, str]:
    """The declarations of the rule whose selector list is exactly ``selector``."""
    match = re.search(rf"(?:^|\}})\s*{re.escape(selector)}\s*\{{([^}}]*)\}}", css, re.MULTILINE)
    assert match, f"no rule {selector!r}"
    return dict(
        (name.strip(), value.strip().removesuffix("!important").strip())
        for name, value in (d.split(":", 1) for d in match.group(1).split(";") if ":" in d)
    )


def test_contrast_ratio_is_computed_as_wcag_says() -> None:
    assert contrast("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast("#9ca3af", "#ffffff") == pytest.approx(2.54, abs=0.01)  # the theme's old placeholder


def test_text_colours_reach_4_5_to_1() -> None:
    page, answers = render.static("page.css"), render.static("answers.css")
    light, dark = _rule(page, ".gradio-container"), _rule(page, ".dark .gradio-container")
    for name in ("--body-text-color-subdued", "--input-placeholder-color", "--litrev-marker-color"):
        for background in (WHITE, GREY_50):  # subtitle, footnotes, "Searched for", placeholders, markers
            assert contrast(light[name], background) >= 4.5, (name, background)
        assert contrast(dark[name], DARK_BACKGROUND) >= 4.5, name
    button = (light["--button-primary-text-color"], light["--button-primary-background-fill"])
    assert contrast(*button) >= 4.5  # the Ask button
    assert (
        contrast(light["--button-primary-text-color"], light["--button-primary-background-fill-hover"]) >= 4.5
    )
    assert "var(--litrev-marker-color" in _rule(answers, "& button.cite")["color"]
    assert "var(--litrev-marker-color" in _rule(page, '.gradio-container [role="tab"].selected')["color"]
    for verdict in ("supported", "unsupported", "unknown", "finding"):  # Check's verdict marks
        look = _rule(answers, f"& .v-{verdict}")
        assert contrast(look["color"], look["background"]) >= 4.5, verdict
    assert contrast(_rule(answers, "& .flag-note")["color"], GREY_50) >= 4.5
    skip = _rule(page, "a.skip-link")
    assert contrast(skip["color"], skip["background"]) >= 4.5


def test_text_boxes_show_a_clear_focus_ring() -> None:
    css = render.static("page.css")
    ring = re.search(r"textarea:focus[^{]*\{([^}]*)\}", css)
    assert ring and re.search(r"outline:\s*3px solid (#[0-9a-f]{6})", ring.group(1))
    colour = re.search(r"outline:\s*3px solid (#[0-9a-f]{6})", ring.group(1)).group(1)
    assert contrast(colour, WHITE) >= 3  # non-text contrast for a focus indicator


def _children(block: gr.blocks.BlockContext) -> list[object]:
    out: list[object] = []
    for child in block.children:
        out.append(child)
        if isinstance(child, gr.blocks.BlockContext):
            out.extend(_children(child))
    return out


def test_question_is_labelled_and_best_match_comes_first(library: Library, tmp_path: Path) -> None:
    from ui.app import create_app

    with gradio_loops_closed():
        app = create_app(library, work_dir=tmp_path)
    by_id = {getattr(b, "elem_id", None): b for b in app.blocks.values()}
    assert by_id["question"].label == "Your question"  # announced as such, not "Textbox"
    cite = next(b for b in app.blocks.values() if isinstance(b, gr.Tab) and b.label == "Cite")
    order = [getattr(b, "elem_id", None) for b in _children(cite)]
    assert order.index("best-bib") < order.index("candidates")
    assert "a.skip-link" in render.static("page.css") and 'skip.href = "#question"' in render.static(
        "page.js"
    )


def test_one_complete_font_for_every_weight() -> None:
    """Gradio's bundled semibold face holds 55 glyphs, so bold text mixed two fonts: the theme
    names the system's UI fonts instead, and nothing loads a bundled face."""
    from ui.app import FONT, theme

    css = theme()._get_theme_css()
    assert "@font-face" not in css and "Source Sans" not in css and "IBM Plex" not in css
    assert f"--font: {', '.join(FONT)};" in css and FONT[0] == "system-ui" and FONT[-1] == "sans-serif"
    for name in ("page.css", "answers.css"):
        sheet = render.static(name)
        assert "@font-face" not in sheet and "Source Sans" not in sheet and "font-family" not in sheet
