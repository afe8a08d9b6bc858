"""Draft a related-work section for a paper description from the library, every sentence cited.

One module per stage, run in order by :func:`draft_related_work`:

1. :mod:`~rag.related_work.gather`: retrieve broadly (the description and each of its
   sentences, fused) and keep the papers that are not weak matches. A description the library
   does not cover (the evidence strength and threshold that make answers abstain) gets the
   answers' "not covered" notice and the nearest papers instead of a draft.
2. :mod:`~rag.related_work.themes`: group the kept papers into themes and name each theme.
3. :mod:`~rag.related_work.statements`: one grounded sentence per paper.
4. :mod:`~rag.related_work.draft`: the :class:`Draft` and its Markdown, LaTeX and BibTeX.

Themes are ordered by the mean fused score of their papers and papers within a theme likewise.
Without an LLM this is the only mode; the prompt for the LLM mode is ``prompts/related_work.txt``.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import replace
from typing import cast

import numpy as np

from rag.answers.answer import abstention_text
from rag.cite import bibtex
from rag.errors import LitrevError
from rag.grounding.citations import tidy
from rag.grounding.judge import Supports
from rag.index.library import Library
from rag.llm.generate import ExtractiveGenerator, GenerationError, Generator
from rag.related_work import prose
from rag.related_work.draft import Draft, Theme
from rag.related_work.gather import N_PAPERS, Gathered, Retrieved, gather
from rag.related_work.prose import Writer
from rag.related_work.statements import Statement, closest_sentences, rewrite, statement, third_person
from rag.related_work.themes import MAX_THEMES, PAPERS_PER_THEME, cluster, label, name_key, theme_title
from rag.retrieval.retrieve import Filters

__all__ = [
    "Draft",
    "Gathered",
    "Retrieved",
    "Statement",
    "Theme",
    "cluster",
    "draft_related_work",
    "draft_related_work_stream",
    "facet_groups",
    "gather",
    "label",
    "rewrite",
    "statement",
    "third_person",
]


def draft_related_work(
    description: str,
    *,
    library: Library | None = None,
    n_papers: int | None = None,
    filters: Filters | None = None,
    keys: Mapping[str, str] | None = None,
    generator: Generator | None = None,
    judge: Supports | None = None,
) -> Draft:
    """Draft a related-work section for the paper ``description`` (see the module docstring).

    ``keys`` maps paper ids to citation keys; by default :func:`rag.cite.bibtex.assign_keys` over the
    whole library, so a key is the same here as in ``litrev cite``. ``generator`` defaults to the
    library's: a model writes prose, the extractive generator the annotated list.
    """
    final = None
    for event in draft_related_work_stream(
        description,
        library=library,
        n_papers=n_papers,
        filters=filters,
        keys=keys,
        generator=generator,
        judge=judge,
    ):
        if isinstance(event, Draft):
            final = event
    assert final is not None  # the stream always ends with the Draft
    return final


def draft_related_work_stream(
    description: str,
    *,
    library: Library | None = None,
    n_papers: int | None = None,
    filters: Filters | None = None,
    keys: Mapping[str, str] | None = None,
    generator: Generator | None = None,
    judge: Supports | None = None,
) -> Iterator[str | Draft]:
    """Yield the model's Markdown as it is written (each theme's bold name on a line of its own,
    then its paragraph, markers outside the theme already removed), then the checked
    :class:`Draft`, which is the text to keep (the extractive draft, with ``fallback`` saying why,
    when the check failed). An extractive draft yields only the Draft."""
    if not description.strip():
        raise LitrevError("the paper description is empty")
    n_papers = N_PAPERS if n_papers is None else n_papers
    if n_papers < 1:
        raise LitrevError(f"n_papers must be at least 1, got {n_papers}")
    library = library or Library()
    gathered = gather(description, library=library, n_papers=n_papers, filters=filters)
    strength = gathered.evidence_strength
    threshold = library.settings.answer.min_evidence
    if strength < threshold or not gathered.kept:
        nearest = gathered.kept + gathered.left_out
        notice = abstention_text(strength, threshold, [item.hit for item in nearest])
        yield Draft(description, [], {}, [item.paper for item in nearest], strength, notice)
        return

    themes = _themes(description, gathered.kept, library)
    all_keys = keys if keys is not None else bibtex.assign_keys(library.store.iter_papers())
    numbered = [s.paper for theme in themes for s in theme.statements]
    cited_keys = {paper.id: all_keys.get(paper.id) or bibtex.base_key(paper) for paper in numbered}
    left_out = [item.paper for item in gathered.left_out]
    extractive = Draft(description, themes, cited_keys, left_out, strength, uncovered=gathered.uncovered)
    generator = generator or library.generator
    if isinstance(generator, ExtractiveGenerator) or not hasattr(generator, "complete"):
        yield extractive
        return
    yield from _prose(extractive, cast(Writer, generator), judge or _judge(library), library)


def _themes(description: str, kept: list[Retrieved], library: Library) -> list[Theme]:
    """Group the kept papers into labelled themes of statements, best theme first: one group per
    facet of the description (:func:`facet_groups`), or Ward clusters when it has one facet."""
    vectors = library.store.paper_vectors([item.paper.id for item in kept])
    kept = [item for item in kept if item.paper.id in vectors]
    matrix = np.stack([vectors[item.paper.id] for item in kept])
    n_themes = max(1, min(MAX_THEMES, round(len(kept) / PAPERS_PER_THEME)))
    groups = facet_groups([item.facet for item in kept], matrix) or cluster(matrix, n_clusters=n_themes)

    fallbacks = closest_sentences(description, [item.paper for item in kept], library)
    labelled = []
    for members in groups:
        papers = [kept[i].paper for i in members]
        others = [item.paper for i, item in enumerate(kept) if i not in members]
        labelled.append((label(papers, others, library=library), members))
    themes = []
    for phrases, members in merge_alike(labelled):
        ordered = sorted(members, key=lambda i: (-kept[i].score, kept[i].paper.id))
        statements = [statement(kept[i].paper, fallback=fallbacks.get(kept[i].paper.id)) for i in ordered]
        score = float(np.mean([kept[i].score for i in members]))
        themes.append(Theme(theme_title(phrases), phrases, statements, score))
    themes.sort(key=lambda theme: (-theme.score, theme.title))
    return themes


def facet_groups(facets: list[int | None], vectors: np.ndarray, *, min_size: int = 2) -> list[list[int]]:
    """Rows grouped by the facet each paper was found for; a paper found only for the whole
    description, and a group smaller than ``min_size``, joins the group whose centroid is nearest;
    groups beyond :data:`MAX_THEMES` join their nearest too, smallest first. Empty when fewer than
    two facets have papers (the caller clusters instead)."""
    by_facet: dict[int, list[int]] = {}
    for row, facet in enumerate(facets):
        if facet is not None:
            by_facet.setdefault(facet, []).append(row)
    groups = [by_facet[facet] for facet in sorted(by_facet)]
    if len(groups) < 2:
        return []
    loose = [row for row, facet in enumerate(facets) if facet is None]
    while len(groups) > 1:
        small = [i for i, members in enumerate(groups) if len(members) < min_size]
        if small:
            move = small[0]
        elif len(groups) > MAX_THEMES:
            move = min(range(len(groups)), key=lambda i: (len(groups[i]), i))
        else:
            break
        loose.extend(groups.pop(move))
    for row in sorted(loose):
        centroids = [vectors[members].mean(axis=0) for members in groups]
        nearest = min(range(len(groups)), key=lambda i: float(((centroids[i] - vectors[row]) ** 2).sum()))
        groups[nearest].append(row)
    return [sorted(members) for members in groups]


def merge_alike(labelled: list[tuple[list[str], list[int]]]) -> list[tuple[list[str], list[int]]]:
    """Clusters whose names read the same (case and plurals aside) are one theme to a reader:
    their members are merged under the first one's phrases (two sections both called "Speech
    synthesis" would confuse)."""
    merged: dict[str, tuple[list[str], list[int]]] = {}
    for phrases, members in labelled:
        joined = merged.setdefault(name_key(theme_title(phrases)), (phrases, []))[1]
        joined.extend(members)
    return list(merged.values())


