"""What the judge reads off a question and the sentences of the papers retrieved for it: the
named numbers of :data:`ANSWER`, per candidate sentence.


- ``sim_question``, ``sim_window``: cosine similarity of the question to the sentence, and to the
  sentence with a neighbour; ``sim_asked``: of the asked words ("reconstruction FID") to it;
- ``paper_rank``: 1 / the paper's rank in retrieval; ``paper_score``: its fused score relative to
  the best paper's;
- ``names_paper``, ``names_sentence``: shares of the question's names that the paper (title and
  abstract) and the sentence (or its window) state;
- ``coverage_sentence``, ``coverage_paper``: shares of the question's IDF weight they contain;
- ``asked_terms``: share of the asked words' terms in the sentence (1 when nothing is asked);
- ``figure_fits``: a figure question, and the sentence states a figure of a kind that answers it;
  ``figure_missing``: a figure question, and the sentence states no figure at all;
- ``boilerplate``: the sentence is a link, a code release or a hope for future work;
- ``sim_rest``: similarity to the question less its subject (what is asked of the paper, not
  which paper: "On which datasets was ... evaluated?");
- ``new_names``: names the sentence states that the question does not (answers to "which
  dataset" name one); ``presents``: the sentence presents the paper's own work ("we propose");
  ``position``: where the sentence is in the abstract (0 first, 1 last);
- ``residual_coverage``: the question's words that identify the paper are those of the paper's
  sentence most like the question (its description); the rest ask something of it ("make that
  sampling cheaper"): the share of their IDF weight in the sentence; ``is_description``: this
  sentence is that description;
- ``proposed_presents``: a "which paper proposed" question, and the sentence presents the paper's
  work; ``mechanism_residual``: a how / why / yes-no / which question, times ``residual_coverage``
  (what such a question asks of a paper is in its residual words);
- ``conditions_stated``: the share of the figures the question gives ("with about 96 tokens",
  "chunks of about 1.3 seconds"; :func:`figure_conditions`) that the sentence or a neighbour
  states (0 when it gives none): of a table's rows, or of two sentences reporting the same measure,
  the one under the question's conditions answers.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from rag.grounding import figure_matching
from rag.grounding import figures as figure_reading
from rag.grounding.evidence import PaperSentences, TermStatistics, Vocabulary, coverage
from rag.grounding.measures import ANY_FIGURE, Measure
from rag.grounding.names import names, prepared
from rag.grounding.question import Question

ANSWER = (
    "sim_question",
    "sim_window",
    "sim_rest",
    "sim_asked",
    "paper_rank",
    "paper_score",
    "names_paper",
    "names_sentence",
    "coverage_sentence",
    "coverage_paper",
    "asked_terms",
    "figure_fits",
    "figure_missing",
    "boilerplate",
    "new_names",
    "presents",
    "position",
    "residual_coverage",
    "is_description",
    "proposed_presents",
    "mechanism_residual",
    "conditions_stated",
)
BOILERPLATE = re.compile(
    r"https?://|www\.|github\.com|\bavailable (?:at|online|on)\b|\bcode (?:is|and|will)\b|"
    r"\b(?:we|will) (?:release|open-source|make)\b.*\b(?:public|available|code|models?)\b|"
    r"\baudio samples\b|\bdemos?\b.*\b(?:at|online)\b|"
    r"\b(?:future|further) (?:research|work|directions?|studies)\b|"
    r"\bwe hope\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class QuestionVectors:
    """The question's vectors: whole, less its subject, and its asked words (None: nothing asked)."""

    question: np.ndarray
    rest: np.ndarray | None = None
    asked: np.ndarray | None = None


@dataclass(frozen=True)
class Candidate:
    """A retrieved paper as the answer check sees it."""

    sentences: PaperSentences
    rank: int
    score: float
    """Its fused retrieval score relative to the best paper's (1 for the best)."""


