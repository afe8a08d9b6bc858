"""The extractive answer: quote the sentences that answer the question, one line per paper.

Input: the answering sentences found by :func:`rag.answerability.check` (boilerplate already
out, the focus and, for figure questions, a figure with its unit already in). Rules:

- sentences are ranked by cosine similarity to the question as asked plus ``OVERLAP_WEIGHT`` x
  the share of the question's IDF weight they contain (for a follow-up, its own words, so "How
  do they verify the drafted tokens?" gets sentences about verification, not the previous
  answer's sentences again);
- one sentence per paper, at most ``answer.max_sentences`` papers, and none below
  ``answer.sentence_floor`` or ``answer.relative_floor`` x the best (the best is always kept);
- for "which papers ..." and "which paper proposed" questions a paper's contribution sentence
  ("we propose ...", "This paper presents ...") comes first among its answering sentences; for
  "which papers ..." each line is the paper's title, then that sentence;
- lines are in ascending marker order, so the markers read [1] [2] [5], never [1] [5] [2].
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence

from rag.answerability import Sentence, is_contribution_sentence
from rag.embedding import Embedder
from rag.generate import neutralise_markers
from rag.question import Question
from rag.settings import AnswerSettings

OVERLAP_WEIGHT = 0.5
"""Weight of the question's IDF-weighted term coverage next to the cosine similarity."""
Coverage = Callable[[str, list[str]], float]
"""``LexicalIndex.coverage``: the share of a query's IDF weight a text contains."""


def choose(
    question: Question,
    asked: str,
    answers: Sequence[Sentence],
    embedder: Embedder,
    settings: AnswerSettings,
    coverage: Coverage | None = None,
) -> list[Sentence]:
    """The sentences to quote, in marker order (see the module docstring)."""
    if not answers:
        return []
    vectors = embedder.embed([asked] + [sentence.text for sentence in answers])
    similar = vectors[1:] @ vectors[0]
    scored = [
        (float(score) + (OVERLAP_WEIGHT * coverage(asked, [sentence.text]) if coverage else 0.0), sentence)
        for score, sentence in zip(similar, answers, strict=True)
    ]

    def key(item: tuple[float, Sentence]) -> tuple[bool, float]:
        score, sentence = item
        return (question.kind in ("list", "proposed") and is_contribution_sentence(sentence.text), score)

    best_of: dict[int, tuple[float, Sentence]] = {}
    for item in scored:
        held = best_of.get(item[1].marker)
        if held is None or key(item) > key(held):
            best_of[item[1].marker] = item
    ranked = sorted(best_of.values(), key=lambda item: -item[0])
    relative = 0.0 if question.kind == "list" else settings.relative_floor  # a list wants recall
    floor = max(settings.sentence_floor, relative * ranked[0][0])
    chosen = [ranked[0][1]] + [sentence for score, sentence in ranked[1:] if score >= floor]
    return sorted(chosen[: settings.max_sentences], key=lambda sentence: sentence.marker)


def _short_title(title: str) -> str | None:
    head, colon, _ = title.partition(":")
    return head.strip() if colon and len(head) <= 40 else None


def lines(question: Question, chosen: Sequence[Sentence]) -> Iterator[str]:
    """The answer text, one ``- ... [n]`` line per chosen sentence."""
    for sentence in chosen:
        if question.kind == "list":
            lead = f"{sentence.paper.title}: "
        else:
            short = _short_title(sentence.paper.title)
            lead = f"{short}: " if short else ""
        # A quoted "[7]" is the abstract's own text, never a citation: show it as "(7)".
        yield f"- {neutralise_markers(lead + sentence.text)} [{sentence.marker}]\n"
