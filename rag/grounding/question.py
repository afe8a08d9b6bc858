"""What a question asks: its kind, the thing it wants, what it is about, and what it compares with.

Plain code, no model. :func:`analyse` reads a question into a :class:`Question`:

- **kind**, checked in this order: ``proposed`` ("which paper proposed / introduced X"),
  ``figure`` ("how many / how much / by how much / how fast", unless an earlier "how does / what
  is" is the question, or "what / which" followed within a few words by a word for a measure),
  ``yes-no`` (opens with an auxiliary verb), ``list`` ("which papers / methods / models ...",
  "list ..."), ``explanation`` ("how / why ...", "what is the idea of"), ``which`` (any other
  "what / which X"), ``other``.
- **asked**: the words that name what is wanted, as written ("reconstruction FID", "parameters",
  "faster", "datasets"); empty for explanations and yes-no questions. A question that asks two
  things ("How many steps and what guidance scale ...") is read for its first ask
  (:func:`first_ask`): its kind, measure, asked words and counted noun.
- **measure** (figure questions): which kinds of figure can answer
  (:data:`rag.grounding.measures.MEASURES`, a lexicon of the ways researchers ask for a figure).
- **names**: the named things of the question (:func:`rag.grounding.names.names`) that an answering
  paper must state, less the measure's own words and the **targets**: names behind "than",
  "over", "compared with", "relative to", "versus", "against", "instead of", "rather than" are
  what the subject is compared with, not the subject ("How much faster than APNet2 is ...").
- **subject**: the noun phrase the question is about, in the user's words ("the open replication of
  Google's MAGVIT-v2 tokenizer"), for messages; it may describe a paper rather than name it (a
  passive verb after the auxiliary, "were used to train X", opens none).
- **compared** and **conditions**, as written: what the subject is compared with ("its
  autoregressive baseline"), and the phrases the predicate adds ("on Llama-2-13B"), which the
  sentence that answers must state too (:mod:`rag.grounding.details`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from rag.grounding.measures import ANY_FIGURE, MEASURES, Measure
from rag.grounding.names import names as names_in

Kind = Literal["figure", "proposed", "list", "yes-no", "explanation", "which", "other"]


_PROPOSED = re.compile(
    r"\b(?:which|what)\s+(?:\w+\s+){0,2}(?:paper|work|study|article|publication|method|approach|model|system)s?\s+"
    r"(?:first\s+|\w+ly\s+)?(?:proposed|proposes|introduced|introduces|presented|presents|developed|invented|coined)\b"
    r"|\bwho\s+(?:first\s+|\w+ly\s+)?(?:proposed|introduced|invented)\b"
    r"|\b(?:where|in which paper)\s+(?:was|were)\b.*\b(?:proposed|introduced)\b",
    re.IGNORECASE,
)
_HOW_MUCH = re.compile(
    r"\bhow\s+(?:many|much|fast|large|big|long|small|quick|close)\b|\bby how much\b|"
    r"\bwhat\s+(?:factor|share|fraction)\b",
    re.IGNORECASE,
)
_WHAT = re.compile(r"\b(?:what|which)\b", re.IGNORECASE)
_YES_NO = re.compile(
    r"^\s*(?:does|do|did|is|are|was|were|can|could|has|have|had|will|would|should|may)\b", re.IGNORECASE
)
_LIST = re.compile(
    r"^\s*(?:which|what)\s+(?:[\w/-]+\s+){0,2}(?:papers|works|studies|methods|approaches|models|systems|"
    r"techniques|articles)\b(?!\s+(?:does|do|did|is|are|was|were)\b)|^\s*(?:list|find|show)\b|\bpapers\s+(?:on|about|that)\b",
    re.IGNORECASE,
)
CONTRAST = re.compile(r",?\s*\b(?:rather than|instead of)\b[^,;?)]*", re.IGNORECASE)
_EXPLAIN = re.compile(
    r"^\s*(?:in\s[^,]+,\s*)?(?:how|why)\b|^\s*what\s+(?:is|are)\s+(?:the\s+)?(?:idea|role|purpose|difference|main|"
    r"mechanism|intuition)\b|^\s*(?:explain|describe)\b|\bwork\?*\s*$|\bwhat does .* mean\b",
    re.IGNORECASE,
)
_TARGET = re.compile(
    r"\b(?:than|over|compared (?:with|to)|relative to|versus|vs\.?|against|instead of|rather than|beyond|"
    r"outperform\w*|surpass\w*|beat\w*)\s+",
    re.IGNORECASE,
)
_AUX = r"(?:does|do|did|is|are|was|were|has|have|had|can|could|will|would)"
_TARGET_END = re.compile(rf"[,;?)]|\b(?:and|while|with|on|in|for|at|when|by|{_AUX})\b", re.IGNORECASE)
"""A comparison target ends at the question's auxiliary ("than its baseline *can* DASpeech decode")."""
_ASKED = re.compile(
    rf"\b(?:how\s+(?:many|much)|by\s+how\s+much|what|which)\s+(?!{_AUX}\b)(?P<asked>(?:[\w\-/]+\s+){{0,3}}?[\w\-/]+?)"
    r"(?=\s+(?:does|do|did|is|are|was|were|has|have|had|can|could|will|would|of|in|on|for|from|did|were|"
    r"served|come|go|does|used|when|that|with|between)\b|[?,]|\s+[a-z]\w+s\s+(?:the|a|an|its|their)\b)",
    re.IGNORECASE,
)
_HOW_ADJECTIVE = re.compile(
    rf"\bhow\s+(?:much\s+)?(?P<asked>(?!many\b|much\b|{_AUX}\b)\w+(?:er|est)?)\b", re.IGNORECASE
)
_VERBS = (
    r"reach|achieve|attain|get|obtain|use|need|require|have|report|run|make|take|train|support|improve|"
    r"reduce|outperform|beat|cover|handle|work|contain|include|shrink|speed|accelerate|gain|lower|raise|"
    r"produce|generate|adapt|compare|differ|rely|depend|perform|capture|evaluate|offer|bring|yield|add|"
    r"save|consume|decide|come|compete|predict|remove|cut|deliver|show|give|manage|treat|avoid|learn|"
    r"allow|enable|exploit|combine|keep|turn|fuse|tell|mean|infer|expose|replace|cost"
)
_NOT_PASSIVE = r"(?!(?-i:[a-z]\w*ed|used|shown|known|given|built|made|seen|taken|done)\b)"
"""In "were used to train X" the words after the auxiliary are a passive verb, not the subject."""
_SUBJECT = re.compile(
    rf"\b{_AUX}\s+(?P<subject>(?:the|a|an|this|that|its|their)\b.+|{_NOT_PASSIVE}[A-Z][\w\-.]*(?:\s+[A-Z0-9][\w\-.]*)*)"
    rf"\s+(?:{_VERBS})(?:s|es|ed|d|ing)?\b",
    re.IGNORECASE,
)
"""The subject runs from the auxiliary verb to the question's last main verb ("does the largest
model in the open family of image generators *have*")."""
_COPULA = re.compile(
    rf"\b(?:is|are|was|were)\s+(?P<subject>(?:the|a|an|this|its|their)\b[^?,]+?|{_NOT_PASSIVE}[A-Z][\w\-.]*"
    r"(?:\s+[A-Z0-9][\w\-.]*)*?)"
    r"(?=\s+(?:than|compared|relative|over|versus|vs|on|in|at|when|for)\b|\s*[?,]|$)",
    re.IGNORECASE,
)
"""In "how much faster is X than Y", the subject is X."""
_LEAD = re.compile(r"^\s*(?:the|a|an|this|that|its|their)\s+", re.IGNORECASE)


