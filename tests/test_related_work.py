"""Related-work drafts on the bundled corpus: grounded, fully cited, with a matching .bib."""

from __future__ import annotations

import json
import re

import bibtexparser
import numpy as np
import pytest
from litrev_eval.bench_citing import RELATED_WORK, related_work_figures
from litrev_eval.datasets import load

from rag.cite import bibtex
from rag.errors import LitrevError
from rag.grounding.citations import markers_in
from rag.index.library import Library
from rag.related_work import (
    Draft,
    Theme,
    cluster,
    draft_related_work,
    gather,
    merge_alike,
    rewrite,
    statement,
    third_person,
)
from rag.retrieval.retrieve import search
from rag.sources.corpus import Paper
from rag.sources.sentences import sentence_spans

DESCRIPTION = json.loads(RELATED_WORK.read_text(encoding="utf-8").splitlines()[0])["paper_description"]


@pytest.fixture(scope="module")
def draft(bundled: Library) -> Draft:
    return draft_related_work(DESCRIPTION, library=bundled)


def test_draft_cites_only_library_papers_grouped_in_labelled_themes(draft: Draft, bundled: Library) -> None:
    library_ids = {paper.id for paper in bundled.store.iter_papers()}
    cited = [paper.id for paper in draft.cited]
    assert 10 <= len(cited) <= 20 and len(set(cited)) == len(cited)
    assert set(cited) <= library_ids
    assert 2 <= len(draft.themes) <= 6
    assert all(theme.title and theme.statements for theme in draft.themes)
    assert [t.score for t in draft.themes] == sorted((t.score for t in draft.themes), reverse=True)
    assert any("speculative decoding" in theme.title.lower() for theme in draft.themes)
    assert draft.uncited and not {paper.id for paper in draft.uncited} & set(cited)


def test_every_sentence_cites_the_paper_it_describes(draft: Draft) -> None:
    markers = draft.markers()
    paragraphs = draft.markdown().split("\n\n")
    assert len(paragraphs) == len(draft.themes) + 3  # themes, references heading and list, closing
    for theme, paragraph in zip(draft.themes, paragraphs, strict=False):
        assert paragraph.startswith(f"**{theme.title}**\n")  # a name, not a sentence
        # One marker per statement, in order: the one of the paper it describes.
        assert markers_in(paragraph) == [markers[said.paper.id] for said in theme.statements]
        for said in theme.statements:
            marker = f"[{markers[said.paper.id]}]"
            written = f"{said.subject} {marker}" if said.by_citation else said.subject
            assert written in paragraph.replace("*", "")
    assert paragraphs[-3] == "**References**"
    references = paragraphs[-2].splitlines()
    assert [markers_in(line)[0] for line in references] == list(range(1, len(draft.cited) + 1))
    assert paragraphs[-1].startswith("*Retrieved but not cited")


def test_sentences_are_grounded_in_the_abstracts(draft: Draft) -> None:
    rewritten = 0
    for theme in draft.themes:
        for said in theme.statements:
            assert said.span in sentence_spans(said.paper.abstract)
            if said.predicate is not None:
                rewritten += 1
                verb, _, rest = said.predicate.partition(" ")
                assert rest in said.source, (said.predicate, said.source)
                assert (
                    verb.endswith("s")
                    or said.by_citation
                    or " and " in said.subject
                    or "et al" in said.subject
                )
            else:
                assert said.quote and said.quote in said.source
    assert rewritten >= len(draft.cited) * 0.7


def test_bib_holds_exactly_the_cited_keys_and_latex_uses_only_them(draft: Draft, bundled: Library) -> None:
    library_keys = bibtex.assign_keys(bundled.store.iter_papers())
    parsed = bibtexparser.parse_string(draft.bibtex())
    assert not parsed.failed_blocks
    bib_keys = [entry.key for entry in parsed.entries]
    assert bib_keys == [library_keys[paper.id] for paper in draft.cited]
    cited = {key for group in re.findall(r"\\cite\{([^}]*)\}", draft.latex()) for key in group.split(",")}
    assert cited == set(bib_keys)
    latex = draft.latex()
    assert latex.count(r"\paragraph{") == len(draft.themes)
    assert "[1]" not in latex and latex.rstrip().splitlines()[-1].startswith("% Retrieved but not cited")


def test_must_cite_share_on_the_holdout_half(bundled: Library) -> None:
    items = load(RELATED_WORK, "related-work", list(bundled.store.iter_papers()), which="holdout")
    figures = related_work_figures(bundled, items)
    assert figures["must_cite_share"] >= 0.78  # 0.802 measured; a regression guard, not a target
    assert figures["must_cite_share"] >= figures["top15_share"]
    assert figures["cited_papers"] <= 20


