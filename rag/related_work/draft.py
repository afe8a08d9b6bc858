"""Stage 4 of a related-work draft: the :class:`Draft` and its renderings.

Markdown (``[n]`` markers and a numbered reference list), LaTeX (``\\cite{key}``) and the BibTeX
of exactly the cited papers; a closing line lists the retrieved papers left out, so the author
can judge coverage. A theme is written either as one statement per paper (extractive) or as
the model's paragraph (``Theme.prose``), whose sentences that failed the citation check are
flagged in both renderings.

Titles, abstracts and the model's prose are untrusted, and each rendering keeps them inert:
Markdown escapes link and image syntax (``[x](javascript:...)``, ``![x](http://...)`` show as
written) and writes angle brackets as entities; LaTeX escapes every special character and keeps
them out of its comments' line ends; both write a ``[n]`` of an abstract as ``(n)``, so only the
draft's own markers look like citations; no rendering holds a control character
(:func:`rag.terminal.writable`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from rag.answers.answer import SentenceCheck
from rag.cite import bibtex
from rag.grounding.citations import MARKER, markers_in, split_sentences
from rag.related_work.statements import Statement
from rag.sources.corpus import Paper
from rag.terminal import one_line, writable

UNCITED_LISTED = 10


@dataclass
class Theme:
    title: str
    phrases: list[str]
    statements: list[Statement]
    score: float
    """Mean fused retrieval score of its papers (themes are ordered by it)."""
    prose: str | None = None
    """The model's paragraph, citing with the draft's markers; None in an extractive draft."""
    checks: list[SentenceCheck] = field(default_factory=list)
    """The citation check of each sentence of ``prose``, in order."""


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
    generator: str = "extractive"
    """Who wrote the paragraphs: ``extractive`` or the model's name."""
    fallback: str | None = None
    """Why the model's paragraphs were replaced by the extractive draft, if they were."""
    dropped_markers: list[int] = field(default_factory=list)
    """Markers the model wrote outside its theme's papers (removed)."""
    uncovered: list[str] = field(default_factory=list)
    """Facets of the description that no paper of the library matches."""

    @property
    def numbered(self) -> list[Paper]:
        """Every paper of the themes, in the order of the markers [1], [2], ..."""
        return [statement.paper for theme in self.themes for statement in theme.statements]

    @property
    def cited(self) -> list[Paper]:
        """The cited papers in marker order: all of them, or those the model's prose cites."""
        if not any(theme.prose is not None for theme in self.themes):
            return self.numbered
        used = {n for theme in self.themes for n in markers_in(theme.prose or "")}
        return [paper for number, paper in enumerate(self.numbered, start=1) if number in used]

    def markers(self) -> dict[str, int]:
        return {paper.id: number for number, paper in enumerate(self.numbered, start=1)}

    def flagged(self) -> list[SentenceCheck]:
        """The model's sentences that are uncited or not supported by the abstracts they cite."""
        return [check for theme in self.themes for check in theme.checks if not check.supported]

    def markdown(self) -> str:
        """A paragraph per theme (its name in bold on the first line, no full stop: a name, not a
        sentence) with ``[n]`` markers, a numbered reference list and the closing line."""
        if self.notice:
            return _markdown_file(_inert(self.notice))
        markers = self.markers()
        blocks = [f"*{_inert(self.fallback)}*"] if self.fallback else []
        for theme in self.themes:
            if theme.prose is not None:
                sentences = [
                    _inert_prose(sentence) + (f" *({_flag(check)})*" if check and not check.supported else "")
                    for sentence, check in _checked(theme)
                ]
            else:
                sentences = [_markdown_statement(s, markers[s.paper.id]) for s in theme.statements]
            blocks.append(f"**{_inert(theme.title)}**\n" + " ".join(sentences))
        references = [f"[{markers[paper.id]}] {_reference(paper)}" for paper in self.cited]
        blocks.append("**References**\n\n" + "\n".join(references))
        blocks.append(f"*{_inert(self.coverage_line())}*")
        return _markdown_file("\n\n".join(blocks))

    def latex(self) -> str:
        """``\\paragraph`` per theme, ``\\cite{key}`` per sentence; the closing line as a comment.

        The model's sentences are escaped like any corpus text (it cannot write a command) and a
        flagged one is followed by a comment saying why."""
        if self.notice:
            return writable(_comment(self.notice) + "\n")
        blocks = [_comment(self.fallback)] if self.fallback else []
        numbered = self.numbered
        for theme in self.themes:
            sentences = []
            if theme.prose is not None:
                for sentence, check in _checked(theme):
                    text = MARKER.sub(lambda m: self._cite(m, numbered), bibtex.escape(sentence))
                    flag = f" % {_flag(check)}" if check and not check.supported else ""
                    sentences.append(text.replace(" ~\\cite", "~\\cite") + flag)
            for s in theme.statements if theme.prose is None else ():
                sentences.append(_latex_statement(s, bibtex.safe_key(self.keys[s.paper.id])))
            blocks.append(rf"\paragraph{{{bibtex.escape(theme.title)}}}" + "\n" + "\n".join(sentences))
        blocks.append(_comment(self.coverage_line()))
        return writable("\n\n".join(blocks) + "\n")

    def _cite(self, marker: re.Match[str], numbered: list[Paper]) -> str:
        keys = [bibtex.safe_key(self.keys[numbered[int(n) - 1].id]) for n in marker.group(1).split(",")]
        return rf"~\cite{{{','.join(keys)}}}"

    def bibtex(self, *, abstract: bool = False) -> str:
        """The BibTeX entries of exactly the cited papers, in marker order."""
        return bibtex.bibliography(self.cited, self.keys, abstract=abstract)

    def coverage_line(self) -> str:
        missing = ""
        if self.uncovered:
            quoted = "; ".join(f'"{facet}"' for facet in self.uncovered)
            missing = f"No paper in the library matches these parts of the description: {quoted}. "
        if not self.uncited:
            return missing + "Every retrieved paper is cited."
        shown = self.uncited[:UNCITED_LISTED]
        more = len(self.uncited) - len(shown)
        text = missing + "Retrieved but not cited (check coverage): " + "; ".join(p.title for p in shown)
        return text + (f"; and {more} weaker matches." if more > 0 else ".")


