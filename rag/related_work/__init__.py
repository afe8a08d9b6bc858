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

from collections.abc import Mapping

import numpy as np

from rag import bibtex
from rag.answer import abstention_text
from rag.errors import LitrevError
from rag.library import Library
from rag.related_work.draft import Draft, Theme
from rag.related_work.gather import N_PAPERS, Gathered, Retrieved, gather
from rag.related_work.statements import Statement, closest_sentences, rewrite, statement, third_person
from rag.related_work.themes import MAX_THEMES, PAPERS_PER_THEME, cluster, label, theme_title
from rag.retrieve import Filters

__all__ = [
    "Draft",
    "Gathered",
    "Retrieved",
    "Statement",
    "Theme",
    "cluster",
    "draft_related_work",
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
) -> Draft:
    """Draft a related-work section for the paper ``description`` (see the module docstring).

    ``keys`` maps paper ids to citation keys; by default :func:`rag.bibtex.assign_keys` over the
    whole library, so a key is the same here as in ``litrev cite``.
    """
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
        return Draft(description, [], {}, [item.paper for item in nearest], strength, notice)

    kept = gathered.kept
    vectors = library.store.paper_vectors([item.paper.id for item in kept])
    kept = [item for item in kept if item.paper.id in vectors]
    matrix = np.stack([vectors[item.paper.id] for item in kept])
    n_themes = max(1, min(MAX_THEMES, round(len(kept) / PAPERS_PER_THEME)))
    groups = cluster(matrix, n_clusters=n_themes)

    fallbacks = closest_sentences(description, [item.paper for item in kept], library)
    themes = []
    for members in groups:
        papers = [kept[i].paper for i in members]
        others = [item.paper for i, item in enumerate(kept) if i not in members]
        phrases = label(papers, others, library=library)
        ordered = sorted(members, key=lambda i: (-kept[i].score, kept[i].paper.id))
        statements = [statement(kept[i].paper, fallback=fallbacks.get(kept[i].paper.id)) for i in ordered]
        score = float(np.mean([kept[i].score for i in members]))
        themes.append(Theme(theme_title(phrases), phrases, statements, score))
    themes.sort(key=lambda theme: (-theme.score, theme.title))

    all_keys = keys if keys is not None else bibtex.assign_keys(library.store.iter_papers())
    cited = [s.paper for theme in themes for s in theme.statements]
    cited_keys = {paper.id: all_keys.get(paper.id) or bibtex.base_key(paper) for paper in cited}
    return Draft(description, themes, cited_keys, [item.paper for item in gathered.left_out], strength)
