"""Stage 4 of a related-work draft: the :class:`Draft` and its renderings.

Markdown (``[n]`` markers and a numbered reference list), LaTeX (``\\cite{key}``) and the BibTeX
of exactly the cited papers; a closing line lists the retrieved papers left out, so the author
can judge coverage.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from rag import bibtex
from rag.citations import MARKER
from rag.corpus import Paper
from rag.related_work.statements import Statement

UNCITED_LISTED = 10


@dataclass
class Theme:
    title: str
    phrases: list[str]
    statements: list[Statement]
    score: float
    """Mean fused retrieval score of its papers (themes are ordered by it)."""


@dataclass
class Draft:
    description: str
    themes: list[Theme]
    keys: dict[str, str]
    """Citation key of every cited paper."""
    uncited: list[Paper] = field(default_factory=list)
    """Retrieved papers left out of the draft, best first."""
    evidence_strength: float = 0.0
    notice: str | None = None
    """Set when the library does not cover the description (then there are no themes)."""

    @property
    def cited(self) -> list[Paper]:
        """The cited papers in the order of their markers [1], [2], ..."""
        return [statement.paper for theme in self.themes for statement in theme.statements]

    def markers(self) -> dict[str, int]:
        return {paper.id: number for number, paper in enumerate(self.cited, start=1)}

    def markdown(self) -> str:
        """Paragraphs with ``[n]`` markers, a numbered reference list and the closing line."""
        if self.notice:
            return self.notice + "\n"
        markers = self.markers()
        blocks = []
        for theme in self.themes:
            sentences = [
                _sentence(s, subject=f"*{s.subject}*" if s.subject_is_title else s.subject)
                + f" [{markers[s.paper.id]}]."
                for s in theme.statements
            ]
            blocks.append(f"**{theme.title}.** " + " ".join(sentences))
        references = [f"[{markers[paper.id]}] {_reference(paper)}" for paper in self.cited]
        blocks.append("**References**\n\n" + "\n".join(references))
        blocks.append(f"*{self.coverage_line()}*")
        # Titles and abstracts are untrusted: angle brackets become entities, so a Markdown viewer
        # shows "<script>" as text instead of running it (the draft itself writes no HTML).
        return "\n\n".join(blocks).replace("<", "&lt;").replace(">", "&gt;") + "\n"

    def latex(self) -> str:
        """``\\paragraph`` per theme, ``\\cite{key}`` per sentence; the closing line as a comment."""
        if self.notice:
            return f"% {self.notice}\n"
        blocks = []
        for theme in self.themes:
            sentences = []
            for s in theme.statements:
                name = bibtex.escape(s.subject).replace("et al.", r"et~al.\@")
                name = rf"\emph{{{name}}}" if s.subject_is_title else name
                sentences.append(
                    _sentence(s, subject=name, latex=True) + rf"~\cite{{{self.keys[s.paper.id]}}}."
                )
            blocks.append(rf"\paragraph{{{bibtex.escape(theme.title)}.}}" + "\n" + "\n".join(sentences))
        blocks.append("% " + self.coverage_line().replace("\n", " "))
        return "\n\n".join(blocks) + "\n"

    def bibtex(self, *, abstract: bool = False) -> str:
        """The BibTeX entries of exactly the cited papers, in marker order."""
        return bibtex.bibliography(self.cited, self.keys, abstract=abstract)

    def coverage_line(self) -> str:
        if not self.uncited:
            return "Every retrieved paper is cited."
        shown = self.uncited[:UNCITED_LISTED]
        more = len(self.uncited) - len(shown)
        text = "Retrieved but not cited (check coverage): " + "; ".join(p.title for p in shown)
        return text + (f"; and {more} weaker matches." if more > 0 else ".")


def _sentence(statement: Statement, *, subject: str, latex: bool = False) -> str:
    """The statement's text without its final full stop, with ``subject`` as the paper's name.

    LaTeX gets its special characters escaped; Markdown gets any ``[n]`` of the abstract written
    ``(n)``, so that only the draft's own markers look like citations.
    """
    plain = bibtex.escape if latex else _no_markers
    if statement.predicate is not None:
        return f"{subject} {plain(statement.predicate)}"
    opening, closing = ("``", "''") if latex else ('"', '"')
    return f"According to {subject}, {opening}{plain(statement.quote or '')}{closing}"


def _no_markers(text: str) -> str:
    return MARKER.sub(lambda match: f"({match.group(1)})", text)


def _reference(paper: Paper) -> str:
    parts = []
    if paper.authors:
        parts.append(", ".join(paper.authors) + ".")
    parts.append(paper.title.rstrip(".") + ".")
    where = ", ".join(str(value) for value in (paper.venue, paper.year) if value)
    if where:
        parts.append(where + ".")
    if paper.url:
        parts.append(paper.url)
    return " ".join(parts)
