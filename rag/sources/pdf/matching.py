"""Find the library paper a PDF is: by DOI, then arXiv id, then title.

Takes what was read from a PDF (its title, DOIs, arXiv ids) and the candidate papers; gives a
:class:`PaperMatch` (the paper and how it was found) or None. A pure function: nothing is read
or written.

1. ``doi``: a DOI found in the PDF equals a paper's DOI (normalised: resolver prefix and case
   ignored); the PDF's DOIs are tried in the order found.
2. ``arxiv``: an arXiv id found in the PDF (its margin stamp first) equals a paper's arXiv id,
   version ignored.
3. ``title``: the PDF's first-page title and a paper's title, both normalised
   (:func:`rag.sources.paper.title_key`: accents, case, punctuation and spacing ignored), are at least
   :data:`TITLE_THRESHOLD` similar (difflib's ratio: twice the matched characters over the
   total), and no word of one is missing from the other unless spelt almost alike
   (:func:`same_words`). The most similar paper wins; a tie between two papers matches neither.

Why both tests, and the figures (``tests/test_pdf_matching.py`` measures them on the test paper's
title, "Masked Spectrogram Modelling Learns Robust Speech Representations"): its own title read
from page 1 scores 1.0; written with "Modeling", or "Representation", 0.992; but one word changed,
"... Robust Music Representations", still scores 0.946 and "... Fragile Speech ..." 0.916, and
"... Representations for Recognition" 0.89, while papers on the same topic score under 0.45. The
character ratio alone cannot tell a one-word change from a spelling variant, so a changed or added
word rules a paper out (:func:`same_words`), and the ratio's threshold, 0.9, only bounds how much
spelling may differ.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import Literal

from rag.sources.identifiers import normal_arxiv, normal_doi
from rag.sources.paper import Paper, title_key
from rag.sources.pdf.document import PdfDocument

TITLE_THRESHOLD = 0.9
"""How similar (0 to 1) a PDF's title and a paper's title must be to match."""
SPELLING = 0.8
"""How similar two words must be to be the same word spelt another way."""
MIN_TITLE_CHARS = 12
"""A title shorter than this (normalised) is too little to match on."""


@dataclass(frozen=True, slots=True)
class PaperMatch:
    paper: Paper
    how: Literal["doi", "arxiv", "title"]
    score: float = 1.0
    """1.0 for an identifier; the title similarity for a title match."""


def title_similarity(first: str, second: str) -> float:
    """How alike two titles are, 0 to 1, once normalised."""
    return _ratio(title_key(first), title_key(second))


def same_words(first: str, second: str) -> bool:
    """Whether every word of each title that the other lacks is spelt almost like one of the
    other's (``modelling``/``modeling``, ``representation``/``representations``): a title with
    a word replaced ("Music" for "Speech") or added is another title. Spaces do not count: a word
    cut in two by a line end is the same word."""
    one, two = title_key(first).split(), title_key(second).split()
    if "".join(one) == "".join(two):  # a word cut in two ("Represen- tations")
        return True
    only_one = [word for word in one if word not in two]
    only_two = [word for word in two if word not in one]
    return all(any(_ratio(a, b) >= SPELLING for b in only_two) for a in only_one) and all(
        any(_ratio(b, a) >= SPELLING for a in only_one) for b in only_two
    )


def _ratio(first: str, second: str) -> float:
    return SequenceMatcher(None, first, second, autojunk=False).ratio()


def match_paper(
    papers: Iterable[Paper],
    *,
    title: str = "",
    dois: Sequence[str] = (),
    arxiv_ids: Sequence[str] = (),
) -> PaperMatch | None:
    """The paper among ``papers`` that the PDF with this title and these identifiers is."""
    papers = list(papers)
    by_doi = {doi: paper for paper in papers if (doi := normal_doi(paper.doi))}
    for doi in dois:
        found = by_doi.get(normal_doi(doi) or "")
        if found is not None:
            return PaperMatch(found, "doi")
    by_arxiv = {arxiv: paper for paper in papers if (arxiv := normal_arxiv(paper.arxiv_id))}
    for arxiv in arxiv_ids:
        found = by_arxiv.get(normal_arxiv(arxiv) or "")
        if found is not None:
            return PaperMatch(found, "arxiv")
    return _by_title(papers, title)


def match_document(document: PdfDocument, papers: Iterable[Paper]) -> PaperMatch | None:
    """:func:`match_paper` with what ``document`` holds."""
    return match_paper(papers, title=document.title, dois=document.dois, arxiv_ids=document.arxiv_ids)


def _by_title(papers: list[Paper], title: str) -> PaperMatch | None:
    if len(title_key(title)) < MIN_TITLE_CHARS:
        return None
    scored = sorted(
        ((title_similarity(title, paper.title), paper) for paper in papers if same_words(title, paper.title)),
        key=lambda pair: -pair[0],
    )
    if not scored or scored[0][0] < TITLE_THRESHOLD:
        return None
    if len(scored) > 1 and scored[1][0] == scored[0][0] and scored[1][1].id != scored[0][1].id:
        return None
    return PaperMatch(scored[0][1], "title", round(scored[0][0], 3))
