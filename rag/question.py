"""What a question asks for: its focus terms and the kind of answer it wants.

Plain code, no model. :func:`analyse` reads a question and returns a :class:`Question`:

- **focus**: the terms an answering sentence must be about. A term is in focus when it is
  *name-shaped* (CamelCase, digits, hyphens, acronyms, or capitalised inside the question) and
  rare in the library (rule ``RARE_NAME_SHARE``), or when it is a plain word the library almost
  never uses (rule ``RARE_WORD_SHARE``). Consecutive name-shaped words form one name
  ("Universal Speech Model"); a name in brackets is an alias of the one before it. Without a
  library, shape alone decides. Words naming the measure asked for (WER, BLEU, hours...) are
  never focus: they say what kind of answer is wanted, not what it is about.
- **kind**, checked in this order:

  1. ``proposed``: "which paper proposed / introduced X" (``subject`` holds X and its aliases);
  2. ``figure``: "how many / how much / by how much", or "what" with a named measure (WER,
     BLEU, MOS, speed-up, parameters, hours, sampling rate, latency...); ``measure`` says
     which, so a figure can be checked for a plausible unit (:mod:`rag.answerability`);
  3. ``yes-no``: opens with an auxiliary verb ("Does EAGLE need ...");
  4. ``list``: "which / what papers (methods, models...)", "list ...";
  5. ``explanation``: "how does X work", "why", "what is", "explain";
  6. ``other``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from rag.lexical import LexicalIndex

Kind = Literal["figure", "proposed", "list", "yes-no", "explanation", "other"]

RARE_NAME_SHARE = 0.10
"""A name-shaped term is in focus when at most this share of the library's papers use it."""
RARE_WORD_SHARE = 0.02
"""A plain word is in focus when at most this share of the library's papers use it."""
WHAT_WINDOW = 5
"""A measure named within this many words after "what" / "which" makes a figure question."""


@dataclass(frozen=True)
class Measure:
    """A kind of figure: the words that ask for it and the units that make a number plausible."""

    name: str
    label: str
    """How a notice names it: "none of their abstracts states {label}"."""
    asks: str
    """Regex (case-insensitive) of question words asking for this measure."""
    unit: str
    """Regex (case-insensitive) matched right after a number (or around it, see ``near``)."""
    near: str = ""
    """Regex of words that make any number within a few words plausible (e.g. "BLEU 25.3")."""


NO_UNIT = r"(?!)"
"""A unit pattern that never matches: only ``near`` words make a number plausible."""
ANY_UNIT = r""
"""A unit pattern that always matches: any number is plausible."""

