"""Does any retrieved abstract answer the question? The check between retrieval and generation.

Retrieval finds papers *about* a question; this module asks whether one of their sentences
*answers* it, by the kind of question (:mod:`rag.question`). The rules, in the order applied:

- ``BOILERPLATE``: links, release notes, demos and hopes for future work ("We aim for this work
  to serve as a catalyst for further research") never answer anything.
- ``FOCUS``: a sentence carries the question's focus when one of its focus terms appears in it
  outside a baseline mention (or in the head of its paper's title), and every *name* of the
  question (rag.question) appears somewhere in that paper's title or abstract. A question with
  no focus terms puts no condition here.
- ``BASELINE``: a mention is a baseline mention when the nearest cue before it in its clause is
  a baseline cue ("compared with", "outperforms", "than", "such as", "inspired by", "built upon",
  "an iteration of"...) rather than a contribution cue ("we propose / introduce / present",
  "called", "termed", "a novel", "our X", "X is proposed") or a component cue ("using",
  "combines", "leverages"...: someone else's part, which a sentence may still be about).
- ``FIGURE`` (figure questions): the sentence also holds a number with a plausible unit for the
  measure asked: the measure's unit right after the number ("160 tokens/s", "3x", "100K
  hours"), or one of its words within ``NEAR_WORDS`` words ("MOS 4.08", "speed-up ratio of up to
  3.2"), or for "how many N" the noun N within ``COUNT_GAP`` words after it ("39 tail languages").
- ``CONTRIBUTION`` ("which paper proposed X"): X is the paper's own contribution: the head of its
  title (before the colon) is X, or a sentence mentions X right after a contribution cue (nearer
  than any baseline or component cue, and not behind "to / of / for ...": "a new approach to
  enrich HuBERT" does not propose HuBERT). A name followed by a version ("VALL-E R",
  "Clover-2") is another name.

A question with no answering sentence is not answered (:mod:`rag.abstention` words why).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from rag.chunking import sentence_spans
from rag.corpus import Paper
from rag.question import ANY_UNIT, NO_UNIT, Question

Terms = Callable[[str], list[str]]
"""The library's term function (stemmed, stop words dropped): ``LexicalIndex.terms``."""

NEAR_WORDS = 6
"""A measure word this close (in words) to a number makes the number plausible."""
COUNT_GAP = 4
"""In "how many N", at most this many words between the number and N."""

