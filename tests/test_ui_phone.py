"""The running app in headless Chromium at a laptop's and a phone's size: every tab one tap away,
nothing cut at the right edge, one font, no serious accessibility violation, and a question typed
or asked while an answer is written is kept.

Screenshots of each tab at both sizes are saved in the test's temp folder and copied to
``/tmp/ui_shots/``.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import playwright.sync_api as playwright
import pytest
from axe_playwright_python.sync_playwright import Axe

from rag.index.embedding import Embedder
from rag.index.ingest import ingest
from rag.index.library import Library
from rag.retrieval.retrieve import search
from rag.settings import LLMSettings, Settings
from rag.sources.sentences import sentence_spans
from tests.helpers import BUNDLED
from tests.openai_server import ScriptedServer
from tests.ui_server import QUIET_GRADIO, serving

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
SHOTS_COPY = Path("/tmp/ui_shots")
CHECK = Path(__file__).parent / "fixtures" / "check"
QUESTION = "Which papers accelerate LLM inference with speculative decoding?"
LAPTOP, PHONE = {"width": 1366, "height": 900}, {"width": 390, "height": 844}
TIMEOUT = 60_000

pytestmark = [pytest.mark.browser, *QUIET_GRADIO]

OUTSIDE = """(width) => [...document.querySelectorAll(
    '[role=tab], [role=tabpanel] button, [role=tabpanel] table, [role=tabpanel] pre, .sidebar > button')]
  .filter((e) => e.offsetParent && !e.closest('[role=tabpanel][style*="display: none"]'))
  .map((e) => [e.innerText.slice(0, 30), e.getBoundingClientRect().left, e.getBoundingClientRect().right])
  .filter(([, left, right]) => left < -0.5 || right > width + 0.5)"""
"""Tabs, buttons, tables and code blocks of the shown tab that reach past either edge."""

CONTRAST = (Path(__file__).parent / "fixtures" / "contrast.js").read_text(encoding="utf-8")
"""Text below WCAG's contrast ratios, for what axe-core cannot measure (see the script)."""
STYLE = "(s) => ['fontFamily', 'fontWeight'].map((p) => getComputedStyle(document.querySelector(s))[p])"


@pytest.fixture(scope="module")
def model() -> Iterator[ScriptedServer]:
    with ScriptedServer() as server:
        yield server


@pytest.fixture(scope="module")
def served(
    tmp_path_factory: pytest.TempPathFactory, embedder: Embedder, model: ScriptedServer
) -> Iterator[tuple[str, Library]]:
    """Speculative-decoding papers and some others, served on loopback; the model is scripted."""
    lines = BUNDLED.read_text(encoding="utf-8").splitlines()
    named = [line for line in lines if line.startswith(('{"title": "EAGLE:', '{"title": "Hydra:'))]
    on_topic = [line for line in lines if "speculative" in line.lower() and line not in named][:14]
    others = [line for line in lines if "speculative" not in line.lower()][:14]
    folder = tmp_path_factory.mktemp("phone")
    source = folder / "sample.jsonl"
    source.write_text("\n".join(named + on_topic + others) + "\n", encoding="utf-8")  # Check suggests
    llm = LLMSettings(base_url=model.url, model="scripted")
    library = Library(Settings(home=folder / "home", llm=llm), embedder=embedder)
    ingest([source], library=library)
    with serving(library, folder / "work") as address:
        yield address, library


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with playwright.sync_playwright() as driver:
        chromium = driver.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("phone-shots")


def open_page(browser, url: str, viewport: dict[str, int]):
    context = browser.new_context(viewport=viewport)
    page = context.new_page()
    page.set_default_timeout(TIMEOUT)
    playwright.expect.set_options(timeout=TIMEOUT)
    page.goto(url)
    page.locator("#question textarea").wait_for()
    return context, page


def screenshot(page, shots: Path, name: str) -> None:
    page.screenshot(path=str(shots / name))
    SHOTS_COPY.mkdir(parents=True, exist_ok=True)
    shutil.copy(shots / name, SHOTS_COPY / name)


