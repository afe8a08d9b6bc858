"""The extractive answer: quote the sentences the judge found answering the question.

Input: the judge's :class:`~rag.grounding.judge.Answerability` (the paper the question is about,
and each retrieved paper's best answering sentence) and the evidence passages. Rules:

- a question about one thing (a figure, a method, a detail) quotes its subject paper's answering
  sentence first, with the paper's next sentences (at most two) that the judge's ranking scores
  within ``answer.runner_up_margin`` of it, from the same abstract or the same body passage (each
  on its own line, in the text's order), then
  any other paper the judge finds answering it just as well (its probability of answering at least
  the subject paper's, and at least the answer threshold), at most ``answer.max_sentences`` in all;
- a list question ("which papers ...") quotes the best sentence of every retrieved paper whose
  sentence is close enough to the question (``answer.sentence_floor``), at most
  ``answer.max_sentences``; each line is the paper's title, then that sentence;
- lines are in ascending marker order, so the markers read [1] [2] [5], never [1] [5] [2];
- a quoted sentence stands alone, away from the sentence it followed in its abstract: an opening
  connective that points back to that sentence ("Moreover, ...", "In addition, ...", "However,
  ...") is dropped and the next word capitalised (:func:`detached`);
- a sentence of a paper's body is quoted with the sentence after it in its passage, and cited with
  its page, ``[3, p. 5]``;
- in a conversation, a sentence the earlier answers already quoted (``shown``) gives way to the
  paper's next best sentence; a paper whose ranked sentences were all shown comes last, quoted
  only when no other paper is quoted; when no paper has a sentence not shown, the answer is the
  one given without ``shown``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace

import numpy as np

from rag.grounding.evidence import PaperSentences
from rag.grounding.judge import Answerability, Judge, Scored
from rag.grounding.question import Question
from rag.llm.generate import Passage, neutralise_markers
from rag.settings import AnswerSettings
from rag.sources.body_text import UNKNOWN_PAGE
from rag.sources.body_text import Passage as BodyPassage
from rag.sources.corpus import Paper


@dataclass(frozen=True)
class Quote:
    """One sentence of one evidence paper, with the paper's marker: a sentence of its abstract, or
    of a passage of its body (``passage``, with its page)."""

    marker: int
    paper: Paper
    span: tuple[int, int]
    passage: BodyPassage | None = None
    also: tuple[tuple[int, int], ...] = ()
    """Further sentences of the same abstract or body passage quoted with it (runners-up the
    ranking could not tell from it)."""

    @property
    def parts(self) -> list[str]:
        """The quoted sentences in the order of their text."""
        source = self.passage.text if self.passage is not None else self.paper.abstract
        return [source[start:end] for start, end in sorted((self.span, *self.also))]

    @property
    def text(self) -> str:
        """The best-ranked sentence quoted (the one at ``span``)."""
        source = self.passage.text if self.passage is not None else self.paper.abstract
        return source[self.span[0] : self.span[1]]

    @property
    def label(self) -> str:
        """The citation marker: ``[3]``, or ``[3, p. 5]`` for a sentence on page 5 of the body (a
        page that is not known, in Zotero's text without page breaks, is not named)."""
        page = self.passage.page_at(self.span[0]) if self.passage is not None else UNKNOWN_PAGE
        return f"[{self.marker}]" if page == UNKNOWN_PAGE else f"[{self.marker}, p. {page}]"


def choose(
    found: Answerability,
    passages: Sequence[Passage],
    settings: AnswerSettings,
    judge: Judge,
    shown: str = "",
) -> list[Quote]:
    """The sentences to quote, in marker order (see the module docstring); ``shown`` is the text
    of the conversation's earlier answers."""
    threshold = judge.model.answerable.threshold
    about = [scored.answers for scored in found.sentences if scored.candidate == found.subject]
    threshold = max(threshold, *about)  # another paper answers "just as well" as the subject
    listing = found.question.kind == "list"
    question_vector = judge.sentences.embed([found.question.text])[0] if listing else None
    order = sorted(found.sentences, key=lambda s: s.candidate) if listing else found.sentences
    fresh, stale = _unseen_first(order, found.sources, _words(shown)) if shown else (order, [])
    if not fresh:  # nothing new to quote: the answer it would give alone
        fresh, stale = list(order), []
    chosen: list[Quote] = []
    for scored in [*fresh, *stale]:
        if chosen and scored in stale:
            break  # a paper the conversation already quoted in full only when nothing else is
        passage = passages[scored.candidate]
        sentences = found.sources[scored.candidate]
        span, body = _span(sentences, scored.index), sentences.passage(scored.index)
        quote = Quote(passage.marker, passage.paper, span, body)
        if question_vector is not None:
            if float(np.dot(sentences.vectors[scored.index], question_vector)) < settings.sentence_floor:
                continue
        elif scored.candidate != found.subject and scored.answers < threshold:
            continue
        elif scored.candidate == found.subject:
            room = settings.max_sentences - len(chosen) - 1
            also = _runners_up(scored, sentences, settings.runner_up_margin, span)[: max(room, 0)]
            quote = Quote(passage.marker, passage.paper, span, body, also)
        chosen.append(quote)
        if sum(1 + len(quote.also) for quote in chosen) >= settings.max_sentences:
            break
    return sorted(chosen, key=lambda quote: quote.marker)


def _words(text: str) -> str:
    return " ".join(re.findall(r"\w+", text.lower()))


def _unseen_first(
    order: Sequence[Scored], sources: Sequence[PaperSentences], shown: str
) -> tuple[list[Scored], list[Scored]]:
    """``order`` split in two: the papers with a ranked sentence not in ``shown`` (words compared,
    as quoted), the best such replacing a best sentence that is and the others kept as runners-up,
    and the papers with none."""

    def seen(sentences: PaperSentences, index: int) -> bool:
        return f" {_words(detached(sentences.text(index)))} " in f" {shown} "

    fresh: list[Scored] = []
    stale: list[Scored] = []
    for scored in order:
        sentences = sources[scored.candidate]
        runners = tuple((index, score) for index, score in scored.runners_up if not seen(sentences, index))
        if not seen(sentences, scored.index):
            fresh.append(replace(scored, runners_up=runners))
        elif runners:
            (index, score), rest = runners[0], runners[1:]
            fresh.append(replace(scored, index=index, score=score, runners_up=rest))
        else:
            stale.append(scored)
    return fresh, stale


def _runners_up(
    scored: Scored, sentences: PaperSentences, margin: float, quoted: tuple[int, int]
) -> tuple[tuple[int, int], ...]:
    """The spans of the paper's next sentences scored within ``margin`` of its best, in the same
    text as the best (its abstract, or its body passage) and not already in the ``quoted`` span."""
    within = sentences.passage(scored.index)
    return tuple(
        sentences.spans[index]
        for index, score in scored.runners_up
        if scored.score - score <= margin
        and sentences.passage(index) is within
        and not (quoted[0] <= sentences.spans[index][0] < quoted[1])
    )


_CONNECTIVE = re.compile(
    r"^(?:(?:moreover|furthermore|additionally|also|in addition|what is more|besides|further"
    r"|however|nevertheless|nonetheless|on the other hand|in contrast|by contrast|likewise|similarly"
    r"|in particular|to this end|to that end|for this purpose|as such|then)\s*,\s*"
    r"|(?:moreover|furthermore|additionally|also)\s+(?=[a-z]))",
    re.IGNORECASE,
)
"""Words that open a sentence by pointing back to the one before it; "However large ..." and
"Further experiments ..." (no comma) are not connectives and stay."""


def detached(sentence: str) -> str:
    """``sentence`` as it reads quoted on its own: "Moreover, we release the code." -> "We release
    the code."; a sentence that opens otherwise is returned as it is. The next word is capitalised
    only when it is a plain lower-case word ("dMel", "iPhone" and "x86" stay as written)."""
    match = _CONNECTIVE.match(sentence)
    if match is None or match.end() == len(sentence):
        return sentence
    rest = sentence[match.end() :]
    word = re.match(r"\w*", rest).group(0)  # type: ignore[union-attr]  # \w* always matches
    return rest[0].upper() + rest[1:] if word.isalpha() and word.islower() else rest


def _span(sentences: PaperSentences, index: int) -> tuple[int, int]:
    """What is quoted of sentence ``index``: itself, and for a sentence of a body passage the one
    after it in that passage too (in a body, what a sentence says often runs on into the next:
    "40 raters compared 1,200 pairs." "They preferred PatchMint in 61% of the pairs.")."""
    start, end = sentences.spans[index]
    body = sentences.passage(index)
    if body is not None and index + 1 < len(sentences.spans) and sentences.passage(index + 1) is body:
        end = sentences.spans[index + 1][1]
    return start, end


def _short_title(title: str) -> str | None:
    head, colon, _ = title.partition(":")
    return head.strip() if colon and len(head) <= 40 else None


def lines(question: Question, chosen: Sequence[Quote]) -> Iterator[str]:
    """The answer text, one ``- ... [n]`` line per chosen sentence."""
    for quote in chosen:
        if question.kind == "list":
            lead = f"{quote.paper.title}: "
        else:
            short = _short_title(quote.paper.title)
            lead = f"{short}: " if short else ""
        # A quoted "[7]" is the abstract's own text, never a citation: show it as "(7)".
        for part in quote.parts:
            yield f"- {neutralise_markers(lead + detached(part))} {quote.label}\n"
            lead = ""
