"""Stage 5, with a model: one paragraph of prose per theme, held to the answers' citation check.

Each theme is one call of ``prompts/related_work.txt`` with the description, the theme's papers
(numbered with the draft's own markers) and the names of the other themes. While a paragraph
streams, markers naming a paper outside its theme are removed (:class:`rag.grounding.citations.MarkerFilter`),
so a paragraph can only cite the papers it was given. Afterwards each sentence is scored against
the abstracts it cites by the judge (:func:`rag.answers.answer.check_sentences`): uncited or
unsupported sentences are flagged; the orchestrator falls back to the extractive draft when too
few are supported.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from rag import prompts
from rag.answers.answer import SentenceCheck, check_sentences
from rag.grounding.citations import MarkerFilter, tidy
from rag.grounding.judge import Supports
from rag.llm.generate import Passage, neutralise_markers
from rag.related_work.draft import Theme


class Writer(Protocol):
    """A model that completes a prompt, streamed (the OpenAI-compatible and local generators)."""

    name: str

    def complete(self, prompt: str, *, max_tokens: int | None = None) -> Iterator[str]: ...


def theme_prompt(description: str, theme: Theme, markers: Mapping[str, int], others: Sequence[Theme]) -> str:
    """The prompt for one theme's paragraph; bracketed numbers in the corpus text are neutralised."""
    papers = [
        {
            "marker": markers[said.paper.id],
            "title": neutralise_markers(said.paper.title),
            "abstract": neutralise_markers(said.paper.abstract),
        }
        for said in theme.statements
    ]
    return prompts.render(
        "related_work",
        description=description,
        theme=theme.title,
        papers=papers,
        other_themes=[other.title for other in others if other is not theme],
    )


@dataclass
class Paragraphs:
    """What the model wrote, theme by theme, with the check of every sentence."""

    texts: list[str] = field(default_factory=list)
    checks: list[list[SentenceCheck]] = field(default_factory=list)
    dropped: list[int] = field(default_factory=list)
    """Markers the model wrote that named no paper of its theme (removed)."""

    def supported_share(self) -> tuple[int, int]:
        """(sentences cited and supported, sentences) over all paragraphs."""
        flat = [check for checks in self.checks for check in checks]
        return sum(check.supported for check in flat), len(flat)


def passages(theme: Theme, markers: Mapping[str, int]) -> list[Passage]:
    return [Passage(markers[said.paper.id], said.paper) for said in theme.statements]


def write_paragraph(writer: Writer, prompt: str, valid: set[int], dropped: list[int]) -> Iterator[str]:
    """Stream one paragraph with markers outside ``valid`` removed; record them in ``dropped``."""
    markers = MarkerFilter(valid)
    yield from markers.filter(writer.complete(prompt))
    dropped.extend(markers.dropped)


def check(text: str, theme: Theme, markers: Mapping[str, int], judge: Supports) -> list[SentenceCheck]:
    return check_sentences(tidy(text), passages(theme, markers), judge)
