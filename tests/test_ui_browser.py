"""The running app driven in headless Chromium (Debian's ``chromium``, through Playwright).

Screenshots of each tab (1280x800, and the first screen at 390x844) are saved in the test's temp
folder and copied to ``/tmp/ui_shots/``.
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlparse

import playwright.sync_api as playwright
import pytest

from rag.index.embedding import Embedder
from rag.index.ingest import ingest
from rag.index.library import Library
from rag.retrieval.retrieve import search
from rag.settings import LLMSettings, Settings
from rag.sources.latex import clean_latex
from rag.sources.sentences import sentence_spans
from tests.helpers import BUNDLED
from tests.openai_server import ScriptedServer
from tests.ui_server import QUIET_GRADIO, serving

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-quic",
    "--no-first-run",
    "--disable-sync",
]
SHOTS_COPY = Path("/tmp/ui_shots")
QUESTION = "Which papers accelerate LLM inference with speculative decoding?"
IMG = "<img src=x onerror=window.__pwned=1>"
SCRIPT = "<script>window.__pwned=2</script>"
HOSTILE = {
    "title": f"Wombat Burrow Acoustics {IMG}",
    "abstract": (
        f"We record wombat burrow acoustics with buried microphones. {SCRIPT} Burrow resonance lets "
        f"wombats hear approaching predators {IMG} from far away. We release forty hours of recordings "
        "`${window.__pwned=4}` {{constructor}}."
    ),
    "authors": ["Ada Digger", f"{SCRIPT} Bob"],
    "year": 2024,
    "url": "javascript:window.__pwned=3",
}
TIMEOUT = 60_000

pytestmark = [
    pytest.mark.browser,
    *QUIET_GRADIO,
]


@pytest.fixture(scope="module")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("ui-shots")


@pytest.fixture(scope="module")
def model() -> Iterator[ScriptedServer]:
    """A scripted OpenAI-compatible server, the app's default server URL."""
    with ScriptedServer() as server:
        yield server


@pytest.fixture(scope="module")
def served(
    tmp_path_factory: pytest.TempPathFactory, embedder: Embedder, model: ScriptedServer
) -> Iterator[tuple[str, Library]]:
    """A small writable library (speculative-decoding papers and some others) served on loopback."""
    lines = BUNDLED.read_text(encoding="utf-8").splitlines()
    on_topic = [line for line in lines if "speculative" in line.lower()][:16]
    others = [line for line in lines if "speculative" not in line.lower()][:14]
    folder = tmp_path_factory.mktemp("browser")
    source = folder / "sample.jsonl"
    source.write_text("\n".join(on_topic + others) + "\n", encoding="utf-8")
    llm = LLMSettings(base_url=model.url, model="scripted")
    library = Library(Settings(home=folder / "home", llm=llm), embedder=embedder)
    ingest([source], library=library)
    with serving(library, folder / "work") as address:
        yield address, library


@pytest.fixture(scope="module")
def url(served: tuple[str, Library]) -> str:
    return served[0]


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with playwright.sync_playwright() as driver:
        chromium = driver.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def viewport() -> dict[str, int]:
    return {"width": 1280, "height": 800}


@pytest.fixture
def page(browser, url: str, viewport: dict[str, int]) -> Iterator[object]:
    """A fresh page on the app; fails the test if it asked anything of a host other than the app's."""
    context = browser.new_context(viewport=viewport)
    tab = context.new_page()
    tab.set_default_timeout(TIMEOUT)
    playwright.expect.set_options(timeout=TIMEOUT)  # a loaded machine answers slower than 5 s
    elsewhere: list[str] = []
    here = urlparse(url).netloc
    tab.on(
        "request",
        lambda request: (
            elsewhere.append(request.url)
            if urlparse(request.url).scheme in ("http", "https", "ws", "wss")
            and urlparse(request.url).netloc != here
            else None
        ),
    )
    tab.goto(url)
    tab.locator("#question textarea").wait_for()
    yield tab
    context.close()
    assert elsewhere == [], "the page reached outside the app"


def screenshot(page, shots: Path, name: str) -> None:
    path = shots / name
    page.screenshot(path=str(path))
    SHOTS_COPY.mkdir(parents=True, exist_ok=True)
    shutil.copy(path, SHOTS_COPY / name)


def ask(page, question: str, turn: int) -> None:
    box = page.locator("#question textarea")
    box.fill(question)
    box.press("Enter")
    page.locator(f"#turn-{turn} .footnote").wait_for()


