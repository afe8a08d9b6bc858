"""Stage 3 of a related-work draft: one sentence per paper, grounded in one abstract sentence.

The sentence comes from the paper's contribution sentence ("we propose / introduce / present..."),
else the sentence closest to the description, put in the third person only where that is a safe
rewrite of the opening words ("We propose X" -> "EAGLE proposes X"); otherwise it is quoted
verbatim.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from rag.cite import bibtex
from rag.index.library import Library
from rag.llm.generate import Passage, rank_sentences
from rag.sources.corpus import Paper
from rag.sources.sentences import sentence_spans


def word_set(*lines: str) -> frozenset[str]:
    """The space-separated words of ``lines``, as a set."""
    return frozenset(" ".join(lines).split())


def third_person(verb: str) -> str:
    """``propose`` -> ``proposes``, ``study`` -> ``studies``, ``focus`` -> ``focuses``."""
    verb = verb.lower()
    if verb.endswith("y") and verb[-2:-1] not in "aeiou":
        return verb[:-1] + "ies"
    if verb.endswith(("s", "sh", "ch", "x", "z", "o")):
        return verb + "es"
    return verb + "s"


_LEADING_VERBS = word_set(
    "propose introduce present develop design describe devise build create release unveil",
    "formulate construct contribute",
)
_OTHER_VERBS = word_set(
    "show study investigate explore demonstrate offer provide address tackle analyze analyse",
    "examine evaluate extend leverage establish report find identify conduct revisit consider",
    "focus train adopt apply employ derive prove argue compare achieve pioneer combine exploit",
    "utilize utilise integrate incorporate enhance improve reduce learn model treat frame cast view",
    "reformulate generalize unify benchmark collect curate measure quantify characterize assess",
    "validate verify highlight discuss outline review survey summarize aim seek attempt observe",
)
_VERBS = "|".join(sorted(_LEADING_VERBS | _OTHER_VERBS))
_VERBS_THIRD_PERSON = "|".join(sorted(third_person(verb) for verb in _LEADING_VERBS | _OTHER_VERBS))
_LEAD = r"(?P<lead>[^,;]{1,100},\s+|(?:here|in this (?:paper|work|study|letter|article|report))\s+)?"
_WE = re.compile(
    _LEAD + r"we\s+(?:(?:also|further|first|then|additionally|here|now|thus|therefore|hence)\s+)?"
    rf"(?P<verb>{_VERBS})\b(?P<rest>.*)",
    re.IGNORECASE | re.DOTALL,
)
_THIS_PAPER = re.compile(
    _LEAD + r"(?:this|the present) (?:paper|work|study|letter|article|report)\s+"
    rf"(?P<verb>{_VERBS_THIRD_PERSON})\b(?P<rest>.*)",
    re.IGNORECASE | re.DOTALL,
)
_FIRST_PERSON = re.compile(r"\b(?:we|our|ours|us|ourselves)\b", re.IGNORECASE)


@dataclass(frozen=True)
class Statement:
    """One sentence of the draft about one paper, grounded in one sentence of its abstract."""

    paper: Paper
    subject: str
    """How the paper is named: its authors, its short title, or its full title."""
    subject_is_title: bool
    predicate: str | None
    """``"proposes X, ..."`` for a rewritten sentence (no final full stop), else None."""
    quote: str | None
    """The abstract sentence quoted verbatim when it could not be rewritten safely, else None."""
    span: tuple[int, int]
    """The character span of the source sentence in the abstract."""
    by_citation: bool = False
    """Named by its citation ("The authors of [3] propose LiveSpeech, ..."): the sentence already
    names the paper, or the paper has no short name. ``subject`` is then ``"The authors of"`` (or
    ``"The work in"`` for a sentence with no plural form, "This paper presents ...")."""

    @property
    def source(self) -> str:
        return self.paper.abstract[self.span[0] : self.span[1]]


def subject(paper: Paper) -> tuple[str, bool, bool]:
    """(name, is a title, is plural): "Smith et al.", "Smith and Lee", "EAGLE", or the title."""
    names = [bibtex.last_name(author) for author in paper.authors]
    names = [name for name in names if name]
    if len(names) >= 3:
        return f"{names[0]} et al.", False, True
    if len(names) == 2:
        return f"{names[0]} and {names[1]}", False, True
    if len(names) == 1:
        return names[0], False, False
    head, colon, _ = paper.title.partition(":")
    if colon and len(head) <= 40 and len(head.split()) <= 4:
        return head.strip(), False, False
    return paper.title, True, False


def contribution_spans(abstract: str) -> list[tuple[int, int]]:
    """The abstract's contribution sentences: "we propose/introduce/..." first, then the others."""
    leading, other = [], []
    for start, end in sentence_spans(abstract):
        match = _WE.match(abstract[start:end]) or _THIS_PAPER.match(abstract[start:end])
        if match is None:
            continue
        verb = match.group("verb").lower()
        (leading if any(verb.startswith(v) for v in _LEADING_VERBS) else other).append((start, end))
    return leading + other