@dataclass(frozen=True)
class Question:
    text: str
    kind: Kind
    asked: str = ""
    """The words naming what is wanted ("reconstruction FID"), as written; may be empty."""
    measure: Measure | None = None
    """For ``figure`` questions: the kinds of figure that answer."""
    names: tuple[str, ...] = ()
    """Named things an answering paper must state (targets and measure words left out)."""
    targets: tuple[str, ...] = ()
    """Names the subject is compared with ("than APNet2")."""
    subject: str = ""
    """The noun phrase the question is about, in the user's words (may be empty)."""
    counted: str | None = None
    """For "how many N": N ("languages")."""
    compared: tuple[str, ...] = ()
    """What the subject is compared with, as written ("its autoregressive baseline"), names or not."""
    conditions: tuple[str, ...] = ()
    """The conditions its predicate adds, as written ("on LibriSpeech test-clean", "for visual-only
    speech recognition"): phrases after "on / for / in / at / with / when ..." once the subject and
    its verb are read."""


def measure_of(text: str) -> Measure | None:
    """The figure ``text`` asks for, if it asks for one: "how many / how much ...", or a measure
    word within a few words after "what" / "which" ("What average relative WER")."""
    how_much = _HOW_MUCH.search(text)
    if how_much:  # what follows "how many" first ("How many GPUs ... the billion-parameter model"),
        # and only there when it counts a noun or compares ("How much better is the decoder that
        # recycles *tokens* ...": no amount of tokens is asked)
        head = " ".join(text[how_much.start() :].split()[:5])
        windows = [head] if _COUNTING.match(head) else [head, text[how_much.start() :]]
    else:
        windows = [_asked_phrase(text[m.end() :]) for m in _WHAT.finditer(text)]
    for window in windows if how_much else [" ".join(windows)]:
        for measure in MEASURES[:-1] if how_much else MEASURES:
            hours = how_much or measure.name != "data" or re.search(r"\bhours?\b", window, re.I)
            if hours and re.search(measure.asks, window, re.IGNORECASE):
                return measure
    return ANY_FIGURE if how_much else None