BOILERPLATE = re.compile(
    r"https?://|www\.|github\.com|\bavailable (?:at|online|on)\b|\bcode (?:is|and|will)\b|"
    r"\b(?:we|will) (?:release|open-source|make)\b.*\b(?:public|available|code|models?)\b|"
    r"\baudio samples\b|\bdemos?\b.*\b(?:at|online)\b|\bfuture (?:research|work|directions?)\b|"
    r"\bcatalyst\b|\bwe hope\b|\bwe believe\b|\bopen science\b|\bto the best of our knowledge\b",
    re.IGNORECASE,
)
_CONTRIBUTION = re.compile(
    r"\bwe\s+(?:\w+\s+)?(?:propose|introduce|present|develop|design|build|call|name|dub|term|coin)\w*|"
    r"\b(?:paper|work|study|report|article)\s+(?:propose|introduce|present)s?\b|"
    r"\b(?:called|termed|named|dubbed|coined)\b|\bnovel\b|\bnew\b|\b(?:is|are)\s+(?:proposed|introduced)\b|"
    r"\bthe proposed\b",
    re.IGNORECASE,
)
_BASELINE = re.compile(
    r"\bcompared?\s+(?:with|to|against)\b|\bcomparison\b|\boutperform\w*|\bsurpass\w*|\bthan\b|"
    r"\bsuch as\b|\blike\b|\be\.g\.|\bincluding\b|\bversus\b|\bvs\b|\bbaselines?\b|\binspired by\b|"
    r"\bbased on\b|\bbuil[dt]\w*\s+(?:up)?on\b|\bupon\b|\b(?:iteration|version|extension|variant)s?\s+of\b|"
    r"\bprior\b|\bprevious\w*|\bexisting\b|\boriginal\b|\bover\b|\bagainst\b",
    re.IGNORECASE,
)
_COMPONENT = re.compile(
    r"\bus(?:e|es|ed|ing)\b|\bfollowing\b|\brel(?:y|ies|ying) on\b|\bapplied to\b|\brepresented by\b|"
    r"\bcombin\w*|\bleverag\w*|\bemploy\w*|\badopt\w*|\bintegrat\w*|\bfine-?tun\w*",
    re.IGNORECASE,
)
"""Cues of a component someone else made: not a baseline (a sentence about it may carry the
focus), but not the paper's own contribution either."""
_LINK = re.compile(r"\b(?:to|of|for|with|on|upon|from|by|over|into|than|that|which|whose)\b", re.IGNORECASE)
"""Between a contribution cue and X, these make X an object of something else
("we propose a new approach to enrich ... HuBERT")."""
_NEW_SUBJECT = re.compile(r"[,;:]\s+(?=(?:we|our|it|this|they|these)\b)", re.IGNORECASE)
_NAME_BEFORE = re.compile(r"(?:\b[A-Za-z][\w\-.]*[A-Z0-9][\w\-.]*|\b[A-Z][a-z][\w\-.]*)\s+$")
"""A name-shaped word right before a number: "LLaMA2-Chat 13B", "IWSLT 2021", "Vicuna 7B"."""
_MULTIPLIER = re.compile(r"\s*(?:%|x\b|\u00d7|times\b|-?fold\b)", re.IGNORECASE)
_YEAR = re.compile(r"(?:19|20)\d\d$")
_NUMBER = re.compile(
    r"(?<![\w.\-])(?:\d[\d,]*(?:\.\d+)?|one|two|three|four|five|six|seven|eight|nine|ten|twelve|twenty|"
    r"hundred|thousand)(?![\d.,]\d)",
    re.IGNORECASE,
)
_DIGITS = re.compile(r"\d[\d,]*(?:\.\d+)?")


@dataclass(frozen=True)
class Sentence:
    """One sentence of a retrieved paper's abstract, with the paper's evidence marker."""

    marker: int
    paper: Paper
    span: tuple[int, int]

    @property
    def text(self) -> str:
        return self.paper.abstract[self.span[0] : self.span[1]]


@dataclass(frozen=True)
class Check:
    """The outcome of :func:`check`."""

    answers: list[Sentence]
    """Sentences that answer the question (empty: it is not answerable from these papers)."""
    mentioning: list[Paper]
    """Retrieved papers that mention every name of the question (pointers for a notice)."""
    baseline_only: bool
    """The names are mentioned, but only as baselines or components."""


def sentences_of(marker: int, paper: Paper) -> list[Sentence]:
    return [Sentence(marker, paper, span) for span in sentence_spans(paper.abstract)]


def is_boilerplate(text: str) -> bool:
    """``BOILERPLATE``, unless the sentence also states a figure outside its links ("a latency of
    160ms, ... and is available at https://...")."""
    if BOILERPLATE.search(text) is None:
        return False
    return not _DIGITS.search(re.sub(r"\S*(?:https?://|www\.|\.com|\.io)\S*", "", text))


_PRESENTS = re.compile(
    r"\bwe\s+(?:\w+\s+)?(?:propose|introduce|present|develop|design|build|provide|conduct|study|explore|"
    r"review|survey|investigate|examine|describe)\w*|\b(?:this|the|our)\s+(?:paper|work|study|survey|report|"
    r"article|review)\s+(?:\w+\s+)?(?:propose|introduce|present|provide|review|survey|stud|explor|investigat|"
    r"examin|describe|focus)\w*|\b(?:is|are)\s+(?:proposed|introduced|presented)\b",
    re.IGNORECASE,
)


def is_contribution_sentence(text: str) -> bool:
    """Whether a sentence presents the paper's own work ("we propose ...", "This paper presents ...")."""
    return _PRESENTS.search(text) is not None