MEASURES: tuple[Measure, ...] = (
    Measure(
        "tokens-rate",
        "a rate in tokens per second",
        asks=r"tokens?\s*(?:per\s+second|/\s*s)\b",
        unit=r"tokens?\s*(?:/\s*s|per\s+second)",
    ),
    Measure(
        "hours",
        "an amount of audio in hours",
        asks=r"\bhours?\b|\bhow much (?:\w+\s+)?(?:speech|audio|data)\b",
        unit=r"k?\s*(?:hours?|hrs?|h)\b",
    ),
    Measure(
        "share",
        "a percentage",
        asks=r"\bfraction\b|\bpercent\w*|\bshare\b|\bproportion\b|\bhow much of\b",
        unit=r"%|percent",
    ),
    Measure(
        "parameters",
        "a parameter count",
        asks=r"\bparam(?:eter)?s?\b",
        unit=r"(?:[kmb]|million|billion)?%?(?:[\s-]+[a-z]+){0,2}?[\s-]*param(?:eter)?s?\b|"
        r"(?:[mb]|million|billion)\b(?!\s*(?:hours?|tokens?|samples?|pairs?|steps?|words?|utterances?)\b)",
    ),
    Measure(
        "sampling-rate",
        "a sampling rate",
        asks=r"\b(?:sampling|sample)[\s-]+rate\b|\bk?hz\b",
        unit=r"k?hz\b",
    ),
    Measure(
        "frame-rate",
        "a rate in Hz or frames per second",
        asks=r"\b(?:frame|token)[\s-]+rate\b|\bfps\b",
        unit=r"k?hz\b|fps\b|frames?\s+per\s+second",
    ),
    Measure(
        "real-time-factor",
        "a real-time factor",
        asks=r"real-time factor|\brtfx?\b",
        unit=r"(?:x|\u00d7)(?![a-z])",
        near=r"real-time factor|\brtfx?\b",
    ),
    Measure(
        "error-rate",
        "an error rate",
        asks=r"\b[wcp]ers?\b|\berror rates?\b",
        unit=r"%",
        near=r"\b[wcp]ers?\b|error rates?",
    ),
    Measure("bleu", "a BLEU score", asks=r"\bbleu\b", unit=NO_UNIT, near=r"bleu"),
    Measure("mos", "a MOS", asks=r"\bmos\b|mean opinion score", unit=NO_UNIT, near=r"\bmos\b|opinion score"),
    Measure(
        "speed-up",
        "a speed-up",
        asks=r"speed-?ups?\b|\bspeed\b|\bfaster\b|\baccelerat\w*|\bthroughput\b|\bhow many times\b",
        unit=r"(?:x|\u00d7|times|-?fold)(?![a-z])|%",
        near=r"speed-?ups?|faster|accelerat\w*|throughput",
    ),
    Measure(
        "latency",
        "a latency or duration",
        asks=r"\blatenc\w*|\bdelay\b|\bhow long\b",
        unit=r"(?:ms|msec|milliseconds?|s|sec|seconds?|minutes?|hours?)\b",
    ),
    Measure(
        "storage", "a memory or storage size", asks=r"\bstorage\b|\bmemory\b", unit=r"(?:[kmgt]b|bytes?)\b|%"
    ),
    Measure(
        "score",
        "a score",
        asks=r"\baccuracy\b|\bmap\b|\bf1\b|\beer\b|\bscore\b|\butmos\b|\bacceptance (?:rate|length)\b",
        unit=r"%",
        near=r"accuracy|\bmap\b|\bf1\b|\beer\b|score|utmos|acceptance",
    ),
    Measure("size", "a size", asks=r"\bsize\b|\bhow (?:large|big)\b", unit=ANY_UNIT),
)
COUNT = Measure("count", "a count", asks=r"\bhow many\b", unit=NO_UNIT)
"""A number followed within a few words by the counted noun (``Question.counted``)."""
ANY_FIGURE = Measure("figure", "a figure", asks=r"\bhow (?:much|fast|small)\b|\bby how much\b", unit=ANY_UNIT)

_PROPOSED = re.compile(
    r"\b(?:which|what)\s+(?:\w+\s+)?(?:paper|work|study|article|publication)s?\s+(?:first\s+)?"
    r"(?:proposed|proposes|introduced|introduces|presented|presents|developed|invented|coined)\b"
    r"|\bwho\s+(?:first\s+)?(?:proposed|introduced|invented)\b"
    r"|\b(?:where|in which paper)\s+(?:was|were)\b.*\b(?:proposed|introduced)\b",
    re.IGNORECASE,
)
_HOW_MUCH = re.compile(r"\bhow\s+(?:many|much|fast|large|big|long|small)\b|\bby how much\b", re.IGNORECASE)
_WHAT = re.compile(r"\b(?:what|which)\b", re.IGNORECASE)
_YES_NO = re.compile(
    r"^\s*(?:does|do|did|is|are|was|were|can|could|has|have|had|will|would|should|may)\b", re.IGNORECASE
)
_LIST = re.compile(
    r"^\s*(?:which|what)\s+(?:[\w/-]+\s+){0,2}(?:papers|works|studies|methods|approaches|models|systems|"
    r"techniques|articles)\b|^\s*(?:list|find|show)\b|\bpapers\s+(?:on|about|that)\b",
    re.IGNORECASE,
)
CONTRAST = re.compile(r",?\s*\b(?:rather than|instead of)\b[^,;?)]*", re.IGNORECASE)  # "... rather than X"
_EXPLAIN = re.compile(
    r"^\s*(?:how|why)\b|^\s*what\s+(?:is|are)\s+(?:the\s+)?(?:idea|role|purpose|difference|main)\b|"
    r"^\s*(?:explain|describe)\b|\bwork\?*\s*$",
    re.IGNORECASE,
)