def test_answer_cites_papers_and_a_marker_reveals_the_paper(page, shots: Path) -> None:
    ask(page, QUESTION, turn=1)
    marker = page.locator("#turn-1 button.cite").first
    target = marker.get_attribute("data-target")
    card = page.locator(f'[id="{target}"]')
    assert card.get_attribute("open") is None
    assert not card.locator("mark").is_visible()
    marker.click()
    playwright.expect(card).to_have_attribute("open", "")
    playwright.expect(card.locator("mark")).to_be_visible()
    assert len(card.locator("mark").inner_text()) > 20  # the supporting sentence, highlighted
    assert card.locator(".title").inner_text()
    screenshot(page, shots, "ask.png")

    ask(page, "What are its limitations?", turn=2)
    playwright.expect(page.locator("#turn-2 .query")).to_contain_text("speculative decoding")


def test_uploaded_papers_appear_and_html_in_them_stays_text(page, shots: Path, tmp_path: Path) -> None:
    upload = tmp_path / "wombats.jsonl"
    normal = {"title": "Tidal Rhythms in Estuary Speech Corpora", "abstract": "We record speech on tides."}
    upload.write_text(json.dumps(HOSTILE) + "\n" + json.dumps(normal) + "\n{broken\n", encoding="utf-8")
    page.get_by_role("tab", name="Library").click()
    playwright.expect(page.locator("#stats")).to_contain_text("30 papers")
    playwright.expect(page.locator("#library-line")).to_contain_text("30 papers in your library")
    page.locator("#upload input[type=file]").set_input_files(str(upload))
    playwright.expect(page.locator("#upload").get_by_role("cell", name="wombats.jsonl")).to_be_visible()
    page.locator("#add-button").click()
    report = page.locator("#report")
    playwright.expect(report).to_contain_text("2 papers added")
    playwright.expect(report.locator("li.rejected")).to_contain_text("1 record rejected")
    playwright.expect(report).to_contain_text("wombats.jsonl:3")
    playwright.expect(page.locator("#stats")).to_contain_text("32 papers")
    playwright.expect(page.locator("#library-line")).to_contain_text("32 papers in your library")

    search = page.locator("#search textarea")
    search.fill("wombat")
    search.press("Enter")
    playwright.expect(page.locator("#stats")).to_contain_text("1 matches the filters")
    row = page.locator("#papers tbody tr")
    playwright.expect(row).to_have_count(1)
    row.locator("summary").click()
    playwright.expect(row).to_contain_text(IMG)
    playwright.expect(row).to_contain_text(SCRIPT)
    page.evaluate("window.scrollTo(0, 0)")
    screenshot(page, shots, "library.png")

    page.get_by_role("tab", name="Ask").click()
    ask(page, "How do wombats hear approaching predators through burrow acoustics?", turn=1)
    page.locator("#turn-1 button.cite").first.click()
    card = page.locator("#turn-1 details.paper[open]")
    playwright.expect(card).to_contain_text(SCRIPT)
    # as stored: the reader drops LaTeX grouping braces; what remains shows as typed, never evaluated
    playwright.expect(card).to_contain_text(clean_latex("`${window.__pwned=4}` {{constructor}}"))
    playwright.expect(card.locator(".title")).to_contain_text(IMG)
    for root in ("#chat", "#papers", "#report"):
        assert page.locator(f"{root} img, {root} script").count() == 0
    assert page.locator("a[href^='javascript']").count() == 0
    page.wait_for_timeout(300)  # give an image error handler every chance to run
    assert page.evaluate("window.__pwned") is None


def test_related_work_draft_and_cite_lookup(page, shots: Path) -> None:
    page.get_by_role("tab", name="Related work").click()
    page.locator("#description textarea").fill(
        "We accelerate large language model inference with speculative decoding: a small draft model "
        "proposes tokens that the target model verifies in parallel."
    )
    page.locator("#draft-button").click()
    playwright.expect(page.locator("#draft")).to_contain_text("References")
    for label in ("Download Markdown", "Download LaTeX", "Download .bib"):
        playwright.expect(page.get_by_role("button", name=label)).to_be_enabled()
    screenshot(page, shots, "related_work.png")
    with page.expect_download() as download:
        page.get_by_role("button", name="Download .bib").click()
    assert download.value.suggested_filename == "references.bib"
    assert Path(download.value.path()).read_text(encoding="utf-8").startswith("@")

    page.get_by_role("tab", name="Cite").click()
    page.locator("#claim textarea").fill(
        "Speculative decoding lets a small drafter propose future tokens that the large model "
        "verifies in parallel."
    )
    page.locator("#claim textarea").press("Enter")  # Enter submits the claim
    playwright.expect(page.locator("#candidates")).to_contain_text("Most likely sources")
    playwright.expect(page.locator("#candidates pre").first).to_contain_text("@")
    screenshot(page, shots, "cite.png")