PRESENTS = re.compile(
    r"\bwe\s+(?:\w+\s+)?(?:propose|introduce|present|develop|design|build|call|name|dub|term|coin)\w*|"
    r"\b(?:this|the|our)\s+(?:paper|work|study|report|article|letter)\s+(?:\w+\s+)?(?:propose|introduce|present)"
    r"\w*|\b(?:is|are)\s+(?:proposed|introduced|presented)\b|\b(?:called|termed|dubbed|named)\b",
    re.IGNORECASE,
)
"""A sentence in which a paper presents its own work."""


def answer_features(
    question: Question,
    vectors: QuestionVectors,
    candidates: Sequence[Candidate],
    words: TermStatistics,
    vocabulary: Vocabulary,
) -> tuple[np.ndarray, list[tuple[int, int]]]:
    """The :data:`ANSWER` features of every sentence of every candidate, with (candidate, sentence).
    ``words`` are the question's term statistics (read once, :func:`question_words`); the
    vocabulary only cuts the papers' sentences into terms."""
    question_vector, rest_vector, asked_vector = vectors.question, vectors.rest, vectors.asked
    asked_names = {name.lower() for name in names(question.text)}
    question_terms = set(words.terms(question.text))
    conditions = figure_conditions(question)
    asked_terms = set(words.terms(question.asked)) if question.asked else set()
    rows: list[list[float]] = []
    where: list[tuple[int, int]] = []
    for number, candidate in enumerate(candidates):
        paper = candidate.sentences
        sims = paper.vectors @ question_vector
        windows = paper.window_vectors @ question_vector
        asked_sims = paper.vectors @ asked_vector if asked_vector is not None else np.zeros(len(sims))
        rest_sims = paper.vectors @ rest_vector if rest_vector is not None else sims
        named_paper = share_of([paper.named.states(n) for n in question.names])
        paper_terms = paper.all_terms(vocabulary)
        in_abstract = [i for i in range(len(sims)) if paper.passage(i) is None]  # a body describes no paper
        described = max(in_abstract, key=lambda i: sims[i]) if in_abstract else -1
        residual = question_terms - paper.terms(described, vocabulary) - paper.terms(-1, vocabulary)
        for index in range(len(paper.spans)):
            text = paper.text(index)
            neighbours = [windows[i] for i in (index - 1, index) if 0 <= i < len(windows)]
            terms = paper.terms(index, vocabulary)
            figures = paper.figures[index]
            window_text = " ".join(
                paper.text(i) for i in range(max(0, index - 1), min(len(paper.spans), index + 2))
            )
            named_here = share_of([states(window_text, n) for n in question.names])
            fitting = question.kind == "figure" and any(fits(question, text, f) for f in figures)
            fresh = [n for n in names(text) if n.lower() not in asked_names]
            around = range(max(0, index - 1), min(len(paper.spans), index + 2)) if conditions else ()
            nearby = [figure for i in around for figure in paper.figures[i]]
            rows.append(
                [
                    float(sims[index]),
                    float(max([sims[index], *neighbours])),
                    float(rest_sims[index]),
                    float(asked_sims[index]),
                    1.0 / candidate.rank,
                    candidate.score,
                    named_paper,
                    named_here,
                    coverage(question_terms, terms, words),
                    coverage(question_terms, paper_terms, words),
                    coverage(asked_terms, terms, words) if asked_terms else 1.0,
                    float(fitting),
                    float(question.kind == "figure" and not any(not f.named for f in figures)),
                    float(BOILERPLATE.search(text) is not None),
                    min(len(fresh), 3) / 3,
                    float(PRESENTS.search(text) is not None),
                    index / max(len(paper.spans) - 1, 1),
                    residual_share := coverage(residual, terms, words) if residual else 0.0,
                    float(index == described),
                    float(question.kind == "proposed" and PRESENTS.search(text) is not None),
                    residual_share if question.kind in ("explanation", "yes-no", "which", "other") else 0.0,
                    share_of([figure_matching.states(given, nearby) for given in conditions])
                    if conditions
                    else 0.0,
                ]
            )
            where.append((number, index))
    return np.array(rows, dtype=np.float32).reshape(len(rows), len(ANSWER)), where


