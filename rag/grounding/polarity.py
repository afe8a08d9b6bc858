"""Direction and negation: does a claim say the opposite of the sentence it rests on?

Two signals, each a feature of the judge (:mod:`rag.grounding.features`), neither a verdict alone:

- **direction**: words that move a quantity one way or the other, on a few axes (speed: faster /
  slower; amount: increase / reduce, more / fewer; quality: improves / degrades, outperforms /
  underperforms; ability: enables / prevents). Two texts *disagree* on an axis when one moves a
  thing up and the other moves the same thing down, "the same thing" meaning the words around the
  two direction words name the same thing ("reduces latency" against "increases latency"), or
  neither names one, unless the source also moves that thing the claim's way (it says both:
  "larger models deserve larger vocabularies; most use too small ones"). A word against the same
  word with a negating prefix ("destabilizes" against "stabilizes", "unsupervised" against
  "supervised") disagrees too, but not "non-": "non-autoregressive" and "autoregressive",
  "non-streaming" and "streaming" name families of models that papers set side by side ("a
  non-autoregressive variant of an autoregressive TTS family"; measured on the tune halves of the
  claims and the manuscript sentences: it flagged more correct citations than wrong ones).
- **negation**: "not", "no", "never", "cannot", "without", "fails to", "unable", "lacks": one text
  negated and the other not; a text that says a thing is absent in other words ("eliminates",
  "bypassing the need for", "alignment-free") counts as negated, as "without X" does.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_AXES: dict[str, tuple[str, str]] = {
    "speed": (
        r"faster|quicker|speed(?:s|ed)?[\s-]?up|speedups?|accelerat\w*|shorten\w*",
        r"slower|slow(?:s|ed)?\s+down|slows|decelerat\w*|lengthen\w*",
    ),
    "amount": (
        r"increas\w*|rais(?:e|es|ed|ing)|boost\w*|higher|more|larger|greater|grow\w*|doubl\w*|expand\w*",
        r"decreas\w*|reduc\w*|lower\w*|less|fewer|smaller|shrink\w*|cut(?:s|ting)?|halv\w*|drops?|dropped",
    ),
    "quality": (
        r"improv\w*|better|outperform\w*|surpass\w*|beats?|exceed\w*|superior|gains?|enhanc\w*|helps?",
        r"degrad\w*|worse|underperform\w*|hurts?|harm\w*|inferior|falls? short|lags? behind|deteriorat\w*",
    ),
    "ability": (r"enabl\w*|allow\w*|permits?", r"prevent\w*|hinder\w*|preclud\w*|blocks?"),
    "size": (
        r"high\w*|large\w*|long\w*|many|deep\w*|big\w*|wide\w*",
        r"low\w*|small\w*|short\w*|few\w*|shallow\w*|tiny|narrow\w*",
    ),
    "need": (
        r"needs?|needed|requir\w*|rel(?:y|ies|ied) on|depend\w* on|must|has to|have to",
        r"eliminat\w*|obviat\w*|dispens\w*|free|without|no longer|removes? the need",
    ),
    "learning": (r"learn\w*|trainable|adaptive|dynamic\w*", r"static|fixed|frozen|hand-?crafted|predefined"),
    "sharing": (r"shared|joint\w*|unified|single|common", r"separate\w*|independent\w*|distinct|individual"),
}
_POLES = [
    (axis, sign, re.compile(rf"\b(?:{pattern})\b", re.IGNORECASE))
    for axis, (up, down) in _AXES.items()
    for sign, pattern in ((1, up), (-1, down))
]
_NEGATION = re.compile(
    r"\b(?:not|no|never|cannot|without|neither|nor|unable|lacks?|lacking)\b|n't\b|\bfail(?:s|ed)?\s+to\b",
    re.IGNORECASE,
)
_NON = re.compile(r"\b(?:un|de|dis|in|im|ir)([a-z]{5,})\b", re.IGNORECASE)
"""A negating prefix: "unsupervised", "destabilizes", "incorrect" (not "non-": see above)."""
_WORD = re.compile(r"[A-Za-z][A-Za-z0-9\-]+")
_STOP = frozenset(
    [
        "the",
        "a",
        "an",
        "of",
        "to",
        "in",
        "on",
        "for",
        "by",
        "with",
        "and",
        "or",
        "than",
        "that",
        "this",
        "these",
        "those",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "its",
        "their",
        "it",
        "as",
        "at",
        "from",
        "into",
        "over",
        "while",
        "which",
        "who",
        "also",
        "both",
        "each",
        "can",
        "may",
        "model",
        "models",
        "method",
        "methods",
        "approach",
        "our",
        "we",
        "they",
        "up",
        "down",
    ]
)
_REACH = 3
"""What a direction word moves: the first content word within this many words after it (else
the last one before it: "latency is lower")."""


@dataclass(frozen=True)
class Move:
    axis: str
    sign: int
    around: frozenset[str]
    """What it moves (a five-letter stem), or nothing found."""


def _stem(word: str) -> str:
    return word.lower()[:5]


def moves(text: str) -> list[Move]:
    """The direction words of ``text`` with what they move."""
    words = [(m.start(), m.end(), m.group(0)) for m in _WORD.finditer(text)]
    found = []
    for axis, sign, pattern in _POLES:
        for match in pattern.finditer(text):
            index = next((i for i, (s, e, _) in enumerate(words) if s <= match.start() < e), None)
            if index is None:
                continue
            after = [w for _, _, w in words[index + 1 : index + 1 + _REACH] if _content(w)]
            before = [w for _, _, w in words[max(0, index - _REACH) : index] if _content(w)]
            around = {_stem(after[0])} if after else ({_stem(before[-1])} if before else set())
            compound = words[index][2].split("-")  # "low-dimensional": what "low" qualifies
            around |= {_stem(part) for part in compound[1:] if len(part) > 2}
            ahead = " ".join(w for _, _, w in words[max(0, index - 2) : index])
            behind = " ".join(w for _, _, w in words[index + 1 : index + 2])
            flipped = (
                bool(_NEGATION.search(ahead)) or re.match(r"(?:no|not|none)\b", behind, re.I) is not None
            )
            found.append(Move(axis, -sign if flipped else sign, frozenset(around)))
    return found


def _content(word: str) -> bool:
    return (
        word.lower() not in _STOP and not _is_pole(word) and len(word) > 2 and not _NEGATION.fullmatch(word)
    )


def _is_pole(word: str) -> bool:
    return any(pattern.fullmatch(word) for _, _, pattern in _POLES)


def disagree(claim: str, source: str) -> bool:
    """Whether ``claim`` moves something the other way from ``source`` (see the module docstring)."""
    theirs = moves(source)
    for mine in moves(claim):
        if any(_same_move(mine, other) for other in theirs):
            continue  # the source says both ("larger models deserve larger vocabularies; most use too small")
        for other in theirs:
            if other.axis != mine.axis or other.sign == mine.sign:
                continue
            if (mine.around & other.around) or not (mine.around or other.around):
                return True
    return _non_clash(claim, source) or _non_clash(source, claim) or reverses(claim, source)


def _same_move(mine: Move, other: Move) -> bool:
    return other.axis == mine.axis and other.sign == mine.sign and bool(mine.around & other.around)


def _non_clash(one: str, other: str) -> bool:
    """``one`` says "X" where ``other`` says "unX" (or "deX", "disX"...), and never "X" alone."""
    plain_one = {w.lower() for w in _WORD.findall(one)}
    plain_other = {w.lower() for w in _WORD.findall(other)}
    negated = {m.group(1).lower() for m in _NON.finditer(other) if m.group(0).lower() not in plain_one}
    return any(word in plain_one and word not in plain_other for word in negated)


_COMPARE = re.compile(
    r"\b(?:outperform\w*|surpass\w*|beats?|better than|worse than|exceed\w*|faster than|slower than|"
    r"(?:more|less) \w+ than|superior to|inferior to|lags? behind|falls? short of)\b",
    re.IGNORECASE,
)


def _sides(text: str) -> list[tuple[set[str], set[str]]]:
    """For each comparison in ``text``, the content words just before and just after it."""
    found = []
    for match in _COMPARE.finditer(text):
        before = [_stem(w) for w in _WORD.findall(text[: match.start()])[-4:] if w.lower() not in _STOP]
        after = [_stem(w) for w in _WORD.findall(text[match.end() :])[:4] if w.lower() not in _STOP]
        found.append((set(before), set(after)))
    return found


def reverses(claim: str, source: str) -> bool:
    """The claim compares two things the other way round from the source ("A outperforms B"
    against "B outperforms A")."""
    return any(
        ((mine_before - mine_after) & (theirs_after - theirs_before))
        and ((mine_after - mine_before) & (theirs_before - theirs_after))
        for mine_before, mine_after in _sides(claim)
        for theirs_before, theirs_after in _sides(source)
    )


_BETTER = re.compile(
    r"\b(?:outperform\w*|surpass\w*|beats?|better|superior|exceed\w*|state[- ]of[- ]the[- ]art|best)\b",
    re.IGNORECASE,
)
_PARITY = re.compile(
    r"\b(?:comparable|on par|similar|competitive|matches|matching|close to|nearly|approach(?:es|ing)?|"
    r"as (?:good|well) as|narrows?)\b",
    re.IGNORECASE,
)


def raises_parity(claim: str, source: str) -> bool:
    """The claim says better ("outperforms") where the source says as good ("comparable to")."""
    return bool(_BETTER.search(claim)) and bool(_PARITY.search(source)) and not _BETTER.search(source)


_ABSENCE = re.compile(
    r"\b(?:eliminat\w*|bypass\w*|remov(?:e|es|ed|ing) the need|obviat\w*|dispens\w*|"
    r"\w+-free|free (?:of|from)|no need|avoid\w*)\b",
    re.IGNORECASE,
)
"""Words that say a thing is absent without a negation ("bypassing the need for", "eliminates",
"alignment-free"): what "without" and "no longer" say in other words."""


def negated(text: str) -> bool:
    """Whether ``text`` negates, or says that something is absent (:data:`_ABSENCE`)."""
    return _NEGATION.search(text) is not None or _ABSENCE.search(text) is not None
