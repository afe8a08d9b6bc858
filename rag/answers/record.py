"""The answer object: what an answer holds (``litrev ask --json`` prints it), its citations with
the sentence, and the page and section when the sentence is in a paper's body, and the evidence
rows a search shows."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from pydantic import BaseModel, Field

from rag.grounding.reasons import Reason
from rag.sources.body_text import PAGE_DESCRIPTION
from rag.sources.body_text import place as body_place

if TYPE_CHECKING:
    from rag.retrieval.retrieve import Hit


class Citation(BaseModel):
    marker: int = Field(description="The [n] used in the answer text.")
    paper_id: str
    title: str
    year: int | None = None
    venue: str | None = None
    url: str | None = None
    sentence: str = Field(description="The sentence of the paper that supports the claim.")
    span: tuple[int, int] = Field(
        description="Character span of that sentence in the abstract, or in its body passage (page set)."
    )
    page: int | None = Field(default=None, description=PAGE_DESCRIPTION)
    section: str | None = Field(default=None, description="The heading of its section in the PDF.")
    claims: list[str] = Field(default_factory=list, description="Answer sentences citing it.")
    quotes: list[str] = Field(
        default_factory=list,
        description=(
            "The sentences of the paper an extractive answer quotes, in the paper's order: "
            "`sentence`, and the next best ones when the answer ranking could hardly tell them apart."
        ),
    )

    @property
    def place(self) -> str:
        """Where in the paper: "§4 Experiments, p. 5", "p. 5", or "" for the abstract."""
        return place(self.page, self.section)


class SentenceCheck(BaseModel):
    text: str
    markers: list[int]
    supported: bool
    score: float | None = Field(description="The judge's probability of support (None: uncited).")
    reason: str = Field(default="", description="Why, in words: the judge's reason, or that it is uncited.")


class EvidenceItem(BaseModel):
    rank: int
    paper_id: str
    title: str
    year: int | None = None
    score: float
    dense: float | None = None
    lexical: float | None = None
    sentence: str = ""
    page: int | None = Field(default=None, description=PAGE_DESCRIPTION)
    section: str | None = Field(default=None, description="The heading of its section in the PDF.")

    @property
    def place(self) -> str:
        """Where in the paper the sentence is: "§4 Experiments, p. 5", or "" for the abstract."""
        return place(self.page, self.section)


class Answer(BaseModel):
    question: str
    answer: str
    citations: list[Citation]
    evidence: list[EvidenceItem]
    abstained: bool
    reason: Reason | None = Field(
        default=None,
        description="Why it abstained (rag.grounding.reasons): off-topic, focus-missing, not-stated...",
    )
    kind: str = Field(
        default="other", description="The kind of question (rag.grounding.question): figure, proposed..."
    )
    answerable: float | None = Field(
        default=None, description="The judge's probability that the retrieved papers answer the question."
    )
    evidence_strength: float = Field(description="Abstain below settings.answer.min_evidence.")
    generator: str
    notice: str | None = Field(default=None, description="Why the answer is not the model's own, if so.")
    sentences: list[SentenceCheck] = Field(default_factory=list, description="The citation check.")
    dropped_markers: list[int] = Field(default_factory=list)
    timings: dict[str, float] = Field(default_factory=dict)

    def removal_note(self) -> str | None:
        """One line saying how many sentences of the model's answer the citation check removed."""
        removed = 0 if self.notice else sum(not check.supported for check in self.sentences)
        if not removed:
            return None
        return (
            f"{removed} sentence{'s' if removed > 1 else ''} of the model's answer removed: uncited, "
            "or not supported by the papers cited."
        )

    def references(self) -> str:
        """The reference list: one line per cited paper."""
        lines = []
        for citation in self.citations:
            where = ", ".join(str(v) for v in (citation.venue, citation.year) if v)
            place = f", {citation.place}" if citation.place else ""
            lines.append(f"[{citation.marker}] {citation.title}" + (f" ({where})" if where else "") + place)
        return "\n".join(lines)


def evidence_items(hits: Sequence[Hit]) -> list[EvidenceItem]:
    """Ranked hits as the rows an answer (and `litrev search`) shows."""
    return [
        EvidenceItem(
            rank=rank,
            paper_id=hit.paper.id,
            title=hit.paper.title,
            year=hit.paper.year,
            score=round(hit.score, 4),
            dense=None if hit.dense is None else round(hit.dense, 4),
            lexical=None if hit.lexical is None else round(hit.lexical, 4),
            sentence=hit.sentence_text,
            page=hit.place.page_at(hit.sentence[0]) if hit.place and hit.sentence else None,
            section=hit.place.section if hit.place else None,
        )
        for rank, hit in enumerate(hits, start=1)
    ]


def place(page: int | None, section: str | None) -> str:
    """ "§4 Experiments, p. 5" ("p. 5" without a section, "§4 Experiments" on a page that is not
    known: :func:`rag.sources.body_text.place`); "" without a page: the abstract."""
    return "" if page is None else body_place(page, section)
