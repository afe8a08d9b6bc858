"""The judge's reasons, in words a reader can act on: why a claim is (not) supported, and why a
question was not answered.

A verdict's reason names the finding that weighed most against the claim (its contribution to
the fitted score, :meth:`rag.grounding.model.Linear.contributions`) among those a reader can
check: a figure the abstract does not state, a name it does not mention, a direction it reverses,
a word that claims more ("every", "the first"); otherwise, that no sentence states it, with the
closest one quoted.

Abstentions (``Reason``), each with its own message:

- ``off-topic``: the closest papers are too far from the question (evidence strength below
  ``answer.min_evidence``): "Your library does not cover this question ...".
- ``focus-missing``: no retrieved paper mentions a name the question asks about: "Your library
  does not cover Zipformer ...".
- ``not-stated``: the papers the question is about do not state what it asks: "Your library has
  papers on Whisper, but none of their abstracts states ...". A subject the question describes
  rather than names is quoted in the user's own words.
- ``model-not-covered``: the model read the evidence and answered NOT COVERED.

Every abstention ends with pointers: titles to look at, never cited as support; one about a paper
the library holds without its PDF says so ("adding its PDF may answer this", :func:`no_fulltext`).
A message names only what the question itself names (its names, or its subject phrase in quotes),
never a word picked out of it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from rag.grounding.question import Question

Reason = Literal["off-topic", "focus-missing", "not-stated", "model-not-covered"]
REASONS: tuple[Reason, ...] = ("off-topic", "focus-missing", "not-stated", "model-not-covered")
POINTERS = 3
"""Titles listed as pointers at most."""
NOTHING_CITED = "Nothing cited to check it against."
_SIMILARITY = ("sim_sentence", "sim_window", "sim_top2", "coverage", "coverage_best")


def _quote(text: str, limit: int = 220) -> str:
    text = " ".join(text.split())
    return f"“{text if len(text) <= limit else text[: limit - 1].rstrip() + '…'}”"


def joined(items: Sequence[str]) -> str:
    items = list(dict.fromkeys(items))
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def support(
    claim: str,
    supported: bool,
    contributions: dict[str, float],
    features: dict[str, float],
    evidence: str,
    *,
    unmatched: Sequence[str] = (),
    missing: Sequence[str] = (),
    absolute: Sequence[str] = (),
    place: str = "",
    cited: str = "cited abstract",
) -> str:
    """Why a verdict is what it is (see the module docstring); ``place`` says where in the body
    the evidence is ("§4 Experiments, p. 5"; empty: the abstract), ``cited`` what was read ("cited
    paper" when its full text was)."""
    if supported:
        where = f"cited paper ({place})" if place else "cited abstract"
        return f"Stated in the {where}: {_quote(evidence)}" if evidence else f"Stated in the {where}."
    found = {
        "figures_unmatched": bool(unmatched),
        "names_missing_rare": bool(missing),
        "names_missing_common": bool(missing),
        "disagrees": features.get("disagrees", 0) > 0,
        "negation_differs": features.get("negation_differs", 0) > 0,
        "absolute_added": bool(absolute),
        "better_than_parity": features.get("better_than_parity", 0) > 0,
    }
    against = sorted((value, name) for name, value in contributions.items() if found.get(name) and value < 0)
    closest = f" The closest sentence{f' ({place})' if place else ''}: {_quote(evidence)}" if evidence else ""
    if not against:
        return f"No sentence of the {cited} states this." + closest
    name = against[0][1]
    if name == "figures_unmatched":
        return f"The {cited} does not state {joined(list(unmatched))}." + closest
    if name.startswith("names_missing"):
        return f"The {cited} does not mention {joined(list(missing))}." + closest
    if name in ("disagrees", "negation_differs"):
        return f"The {cited} says otherwise: {_quote(evidence)}"
    if name == "absolute_added":
        return f"The claim says “{joined(list(absolute))}”, which the {cited} does not." + closest
    return f"The {cited} reports comparable results, not better ones: {_quote(evidence)}"


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


def topic(question: Question) -> str:
    """What the question is about, as it says it: its names, else its subject phrase quoted."""
    if question.names:
        return joined(list(question.names))
    if question.subject and question.subject.split()[0].lower() in ("the", "a", "an", "this"):
        return f"“{question.subject}”"
    return ""


def asked_for(question: Question) -> str:
    """What the question wanted, as the object of "none of their abstracts states ..."."""
    if question.kind == "figure" and question.measure is not None:
        if question.measure.name == "setting" and question.asked:
            return f"the {question.asked}"  # "the learning rate": clearer than "a training setting"
        return f"a count of {question.counted}" if question.counted else question.measure.label
    if question.kind == "proposed":
        return "it as the paper's own contribution (it appears only as prior work, a baseline or a component)"
    if question.kind == "which" and question.asked:
        return f"the {question.asked}"  # the asked words, as the question says them
    return "an answer to it"


def focus_missing(question: Question, missing: Sequence[str], titles: Sequence[str]) -> str:
    subject = joined(list(missing)) if missing else "what this question names"
    return (
        f"Your library does not cover {subject}: none of the papers retrieved for this question "
        "mentions it." + pointers(titles)
    )


def not_stated(question: Question, titles: Sequence[str], figure_found: bool = False) -> str:
    """``figure_found``: the paper states a figure of the asked measure, so what it does not state
    is that figure under the question's conditions or against its comparison target, and the
    message says so ("a speed-up for “Llama-2-13B”") rather than that no such figure is given."""
    wanted = asked_for(question) + (_under(question) if figure_found else "")
    about = topic(question)
    if about:
        return f"Your library has papers on {about}, but none of their abstracts states {wanted}." + (
            pointers(titles, "Papers on it")
        )
    return f"The papers closest to this question do not state {wanted}." + pointers(titles)


def _under(question: Question) -> str:
    """The question's conditions and comparison target, as the end of "states a speed-up ..."."""
    parts = []
    if question.conditions:
        parts.append("for " + joined([_quote(c, 80) for c in question.conditions]))
    if question.compared:
        parts.append("against " + joined([_quote(c, 80) for c in question.compared]))
    return " " + " and ".join(parts) if parts else ""


def no_fulltext(title: str) -> str:
    """Appended to an abstention about a paper the library holds without its full text."""
    return f" “{title}” is in your library without its full text; adding its PDF may answer this."


def model_not_covered(titles: Sequence[str]) -> str:
    return "The model found no answer in the evidence." + pointers(titles)