def figure_conditions(question: Question) -> list[figure_reading.Figure]:
    """The figures a question gives (not part of a name): the conditions of what it asks ("with
    about 96 tokens", "chunks of about 1.3 seconds"), which the sentence that answers states."""
    return [figure for figure in figure_reading.figures(question.text) if not figure.named]


def share_of(flags: list[bool]) -> float:
    """The share of true flags (1 with none)."""
    return sum(flags) / len(flags) if flags else 1.0


def states(text: str, name: str) -> bool:
    return prepared(text).states(name)


SPECIFIC: dict[str, set[str]] = {
    "speed": {"ratio"},
    "share": {"percent"},
    "frequency": {"frequency"},
    "storage": {"size"},
    "time": {"duration"},
    "data": {"duration"},
    "parameters": {"scale"},
}
"""Kinds of figure whose unit alone says which measure they are (a ratio is a speed-up)."""
NEAR_WORDS = 8
"""A measure word this many words from a figure says what the figure measures."""
COUNT_GAP = 4
"""In "how many N", at most this many words between the number and N."""


def fits(question: Question, text: str, figure: figure_reading.Figure) -> bool:
    """Whether ``figure`` (read from ``text``) can answer ``question``: a figure the question's
    measure takes, with the asked words near it ("1.17 rFID" for "reconstruction FID"), or a word of
    the measure near it and either a unit only that measure has ("3x" for a speed-up) or nothing more
    specific asked; for "how many N", N right after the number; for "how large is X", with nothing
    more specific asked, any figure. Small number words and numbers inside names fit nothing ("two
    stages", "GPT-4"), but a score after its own name ("MOS 4.08"); nor does a figure that counts
    something else ("9.7 billion tokens" for a model size), nor, for "how many hours", anything but
    an amount of time of at least a minute ("300 msec" is a latency, not an amount of data). A
    training setting is named by its whole term near the figure: a word of it names another
    setting ("weight decay" is no "learning rate decay", "beam size" no "beam search")."""
    measure = question.measure
    scored = figure.named and figure.kind == "plain" and measure is not None and measure.name == "score"
    after = text[figure.start :].split()
    counts = bool(question.counted) and _counts_asked(question.counted, after)
    if (figure.weak and not counts) or (figure.named and not scored):
        return False
    if measure is None:
        return True
    if figure.kind not in measure.kinds and not scored:
        return False
    if question.counted:
        return counts
    if _HOURS.search(question.asked) and (figure.kind != "duration" or figure.low < MIN_DATA_SECONDS):
        return False
    if _counts_other(text[figure.start + len(figure.text) :].split()[:2], measure):
        return False
    before = text[: figure.start].split()[-NEAR_WORDS:]
    window = " ".join([*before, *after[: NEAR_WORDS + 1]])
    if measure.name == "setting":  # "weight decay" is not stated by a "learning rate decay"
        return _setting_near(question, measure, window)
    if _asked_near(question.asked, window):
        return True
    if _specific(question.asked, measure):
        return False
    return (
        measure is ANY_FIGURE
        or figure.kind in SPECIFIC.get(measure.name, set())
        or bool(re.search(measure.near, window, re.IGNORECASE))
    )


def _counts_asked(counted: str, after: list[str]) -> bool:
    """The counted noun of "how many N" follows the number within :data:`COUNT_GAP` words, before
    a punctuation mark ends the number's phrase ("two generative models, language models" counts
    no languages)."""
    stem = counted.lower().rstrip("s")[:5]
    for word in after[1 : COUNT_GAP + 2]:
        if word.lower().startswith(stem):
            return True
        if word[-1] in ",;:.)":
            return False
    return False