def _checked(theme: Theme) -> list[tuple[str, SentenceCheck | None]]:
    """The sentences of the theme's prose, each with its check (aligned as they were checked)."""
    sentences = split_sentences(theme.prose or "")
    checks: list[SentenceCheck | None] = list(theme.checks)
    return list(zip(sentences, checks + [None] * (len(sentences) - len(checks)), strict=False))


def _flag(check: SentenceCheck) -> str:
    return "uncited" if check.score is None else "not supported by the cited abstracts"


def _comment(text: str) -> str:
    """A LaTeX comment line: the text on one line, so no part of it can escape the comment."""
    return "% " + one_line(text)


_LINK_SYNTAX = re.compile(r"[\\\[\]]")
_AFTER_MARKER = re.compile(r"(?<=\])\(")


def _inert(text: str) -> str:
    """Text as Markdown that opens no link or image: ``\\``, ``[`` and ``]`` backslash-escaped."""
    return _LINK_SYNTAX.sub(r"\\\g<0>", text)


def _inert_prose(sentence: str) -> str:
    """The model's sentence made inert like corpus text, its ``[n]`` markers kept: a marker is
    never the text of a link (a ``(`` right after it is escaped)."""
    pieces, last = [], 0
    for marker in MARKER.finditer(sentence):
        pieces += [_inert(sentence[last : marker.start()]), marker.group(0)]
        last = marker.end()
    return _AFTER_MARKER.sub(r"\\(", "".join([*pieces, _inert(sentence[last:])]))


def _markdown_file(text: str) -> str:
    """The whole Markdown draft: angle brackets as entities (a viewer shows ``<script>`` as text;
    the draft writes no HTML of its own), no control characters."""
    return writable(text.replace("<", "&lt;").replace(">", "&gt;").rstrip("\n") + "\n")


def _markdown_statement(said: Statement, marker: int) -> str:
    if said.by_citation:
        return _sentence(said, subject=f"{_inert(said.subject)} [{marker}]") + "."
    name = f"*{_inert(said.subject)}*" if said.subject_is_title else _inert(said.subject)
    return _sentence(said, subject=name) + f" [{marker}]."


def _latex_statement(said: Statement, key: str) -> str:
    cite = rf"\cite{{{key}}}"
    if said.by_citation:
        return _sentence(said, subject=f"{said.subject}~{cite}", latex=True) + "."
    name = bibtex.escape(said.subject).replace("et al.", r"et~al.\@")
    name = rf"\emph{{{name}}}" if said.subject_is_title else name
    return _sentence(said, subject=name, latex=True) + f"~{cite}."


def _sentence(statement: Statement, *, subject: str, latex: bool = False) -> str:
    """The statement's text without its final full stop, with ``subject`` as the paper's name.

    Any ``[n]`` of the abstract is written ``(n)``, so that only the draft's own markers look like
    citations; then LaTeX gets its special characters escaped, Markdown its link syntax.
    """

    def plain(text: str) -> str:
        return (bibtex.escape if latex else _inert)(_no_markers(text))

    if statement.predicate is not None:
        return f"{subject} {plain(statement.predicate)}"
    opening, closing = ("``", "''") if latex else ('"', '"')
    if statement.by_citation:  # "According to the authors of [3], ..."
        subject = subject[0].lower() + subject[1:]
    return f"According to {subject}, {opening}{plain(statement.quote or '')}{closing}"


def _no_markers(text: str) -> str:
    return MARKER.sub(lambda match: f"({match.group(1)})", text)


def _reference(paper: Paper) -> str:
    """One entry of the Markdown reference list (every field inert)."""
    parts = []
    if paper.authors:
        parts.append(", ".join(paper.authors) + ".")
    parts.append(paper.title.rstrip(".") + ".")
    where = ", ".join(str(value) for value in (paper.venue, paper.year) if value)
    if where:
        parts.append(where + ".")
    if paper.url:
        parts.append(paper.url)
    return _inert(" ".join(parts))