def title_head(title: str) -> str:
    """The part of a title that names the paper's own contribution: before a colon, else up to
    the first preposition ("Sparsely Shared LoRA on Whisper ..." -> "Sparsely Shared LoRA")."""
    head, colon, _ = title.partition(":")
    if colon:
        return head.strip()
    return re.split(r"\s+(?:on|for|with|via|from|using|in|of|to|by|that|through)\s+", title, maxsplit=1)[0]


_TITLE_LINK = re.compile(r"\b(?:for|on|with|via|from|using|of|to|by|over|than|like|beyond|into|in)\s+$", re.I)


def title_names(title: str, name: str) -> bool:
    """Whether the title names ``name`` (its first word) as the paper's subject: in its head, or
    anywhere not behind a preposition ("FBK@IWSLT2021" yes; "... Heads for Medusa Decoding" no)."""
    found = mentions(name, title) or mentions(name.split()[0], title)
    return any(at < len(title_head(title)) or not _TITLE_LINK.search(title[:at]) for at in found)


def _compact(text: str) -> str:
    return re.sub(r"[\s\-_]+", "", text).lower()


def mentions(name: str, text: str) -> list[int]:
    """Start offsets of ``name`` in ``text`` as a whole name: not part of a longer word, nor
    followed by a version ("VALL-E R", "Clover-2", "FastSpeech 2s" are other names)."""
    words = [re.escape(w) for w in name.split()]
    pattern = r"(?<![\w\-])(?i:" + r"[\s\-]*".join(words) + r")(?![\w\-+])(?!\s+(?:[A-Z]|\d+[a-z]?)\b)"
    return [m.start() for m in re.finditer(pattern, text)]


def _clause(before: str) -> str:
    """The part of ``before`` in the same clause: a cue's reach ends where a new subject starts
    ("Using our method, we train the GigaAM family": "using" does not reach GigaAM)."""
    return _NEW_SUBJECT.split(before)[-1]


def is_baseline_mention(sentence: str, start: int) -> bool:
    """``BASELINE``: the nearest cue before ``start`` is a baseline cue (no cue: not baseline)."""
    before = _clause(sentence[:start])
    cues = [(m.end(), True) for m in _BASELINE.finditer(before)]
    cues += [(m.end(), False) for m in _CONTRIBUTION.finditer(before)]
    if re.search(r"\bour\s+$", before, re.IGNORECASE):
        return False
    return bool(cues) and max(cues)[1]


def is_contribution(sentence: str, start: int) -> bool:
    """``CONTRIBUTION``: a contribution cue is the nearest cue before the mention, or the
    mention is followed by "is proposed" / directly preceded by "our"."""
    before = _clause(sentence[:start])
    if re.search(r"\bour\s+$", before, re.IGNORECASE):
        return True
    cues = [(m.end(), True) for m in _CONTRIBUTION.finditer(before)]
    cues += [(m.end(), False) for cue in (_BASELINE, _COMPONENT) for m in cue.finditer(before)]
    if cues:
        end, contribution = max(cues)
        return contribution and not _LINK.search(before[end:])
    return re.match(r"[^,;]*?\b(?:is|are) (?:proposed|introduced|presented)\b", sentence[start:]) is not None


def proposes(paper: Paper, subject: Sequence[str]) -> list[tuple[int, int]]:
    """Spans of the sentences in which ``paper`` presents one of ``subject`` as its own; the
    first sentence stands in when the title head names it and no sentence does."""
    spans = sentence_spans(paper.abstract)
    found = [
        (s, e)
        for s, e in spans
        if any(
            is_contribution(paper.abstract[s:e], at)
            for name in subject
            for at in mentions(name, paper.abstract[s:e])
        )
    ]
    head = _compact(title_head(paper.title))
    if not found and spans and any(_compact(name) == head for name in subject):
        contributing = [(s, e) for s, e in spans if _CONTRIBUTION.search(paper.abstract[s:e])]
        found = contributing[:1] or spans[:1]
    return found


