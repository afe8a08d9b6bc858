"""Related-work prose written by a model (a scripted OpenAI-compatible server on loopback),
held to the citation check: theme-bound markers, flagged sentences, extractive fallback."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import bibtexparser
import pytest
from litrev_eval.bench_citing import RELATED_WORK

from rag.grounding.citations import markers_in
from rag.index.library import Library
from rag.related_work import Draft, draft_related_work, draft_related_work_stream
from rag.settings import LLMSettings
from rag.sources.sentences import sentence_spans
from tests.openai_server import ScriptedServer

DESCRIPTION = json.loads(RELATED_WORK.read_text(encoding="utf-8").splitlines()[0])["paper_description"]
PAPERS = 10
"""Two or more themes of a few papers: enough to test theme-bound markers, quick to check."""


@pytest.fixture
def server() -> Iterator[ScriptedServer]:
    with ScriptedServer() as running:
        yield running


@pytest.fixture(scope="module")
def extractive(bundled: Library) -> Draft:
    return draft_related_work(DESCRIPTION, library=bundled, n_papers=PAPERS)


def llm_library(bundled: Library, base_url: str) -> Library:
    settings = bundled.settings.model_copy(
        update={"llm": LLMSettings(provider="openai", base_url=base_url, model="scripted", max_retries=0)}
    )
    return Library(settings, embedder=bundled.embedder)


def first_sentence(abstract: str) -> str:
    start, end = sentence_spans(abstract)[0]
    return abstract[start:end].rstrip(" .")


def grounded_paragraph(draft: Draft, theme_index: int) -> str:
    """Sentences quoting the theme's abstracts, each citing its own paper: they pass the check."""
    markers = draft.markers()
    return " ".join(
        f"{first_sentence(said.paper.abstract)} [{markers[said.paper.id]}]."
        for said in draft.themes[theme_index].statements
    )


def run(library: Library) -> tuple[str, Draft]:
    streamed, final = [], None
    for event in draft_related_work_stream(DESCRIPTION, library=library, n_papers=PAPERS):
        if isinstance(event, Draft):
            final = event
        else:
            streamed.append(event)
    assert final is not None
    return "".join(streamed), final


def test_prose_streams_per_theme_and_cites_only_that_themes_papers(
    bundled: Library, server: ScriptedServer, extractive: Draft
) -> None:
    assert len(extractive.themes) >= 2
    markers = extractive.markers()
    outside = markers[extractive.themes[1].statements[0].paper.id]  # a paper of the other theme
    first = grounded_paragraph(extractive, 0)
    cut = first.index("[") + 1  # split a marker across two pieces
    server.enqueue(pieces=[first[:cut], first[cut:], f" They differ in how they draft [{outside}][99]."])
    for index in range(1, len(extractive.themes)):
        server.enqueue(text=grounded_paragraph(extractive, index))

    streamed, draft = run(llm_library(bundled, server.url))

    assert draft.generator == "openai" and draft.fallback is None
    assert [theme.title for theme in draft.themes] == [theme.title for theme in extractive.themes]
    paragraphs = streamed.strip().split("\n\n")
    assert len(paragraphs) == len(extractive.themes)
    assert paragraphs[0].startswith(f"**{draft.themes[0].title}**\n")
    own = {markers[said.paper.id] for said in extractive.themes[0].statements}
    assert set(markers_in(paragraphs[0])) == own  # the other theme's marker and [99] never showed
    assert sorted(draft.dropped_markers) == sorted([outside, 99])
    assert draft.themes[0].prose is not None and "They differ in how they draft." in draft.themes[0].prose
    # The uncited closing sentence is flagged; the grounded ones are not.
    assert [check.text for check in draft.flagged()] == ["They differ in how they draft."]

    # Each call showed the model its own theme's papers only, and the other theme by name.
    first_prompt, second_prompt = (request["messages"][0]["content"] for request in server.requests[:2])
    assert all(said.paper.title in first_prompt for said in extractive.themes[0].statements)
    assert not any(said.paper.title in first_prompt for said in extractive.themes[1].statements)
    assert extractive.themes[1].title in first_prompt and DESCRIPTION in second_prompt

    markdown = draft.markdown()
    assert "They differ in how they draft. *(uncited)*" in markdown
    assert {paper.id for paper in draft.cited} == set(markers)  # every given paper was cited
    keys = [entry.key for entry in bibtexparser.parse_string(draft.bibtex()).entries]
    groups = re.findall(r"\\cite\{([^}]*)\}", draft.latex())
    cited_in_latex = {key for group in groups for key in group.split(",")}
    assert cited_in_latex == set(keys) == set(draft.keys.values())