def rewrite(sentence: str, *, plural: bool) -> str | None:
    """The predicate of ``sentence`` in the third person ("proposes X"), or None when unsafe."""
    body = sentence.strip()
    match = _WE.match(body)
    if match:
        verb = match.group("verb").lower()
        verb = verb if plural else third_person(verb)
    else:
        match = _THIS_PAPER.match(body)
        if match is None:
            return None
        verb = match.group("verb").lower()
        if plural:
            return None
    rest = match.group("rest").rstrip()
    if not re.match(r"\s+\w", rest) or _FIRST_PERSON.search(rest) or rest.count('"') % 2:
        return None  # "we find, ..." or first person left over: not a safe rewrite
    return (verb + rest).rstrip(" .")


def statement(paper: Paper, *, fallback: tuple[int, int] | None = None) -> Statement:
    """The sentence the draft says about ``paper``.

    The first contribution sentence that can be put in the third person is rewritten; failing
    that, the first contribution sentence (else ``fallback``, else the first sentence) is quoted.
    The subject is the authors or the short name, or "The authors of [n]" where the sentence
    itself names the paper or the paper has only a long title.
    """
    name, is_title, plural = subject(paper)
    spans = contribution_spans(paper.abstract)
    for start, end in spans:
        sentence = paper.abstract[start:end]
        predicate = rewrite(sentence, plural=plural)
        if predicate is None:
            continue
        if is_title or _names(predicate, name):  # not "LiveSpeech presents LiveSpeech, ..."
            plural_predicate = rewrite(sentence, plural=True)
            if plural_predicate is not None:
                return Statement(paper, AUTHORS_OF, False, plural_predicate, None, (start, end), True)
            return Statement(paper, WORK_IN, False, predicate, None, (start, end), True)
        return Statement(paper, name, is_title, predicate, None, (start, end))
    span = (
        spans[0] if spans else fallback or (sentence_spans(paper.abstract) or [(0, len(paper.abstract))])[0]
    )
    quote = paper.abstract[span[0] : span[1]].rstrip(" .")
    if is_title:
        return Statement(paper, AUTHORS_OF, False, None, quote, span, True)
    return Statement(paper, name, is_title, None, quote, span)


AUTHORS_OF = "The authors of"
WORK_IN = "The work in"
"""For "This paper presents X" (no plural form): "The work in [3] presents X"."""


def _names(predicate: str, name: str) -> bool:
    """Whether ``predicate`` names the paper itself ("presents EAGLE, a ..." for EAGLE)."""
    return re.search(rf"(?<!\w){re.escape(name)}(?!\w)", predicate, re.IGNORECASE) is not None


def closest_sentences(
    description: str, papers: Sequence[Paper], library: Library
) -> dict[str, tuple[int, int]]:
    """For papers without a contribution sentence: the abstract sentence closest to the description."""
    lacking = [paper for paper in papers if not contribution_spans(paper.abstract)]
    passages = [Passage(number, paper) for number, paper in enumerate(lacking)]
    best: dict[str, tuple[int, int]] = {}
    for sentence in rank_sentences(library.embedder, description, passages):
        best.setdefault(lacking[sentence.marker].id, (sentence.start, sentence.end))
    return best
