"""Turn a follow-up question into a standalone query before retrieval.

In a conversation, "What are its limitations?" means nothing to a retriever on its own. Two ways
to make it standalone:

- with a model (``complete``: the ``complete`` method of an OpenAI-compatible or local
  generator), it is asked to rewrite the follow-up using the earlier questions
  (``prompts/followup.txt``); an empty, multi-paragraph or failed reply falls back to the rule below;
- without one, a deterministic rule: a follow-up that is short or leans on an earlier question
  ("it", "they", "this", "those", "that method"...) gets the previous query's key terms in front.

A question asked first, or one that stands on its own, is kept as it is.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

from rag import prompts
from rag.llm.generate import GenerationError

Complete = Callable[..., Iterable[str]]
"""``complete(prompt, max_tokens=...)`` yielding the model's reply piece by piece."""

SHORT_WORDS = 4
"""A follow-up of at most this many words is taken to lean on the previous question."""
MAX_TERMS = 8
"""Most key terms carried over from the previous query."""
HISTORY = 3
"""Earlier queries shown to the model."""
MAX_REWRITE_CHARS = 400

_WORD = re.compile(r"[\w][\w\-.]*[\w]|\w")


def _vocabulary(*lines: str) -> frozenset[str]:
    """The space-separated words of ``lines``, as a set."""
    return frozenset(" ".join(lines).split())


_ANAPHORA = _vocabulary("it its itself they them their theirs this these those such former latter above")
_THAT_NOUNS = _vocabulary(
    "method methods approach approaches model models paper papers technique techniques work idea",
    "dataset datasets system systems framework algorithm one ones result results",
)
_STOPWORDS = _vocabulary(
    "a an the and or but of on in at to for from by with without via into about as is are was were be",
    "been being do does did has have had can could may might will would should shall which what who whom",
    "whose when where why how that this these those there their they them it its i we you our your my me",
    "any some all each more most other such than then so not no also just only very much many papers",
    "paper work works study studies research approach approaches method methods use used using",
    "show shows find found tell explain describe discuss give list know mention known about regarding",
    "doing done please between among",
)


@dataclass(frozen=True)
class Rewrite:
    query: str
    """What to retrieve with."""
    method: Literal["none", "terms", "model"]
    """``none``: the question as asked; ``terms``: key terms prepended; ``model``: rewritten by it."""


def words(text: str) -> list[str]:
    return _WORD.findall(text)


def leans_on_context(question: str) -> bool:
    """Whether ``question`` is short or refers back ("it", "those", "that method"...)."""
    tokens = [word.lower() for word in words(question)]
    if len(tokens) <= SHORT_WORDS:
        return True
    for index, token in enumerate(tokens):
        if token in _ANAPHORA:
            return True
        if token == "that" and (index + 1 == len(tokens) or tokens[index + 1] in _THAT_NOUNS):
            return True
    return False


def key_terms(text: str, *, exclude: Iterable[str] = ()) -> list[str]:
    """The content words of ``text`` in order, without repeats or the words in ``exclude``."""
    seen = {word.lower() for word in exclude}
    terms = []
    for word in words(text):
        low = word.lower()
        if low in _STOPWORDS or low in seen or (len(low) < 3 and not word.isupper()):
            continue
        seen.add(low)
        terms.append(word)
    return terms[:MAX_TERMS]


def with_terms(question: str, previous: str) -> Rewrite:
    """The deterministic rewrite: the previous query's key terms, then the follow-up."""
    if not leans_on_context(question):
        return Rewrite(question, "none")
    terms = key_terms(previous, exclude=words(question))
    if not terms:
        return Rewrite(question, "none")
    return Rewrite(f"{' '.join(terms)}: {question}", "terms")


def standalone(question: str, history: Sequence[str], *, complete: Complete | None = None) -> Rewrite:
    """``question`` as a standalone query, given the earlier (standalone) queries, oldest first."""
    question = " ".join(question.split())
    if not history:
        return Rewrite(question, "none")
    if complete is not None:
        prompt = prompts.render("followup", history=list(history[-HISTORY:]), question=question)
        try:
            reply = "".join(complete(prompt, max_tokens=96))
        except GenerationError:
            reply = ""
        rewritten = _first_line(reply)
        if rewritten:
            return Rewrite(rewritten, "model")
    return with_terms(question, history[-1])


def _first_line(reply: str) -> str:
    """The rewritten question from a model's reply, or "" when it is unusable."""
    lines = [line.strip() for line in reply.strip().splitlines() if line.strip()]
    if not lines:
        return ""
    line = re.sub(r"^(standalone question|question|rewritten)\s*:\s*", "", lines[0], flags=re.IGNORECASE)
    line = line.strip().strip("\"'`").strip()
    return line if 0 < len(line) <= MAX_REWRITE_CHARS else ""