_HOURS = re.compile(r"\b(?:hours?|days?|weeks?)\b", re.IGNORECASE)
MIN_DATA_SECONDS = 60
""""How many hours" is answered by an amount of time of at least this many seconds."""
_COUNTED = re.compile(
    r"(?:tokens?|hours?|samples?|pairs?|utterances?|sentences?|words?|images?|speakers?|languages?|"
    r"steps?|layers?|GPUs?|days?|epochs?|iterations?|clips?|examples?|parameters?|params)\b",
    re.IGNORECASE,
)
"""Nouns a number right before them counts ("9.7 billion tokens")."""


def _setting_near(question: Question, measure: Measure, window: str) -> bool:
    """The training setting the question names is in ``window``: a term of the lexicon that opens
    with the same word ("dropout" for "dropout rate", "weight-decay" for "weight decay"; not
    "learning rate" for "weight decay", nor "beam search" for "beam size")."""
    term = re.search(measure.asks, question.asked or question.text, re.IGNORECASE)
    if term is None:
        return False
    first = re.split(r"[\s-]+", term.group(0).lower())[0]
    stated = (
        re.split(r"[\s-]+", m.group(0).lower())[0] for m in re.finditer(measure.asks, window, re.IGNORECASE)
    )
    return first in stated


def _counts_other(following: list[str], measure: Measure) -> bool:
    """The figure counts something its measure does not ("9.7 billion tokens" for a model size),
    or is a rate ("160 tokens/s") where the measure is no speed."""
    counted = _COUNTED.match(following[0]) if following else None
    if counted is None:
        return False
    if following[0][counted.end() :].startswith("/") or following[1:2] == ["per"]:
        return measure.name not in ("speed", "rate")
    return not re.search(measure.near, counted.group(0), re.IGNORECASE)


_GENERIC_ASKED = frozenset(
    [
        "how",
        "many",
        "much",
        "large",
        "big",
        "long",
        "small",
        "fast",
        "high",
        "low",
        "good",
        "largest",
        "biggest",
        "higher",
        "lower",
        "more",
        "less",
        "fewer",
        "larger",
        "smaller",
        "bigger",
        "quicker",
        "faster",
        "slower",
        "better",
        "worse",
        "times",
        "range",
        "extra",
        "additional",
        "total",
        "overall",
        "average",
        "exact",
        "rate",
        "points",
        "recorded",
    ]
)
"""Words of a figure question that say how it is measured, not what ("how many times quicker",
"what range", "how much extra memory")."""


def _specific(asked: str, measure: Measure) -> bool:
    """The asked words say more than the measure's own words do ("sampling rate", not "how fast"
    or "what share"; a word that marks a figure as the measure, "weights" for a model size, is one
    of them): then only a figure near those words answers."""
    words = [w for w in re.findall(r"[A-Za-z][\w\-]+", asked) if w.lower() not in _GENERIC_ASKED]
    return bool(words) and not all(
        re.fullmatch(measure.asks, w, re.IGNORECASE) or re.fullmatch(measure.near, w, re.IGNORECASE)
        for w in words
    )


def _asked_near(asked: str, window: str) -> bool:
    """A word of what was asked is in the window; an acronym also inside a longer word ("FID" in
    "rFID", "WER" in "WERs") or spelled out ("WER": word error rate); asked words of several
    words also by their initials ("word error rates": "WER"), or by an acronym that ends in them
    ("error rate": "WER", "CER"; "equal error rate": "EER")."""
    lowered = window.lower()
    words = re.findall(r"[A-Za-z][\w\-]+", asked)
    for word in words:
        if word.isupper() and len(word) >= 2:
            if word.lower() in lowered or prepared(window).states(word):
                return True
        elif len(word) > 3 and re.search(rf"\b{re.escape(word.lower()[:5])}", lowered):
            return True
    initials = "".join(word[0] for word in words if word.lower() not in _GENERIC_ASKED).lower()
    if len(initials) >= 2 and re.search(rf"\b{initials}s?\b", lowered):
        return True
    # an acronym that ends in all the asked words' initials: "EER" for "equal error rate", and for
    # "error rate" a named one ("WER", "CER")
    every = "".join(word[0] for word in words).upper()
    return len(every) >= 2 and re.search(rf"\b[A-Z]*{every}s?\b", window) is not None
