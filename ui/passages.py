"""The passage of a paper's PDF that a cited sentence is in, for the cards that open it.

An answer's citation (or evidence row) and a lookup's candidate name their sentence and, when it is
from the paper's PDF, its page and section (and, for citations and candidates, its span in its
passage). The passage itself is read back from the index here, for the papers shown only
(:meth:`rag.index.passage_store.PassageStore.passages_of`), so the Ask and Cite tabs can show the
sentence in its passage. A sentence of an abstract (no page) needs none.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from rag.index.library import Library
from rag.sources.body_text import Passage
from rag.sources.corpus import Paper

PassageKey = tuple[str, str]
"""(paper id, sentence): how a card finds its passage."""


def find_passages(
    library: Library, papers: Mapping[str, Paper], wanted: Iterable[tuple[str, int | None, str]]
) -> dict[PassageKey, Passage]:
    """The passage each ``(paper id, page, sentence)`` with a page is in: the passage of the
    paper's PDF holding the sentence, on that page if more than one holds it. A sentence the
    index holds no passage for is left out. The caller holds the library's read lock."""
    asked: dict[str, list[tuple[int, str]]] = {}
    for paper_id, page, sentence in wanted:
        paper = papers.get(paper_id)
        if page is not None and sentence and paper is not None and paper.fulltext:
            asked.setdefault(paper_id, []).append((page, sentence))
    found: dict[PassageKey, Passage] = {}
    for paper_id, sentences in asked.items():
        body = library.store.passages.passages_of(papers[paper_id])
        for page, sentence in sentences:
            holding = [passage for passage in body if sentence in passage.text]
            on_page = [p for p in holding if p.page_at(p.text.index(sentence)) == page]
            if chosen := on_page or holding:
                found[(paper_id, sentence)] = chosen[0]
    return found