def _has(terms: Terms, name: str, text_terms: set[str]) -> bool:
    wanted = set(terms(name))
    return bool(wanted) and wanted <= text_terms


def carries_focus(question: Question, sentence: Sentence, terms: Terms) -> bool:
    """``FOCUS`` for one sentence (the names-in-paper half is checked by :func:`check`): a name
    mentioned outside a baseline mention or in the title head, or a rare plain word present."""
    if not question.focus:
        return True
    title = sentence.paper.title
    text = sentence.text
    text_terms = set(terms(text))
    for term in question.focus:
        if term not in question.names:
            if _has(terms, term, text_terms) or _has(terms, term, set(terms(title))):
                return True
            continue
        if title_names(title, term):
            return True
        if any(not is_baseline_mention(text, at) for at in mentions(term, text)):
            return True
    return False


def has_figure(question: Question, text: str) -> bool:
    """``FIGURE``: a number with a plausible unit for the measure ``question`` asks for."""
    measure = question.measure
    if measure is None:
        return False
    for match in _NUMBER.finditer(text):
        after = text[match.end() :]
        if (
            _MULTIPLIER.match(after)
            and measure.unit != NO_UNIT
            and re.match(r"\s*(?:" + measure.unit + ")", after, re.I)
        ):
            return True
        if match.group(0)[0].isalpha() or _part_of_name(text[: match.start()], measure.near):
            continue  # number words count only as multipliers; "IWSLT 2021" is a name
        if question.counted:
            stem = question.counted.lower().rstrip("s")[:5]
            if any(word.lower().startswith(stem) for word in after.split()[: COUNT_GAP + 1]):
                return True
        if _YEAR.match(match.group(0)):
            continue  # a bare year is a date, not the figure asked for
        if measure.unit == ANY_UNIT or re.match(r"\s*(?:" + measure.unit + ")", after, re.I):
            return True
        if measure.near:
            before = " ".join(text[: match.start()].split()[-NEAR_WORDS:])
            if re.search(measure.near, before, re.I) or re.search(
                measure.near, " ".join(after.split()[:NEAR_WORDS]), re.I
            ):
                return True
    return False


def _part_of_name(before: str, near: str) -> bool:
    """A number right after a name-shaped word is part of the name ("IWSLT 2021", "Vicuna 7B"),
    unless that word is the measure ("MOS 4.08", "BLEU 25.3")."""
    name = _NAME_BEFORE.search(before)
    return name is not None and not (near and re.search(near, name.group(0), re.IGNORECASE))


def check(question: Question, passages: Iterable[tuple[int, Paper]], terms: Terms) -> Check:
    """The sentences of ``passages`` (marker, paper) that answer ``question``."""
    answers: list[Sentence] = []
    mentioning: list[Paper] = []
    named_outside_baseline = False
    for marker, paper in passages:
        paper_terms = set(terms(f"{paper.title} {paper.abstract}"))
        if not all(_has(terms, name, paper_terms) for name in question.names):
            continue
        mentioning.append(paper)
        if question.kind == "proposed":
            spans = proposes(paper, question.subject)
            answers += [Sentence(marker, paper, span) for span in spans]
            continue
        for sentence in sentences_of(marker, paper):
            if is_boilerplate(sentence.text) or not carries_focus(question, sentence, terms):
                continue
            named_outside_baseline = True
            if question.kind != "figure" or has_figure(question, sentence.text):
                answers.append(sentence)
    baseline_only = bool(mentioning) and not answers and not named_outside_baseline
    return Check(answers, mentioning, baseline_only)


def figures_missing(claim: str, sources: Iterable[str]) -> list[str]:
    """Figures (numbers with digits) of ``claim`` that no source text contains.

    For the support check of model-written answers: a sentence answering a figure question with
    a figure no cited sentence holds is unsupported, however similar its words are."""
    held = {n.replace(",", "") for text in sources for n in _DIGITS.findall(text)}
    return [n for n in _DIGITS.findall(claim) if n.replace(",", "") not in held]