def test_unsupported_sentence_is_flagged_and_uncited_papers_are_listed(
    bundled: Library, server: ScriptedServer, extractive: Draft
) -> None:
    markers = extractive.markers()
    theme = extractive.themes[0].statements
    kept = grounded_paragraph(extractive, 0)
    invented = f"The moon landing was filmed with speculative cheese bread [{markers[theme[0].paper.id]}]."
    server.enqueue(text=f"{kept} {invented}")
    only_one = extractive.themes[1].statements[0]
    server.enqueue(text=f"{first_sentence(only_one.paper.abstract)} [{markers[only_one.paper.id]}].")
    for index in range(2, len(extractive.themes)):
        server.enqueue(text=grounded_paragraph(extractive, index))

    _, draft = run(llm_library(bundled, server.url))

    assert draft.generator == "openai"
    flagged = draft.flagged()
    assert [check.text.rstrip(" .") for check in flagged] == [invented.split(" [")[0]]
    assert flagged[0].score is not None and "*(not supported by the cited abstracts)*" in draft.markdown()
    assert "% not supported by the cited abstracts" in draft.latex()
    # Papers the model left uncited are not in the references; they head the "not cited" list.
    skipped = [said.paper for said in extractive.themes[1].statements[1:]]
    assert not {paper.id for paper in skipped} & {paper.id for paper in draft.cited}
    assert draft.uncited[: len(skipped)] == skipped


def test_prose_failing_the_check_falls_back_to_the_extractive_draft(
    bundled: Library, server: ScriptedServer, extractive: Draft
) -> None:
    server.enqueue(text="Bananas are yellow [1]. Penguins live in Antarctica.")
    for _ in extractive.themes[1:]:
        server.enqueue(text="Nothing here is grounded at all.")

    streamed, draft = run(llm_library(bundled, server.url))

    assert "Bananas are yellow [1]." in streamed  # it was shown while it streamed...
    assert draft.generator == "extractive" and all(theme.prose is None for theme in draft.themes)
    sentences = 1 + len(extractive.themes)
    assert draft.fallback is not None and f"failed the citation check (0 of {sentences}" in draft.fallback
    assert draft.markdown().startswith(f"*{draft.fallback}*\n\n")  # ...and the kept text says why
    assert [paper.id for paper in draft.cited] == [paper.id for paper in extractive.cited]


def test_unreachable_model_falls_back_with_the_reason(
    bundled: Library, server: ScriptedServer, extractive: Draft
) -> None:
    server.enqueue(status=500)

    _, draft = run(llm_library(bundled, server.url))

    assert draft.generator == "extractive" and draft.fallback is not None
    assert "failed" in draft.fallback and "extractive draft instead" in draft.fallback
    assert draft.markdown().split("\n\n")[1] == extractive.markdown().split("\n\n")[0]


def test_model_text_cannot_write_latex_commands_or_html(
    bundled: Library, server: ScriptedServer, extractive: Draft
) -> None:
    markers = extractive.markers()
    said = extractive.themes[0].statements[0]
    hostile = r"\input{/etc/passwd} <script>alert(1)</script> 100% {"
    server.enqueue(text=f"{grounded_paragraph(extractive, 0)} {hostile} [{markers[said.paper.id]}].")
    server.enqueue(text=grounded_paragraph(extractive, 1))

    _, draft = run(llm_library(bundled, server.url))

    assert draft.generator == "openai"
    latex = draft.latex()
    assert r"\input{" not in latex and r"\textbackslash{}input" in latex and r"100\%" in latex
    assert "<script>" not in draft.markdown() and "&lt;script&gt;" in draft.markdown()


def test_ui_streams_the_model_draft_then_shows_the_checked_one(
    bundled: Library, server: ScriptedServer, extractive: Draft, tmp_path: Path
) -> None:
    from ui import handlers

    server.enqueue(pieces=["Bananas are ", "yellow [1]."])  # later themes get the default reply
    options = handlers.Options(provider="openai", base_url=server.url, model="scripted")
    views = list(
        handlers.related_work_stream(
            DESCRIPTION,
            library=bundled,
            options=options,
            out_dir=tmp_path,
        )
    )
    assert len(views) > 2 and not views[0].files  # shown piece by piece while the model writes
    assert any("Bananas are" in view.html and "yellow" not in view.html for view in views)
    final = views[-1]
    assert "failed the citation check" in final.html and "Bananas" not in final.markdown
    assert [path.name for path in final.files] == ["related_work.md", "related_work.tex", "references.bib"]
