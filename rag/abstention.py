"""Why litrev did not answer, in words a reader can act on. Reusable by any stage that abstains.

Reasons (``Reason``), each with its own message:

- ``off-topic``: the closest papers are too far from the question (evidence strength below
  ``answer.min_evidence``): "Your library does not cover this question ...".
- ``focus-missing``: the library is near the field but no retrieved paper mentions what the
  question is about (its focus names): "Your library does not cover Zipformer ...".
- ``not-stated``: papers on the focus exist, but none of their abstracts states what was asked (the
  figure, the proposing paper, an explanation): "Your library has papers on Whisper, but none of
  their abstracts states ...", with those papers as pointers.
- ``model-not-covered``: the model read the evidence and answered NOT COVERED.

Every message ends with pointers: titles to look at, never cited as support.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from rag.question import Question

Reason = Literal["off-topic", "focus-missing", "not-stated", "model-not-covered"]
REASONS: tuple[Reason, ...] = ("off-topic", "focus-missing", "not-stated", "model-not-covered")
POINTERS = 3
"""Titles listed as pointers at most."""


def pointers(titles: Sequence[str], lead: str = "Nearest papers") -> str:
    """`` Nearest papers, as pointers only: A; B; C.`` (empty without titles)."""
    if not titles:
        return ""
    return f" {lead}, as pointers only: " + "; ".join(titles[:POINTERS]) + "."


def off_topic(strength: float, threshold: float, titles: Sequence[str]) -> str:
    return (
        "Your library does not cover this question: the evidence strength of its closest papers "
        f"is {strength:.2f}, below the {threshold:.2f} needed to answer." + pointers(titles)
    )


def _joined(names: Sequence[str]) -> str:
    names = list(dict.fromkeys(names))
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def asked_for(question: Question) -> str:
    """What the question wanted, as the object of "none of their abstracts states ..."."""
    about = f" for {_joined(question.names)}" if question.names else ""
    if question.kind == "figure" and question.measure is not None:
        wanted = f"{question.measure.label}"
        if question.counted:
            wanted = f"a count of {question.counted}"
        return wanted + about
    if question.kind == "proposed":
        subject = _joined(question.subject) if question.subject else "it"
        return f"{subject} as its own contribution (it appears only as a baseline or a component)"
    return "an answer to this question"


def focus_missing(question: Question, titles: Sequence[str]) -> str:
    subject = (
        _joined(question.names or question.focus) if (question.names or question.focus) else "this topic"
    )
    return (
        f"Your library does not cover {subject}: none of the papers retrieved for this question "
        "mentions it." + pointers(titles)
    )


def not_stated(question: Question, titles: Sequence[str]) -> str:
    topic = _joined(question.names or question.focus) if (question.names or question.focus) else "this topic"
    return (
        f"Your library has papers on {topic}, but none of their abstracts states {asked_for(question)}."
        + pointers(titles, f"Papers on {topic}")
    )


def model_not_covered(titles: Sequence[str]) -> str:
    return "The model found no answer in the evidence." + pointers(titles)