def test_a_drafts_searches_rank_papers_by_their_best_chunk(
    bundled: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Searches may blend a paper's best abstract sentence into its dense score (a setting, off);
    the searches for a description do not, whatever the settings say (it cost must-cite papers)."""
    chunks = [hit.paper.id for hit in search(DESCRIPTION, library=bundled, k=60).hits]
    kept = [item.paper.id for item in gather(DESCRIPTION, library=bundled).kept]
    monkeypatch.setattr(bundled.settings.retrieval, "sentence_weight", 0.5)
    assert [hit.paper.id for hit in search(DESCRIPTION, library=bundled, k=60).hits] != chunks
    assert [item.paper.id for item in gather(DESCRIPTION, library=bundled).kept] == kept


def test_no_two_themes_share_a_name_on_the_dev_set(bundled: Library) -> None:
    items = load(RELATED_WORK, "related-work", list(bundled.store.iter_papers()))
    for item in items:
        titles = [theme.title.lower() for theme in draft_related_work(item.text, library=bundled).themes]
        assert len(titles) == len(set(titles)), titles


def test_clusters_named_alike_are_merged_in_order() -> None:
    labelled = [(["speech synthesis"], [0, 1]), (["speech translation"], [2]), (["Speech synthesis"], [3])]
    assert merge_alike(labelled) == [(["speech synthesis"], [0, 1, 3]), (["speech translation"], [2])]
    assert merge_alike([([], [0]), ([], [1])]) == [([], [0, 1])]  # one "Other related work"


def test_off_topic_description_drafts_nothing(bundled: Library) -> None:
    draft = draft_related_work("We fold proteins with attention over amino-acid sequences.", library=bundled)
    assert draft.themes == [] and draft.cited == [] and draft.bibtex() == ""
    assert "does not cover" in draft.markdown() and draft.uncited
    with pytest.raises(LitrevError, match="empty"):
        draft_related_work(" ", library=bundled)


def paper(abstract: str, title: str = "EAGLE: Speculative Sampling", authors: tuple[str, ...] = ()) -> Paper:
    return Paper(id="p1", title=title, abstract=abstract, authors=authors)


def test_rewrites_into_the_third_person_only_where_safe() -> None:
    assert third_person("propose") == "proposes"
    assert third_person("study") == "studies"
    assert third_person("focus") == "focuses"
    assert rewrite("In this paper, we propose EAGLE, a drafter.", plural=False) == "proposes EAGLE, a drafter"
    assert rewrite("To address this, we also introduce X.", plural=False) == "introduces X"
    assert rewrite("We propose X.", plural=True) == "propose X"
    assert rewrite("This paper presents a survey of Y.", plural=False) == "presents a survey of Y"
    assert rewrite("We propose X, which our experiments confirm.", plural=False) is None
    assert rewrite("Speculative decoding is fast.", plural=False) is None

    abstract = "Decoding is slow. Here we present a feature-level drafter. It is fast."
    said = statement(paper(abstract))
    assert (said.subject, said.predicate, said.by_citation) == (
        "EAGLE",
        "presents a feature-level drafter",
        False,
    )
    assert said.source == "Here we present a feature-level drafter."
    # The sentence names the paper itself: not "EAGLE presents EAGLE", but "The authors of [n] present EAGLE".
    abstract = "Decoding is slow. Here we present EAGLE, a drafter. It is fast."
    said = statement(paper(abstract))
    assert (said.subject, said.predicate, said.by_citation) == (
        "The authors of",
        "present EAGLE, a drafter",
        True,
    )
    assert said.source == "Here we present EAGLE, a drafter."
    said = statement(paper(abstract, authors=("Li, Yuhui", "Wei, Fangyun", "Zhang, Chao")))
    assert (said.subject, said.predicate) == ("Li et al.", "present EAGLE, a drafter")
    quoted = statement(paper("We propose a drafter that our servers use. It works well."), fallback=None)
    assert quoted.predicate is None and quoted.quote == "We propose a drafter that our servers use"
    long_title = statement(paper("We propose X.", title="A Long Title Without Any Colon In It"))
    assert long_title.by_citation and (long_title.subject, long_title.predicate) == (
        "The authors of",
        "propose X",
    )
    quoted = statement(Paper(id="p2", title="Another Long Title With No Colon", abstract="Decoding is slow."))
    assert quoted.by_citation and quoted.quote == "Decoding is slow"
    draft = Draft("d", [Theme("T", [], [long_title, quoted], 1.0)], {"p1": "key1", "p2": "key2"})
    assert "The authors of [1] propose X." in draft.markdown()
    assert 'According to the authors of [2], "Decoding is slow".' in draft.markdown()
    assert r"The authors of~\cite{key1} propose X." in draft.latex()


def test_cluster_separates_obvious_groups_deterministically() -> None:
    rng = np.random.default_rng(0)
    centres = np.eye(8)[:3]
    points = np.concatenate([centre + 0.05 * rng.standard_normal((4, 8)) for centre in centres])
    points /= np.linalg.norm(points, axis=1, keepdims=True)
    groups = cluster(points, n_clusters=3)
    assert sorted(groups) == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9, 10, 11]]
    assert cluster(points, n_clusters=3) == groups
    assert cluster(points, n_clusters=1) == [list(range(12))]
    lonely = np.concatenate([points, np.eye(8)[7:8]])
    assert all(len(group) >= 2 for group in cluster(lonely, n_clusters=4))