def ask(page, question: str, turn: int) -> None:
    box = page.locator("#question textarea")
    box.fill(question)
    box.press("Enter")
    page.locator(f"#turn-{turn} .footnote").wait_for()


def accessible(page, view: str) -> None:
    """No "serious" or "critical" axe-core violation on the page as shown, and no text below
    WCAG's contrast ratios (what axe cannot measure, see ``contrast.js``)."""
    # measured once gradio has shown the result in full (a pending output is drawn faded)
    playwright.expect(page.locator('[data-testid="status-tracker"]:not(.hide)')).to_have_count(0)
    page.wait_for_timeout(300)
    results = Axe().run(page).response
    serious = [
        (v["id"], v["impact"], [node["target"] for node in v["nodes"]][:3])
        for v in results["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert serious == [], (view, serious)
    assert page.evaluate(CONTRAST) == [], view


def check_report(page) -> None:
    page.get_by_role("tab", name="Check").click()
    page.locator("#check-draft textarea").fill((CHECK / "paper.tex").read_text(encoding="utf-8"))
    page.locator("#check-bib textarea").fill((CHECK / "refs.bib").read_text(encoding="utf-8"))
    page.locator("#check-button").click()
    page.locator("#check-report .check-counts").wait_for()


def test_a_question_typed_or_asked_while_an_answer_is_written_is_kept(browser, served, model) -> None:
    url, library = served
    sentences = []
    for marker, hit in enumerate(search(QUESTION, library=library).hits[:3], start=1):
        abstract = hit.paper.abstract
        sentences.append(f"{abstract[slice(*sentence_spans(abstract)[0])]} [{marker}]")
    words = " ".join(sentences).split(" ")
    model.enqueue(pieces=[word + " " for word in words], interval=0.08)  # a few seconds of answer
    follow_up = "Which of them need no training?"
    model.enqueue(text=follow_up)  # the follow-up's rewrite; its answer is the server's default
    context, page = open_page(browser, url, LAPTOP)
    try:
        page.get_by_label("OpenAI-compatible server").check()
        box, button = page.locator("#question textarea"), page.locator("#ask-button")
        box.fill(QUESTION)
        box.press("Enter")
        page.locator("#turn-1 .streaming").wait_for()
        box.fill("a thought typed while the answer is written")
        playwright.expect(button).to_have_text("Ask after this one")
        playwright.expect(page.locator("#turn-1 .streaming")).to_contain_text(sentences[0][:30])
        assert box.input_value() == "a thought typed while the answer is written"  # not wiped

        box.fill(follow_up)
        box.press("Enter")  # asked while the first answer is still written: it waits, in view
        waiting = page.locator("#chat .queued")
        playwright.expect(waiting).to_contain_text(follow_up)
        playwright.expect(waiting).to_contain_text("Waiting")
        playwright.expect(box).to_have_value("")
        box.fill("a third thought")
        page.locator("#turn-2 .footnote").wait_for()  # answered next, after the first
        playwright.expect(page.locator("#turn-1 .footnote")).to_contain_text("openai")
        playwright.expect(page.locator("#turn-2 .msg.user")).to_have_text(follow_up)
        playwright.expect(waiting).to_have_count(0)
        playwright.expect(button).to_have_text("Ask")
        assert box.input_value() == "a third thought"
    finally:
        context.close()


@pytest.mark.parametrize("viewport", [LAPTOP, PHONE], ids=["laptop", "phone"])
def test_every_tab_is_one_tap_away_inside_the_screen_and_accessible(
    browser, served, viewport: dict[str, int], shots: Path
) -> None:
    url, _ = served
    width, size = viewport["width"], f"{viewport['width']}x{viewport['height']}"
    context, page = open_page(browser, url, viewport)
    try:
        assert page.locator('button[aria-label="More tabs"]:visible').count() == 0  # no "•••" menu
        tabs = page.get_by_role("tab")
        assert [tabs.nth(i).inner_text() for i in range(tabs.count())][:5] == [
            "Ask",
            "Related work",
            "Cite",
            "Check",
            "Library",
        ]
        if viewport == PHONE:  # the settings start folded away on a phone
            playwright.expect(page.locator(".sidebar")).not_to_have_class(re.compile(r"\bopen\b"))
            page.wait_for_timeout(500)  # the sidebar's slide
        toggle = page.locator(".sidebar > button.toggle-button").bounding_box()
        title = page.locator("#title h1").bounding_box()  # the settings toggle beside it, not over it
        assert toggle and title and toggle["x"] >= 0 and toggle["x"] + toggle["width"] <= title["x"] + 1

        ask(page, QUESTION, turn=1)
        page.locator("#turn-1 button.cite").first.click()
        assert page.evaluate(OUTSIDE, width) == [], "Ask"
        accessible(page, "Ask with an answer")
        screenshot(page, shots, f"{size}-ask.png")

        page.get_by_role("tab", name="Related work").click()  # one tap
        page.locator("#description textarea").fill(
            "We accelerate large language model inference with speculative decoding: a small draft "
            "model proposes tokens that the target model verifies in parallel."
        )
        page.locator("#draft-button").click()
        page.locator("#draft .sources").wait_for()
        assert page.evaluate(OUTSIDE, width) == [], "Related work"
        screenshot(page, shots, f"{size}-related-work.png")

        page.get_by_role("tab", name="Cite").click()
        page.locator("#claim textarea").fill(
            "A small draft model proposes tokens that the target model verifies."
        )
        page.locator("#cite-button").click()
        page.locator("#candidates .candidate").first.wait_for()
        assert page.evaluate(OUTSIDE, width) == [], "Cite"
        screenshot(page, shots, f"{size}-cite.png")

        check_report(page)  # the EAGLE claim cited to Hydra gets EAGLE suggested, with its BibTeX
        copy = page.locator("#check-report button.copy").first
        copy.scroll_into_view_if_needed()
        playwright.expect(copy).to_be_in_viewport(ratio=1.0)  # "Copy BibTeX" whole, not cut
        assert page.evaluate(OUTSIDE, width) == [], "Check"
        accessible(page, "Check with a report")
        screenshot(page, shots, f"{size}-check.png")

        page.get_by_role("tab", name="Library").click()
        source = page.locator("#papers tbody tr").first.locator("td").nth(4)
        playwright.expect(source).to_be_visible()
        source.scroll_into_view_if_needed()
        playwright.expect(source).to_be_in_viewport(ratio=1.0)  # the Source column is readable
        assert page.evaluate(OUTSIDE, width) == [], "Library"
        assert page.evaluate("document.documentElement.scrollWidth") <= width  # no sideways scroll
        screenshot(page, shots, f"{size}-library.png")
    finally:
        context.close()


def test_bold_text_is_in_the_same_font_as_the_rest(browser, served) -> None:
    url, _ = served
    context, page = open_page(browser, url, LAPTOP)
    try:
        ask(page, QUESTION, turn=1)
        family = page.evaluate("getComputedStyle(document.querySelector('#turn-1 .answer-text')).fontFamily")
        assert family.startswith("system-ui")
        bold = ["#title h1", "#turn-1 details.paper .title", "#turn-1 button.cite", "#ask-button"]
        for selector in bold:
            style = page.evaluate(STYLE, selector)
            assert style[0] == family and int(style[1]) >= 600, (selector, style)
        faces = page.evaluate("[...document.fonts].map((f) => f.family + ' ' + f.weight)")
        assert not [face for face in faces if "Source Sans" in face or "Plex" in face], faces
    finally:
        context.close()


@pytest.mark.parametrize("viewport", [LAPTOP, PHONE], ids=["laptop", "phone"])
def test_the_question_box_is_at_most_three_tab_presses_away(
    browser, served, viewport: dict[str, int]
) -> None:
    context, page = open_page(browser, served[0], viewport)
    try:
        page.locator("a.skip-link").wait_for(state="attached")  # added by the page's script on load
        for _ in range(3):  # Tab presses, following the skip link with Enter when it has the focus
            page.keyboard.press("Tab")
            if page.evaluate("document.activeElement.className") == "skip-link":
                page.keyboard.press("Enter")
            if page.evaluate("document.activeElement === document.querySelector('#question textarea')"):
                break
        else:
            pytest.fail("the question box is more than 3 Tab presses away")
    finally:
        context.close()