_AUX_WORD = re.compile(_AUX, re.IGNORECASE)
_COUNTING = re.compile(r"how many\b|how much (?:better|worse|more|less|higher|lower)\b", re.IGNORECASE)
"""An ask whose measure is read from its first words alone (see :func:`measure_of`)."""


def _asked_phrase(rest: str) -> str:
    """The few words after "what / which" that name what is asked, up to the question's verb:
    "Which CPU *were* the latencies measured on?" asks for a CPU, not a latency."""
    words = rest.split()[:5]
    while words and _AUX_WORD.fullmatch(words[0]):  # "what is the WER ..."
        words.pop(0)
    cut = next((i for i, word in enumerate(words) if _AUX_WORD.fullmatch(word)), len(words))
    return " ".join(words[:cut])


def targets(text: str) -> list[str]:
    """Names the question compares its subject with (see the module docstring)."""
    return [name for phrase in _phrases(text, _TARGET, _TARGET_END) for name in names_in(phrase, opens=False)]


def _phrases(text: str, opening: re.Pattern[str], closing: re.Pattern[str]) -> list[str]:
    """The phrases that follow each match of ``opening``, up to ``closing``."""
    found = [closing.split(text[match.end() :], maxsplit=1)[0].strip() for match in opening.finditer(text)]
    return [phrase for phrase in found if phrase]


_CONDITION = re.compile(r"\b(?:on|for|in|at|across|under|when|during|with)\s+", re.IGNORECASE)
_CONDITION_END = re.compile(
    r"[,;?)]|\b(?:and|while|on|in|for|at|when|by|does|do|is|are|was|were|than|compared|relative|versus|"
    r"over|against)\b",
    re.IGNORECASE,
)


def conditions_of(text: str) -> list[str]:
    """The conditions the predicate adds (:attr:`Question.conditions`): after the subject's verb
    (or the question word), not the phrases that describe the subject, nor "how many"."""
    match = _SUBJECT.search(text) or _COPULA.search(text)
    question = re.search(r"\b(?:how|what|which)\b", text, re.IGNORECASE)
    predicate = text[match.end() :] if match else text[question.start() :] if question else text
    return [
        phrase
        for phrase in _phrases(predicate, _CONDITION, _CONDITION_END)
        if not re.search(r"\b(?:how|what|which|many|much)\b", phrase, re.IGNORECASE)
    ]


_WHAT_IS = re.compile(
    r"\b(?:what|which)\s+(?:is|are|was|were)\s+(?:the\s+|its\s+|their\s+)?(?P<asked>(?:[\w\-/]+\s+){0,3}?[\w\-/]+?)"
    r"(?=\s+(?:of|in|on|for|from|that|which|reported|achieved|used|when|by|with)\b|[?,])",
    re.IGNORECASE,
)


_PART_OF = re.compile(r"\b(how (?:much|many)) of (?:the|its|their) ", re.IGNORECASE)
""""How much of the word error rate" asks for the word error rate."""


def asked_words(text: str, kind: Kind) -> str:
    """The words naming what is wanted (see the module docstring): after the question's first
    "how many / what / which" ("What is the largest speed-up ..." asks for "largest speedup")."""
    if kind in ("yes-no", "explanation", "list", "proposed"):
        return ""
    first = re.search(r"\b(?:how|what|which)\b", text, re.IGNORECASE)
    rest = _PART_OF.sub(r"\1 ", text[first.start() :] if first else text)
    for pattern in (_WHAT_IS, _ASKED):
        match = pattern.match(rest) if pattern is _WHAT_IS else pattern.search(rest)
        if match and not re.fullmatch(r"(?:the|a|an|is|are|was|were)", match.group("asked"), re.I):
            return _LEAD.sub("", match.group("asked"))
    adjective = _HOW_ADJECTIVE.search(rest)
    return adjective.group("asked") if adjective else ""


def subject_of(text: str) -> str:
    """The noun phrase after the question's auxiliary verb, up to its main verb (see the module
    docstring): "the open replication of Google's MAGVIT-v2 tokenizer"."""
    match = _SUBJECT.search(text) or _COPULA.search(text)
    if not match:
        return ""
    subject = re.split(r",\s|\s+(?:than|when|while)\s", match.group("subject"))[0].strip(" ,")
    words = subject.split()
    return subject if 1 <= len(words) <= 25 else ""