_TOKEN = re.compile(r"\(|\)|,|[A-Za-z0-9][\w\-+.'/]*[\w+]|[A-Za-z0-9]")
_MEASURE_WORDS = re.compile(
    r"^(?:[wcp]ers?|bleu|mos|map|f1|eer|rtfx?|fps|k?hz|utmos|hours?|params?|parameters?|x)$", re.IGNORECASE
)
_FUNCTION_WORDS = frozenset(
    " ".join(
        (
            "a an the and or but of on in at to for from by with without via into about as is are was were",
            "be been being do does did has have had can could may might will would should which what who",
            "whom whose when where why how that this these those there their they them it its i we you our",
            "your my me any some all each more most other such than then so not no also just only very much",
            "many paper papers work works study studies first proposed proposes introduced introduces",
            "presented presents developed invented coined propose introduce present develop invent coin",
        )
    ).split()
)
_GENERIC_HEAD = frozenset(
    " ".join(
        (
            "architecture model models method methods approach framework algorithm technique",
            "system benchmark paper idea",
        )
    ).split()
)


@dataclass(frozen=True)
class Question:
    text: str
    kind: Kind
    focus: tuple[str, ...] = ()
    """Terms an answering sentence must be about, as written in the question."""
    names: tuple[str, ...] = ()
    """The focus terms that are name-shaped: each must appear in an answering paper."""
    measure: Measure | None = None
    """For ``figure`` questions: which figure is asked for."""
    subject: tuple[str, ...] = field(default=())
    """For ``proposed`` questions: X and its aliases."""
    counted: str | None = None
    """For "how many N" questions: N's head noun ("languages")."""


def _is_name(word: str, first: bool) -> bool:
    """Name-shaped: digits, CamelCase or acronym, capitalised inside the sentence, or "++".

    A hyphen makes a name only with a capital or digit ("Canary-1B", "OPT-Tree"); hyphenated
    lower-case words ("text-to-speech", "fine-tuning") are plain words."""
    if any(c.isdigit() for c in word) or word.endswith("+"):
        return True
    if any(c.isupper() for c in word[1:]):  # CamelCase or ACRONYM
        return True
    return word[:1].isupper() and not first


def _share(term: str, lexical: LexicalIndex | None, *, rarest: bool) -> float | None:
    """The share of papers using the rarest (or the commonest) stemmed part of ``term``.

    None without a library. A name is as rare as its rarest part ("Universal Speech Model");
    a plain word as its commonest ("multi-turn")."""
    if lexical is None or not len(lexical):
        return None
    parts = lexical.terms(term)
    if not parts:
        return 1.0
    counts = [lexical.doc_freq.get(part, 0) for part in parts]
    return (min(counts) if rarest else max(counts)) / len(lexical)


def _words(text: str) -> list[str]:
    """Words and brackets; a possessive ends a name ("NVIDIA's Canary-1B": two names)."""
    words = []
    for token in _TOKEN.findall(text):
        possessive = token.endswith("'s")
        words.append(token[:-2] if possessive else token.rstrip(".'"))
        if possessive:
            words.append(",")
    return [w for w in words if w]


def focus_terms(
    text: str, lexical: LexicalIndex | None = None
) -> tuple[list[str], list[str], list[list[str]]]:
    """(focus, names, alias groups): see the module docstring."""
    focus: list[str] = []
    names: list[str] = []
    groups: list[list[str]] = []
    run: list[str] = []
    plain: list[str] = []  # content words since the last name: "parallel prompt decoding (PPD)"
    bracketed_after: list[str] = []
    in_brackets = False

    def close() -> None:
        if not run:
            return
        name = " ".join(run)
        run.clear()
        expanded = _expansion(name, bracketed_after) if in_brackets else None
        share = _share(name, lexical, rarest=True)
        if share is not None and share > RARE_NAME_SHARE and expanded is None:
            return
        if name not in focus:
            focus.append(name)
            names.append(name)
        if expanded is not None:
            focus.append(expanded)
            groups.append([expanded, name])
        elif in_brackets and groups:
            groups[-1].append(name)
        else:
            groups.append([name])

    for index, word in enumerate(_words(text)):
        if word in "(),":
            close()
            if word == "(":
                in_brackets, bracketed_after = True, list(plain)
            elif word == ")":
                in_brackets = False
            plain = []
            continue
        low = word.lower()
        if _MEASURE_WORDS.match(word) or low in _FUNCTION_WORDS:
            close()
            plain = []
            continue
        if _is_name(word, first=index == 0):
            run.append(word)
            plain = []
            continue
        close()
        plain.append(word)
        share = _share(word, lexical, rarest=False)
        if share is not None and share <= RARE_WORD_SHARE and len(word) > 3 and word not in focus:
            focus.append(word)
    close()
    return focus, names, groups


