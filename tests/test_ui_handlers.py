"""The UI's handlers and HTML, called directly: no browser, a real index and a real model server."""

from __future__ import annotations

import html
import json
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rag.answers.answer import Answer, Citation, SentenceCheck
from rag.errors import IndexMissingError, LitrevError
from rag.index.ingest import IngestReport
from rag.index.library import Library
from rag.retrieval.retrieve import search
from rag.sources.corpus import Paper
from rag.sources.sentences import sentence_spans
from tests.helpers import BUNDLED
from tests.openai_server import ScriptedServer
from ui import chat, chat_html, handlers, library_html, render, shelf
from ui.conversation import Turn
from ui.panel import Options

QUESTION = "Which papers accelerate LLM inference with speculative decoding?"
XSS = '<img src=x onerror="window.__pwned=1"> <script>window.__pwned=2</script>'


@pytest.fixture
def server() -> Iterator[ScriptedServer]:
    with ScriptedServer() as running:
        yield running


def run_ask(question: str, turns: list[Turn], library: Library, options: Options) -> list[tuple[str, list]]:
    updates = []
    for page, state in chat.ask(question, turns, library=library, options=options):
        updates.append((page, [Turn(**vars(turn)) for turn in state]))
    return updates


class Tags(HTMLParser):
    """Every tag and attribute in a piece of markup."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def tags(markup: str) -> list[tuple[str, dict[str, str | None]]]:
    parser = Tags()
    parser.feed(markup)
    return parser.tags


# -- the settings panel -------------------------------------------------------------------------


def test_panel_values_become_options() -> None:
    options = Options.from_panel("openai", 5.0, "2021", 2024.0, " ", "", None)
    assert options == Options(provider="openai", k=5, year_from=2021, year_to=2024)
    assert options.filters() is not None and options.filters().year_from == 2021
    assert Options.from_panel().filters() is None


@pytest.mark.parametrize(
    ("panel", "message"),
    [
        (("gpt",), "generator must be one of"),
        (("extractive", 8, "2024", "2020"), "is after year to"),
        (("extractive", 8, "last year"), "must be a year"),
        (("extractive", 0), "k must be at least 1"),
    ],
)
def test_bad_panel_values_are_explained(panel: tuple, message: str) -> None:
    with pytest.raises(LitrevError, match=message):
        Options.from_panel(*panel)


def test_generators_are_built_once_per_choice(bundled: Library) -> None:
    extractive = Options().generator(bundled)
    assert Options().generator(bundled) is extractive
    openai = Options(provider="openai", base_url="http://127.0.0.1:9/v1", model="m").generator(bundled)
    assert openai.name == "openai" and openai is not extractive
    with pytest.raises(LitrevError, match="GGUF"):
        Options(provider="local", model_path="/nowhere/model.gguf").generator(bundled)


# -- Ask ----------------------------------------------------------------------------------------


def test_answer_has_clickable_markers_and_cards_with_the_sentence_marked(bundled: Library) -> None:
    updates = run_ask(QUESTION, [], bundled, Options())
    page, turns = updates[-1]
    answer = turns[-1].answer
    assert answer is not None and not answer.abstained and answer.citations
    buttons = [attrs for tag, attrs in tags(page) if tag == "button" and "cite" in (attrs["class"] or "")]
    cards = {attrs["id"] for tag, attrs in tags(page) if tag == "details"}
    assert {attrs["data-target"] for attrs in buttons} == {f"t1-c{c.marker}" for c in answer.citations}
    assert {f"t1-c{c.marker}" for c in answer.citations} <= cards
    for citation in answer.citations:
        assert f"<mark>{html.escape(citation.sentence)}</mark>" in page
        assert html.escape(citation.title) in page
    assert "Searched for" not in page  # a first question is used as asked


def test_follow_up_is_rewritten_with_the_previous_terms(bundled: Library) -> None:
    _, turns = run_ask(QUESTION, [], bundled, Options())[-1]
    page, turns = run_ask("What are its limitations?", turns, bundled, Options())[-1]
    assert len(turns) == 2
    follow = turns[-1]
    assert follow.rewrite == "terms"
    assert follow.query.startswith("accelerate LLM inference speculative decoding")
    assert f"Searched for: {html.escape(follow.query)}" in page
    assert 'id="turn-1"' in page and 'id="turn-2"' in page


def test_a_follow_up_in_the_chat_quotes_what_the_chat_has_not_shown(bundled: Library) -> None:
    _, turns = run_ask(QUESTION, [], bundled, Options())[-1]
    _, turns = run_ask("How do they verify the drafted tokens?", turns, bundled, Options())[-1]
    first, follow = turns[0].answer, turns[1].answer
    assert first is not None and follow is not None and not follow.abstained
    assert {c.sentence for c in first.citations}.isdisjoint(c.sentence for c in follow.citations)


def test_off_topic_question_shows_an_abstention_with_nearest_papers(bundled: Library) -> None:
    page, turns = run_ask("How does protein folding work?", [], bundled, Options())[-1]
    assert turns[-1].answer is not None and turns[-1].answer.abstained
    assert "Not covered by your library" in page
    assert "Nearest papers (pointers only)" in page
    assert page.count('<details class="paper"') == 3
    assert 'class="cite"' not in page


def test_empty_question_gets_a_note_and_adds_no_turn(bundled: Library) -> None:
    [(page, turns)] = run_ask("   ", [], bundled, Options())
    assert turns == [] and chat.EMPTY_QUESTION in page
    _, earlier = run_ask(QUESTION, [], bundled, Options())[-1]
    [(page, turns)] = run_ask("", earlier, bundled, Options())
    assert len(turns) == 1 and page.count('class="turn"') == 1 and chat.EMPTY_QUESTION in page


def test_long_question_is_folded_with_its_full_text_inside(bundled: Library) -> None:
    long = "Which papers accelerate LLM inference with speculative decoding? " + "Please be thorough. " * 300
    page, turns = run_ask(long, [], bundled, Options())[-1]
    question = " ".join(long.split())
    assert turns[-1].question == question and len(question) > chat_html.FOLD_AT
    folded = page.split('<details class="long-question"><summary>')[1]
    summary, rest = folded.split("</summary>", 1)
    assert len(summary) < chat_html.FOLDED_CHARS + 80 and f"({len(question):,} characters" in summary
    assert rest.startswith(html.escape(question) + "</details>")
    short_page, _ = run_ask(QUESTION, [], bundled, Options())[-1]
    assert "long-question" not in short_page


def test_abstention_says_what_the_year_filter_left_out(bundled: Library) -> None:
    undated = sum(1 for paper in bundled.store.iter_papers() if paper.year is None)
    assert undated > 0
    page, turns = run_ask(QUESTION, [], bundled, Options(year_from=2020))[-1]
    assert turns[-1].answer.abstained
    note = f"{undated} papers have no year and were left out by the year filter."
    assert turns[-1].note == note and html.escape(note) in page
    _, unfiltered = run_ask(QUESTION, [], bundled, Options())[-1]
    assert unfiltered[-1].note is None and not unfiltered[-1].answer.abstained


def test_model_answer_streams_checked_sentences_and_unsupported_one_is_removed(
    bundled: Library, server: ScriptedServer
) -> None:
    hit = search(QUESTION, library=bundled).hits[0]
    start, end = sentence_spans(hit.paper.abstract)[0]
    supported = hit.paper.abstract[start:end]
    unsupported = "Bananas ripen faster when stored next to graphics cards"
    server.enqueue(pieces=[supported[:15], supported[15:], " [1]", " ", unsupported, " [1]."])
    options = Options(provider="openai", base_url=server.url, model="scripted")
    updates = run_ask(QUESTION, [], bundled, options)
    streamed = [turns[-1].text for _, turns in updates if turns[-1].answer is None]
    assert [text for text in streamed if text] == [f"{supported} [1]"]  # whole checked sentences only
    assert '<span class="cursor">' in updates[1][0]
    assert all("Bananas" not in page for page, _ in updates)  # never shown, not even for a moment
    page, turns = updates[-1]
    answer = turns[-1].answer
    assert answer.generator == "openai" and answer.notice is None
    assert [check.supported for check in answer.sentences] == [True, False]
    assert "1 sentence of the model's answer removed" in html.unescape(page)


def test_model_rewrites_the_follow_up_before_retrieval(bundled: Library, server: ScriptedServer) -> None:
    options = Options(provider="openai", base_url=server.url, model="scripted")
    server.enqueue(text="NOT COVERED")
    _, turns = run_ask(QUESTION, [], bundled, options)[-1]
    server.enqueue(text="What are the limitations of speculative decoding for LLM inference?")
    server.enqueue(text="NOT COVERED")
    page, turns = run_ask("What are its limitations?", turns, bundled, options)[-1]
    assert turns[-1].rewrite == "model"
    assert turns[-1].query == "What are the limitations of speculative decoding for LLM inference?"
    rewrite_prompt = server.requests[1]["messages"][0]["content"]
    assert f"- {QUESTION}" in rewrite_prompt and "Follow-up: What are its limitations?" in rewrite_prompt
    assert turns[-1].query in server.requests[2]["messages"][0]["content"]
    assert "The model found no answer" in page


def test_missing_index_is_an_error_box_not_a_traceback(library: Library) -> None:
    page, turns = run_ask(QUESTION, [], library, Options())[-1]
    assert turns[-1].error and "litrev ingest" in turns[-1].error
    assert '<div class="error">' in page and "Library tab" in page


def test_bad_panel_value_shows_in_the_turn(bundled: Library) -> None:
    page, turns = run_ask(QUESTION, [], bundled, ("extractive", 8, "2024", "2020"))[-1]
    assert turns[-1].question == QUESTION and "is after year to" in turns[-1].error
    assert '<div class="error">year from (2024) is after year to (2020)</div>' in page


def test_openai_generator_without_a_server_says_what_to_set(
    bundled: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    _, turns = run_ask(QUESTION, [], bundled, Options(provider="openai"))[-1]
    assert turns[-1].answer is None
    assert turns[-1].error.startswith("no model server is set")
    assert "Settings > Model > Server URL" in turns[-1].error and "\n" not in turns[-1].error


# -- Cite and Related work ----------------------------------------------------------------------


def test_cite_ranks_papers_with_sentence_and_copyable_bibtex(bundled: Library) -> None:
    claim = "Speculative decoding drafts future tokens cheaply and verifies them in parallel with the target."
    page, bib = handlers.cite(claim, library=bundled, options=Options(k=3))
    assert bib.startswith("@")
    assert page.count('class="candidate"') == 3
    assert page.count("Copy BibTeX") == 3
    assert "<mark>" in page and "Most likely sources" in page
    assert handlers.cite("  ", library=bundled, options=Options())[1] == ""
    error, bib = handlers.cite(claim, library=bundled, options=("extractive", 3, "soon"))
    assert bib == "" and '<div class="error">year from must be a year' in error
    data = handlers.cite_json(claim, library=bundled, options=Options(k=2))
    assert data["matched"] and len(data["candidates"]) == 2


def test_angle_brackets_in_a_title_show_once_escaped_in_the_draft(library: Library, tmp_path: Path) -> None:
    lines = [
        line for line in BUNDLED.read_text(encoding="utf-8").splitlines() if "speculative" in line.lower()
    ]
    records = [json.loads(line) for line in lines[:8]]
    for record in records:
        record["title"] = f"{record['title']} for n<8 drafts & <b>bold</b> claims"
    source = tmp_path / "brackets.jsonl"
    source.write_text("\n".join(json.dumps(record) for record in records) + "\n", encoding="utf-8")
    shelf.add_files([source], library=library)
    description = "We accelerate large language model inference with speculative decoding and a draft model."
    view = handlers.related_work(description, library=library, options=Options(), out_dir=tmp_path / "out")
    assert not view.html.startswith('<div class="error">') and view.files
    assert "n&lt;8 drafts &amp; &lt;b&gt;bold&lt;/b&gt; claims" in view.html  # escaped once: shows as typed
    assert "&amp;lt;" not in view.html and "<b>bold</b>" not in view.html
    assert_inert(view.html)


def test_related_work_draft_is_shown_and_written_as_three_files(bundled: Library, tmp_path: Path) -> None:
    description = (
        "We speed up large language model inference with speculative decoding: a small draft model "
        "proposes several tokens and the target model verifies them in parallel."
    )
    view = handlers.related_work(description, library=bundled, options=Options(), out_dir=tmp_path)
    assert [path.name for path in view.files] == ["related_work.md", "related_work.tex", "references.bib"]
    assert view.files[0].read_text(encoding="utf-8") == view.markdown
    assert "\\cite{" in view.latex and view.bibtex.startswith("@")
    assert '<div class="sources-title">References</div>' in view.html  # the cited papers' cards
    assert 'class="cite" data-target="draft-c1"' in view.html and 'id="draft-c1"' in view.html
    empty = handlers.related_work(" ", library=bundled, options=Options(), out_dir=tmp_path / "no")
    assert not empty.files and not (tmp_path / "no").exists()


# -- Library ------------------------------------------------------------------------------------


def test_browse_filters_by_text_and_reports_counts(bundled: Library) -> None:
    stats, table, names = shelf.browse(bundled, "speculative")
    total = bundled.store.paper_count()
    assert f"<b>{total}</b> papers" in stats
    shown = table.count("<tr>") - 1
    assert 0 < shown < total
    assert f"<b>{shown}</b> match the filters" in stats
    assert names == ["papers.jsonl"]
    _, none, _ = shelf.browse(bundled, source="other.jsonl")
    assert "No paper matches" in none and "year filter" not in none
    error, _, _ = shelf.browse(bundled, year_from="soon")
    assert "must be a year" in error
    stats, _, _ = shelf.browse(bundled, "ParallelSpec")
    assert "<b>1</b> matches the filters" in stats


def test_empty_result_says_what_the_year_filter_left_out(bundled: Library) -> None:
    _, table, _ = shelf.browse(bundled, "speculative", year_from="2020")
    matches = len(shelf.matching(list(bundled.store.iter_papers()), "speculative"))
    assert f"No paper matches these filters. {matches} papers have no year and were left out" in table


def test_header_counts_the_papers_and_their_years(bundled: Library, library: Library) -> None:
    line = shelf.header(bundled)
    assert f"<b>{bundled.store.paper_count()}</b> papers in your library" in line
    assert "from papers.jsonl" in line and "\u2013" not in line  # no years known: no range
    papers = [
        Paper(id="a", title="A", abstract="x", year=2019, source="mine.bib"),
        Paper(id="b", title="B", abstract="y", year=2024, source="mine.bib"),
        Paper(id="c", title="C", abstract="z"),
    ]
    line = library_html.header_html(papers)
    assert "<b>3</b> papers in your library · 2019\u20132024 · from mine.bib" in line
    assert "Your library is empty" in shelf.header(library)


def test_matching_filters_years_and_sources() -> None:
    papers = [
        Paper(id="a", title="A", abstract="x", year=2020, source="one.bib"),
        Paper(id="b", title="B", abstract="speech codec", year=2023, source="two.jsonl"),
        Paper(id="c", title="C", abstract="y"),
    ]
    assert [p.id for p in shelf.matching(papers, year_from=2021)] == ["b"]
    assert [p.id for p in shelf.matching(papers, year_to=2021)] == ["a"]
    assert [p.id for p in shelf.matching(papers, "CODEC")] == ["b"]
    assert [p.id for p in shelf.matching(papers, source="one.bib")] == ["a"]


def test_upload_reports_added_skipped_and_rejected_with_reasons(library: Library, tmp_path: Path) -> None:
    records = [
        {"title": "Whale Song Phonemes", "abstract": "We recognise tonal phonemes from whale song."},
        {"title": "Tidal Speech Corpora", "abstract": "We release a corpus of speech recorded on tides."},
        {"title": "whale song phonemes!", "abstract": "A duplicate by normalised title."},
        {"title": "No Abstract Here"},
    ]
    lines = [json.dumps(record) for record in records] + ["{not json"]
    source = tmp_path / "mine.jsonl"
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    (tmp_path / "notes.docx").write_bytes(b"PK\x03\x04")
    calls: list[tuple[int, int]] = []
    page = shelf.add_files(
        [str(source), str(tmp_path / "notes.docx")],
        library=library,
        progress=lambda done, total: calls.append((done, total)),
    )
    assert calls[0] == (0, 2) and calls[-1] == (2, 2)
    assert _count_rows(page) == ["2 papers added", "1 duplicate skipped", "3 records rejected"]
    assert "<li>Whale Song Phonemes</li>" in page and "<li>Tidal Speech Corpora</li>" in page
    assert "<code>mine.jsonl:4</code> no abstract" in page
    assert "<code>mine.jsonl:5</code> not valid JSON" in page
    assert "<code>notes.docx</code> unknown file type" in page
    again = shelf.add_files([str(source)], library=library)
    assert _count_rows(again) == [
        "0 papers added",
        "2 papers unchanged",
        "1 duplicate skipped",
        "2 records rejected",
    ]
    stats, _, _ = shelf.browse(library)
    assert "<b>2</b> papers" in stats and "mine.jsonl (2)" in stats
    assert "Choose one or more" in shelf.add_files([], library=library)


def test_upload_progress_moves_per_batch(library: Library, tmp_path: Path) -> None:
    records = [
        {"title": f"Burrow Acoustics Study {n}", "abstract": f"We measure burrow resonance number {n}."}
        for n in range(2 * shelf.UPLOAD_BATCH + 5)
    ]
    source = tmp_path / "many.jsonl"
    source.write_text("\n".join(json.dumps(record) for record in records) + "\n", encoding="utf-8")
    calls: list[tuple[int, int]] = []
    batch_before = library.settings.chunking.batch_papers
    page = shelf.add_files(
        [source], library=library, progress=lambda done, total: calls.append((done, total))
    )
    total = len(records)
    batch = shelf.UPLOAD_BATCH
    assert calls == [(0, total), (batch, total), (2 * batch, total), (total, total)]
    assert _count_rows(page)[0] == f"{total} papers added"
    assert library.store.paper_count() == total and library.settings.chunking.batch_papers == batch_before


def test_a_small_bib_upload_moves_the_progress_bar_as_it_goes(library: Library, tmp_path: Path) -> None:
    entries = [
        f"@article{{wombat{n},\n  title = {{Burrow Acoustics Study {n}}},\n"
        f"  abstract = {{We measure burrow resonance number {n} with buried microphones.}},\n}}"
        for n in range(12)
    ]
    source = tmp_path / "small.bib"
    source.write_text("\n\n".join(entries) + "\n", encoding="utf-8")
    steps: list[tuple[float, str, int]] = []

    def stage(share: float, what: str) -> None:  # what a gr.Progress bar is given
        try:
            indexed = library.store.paper_count()
        except IndexMissingError:  # before the first batch is written
            indexed = 0
        steps.append((share, what, indexed))

    page = shelf.add_files([source], library=library, stage=stage)
    assert _count_rows(page)[0] == "12 papers added"
    shares = [share for share, _, _ in steps]
    assert shares == sorted(shares) and shares[0] == 0.0 and shares[-1] == 1.0
    moving = [step for step in steps if 0.0 < step[0] < 1.0]
    assert len({share for share, _, _ in moving}) >= 4, steps  # not 0% until the end
    said = [what for _, what, _ in steps]
    assert said[0] == "Loading the embedding model" and "Reading the files" in said
    assert "Embedding papers: 8 of 12" in said and "Updating the search index" in said
    halfway = next(step for step in steps if step[1] == "Embedding papers: 8 of 12")
    assert 0 < halfway[0] < 0.9 and halfway[2] == 8  # the bar moved while papers were still to come


def test_one_rejected_record_reads_right(library: Library, tmp_path: Path) -> None:
    source = tmp_path / "one.jsonl"
    source.write_text(
        json.dumps({"title": "Lonely Paper", "abstract": "Alone."}) + "\n{oops\n", encoding="utf-8"
    )
    page = shelf.add_files([source], library=library)
    assert _count_rows(page) == ["1 paper added", "1 record rejected"]
    assert "Read 1 paper from the files. The library now holds 1 paper." in page


def _count_rows(page: str) -> list[str]:
    import re

    return re.findall(r'<li class="\w+"><b>([^<]+)</b>', page)


def test_empty_library_says_so(library: Library) -> None:
    stats, table, _ = shelf.browse(library)
    assert "The library is empty" in stats
    assert "No paper matches" in table


# -- escaping: corpus text is text --------------------------------------------------------------

ALLOWED_TAGS = {
    "div",
    "p",
    "span",
    "b",
    "strong",
    "em",
    "ul",
    "li",
    "mark",
    "details",
    "summary",
    "button",
    "a",
    "code",
    "pre",
    "blockquote",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "br",
}
ALLOWED_ATTRIBUTES = {
    "class",
    "id",
    "title",
    "type",
    "data-target",
    "data-label",
    "href",
    "target",
    "rel",
    "open",
}


def assert_inert(markup: str) -> None:
    for tag, attrs in tags(markup):
        assert tag in ALLOWED_TAGS, tag
        assert set(attrs) <= ALLOWED_ATTRIBUTES, attrs
        if "href" in attrs:
            assert (attrs["href"] or "").startswith(("http://", "https://")), attrs


def hostile_paper(text: str = XSS) -> Paper:
    return Paper(
        id="p1",
        title=f"Wombat {text}",
        abstract=f"First sentence {text}. Second sentence.",
        authors=(text,),
        venue=text,
        url="javascript:window.__pwned=3",
        source=f"{text}.jsonl",
    )


def hostile_answer(paper: Paper) -> Answer:
    sentence = paper.abstract.split(". ")[0] + "."
    citation = Citation(
        marker=1,
        paper_id=paper.id,
        title=paper.title,
        url=paper.url,
        sentence=sentence,
        span=(0, len(sentence)),
        claims=[sentence],
    )
    return Answer(
        question=XSS,
        answer=f"{sentence} [1]\n- {XSS} [1] [7]",
        citations=[citation],
        evidence=[],
        abstained=False,
        evidence_strength=0.5,
        generator=XSS,
        notice=XSS,
        sentences=[SentenceCheck(text=sentence, markers=[1], supported=False, score=0.1)] * 2,
    )


def test_html_in_corpus_text_is_escaped_everywhere() -> None:
    paper = hostile_paper()
    turn = Turn(question=XSS, query=f"terms: {XSS}", answer=hostile_answer(paper), papers={paper.id: paper})
    streaming = Turn(question=XSS, query=XSS, text=XSS)
    pages = [
        chat_html.conversation([turn, streaming, Turn(question="q", query="q", error=XSS)], note=XSS),
        library_html.papers_table([paper], 10),
        library_html.library_stats([paper], 1),
        render.markdown_html(f"**{XSS}** *{XSS}*\n\n{XSS}"),
    ]
    for page in pages:
        assert_inert(page)
        assert "<script" not in page and "<img" not in page
        assert "&lt;script&gt;" in page
    assert "javascript:" not in pages[0].split("href")[-1]


@settings(max_examples=60, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("<>\"'&=/ ab;:`${}[]1\n")), max_size=60))
def test_any_text_renders_inert(text: str) -> None:
    paper = hostile_paper(text)
    assert_inert(render.paper_card(title=paper.title, element_id="x", paper=paper, sentence=text))
    assert_inert(chat_html.answer_html(hostile_answer(paper), {paper.id: paper}, prefix="t1", note=text))
    assert_inert(render.markdown_html(text))


def test_links_only_for_web_urls() -> None:
    assert render.paper_url(None, "javascript:alert(1)") is None
    assert render.paper_url(None, " HTTPS://example.org/a ") == "HTTPS://example.org/a"
    doi = Paper(id="d", title="t", abstract="a", doi='10.1/x"y')
    assert render.paper_url(doi) == "https://doi.org/10.1/x%22y"


def test_highlight_falls_back_to_searching_the_sentence() -> None:
    assert (
        render.highlighted("One. Two <b>. Three.", (0, 4), "Two <b>.")
        == "One. <mark>Two &lt;b&gt;.</mark> Three."
    )
    assert render.highlighted("One.", None, "Absent.") == "One."


def test_an_upload_that_adds_nothing_says_so_in_words() -> None:
    nothing = library_html.ingest_html(IngestReport(read=3, unchanged=3), [])
    assert "0 papers added" in nothing and "nothing new to add" in nothing
    assert "now searchable" not in nothing and "3 papers unchanged" in nothing
    one = library_html.ingest_html(IngestReport(read=1, added=1), ["A paper"])
    assert "1 paper added" in one and "new, now searchable" in one


def test_without_a_server_the_app_points_to_its_own_server_field(
    library: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    with pytest.raises(LitrevError) as raised:
        Options(provider="openai").generator(library)
    assert "Settings > Model > Server URL" in str(raised.value) and "--base-url" not in str(raised.value)
    assert Options(provider="openai", base_url="http://127.0.0.1:9/v1").generator(library).name == "openai"
