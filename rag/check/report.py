"""The result of a manuscript check, and its three renderings: JSON, Markdown, terminal text.

The JSON shape is fixed for scripts::

    {"sentences": [{"line", "file", "text",
                    "citations": [{"key", "paper_id", "verdict", "score", "evidence", "reason",
                                   "adds_nothing"}],
                    "suggestions": [{"key", "paper_id", "title", "sentence", "score", "bibtex"}]}],
     "summary": {"sentences", "cited_sentences", "citations", "supported", "unsupported",
                 "not_in_library", "no_abstract", "unsupported_sentences", "uncited_findings",
                 "suggested_sentences", "judge", "seconds", "problems": [{"file", "line", "message"}]}}

A citation's ``evidence`` or a suggestion's ``sentence`` from the paper's PDF adds its ``page`` and
``section`` beside it.

Text from the draft and the corpus is escaped in the Markdown report, so it cannot inject HTML or
Markdown links when the report is viewed, and the report holds no control character
(:func:`rag.terminal.writable`).
"""

from __future__ import annotations

import html
import json
import re
from collections import Counter
from typing import Any, Literal

from pydantic import BaseModel, Field

from rag.sources.body_text import PAGE_DESCRIPTION
from rag.terminal import writable
from rag.words import count

Verdict = Literal["supported", "unsupported", "not_in_library", "no_abstract"]
VERDICTS: tuple[str, ...] = ("supported", "unsupported", "not_in_library", "no_abstract")
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]()#|!~])")


class CitationCheck(BaseModel):
    key: str
    paper_id: str | None = Field(default=None, description="The library paper; None when not in it.")
    verdict: Verdict
    score: float | None = Field(default=None, description="The judge's score for this paper alone.")
    evidence: str | None = Field(
        default=None,
        description="The sentence (or two) of its abstract or body where the judge looked for the claim.",
    )
    reason: str | None = Field(default=None, description="The judge's reason for the verdict, in words.")
    adds_nothing: bool = Field(default=False, description="Others support the sentence without it.")
    title: str | None = None
    note: str | None = None
    page: int | None = Field(default=None, description="The PDF page of the evidence (None: the abstract).")
    section: str | None = Field(default=None, description="The heading of its section in the PDF.")
    claim: str | None = Field(
        default=None,
        description="The part of the sentence this citation was checked against (None: all of it).",
    )

    def to_json(self) -> dict[str, Any]:
        shown = {"key", "paper_id", "verdict", "score", "evidence", "reason", "adds_nothing"}
        shown |= {"page", "section"} if self.page is not None else set()
        return self.model_dump(include=shown | ({"claim"} if self.claim is not None else set()))


class Suggestion(BaseModel):
    key: str = Field(description="The user's key when their .bib has the paper, else the library's.")
    paper_id: str
    title: str
    sentence: str = Field(description="The sentence of its abstract or body that supports the claim.")
    score: float
    bibtex: str
    page: int | None = Field(default=None, description=PAGE_DESCRIPTION)
    section: str | None = Field(default=None, description="The heading of its section in the PDF.")

    def to_json(self) -> dict[str, Any]:
        return self.model_dump(exclude=set() if self.page is not None else {"page", "section"})


class SentenceCheck(BaseModel):
    line: int
    file: str
    text: str
    citations: list[CitationCheck] = Field(default_factory=list)
    suggestions: list[Suggestion] = Field(default_factory=list)
    supported: bool | None = Field(default=None, description="None: uncited or nothing checkable.")
    finding: bool = Field(default=False, description="Uncited, and states a finding.")

    @property
    def status(self) -> str:
        if self.citations:
            return {True: "supported", False: "unsupported", None: "cannot check"}[self.supported]
        return "uncited finding" if self.finding else "uncited"

    @property
    def notable(self) -> bool:
        """Worth showing: it cites something, or it states a finding without a citation."""
        return bool(self.citations) or self.finding

    def to_json(self) -> dict[str, Any]:
        return {
            "line": self.line,
            "file": self.file,
            "text": self.text,
            "citations": [c.to_json() for c in self.citations],
            "suggestions": [s.to_json() for s in self.suggestions],
        }