def _expansion(acronym: str, words: list[str]) -> str | None:
    """The plain words an acronym in brackets abbreviates: "parallel prompt decoding (PPD)"."""
    letters = acronym.replace("-", "").lower()
    if not letters.isalpha() or len(letters) < 2 or len(words) < len(letters):
        return None
    candidate = words[-len(letters) :]
    if "".join(w[0].lower() for w in candidate) != letters:
        return None
    return " ".join(candidate)


def measure_of(text: str) -> Measure | None:
    """The figure ``text`` asks for, if it asks for one: "how many / how much ...", or a named
    measure within ``WHAT_WINDOW`` words after "what" / "which" ("What average relative WER")."""
    how_much = _HOW_MUCH.search(text)
    if how_much:
        windows = [text]
    else:
        windows = [" ".join(text[m.end() :].split()[:WHAT_WINDOW]) for m in _WHAT.finditer(text)]
    for measure in MEASURES:
        if any(re.search(measure.asks, window, re.IGNORECASE) for window in windows):
            return measure
    if not how_much:
        return None
    if re.search(r"\bhow many\b", text, re.IGNORECASE):
        return COUNT
    return ANY_FIGURE


_VERB = re.compile(r"\b(?:is|are|was|were|do|does|did|has|have|had|can|could|will|would|should)\b", re.I)


def counted_noun(text: str) -> str | None:
    """N in "how many N does ...": the last word before the verb ("tail languages" -> "languages")."""
    match = re.search(r"\bhow many\s+(.*)", text, re.IGNORECASE)
    if not match:
        return None
    phrase = _VERB.split(match.group(1), maxsplit=1)[0]
    words = [w for w in _words(phrase) if w not in "(),"]
    return words[-1] if words else None


def _subject(text: str, groups: list[list[str]]) -> tuple[str, ...]:
    """X in "which paper proposed X": the names after the verb with their aliases, else the phrase."""
    match = _PROPOSED.search(text)
    rest = text[match.end() :] if match else text
    found = [name for group in groups for name in group if name.split()[0] in rest]
    if found:
        return tuple(found)
    words = [w for w in _words(rest) if w not in "(),"]
    phrase: list[str] = []
    for word in words:
        if word.lower() in ("for", "with", "in", "on", "to", "that", "which", "by", "using"):
            break
        if word.lower() not in ("the", "a", "an"):
            phrase.append(word)
    while phrase and phrase[-1].lower() in _GENERIC_HEAD:
        phrase.pop()
    return (" ".join(phrase),) if phrase else ()


def analyse(text: str, lexical: LexicalIndex | None = None) -> Question:
    """The kind and focus of ``text``; ``lexical`` supplies the library's term statistics."""
    text = " ".join(text.split())
    focus, names, groups = focus_terms(text, lexical)
    asked_for = measure_of(text)
    if asked_for is not None:  # the measure's own words say what is wanted, not what it is about
        focus = [term for term in focus if not re.search(asked_for.asks, term, re.IGNORECASE)]
    common = {"text": text, "focus": tuple(focus), "names": tuple(names)}
    if _PROPOSED.search(text):
        return Question(kind="proposed", subject=_subject(text, groups), **common)
    how_much = _HOW_MUCH.search(text) is not None
    if how_much and (measure := measure_of(text)) is not None:
        return Question(kind="figure", measure=measure, counted=_counted(measure, text), **common)
    if _YES_NO.search(text):
        return Question(kind="yes-no", **common)
    if _LIST.search(text):
        return Question(kind="list", **common)
    if (measure := measure_of(text)) is not None:
        return Question(kind="figure", measure=measure, counted=_counted(measure, text), **common)
    if _EXPLAIN.search(text):
        return Question(kind="explanation", **common)
    return Question(kind="other", **common)


def _counted(measure: Measure, text: str) -> str | None:
    return counted_noun(text) if measure is COUNT else None


def without_contrast(question: str) -> str:
    """The question without its contrast clauses (``CONTRAST``): BM25 and the embedding read
    "rather than X" as more of X, which pulls in the very papers a list question leaves out."""
    return " ".join(CONTRAST.sub("", question).split())
