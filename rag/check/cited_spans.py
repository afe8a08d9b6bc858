"""What each citation of a manuscript sentence vouches for: the sentence, or the part of it the
citation is attached to.

A citation at the end of a sentence backs the whole sentence (measured: leaving out a clause
there that speaks of the authors' own work, "..., and we follow this practice [1]", did no
better). Within a sentence, a manuscript cites for a part of it, and the rest is often the
authors' own:

- "Codec language models [1] and diffusion models [2] are popular for TTS": [1] backs "Codec
  language models are popular for TTS", [2] "diffusion models are popular for TTS" (each citation
  backs the words since the one before it, and the predicate after the last is shared);
- "Unlike draft heads [3], our method needs no extra parameters": [3] backs "Unlike draft heads";
  what follows is about the authors' own work (:data:`OWN_WORK`: "we", "our", "this paper"), and a
  clause of the shared predicate that speaks of it is left out ("..., which motivates our work");
- "Our method differs from draft-head approaches [3] in that ...": a part that speaks of the
  authors' own work is read from the first word after the preposition that follows them
  ("draft-head approaches"), or from the determiner that opens their verb's object when it comes
  first ("We adopt *the chunkwise attention with dynamic chunk sizes of* [3]"), and the rest of the
  sentence is theirs too;
- a part loses the conjunction it opens with ("and", "while"), and a predicate shared by an
  enumeration the word that counts its members ("... [1] and ... [2] both reach ...", "all").

A citation that opens the sentence ("@x shows that ...") backs what follows it, up to the next
one. A part of fewer than :data:`MIN_WORDS` words is no claim: the citation then backs the
sentence. Citations with only punctuation between them back the same part, together
(``\\cite{a,b}``, "[1], [2]").
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from rag.check.draft_text import Cite

OWN_WORK = re.compile(
    r"\b(?:we|our|us|ours|this (?:paper|work|article|study|thesis|chapter))\b", re.IGNORECASE
)
"""Words by which a manuscript speaks of its own work."""
MIN_WORDS = 2
"""A cited part needs this many words of three letters or more to be judged on its own."""
_BETWEEN = re.compile(r"[\s,;:.()\[\]]*")
"""What may stand between two citations of one group, or after the last at a sentence's end."""
_CLAUSE = re.compile(r",|;|\b(?:while|whereas|but|which|and thus|so that|whereby)\b", re.IGNORECASE)
_AFTER_OWN = re.compile(
    r"\b(?:from|than|to|on|of|with|over|like|unlike|following|by|beyond|in|upon|against)\s+", re.IGNORECASE
)
_DETERMINER = re.compile(r"\b(?:the|a|an|these|those)\s+", re.IGNORECASE)
_LEADING = re.compile(r"^(?:and|or|while|whereas|but|as well as)\s+", re.IGNORECASE)
_QUANTIFIER = re.compile(r"^(?:all|both|each|respectively)\b\s*|,?\s*\brespectively\b", re.IGNORECASE)
"""A predicate shared by an enumeration counts its members ("A [1] and B [2] both ...", "...
all generate audio"): said of one of them, that word is no claim."""
_WORD = re.compile(r"[^\W\d_]{3,}")


@dataclass(frozen=True)
class CitedPart:
    """Keys cited together at one place, and the text they vouch for."""

    keys: tuple[str, ...]
    claim: str
    whole: bool
    """The claim is the whole sentence."""


def cited_parts(text: str, cites: Sequence[Cite]) -> list[CitedPart]:
    """The parts of sentence ``text`` its citations vouch for, one per place cited, in order (see
    the module docstring); a sentence cited only at its end is one part."""
    places = _places(text, cites)
    if not places:
        return []
    if len(places) == 1 and _at_end(text, places[0][0]):
        return [CitedPart(places[0][1], text, True)]
    last = places[-1][0]
    shared = "" if _at_end(text, last) else _QUANTIFIER.sub("", _without_own(text[last:]).lstrip(" ,;:"))
    parts = []
    previous = 0
    for number, (at, keys) in enumerate(places):
        if at == 0:  # a citation opening the sentence ("@x shows ...") backs what follows it
            at = places[number + 1][0]
        own_part = text[previous:at]
        previous = at
        own = OWN_WORK.search(own_part)
        if own:
            claim = _cited_object(own_part, own.end())
        else:
            claim = f"{own_part.rstrip()} {shared}" if at != last or shared else own_part
        claim = _LEADING.sub("", claim.strip(" ,;:")).strip(" ,;:")
        if len(_WORD.findall(claim)) < MIN_WORDS:
            parts.append(CitedPart(keys, text, True))
        else:
            parts.append(CitedPart(keys, claim, False))
    return parts


def _places(text: str, cites: Sequence[Cite]) -> list[tuple[int, tuple[str, ...]]]:
    """The places cited, each with its keys (each key once, at its first place)."""
    seen: set[str] = set()
    places: list[tuple[int, list[str]]] = []
    for cite in sorted(cites, key=lambda c: len(text) if c.at is None else c.at):
        if cite.key in seen:
            continue
        seen.add(cite.key)
        at = len(text) if cite.at is None else cite.at
        if places and _BETWEEN.fullmatch(text[places[-1][0] : at]):
            places[-1][1].append(cite.key)
        else:
            places.append((at, [cite.key]))
    return [(at, tuple(keys)) for at, keys in places]


def _at_end(text: str, at: int) -> bool:
    return at == 0 or _BETWEEN.fullmatch(text[at:]) is not None


def _without_own(text: str) -> str:
    """``text`` up to the first clause that speaks of the authors' own work."""
    own = OWN_WORK.search(text)
    if own is None:
        return text.strip()
    cuts = [match.start() for match in _CLAUSE.finditer(text, 0, own.start())]
    return text[: cuts[-1]].strip() if cuts else ""


def _cited_object(own_part: str, start: int) -> str:
    """What a part that speaks of the authors' own work says of the cited work: from the first
    determiner after the authors' words (kept: "we adopt *the chunkwise attention with ...*") or
    the first preposition (dropped: "our method differs from *draft-head approaches*"), whichever
    comes first."""
    after = _AFTER_OWN.search(own_part, start)
    article = _DETERMINER.search(own_part, start)
    if article and (after is None or article.start() < after.start()):
        return own_part[article.start() :]
    return own_part[after.end() :] if after else ""
