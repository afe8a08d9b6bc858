"""Whether the library answers a question at all: the named numbers of :data:`QUESTION`, read in
the paper the question is about at its best sentence (:func:`question_features`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from rag.grounding.answers import ANSWER, PRESENTS, Candidate, share_of, states
from rag.grounding.details import stated_near, unnamed_kind
from rag.grounding.evidence import PaperSentences, TermStatistics, TermWeights, Vocabulary, is_rare
from rag.grounding.names import only_extended, prepared
from rag.grounding.question import Question

QUESTION = (
    "sim_question",
    "strength",
    "names_subject",
    "names_missing_rare",
    "main_not_own",
    "conditions_missing",
    "figure_unfit",
    "figure_condition_apart",
    "which_asked",
    "which_new_names",
    "mechanism_residual",
    "proposed_not_own",
    "is_list",
    "asked_in_paper",
    "asked_share",
    "rare_missing",
    "rest_in_paper",
    "asked_like_in_paper",
    "target_near",
    "conditions_near",
    "unnamed_kind",
)
"""Features of a whole question, read in its subject paper (the best-ranked paper that states
most of the question's names) at its best sentence (see :func:`question_features`):

- ``sim_question``: the question's similarity to that sentence; ``strength``: retrieval's
  evidence strength (the ranker's own score, and how far ahead of other papers' sentences the best
  one is, do not count: the ranker's scores compare within a question only, and several papers may
  answer one question);
- ``names_subject``: the share of the question's names the subject paper states;
  ``names_missing_rare``: rare names no retrieved paper states;
- ``main_not_own``: the question names its subject and the subject paper does not present that
  name as its own work ("How many hours was Whisper trained on?" read in a paper that used
  Whisper); ``proposed_not_own``: the same for "which paper proposed X" (any of its names);
- ``conditions_missing``: the share of the question's other names ("on Llama-2-13B", "on
  HumanEval") the subject paper does not state;
- ``figure_unfit``: a figure question, and no sentence of the subject paper states a figure that
  fits the measure; ``figure_condition_apart``: fitting figures exist, but none has the
  question's conditions in its sentence or the next;
- ``which_asked``: for "which X" questions, how well the best sentence says X (its terms or
  its meaning); ``which_new_names``: names it brings that the question does not have;
- ``mechanism_residual``: for how / why / yes-no questions, the residual coverage of the best
  sentence; ``is_list``: a list question;
- ``asked_in_paper``: the best share of the asked words' terms in any sentence of the subject
  paper (1 for a figure question: its measure is said by a unit, "1.5B" for "parameters", and
  ``figure_unfit`` reads that); ``asked_share``: how common the asked words are in the library's
  abstracts (what
  abstracts seldom state, an optimizer or a GPU count, is asked with rare words);
- ``rare_missing``: the share of the question's weight carried by words the library almost never
  uses (:data:`RARE_WORD_SHARE`) that the subject paper does not contain ("dysarthric" in a question
  about a topic no paper studies);
- ``rest_in_paper``, ``asked_like_in_paper``: the best similarity of any sentence of the subject
  paper to the question less its subject, and to the asked words (a detail the abstract omits has
  no sentence about it at all);
- ``target_near``, ``conditions_near``: how much of the question's comparison target ("than
  Medusa") and of its conditions ("on Llama-2-13B") the answering sentence states with its
  neighbours (:func:`rag.grounding.details.stated_near`): a figure about another model, data set
  or baseline has its own beside it;
- ``unnamed_kind``: a "which" question asks for a kind of named thing (a data set, a model, an
  optimizer) and the paper never names one beside that noun
  (:func:`rag.grounding.details.unnamed_kind`)."""
RARE_WORD_SHARE = 0.02


@dataclass(frozen=True)
class Reading:
    """The answer features of one question and where its best sentence is."""

    rows: np.ndarray
    where: list[tuple[int, int]]
    scores: np.ndarray
    """The ranker's score of each row."""
    subject: int
    """The candidate the question is about (see :data:`QUESTION`)."""
    best: int
    """The row of the best sentence of the subject paper."""


def read(
    rows: np.ndarray,
    where: list[tuple[int, int]],
    scores: np.ndarray,
    question: Question,
    candidates: Sequence[Candidate],
) -> Reading:
    """The subject paper and its best sentence, from the ranker's ``scores``: the best-ranked paper
    that states most of the names of the question's subject (:func:`subject_names`; a name met only
    in a condition, "on MT-Bench", says where a figure was measured, not whose it is)."""
    ranks = rows[:, ANSWER.index("paper_rank")]
    wanted = subject_names(question)
    shares = [share_of([c.sentences.named.states(n) for n in wanted]) for c in candidates]
    named = [shares[candidate] for candidate, _ in where]
    top = max(range(len(rows)), key=lambda i: (named[i], ranks[i]))
    subject = where[top][0]
    own = [i for i, (candidate, _) in enumerate(where) if candidate == subject]
    best = max(own, key=lambda i: scores[i])
    return Reading(rows, where, scores, subject, best)


def question_features(
    question: Question,
    reading: Reading,
    candidates: Sequence[Candidate],
    strength: float,
    words: TermStatistics,
    vocabulary: Vocabulary,
) -> np.ndarray:
    """The :data:`QUESTION` features. ``words`` are the question's term statistics, read once
    (:func:`question_words`); the vocabulary only cuts the papers' sentences into terms."""
    row = reading.rows[reading.best]
    column = {name: float(row[ANSWER.index(name)]) for name in ANSWER}
    paper = candidates[reading.subject].sentences
    best = reading.where[reading.best][1]
    missing = [name for name in question.names if not any(c.sentences.named.states(name) for c in candidates)]
    own = [i for i, (c, _) in enumerate(reading.where) if c == reading.subject]
    main = main_names(question, words)
    conditions = [name for name in question.names if name not in main and is_rare(name, words)]
    fitting = [reading.where[i][1] for i in own if reading.rows[i, ANSWER.index("figure_fits")] > 0]
    kind = question.kind
    answering = fitting if kind == "figure" else [best]
    target, conditioned = stated_near(question, paper, answering, words, vocabulary)
    return np.array(
        [
            column["sim_question"],
            strength,
            column["names_paper"],
            float(sum(is_rare(name, words) for name in missing)),
            float(bool(main) and kind != "proposed" and not _own_work(question, paper, best, main)),
            share_of([not paper.named.states(name) for name in conditions]) if conditions else 0.0,
            float(kind == "figure" and not fitting),
            float(
                kind == "figure"
                and bool(fitting)
                and bool(conditions)
                and not any(
                    all(states(_window(paper, index), name) for name in conditions) for index in fitting
                )
            ),
            max(column["asked_terms"], column["sim_asked"]) if kind == "which" else 0.0,
            column["new_names"] if kind == "which" else 0.0,
            column["residual_coverage"] if kind in ("explanation", "yes-no") else 0.0,
            float(kind == "proposed" and not _own_work(question, paper, best)),
            float(kind == "list"),
            1.0 if kind == "figure" else float(reading.rows[own, ANSWER.index("asked_terms")].max()),
            _asked_share(question, words),
            _rare_missing(question, paper, words, vocabulary),
            float(reading.rows[own, ANSWER.index("sim_rest")].max()),
            float(reading.rows[own, ANSWER.index("sim_asked")].max()) if question.asked else 1.0,
            target,
            conditioned,
            unnamed_kind(question, paper, best, vocabulary),
        ],
        dtype=np.float32,
    )


_SELECTING = re.compile(r"\w+est\b|\bmost\b|\bleast\b", re.IGNORECASE)
"""Superlatives pick one of several ("the largest model"); an abstract need not use the word."""


def question_words(question: Question, vocabulary: Vocabulary) -> TermStatistics:
    """The library's statistics for every piece of the question the judge weighs (its text, what
    it asks, its names, its superlatives), in one call of the vocabulary."""
    return vocabulary.statistics(
        [
            question.text,
            question.asked,
            *question.names,
            _selecting(question),
            *question.compared,
            *question.conditions,
        ]
    )


def _selecting(question: Question) -> str:
    return " ".join(_SELECTING.findall(question.text))


def _rare_missing(
    question: Question, paper: PaperSentences, words: TermStatistics, vocabulary: Vocabulary
) -> float:
    terms = set(words.terms(question.text))
    total = sum(words.idf(term) for term in terms)
    selecting = set(words.terms(_selecting(question)))
    rare = {term for term in terms - selecting if words.share(term) <= RARE_WORD_SHARE}
    missing = rare - paper.all_terms(vocabulary)
    return sum(words.idf(term) for term in missing) / total if total else 0.0


def _asked_share(question: Question, words: TermStatistics) -> float:
    terms = words.terms(question.asked) if question.asked else []
    return float(np.mean([words.share(term) for term in terms])) if terms else 1.0


def _window(paper: PaperSentences, index: int) -> str:
    return " ".join(paper.text(i) for i in range(max(0, index - 1), min(len(paper.spans), index + 2)))


_LINK = re.compile(
    r"\b(?:to|of|for|on|upon|than|over|with|from|based|like|such as|into|beyond|instead|improv\w*|"
    r"extend\w*)\b",
    re.IGNORECASE,
)
"""Between a presenting verb and a name, these make the name someone else's ("we propose a head
for Medusa")."""
_OWN_MENTION = "\\b(?:our|this)\\s+[\"'\u2018\u201c]?{name}(?![\\w-])"
"""A paper's own work named as such: "our MaskGCT", 'this "Inner Monologue" method'."""
PRESENT_REACH = 10
"""A name presented as the paper's own comes within this many words of the presenting verb."""


def subject_names(question: Question) -> list[str]:
    """The question's names less those met only inside its conditions ("What speed-up does the
    method report on MT-Bench?" names no subject)."""
    return [name for name in question.names if not any(name in phrase for phrase in question.conditions)]


def main_names(question: Question, vocabulary: TermWeights) -> list[str]:
    """The rare names of the question's subject phrase ("PARD" in "What speed-up does PARD achieve
    on Llama-2-13B?"); a name many papers use ("TTS", "LLM") names a field, not a paper, and a
    question whose subject was not found has none."""
    return [name for name in question.names if name in question.subject and is_rare(name, vocabulary)]


def _own_work(question: Question, paper: PaperSentences, best: int, only: Sequence[str] = ()) -> bool:
    """The paper presents what the question names as its own: its title's head names it, or a
    sentence presents it right after a presenting verb ("we propose X", "called X"), calls it its
    own ("our X", 'this "X" method'), or opens with it as "X, a new ..." (or names it as the
    subject of its results: "X achieves");
    with no name, the best sentence presents the paper's work."""
    if not question.names:
        return PRESENTS.search(paper.text(best)) is not None
    head = re.split(r":|\s+(?:for|on|with|via|from|using|of|to|by|in)\s+", paper.paper.title, maxsplit=1)[0]
    for name in only or question.names:
        if prepared(head).states(name) and not only_extended(name, head, question.text):
            return True
        for text in paper.texts:
            if re.match(rf"\s*{re.escape(name)}\s*(?:\([^)]*\))?\s*,\s+(?:a|an)\s", text, re.IGNORECASE):
                return True
            if re.search(_OWN_MENTION.format(name=re.escape(name)), text, re.IGNORECASE):
                return True
            for match in PRESENTS.finditer(text):
                reach = " ".join(text[match.end() :].split()[:PRESENT_REACH])
                link = _LINK.search(reach)
                presented = reach[: link.start()] if link else reach
                if prepared(presented).states(name) and not only_extended(name, presented, question.text):
                    return True
    return False
