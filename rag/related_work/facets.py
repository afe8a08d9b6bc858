"""The facets of a paper description: the several things a related-work section must cover.

A description names several things at once ("a speculative decoding method for speech language
models that drafts audio tokens with a small model": the decoding method, the kind of model, the
tokens, the drafter). Each sentence is cut at the boundaries where English starts a new thing:
clause punctuation, relative clauses, coordinated clauses, and the phrases that attach a method,
a purpose, a comparison or an evaluation ("using", "for", "rather than", "compared with",
"evaluated on"). A piece with fewer than :data:`MIN_WORDS` content words says too little to
retrieve on alone and joins its neighbour.
"""

from __future__ import annotations

import re

from bm25s.stopwords import STOPWORDS_EN

from rag.sources.sentences import sentence_spans

MIN_WORDS = 4
"""Content words (not stop words, three letters or more) a facet needs to stand alone."""
MAX_FACETS = 8
"""Most facets kept from one description; the rest join their neighbours."""

_BOUNDARY = re.compile(
    r"\s*[;:]\s+|\s*,\s+(?=(?:and|but|while|whereas|which|where|so|then|rather|instead|"
    r"compared|comparing|evaluated|evaluating|tested|using|with|without|via|by|through)\b)"
    r"|\s+(?=(?:which|that|where|whereas|while|rather than|instead of|compared (?:with|to)|"
    r"comparing|against|evaluated on|evaluate on|tested on|using|via|by means of|through|"
    r"so that|in order to|based on|on top of|for)\b)"
    r"|\s*\(\s*|\s*\)\s*",
    re.IGNORECASE,
)
_STOP = frozenset(STOPWORDS_EN) | {
    "we",
    "our",
    "propose",
    "proposed",
    "present",
    "introduce",
    "paper",
    "work",
    "method",
    "approach",
    "new",
    "novel",
    "show",
    "also",
    "use",
    "using",
    "based",
}
_WORD = re.compile(r"[A-Za-z][\w-]*")


def content_words(text: str) -> list[str]:
    """The words of ``text`` that carry its topic."""
    return [w for w in _WORD.findall(text) if len(w) >= 3 and w.lower() not in _STOP]


def facets(description: str) -> list[str]:
    """The facets of ``description``, in its order, without repeats."""
    text = " ".join(description.split())
    pieces: list[str] = []
    for start, end in sentence_spans(text):
        pieces.extend(p.strip(" ,.;:") for p in _BOUNDARY.split(text[start:end]) if p and p.strip(" ,.;:"))
    merged: list[str] = []
    pending = ""
    for piece in pieces:
        pending = f"{pending} {piece}".strip() if pending else piece
        if len(content_words(pending)) >= MIN_WORDS:
            merged.append(pending)
            pending = ""
    if pending:
        if merged and len(content_words(pending)) < MIN_WORDS:
            merged[-1] = f"{merged[-1]} {pending}"
        else:
            merged.append(pending)
    while len(merged) > MAX_FACETS:
        shortest = min(range(len(merged) - 1), key=lambda i: len(merged[i]) + len(merged[i + 1]))
        merged[shortest : shortest + 2] = [f"{merged[shortest]} {merged[shortest + 1]}"]
    seen: set[str] = set()
    unique = []
    for facet in merged:
        key = " ".join(sorted(w.lower() for w in content_words(facet)))
        if key not in seen:
            seen.add(key)
            unique.append(facet)
    return unique