STREAM_LENGTHS = """() => {
  const seen = (window.__streamLengths = window.__streamLengths || []);
  const streaming = document.querySelector('#turn-1 .streaming');
  if (streaming) seen.push(streaming.innerText.length);
  return document.querySelector('#turn-1 .footnote') ? seen : null;
}"""
"""Each call notes the length of the first turn's streaming text; once its footnote is there, the
lengths noted so far (a truthy array ends ``wait_for_function``)."""


def test_a_model_answer_streams_into_the_page(page, shots: Path, served, model: ScriptedServer) -> None:
    _, library = served
    sentences = []
    for marker, hit in enumerate(search(QUESTION, library=library).hits[:3], start=1):
        abstract = hit.paper.abstract
        sentences.append(f"{abstract[slice(*sentence_spans(abstract)[0])]} [{marker}]")
    words = " ".join(sentences).split(" ")
    model.enqueue(pieces=[word + " " for word in words], interval=0.1)  # checked sentence by sentence
    page.get_by_label("OpenAI-compatible server").check()
    box = page.locator("#question textarea")
    box.fill(QUESTION)
    box.press("Enter")
    # the page samples the streaming text every 50 ms until the answer's footnote shows, or fails
    # after TIMEOUT; the streaming element is replaced as it grows, so it is looked up each time
    seen: list[int] = page.wait_for_function(STREAM_LENGTHS, polling=50, timeout=TIMEOUT).json_value()
    footer = page.locator("#turn-1 .footnote")
    grown = sorted({length for length in seen if length > 1})  # 1: the cursor alone
    assert len(grown) >= 2, seen  # the text grew, sentence by sentence, before the answer was final
    assert seen == sorted(seen)
    playwright.expect(footer).to_contain_text("openai")
    for sentence in sentences:
        playwright.expect(page.locator("#turn-1 .answer-text")).to_contain_text(sentence[:40])
    assert page.locator("#turn-1 .notice").count() == 0


@pytest.mark.parametrize("viewport", [{"width": 390, "height": 844}])
def test_phone_screen_starts_with_the_settings_closed(page, shots: Path) -> None:
    playwright.expect(page.locator(".sidebar")).not_to_have_class(re.compile(r"\bopen\b"))
    playwright.expect(page.locator("#title")).to_be_visible()
    playwright.expect(page.locator("#library-line")).to_contain_text("papers in your library")
    page.get_by_role("tab", name="Cite").click()  # taps reach the tabs
    claim = page.locator("#claim textarea")
    claim.fill("Speculative decoding verifies drafted tokens.")
    claim.press("Shift+Enter")
    assert claim.input_value().endswith("\n")  # Shift+Enter is a new line, not a search
    page.get_by_role("tab", name="Ask").click()
    page.locator("#ask-button").click()  # an empty question
    playwright.expect(page.locator("#chat")).to_contain_text("Type a question first")
    screenshot(page, shots, "phone.png")


def test_skip_link_comes_first_and_reaches_the_labelled_question(page) -> None:
    page.locator("a.skip-link").wait_for(state="attached")  # the page's script adds it once loaded
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"
    playwright.expect(page.locator("a.skip-link")).to_be_in_viewport()  # visible once focused
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement === document.querySelector('#question textarea')")
    assert page.get_by_label("Your question").count() == 1  # announced by its label


SCROLLER = """(turn) => {
  let box = document.querySelector(turn);
  while (box && !['auto', 'scroll'].includes(getComputedStyle(box).overflowY)) box = box.parentElement;
  const t = document.querySelector(turn).getBoundingClientRect(), b = box.getBoundingClientRect();
  return {inView: t.top < b.bottom && t.bottom > b.top, top: box.scrollTop,
          overflows: box.scrollHeight > box.clientHeight};
}"""


def test_chat_follows_the_newest_answer_unless_scrolled_up(page) -> None:
    for turn, question in enumerate([QUESTION, "What are its limitations?", "How fast is it?"], start=1):
        ask(page, question, turn=turn)
    page.wait_for_timeout(300)
    view = page.evaluate(SCROLLER, "#turn-3")
    assert view["overflows"] and view["inView"], view  # the newest answer is in view
    page.evaluate("document.querySelector('#turn-1').scrollIntoView()")  # the reader scrolls up
    page.wait_for_timeout(300)
    assert page.evaluate(SCROLLER, "#turn-1")["inView"]
    page.evaluate("document.querySelector('#turn-3 .footnote').append(' more')")  # the chat changes
    page.wait_for_timeout(300)
    view = page.evaluate(SCROLLER, "#turn-1")
    assert view["inView"], view  # the reader's place is kept