def counted_noun(text: str) -> str | None:
    """N in "how many N does ...": its last word before a verb ("How many listeners rated the
    codec"), a preposition or a conjunction."""
    match = re.search(
        rf"\bhow many\s+((?:[\w\-]+\s+){{0,5}}?[\w\-]+?)(?=\s+(?:{_AUX}|of|in|on|for|and|or)\b|[?,]|"
        r"\s+[a-z]\w*(?:ed|s)\s+(?:the|a|an|its|their|this|each)\b)",
        text,
        re.I,
    )
    return match.group(1).split()[-1] if match else None


_NEXT_ASK = re.compile(
    r",?\s+(?:and|or)\s+(?:(?:on|in|at|with|for|from|by|to)\s+)?(?=(?:what|which|how|why)\b)", re.IGNORECASE
)
"""Where a question that asks two things starts asking the second ("How many solver steps *and
what* guidance scale ...", "How long did training take*, and on what* hardware?")."""


_LEADING_DESCRIPTION = re.compile(
    r"^\s*(?:in|for|according to|among|of|from|with|on|at|within|across)\s+"
    r"(?!(?:\w+\s+){0,2}(?:what|which|how|who|whom|whose)\b)[^?]*?,\s+"
    rf"(?=(?:what|which|how|who|where|when|why|{_AUX})\b)",
    re.IGNORECASE,
)
"""A phrase that names what the question is about before it asks ("In the work that adds a
quantization bottleneck to control how much information its codes carry, what ..."): not the ask,
though its words may look like one ("how much")."""


def first_ask(text: str) -> str:
    """The question's own ask: after a leading description (:data:`_LEADING_DESCRIPTION`), up to
    a second ask if it asks two things (:data:`_NEXT_ASK`). Its kind, measure, asked words and
    counted noun are read there."""
    lead = _LEADING_DESCRIPTION.match(text)
    text = text[lead.end() :] if lead else text
    parts = _NEXT_ASK.split(text, maxsplit=1)
    return parts[0] + "?" if len(parts) > 1 else text


def analyse(text: str) -> Question:
    """The kind, the asked words, the names and the subject of ``text``."""
    text = " ".join(text.split())
    ask = first_ask(text)
    kind = _kind(ask)
    measure = measure_of(ask) if kind == "figure" else None
    compared = targets(text)
    asked = asked_words(ask, kind)
    named = [
        name
        for name in names_in(CONTRAST.sub("", text))
        if name not in compared
        and not (measure and re.fullmatch(measure.asks, name, re.IGNORECASE))
        and not re.search(rf"\b{re.escape(name)}\b", asked)
    ]
    return Question(
        text=text,
        kind=kind,
        asked=asked,
        measure=measure,
        names=tuple(named),
        targets=tuple(compared),
        subject=subject_of(text),
        counted=counted_noun(ask) if measure is ANY_FIGURE else None,
        compared=tuple(_phrases(text, _TARGET, _TARGET_END)),
        conditions=tuple(conditions_of(text)),
    )


def _kind(text: str) -> Kind:
    if _PROPOSED.search(text):
        return "proposed"
    how_much = _HOW_MUCH.search(text)
    figure = not (how_much and _asks_first(text, how_much.start())) and measure_of(text) is not None
    if how_much and figure:
        return "figure"
    if _YES_NO.search(text):
        return "yes-no"
    if _LIST.search(text):
        return "list"
    if figure:
        return "figure"
    if _EXPLAIN.search(text):
        return "explanation"
    if _WHAT.search(text):
        return "which"
    return "other"


_FIRST_ASKS = re.compile(rf"\b(?:how|what|which)\s+{_AUX}\b", re.IGNORECASE)


def _asks_first(text: str, at: int) -> bool:
    """An earlier "how does / what is ..." is the question; a "how long" after it is part of what
    it asks about ("How does X keep its cost constant no matter how long the input is?")."""
    first = _FIRST_ASKS.search(text)
    return first is not None and first.start() < at


def is_list_question(text: str) -> bool:
    """Whether ``text`` asks for a set of papers on a topic ("which papers ...")."""
    return _kind(" ".join(text.split())) == "list"


def without_contrast(question: str) -> str:
    """The question without its contrast clauses (``CONTRAST``): BM25 and the embedding read
    "rather than X" as more of X, which pulls in the very papers a list question leaves out."""
    return " ".join(CONTRAST.sub("", question).split())
