"""Theme names read as names: a noun phrase the theme's papers share, not a sentence, not one
paper's name. Checked on drafts of the bundled corpus, and in the UI's preview of a draft."""

from __future__ import annotations

import re

import pytest
from litrev_eval.bench_retrieval import DATASETS
from litrev_eval.datasets import load

from rag.index.library import Library
from rag.related_work import Draft, draft_related_work
from rag.related_work.themes import label, name_key, theme_title
from rag.sources.title_names import title_name
from ui import render

SPECULATIVE = (
    "We accelerate large language model inference with speculative decoding: a small draft model "
    "proposes tokens that the target model verifies in parallel."
)
MODIFIERS = re.compile(r"^(low|high|zero|billion|multi|mixed|self|real|non)-|ly$|ly-", re.IGNORECASE)
VAGUE = {"method", "methods", "approach", "approaches", "framework", "technique", "techniques"}


@pytest.fixture(scope="module")
def drafts(bundled: Library) -> list[Draft]:
    items = load(DATASETS / "related_work.jsonl", "related-work", list(bundled.store.iter_papers()))
    return [draft_related_work(text, library=bundled) for text in [SPECULATIVE, *(i.text for i in items[:8])]]


def _stems(library: Library, text: str) -> str:
    return " " + " ".join(library.lexical.terms(text)) + " "


def test_theme_names_are_noun_phrases_the_papers_share(drafts: list[Draft], bundled: Library) -> None:
    named = 0
    for draft in drafts:
        for theme in draft.themes:
            papers = [said.paper for said in theme.statements]
            assert not theme.title.endswith("."), theme.title
            assert f"**{theme.title}**\n" in draft.markdown()  # a heading line, no full stop
            assert rf"\paragraph{{{theme.title}}}" in draft.latex() or "\\" in theme.title
            if len(papers) < 2 or not theme.phrases:
                continue
            named += 1
            names = {title_name(paper.title) for paper in papers} - {None}
            for phrase in theme.phrases:
                where = (phrase, [paper.title for paper in papers])
                assert phrase.casefold() not in {name.casefold() for name in names}, where  # "Hydra"
                last = phrase.split()[-1]
                assert not MODIFIERS.search(last) and last.lower() not in VAGUE, where
                stems = _stems(bundled, phrase)
                sharing = [p for p in papers if stems in _stems(bundled, f"{p.title}. {p.abstract}")]
                assert len(sharing) >= 2, where
                if any(char.isupper() for char in phrase):  # a name: in two titles, not only mentioned
                    assert sum(stems in _stems(bundled, p.title) for p in papers) >= 2, where
    assert named >= 20  # the rule was checked on many themes, not one


def test_no_two_themes_of_a_draft_read_the_same(drafts: list[Draft]) -> None:
    for draft in drafts:
        keys = [name_key(theme.title) for theme in draft.themes]
        assert len(keys) == len(set(keys)), [theme.title for theme in draft.themes]
    assert name_key("Language models") == name_key("language model")


def test_a_method_the_abstracts_only_mention_does_not_name_the_theme(bundled: Library) -> None:
    papers = {paper.title.partition(":")[0]: paper for paper in bundled.store.iter_papers()}
    theme = [papers["Hydra"], papers["EAGLE"]]  # both abstracts compare with Medusa
    assert all("Medusa" in paper.abstract for paper in theme)
    others = [papers[name] for name in ("FastSpeech 2", "MaskGCT", "WavTokenizer")]
    phrases = label(theme, others, library=bundled)
    assert "Medusa" not in phrases and "Hydra" not in phrases and "EAGLE" not in phrases
    assert not theme_title(phrases).endswith(".")


def test_markers_of_the_draft_preview_open_the_cited_paper(drafts: list[Draft]) -> None:
    draft = drafts[0]
    page = render.draft_html(draft)
    markers = draft.markers()
    buttons = re.findall(r'<button type="button" class="cite" data-target="draft-c(\d+)"', page)
    assert sorted(set(map(int, buttons))) == sorted(markers[paper.id] for paper in draft.cited)
    for paper in draft.cited:
        number = markers[paper.id]
        card = re.search(rf'<details class="paper" id="draft-c{number}">(.*?)</details>', page, re.S)
        assert card, number
        assert "<mark>" in card.group(1)  # the sentence its statement rests on, highlighted
    assert "**" not in page and "\\[" not in page
