"""The Ask tab's conversation: one :class:`Turn` per question, kept in the page's state."""

from __future__ import annotations

from dataclasses import dataclass, field

from rag.answers.answer import Answer
from rag.sources.corpus import Paper


@dataclass
class Turn:
    """One question of the conversation and its answer (``answer`` is None while streaming)."""

    question: str
    query: str
    """The standalone query retrieval used (the question itself unless it was a follow-up)."""
    rewrite: str = "none"
    text: str = ""
    """The answer as streamed so far."""
    answer: Answer | None = None
    papers: dict[str, Paper] = field(default_factory=dict)
    """The cited (or pointed-to) papers, for their abstracts."""
    error: str | None = None
    note: str | None = None
    """What the filters left out, when that may be why the answer abstained."""