def _judge(library: Library) -> Supports:
    return library.judge


def _prose(draft: Draft, writer: Writer, judge: Supports, library: Library) -> Iterator[str | Draft]:
    """Stream a paragraph per theme, check them, and end with the prose draft or the fallback."""
    markers = draft.markers()
    written = prose.Paragraphs()
    try:
        for theme in draft.themes:
            yield f"**{theme.title}**\n"  # a name on its own line, not a sentence
            prompt = prose.theme_prompt(draft.description, theme, markers, draft.themes)
            valid = {markers[said.paper.id] for said in theme.statements}
            pieces = []
            for piece in prose.write_paragraph(writer, prompt, valid, written.dropped):
                pieces.append(piece)
                yield piece
            yield "\n\n"
            text = tidy("".join(pieces))
            written.texts.append(text)
            written.checks.append(prose.check(text, theme, markers, judge))
    except GenerationError as error:
        yield replace(draft, fallback=f"{error}; showing the extractive draft instead.")
        return
    supported, total = written.supported_share()
    if not total or supported / total < library.settings.answer.min_supported:
        yield replace(
            draft,
            dropped_markers=written.dropped,
            fallback=(
                f"The {writer.name} draft failed the citation check ({supported} of {total} sentences "
                "cited and supported); showing the extractive draft instead."
            ),
        )
        return
    themes = [
        replace(theme, prose=text, checks=checks)
        for theme, text, checks in zip(draft.themes, written.texts, written.checks, strict=True)
    ]
    result = replace(draft, themes=themes, generator=writer.name, dropped_markers=written.dropped)
    cited = {paper.id for paper in result.cited}
    result.uncited = [paper for paper in draft.numbered if paper.id not in cited] + draft.uncited
    yield result