class CheckReport(BaseModel):
    draft: str
    bib: str | None = None
    judge: str
    sentences: list[SentenceCheck]
    problems: list[dict[str, Any]] = Field(default_factory=list)
    seconds: float = 0.0

    def summary(self) -> dict[str, Any]:
        verdicts = Counter(c.verdict for s in self.sentences for c in s.citations)
        return {
            "sentences": len(self.sentences),
            "cited_sentences": sum(bool(s.citations) for s in self.sentences),
            "citations": sum(verdicts.values()),
            **{verdict: verdicts.get(verdict, 0) for verdict in VERDICTS},
            "unsupported_sentences": sum(s.supported is False for s in self.sentences),
            "uncited_findings": sum(s.finding for s in self.sentences),
            "suggested_sentences": sum(bool(s.suggestions) for s in self.sentences),
            "judge": self.judge,
            "seconds": self.seconds,
            "problems": self.problems,
        }

    def to_json(self) -> dict[str, Any]:
        return {"sentences": [s.to_json() for s in self.sentences], "summary": self.summary()}

    def json_text(self) -> str:
        """:meth:`to_json` as the text of a file (``check --json``)."""
        return writable(json.dumps(self.to_json(), indent=2, ensure_ascii=False))

    def headline(self) -> str:
        s = self.summary()
        return (
            f"{count(s['sentences'], 'sentence')}, {count(s['citations'], 'citation')}: "
            f"{s['supported']} supported, {s['unsupported']} unsupported, "
            f"{s['not_in_library'] + s['no_abstract']} cannot be checked; "
            f"{count(s['uncited_findings'], 'uncited finding')}; {count(len(self.problems), 'problem')} "
            f"({s['seconds']:.1f} s, judge {self.judge})"
        )

    def problem_lines(self) -> list[str]:
        return [
            f"{p['file']}:{p['line']}: {p['message']}" if p.get("line") else f"{p['file']}: {p['message']}"
            for p in self.problems
        ]

    def text(self) -> str:
        """The terminal report: notable sentences grouped by file and line."""
        out: list[str] = []
        for sentence in self.sentences:
            if not sentence.notable:
                continue
            out.append(f"{sentence.file}:{sentence.line}  [{sentence.status}]  {sentence.text}")
            for c in sentence.citations:
                extra = " (adds nothing: the others support it)" if c.adds_nothing else ""
                score = f" {c.score:.2f}" if c.score is not None else ""
                out.append(f"    {c.key}: {c.verdict}{score}{extra}" + (f" - {c.note}" if c.note else ""))
                if c.claim:
                    out.append(f'        checked against its part of the sentence: "{c.claim}"')
                if c.reason:
                    out.append(f"        {c.reason}")
            for s in sentence.suggestions:
                out.append(f"    suggest {s.key} ({s.score:.2f}): {s.title}")
                out.append(f'        "{s.sentence}"')
        out.extend(f"problem: {line}" for line in self.problem_lines())
        out.append(self.headline())
        return "\n".join(out) + "\n"

    def markdown(self) -> str:
        """A Markdown report: the summary, problems, then each notable sentence with its verdicts."""
        lines = [f"# Citation check: {_md(self.draft)}", "", _md(self.headline()), ""]
        if self.problems:
            lines += ["## Problems", ""] + [f"- {_md(line)}" for line in self.problem_lines()] + [""]
        lines += ["## Sentences", ""]
        for sentence in self.sentences:
            if not sentence.notable:
                continue
            lines.append(f"### {_md(sentence.file)}, line {sentence.line}: {sentence.status}")
            lines += ["", f"> {_md(sentence.text)}", ""]
            for c in sentence.citations:
                what = f"**{c.verdict}**" + (
                    " (adds nothing: the others support it)" if c.adds_nothing else ""
                )
                score = f", score {c.score:.2f}" if c.score is not None else ""
                title = f" *{_md(c.title)}*" if c.title else ""
                lines.append(
                    f"- `{_code(c.key)}`{title}: {what}{score}" + (f"; {_md(c.note)}" if c.note else "")
                )
                if c.claim:
                    lines.append(f"  - checked against its part of the sentence: {_md(c.claim)}")
                if c.reason:
                    lines.append(f"  - why: {_md(c.reason)}")
            if sentence.suggestions:
                lines.append("- suggestions:")
                for s in sentence.suggestions:
                    quote = f"\u201c{_md(s.sentence)}\u201d"
                    lines.append(f"  - `{_code(s.key)}` *{_md(s.title)}* ({s.score:.2f}): {quote}")
            lines.append("")
        return writable("\n".join(lines))


def _md(text: str) -> str:
    """Plain text safe in Markdown: HTML inert, no emphasis, links or headings."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", html.escape(" ".join(text.split()), quote=False))


def _code(text: str) -> str:
    return html.escape(text.replace("`", "'"), quote=False)
