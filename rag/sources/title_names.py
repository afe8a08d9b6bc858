"""The name a paper's title gives its method, model or dataset, and the names a question uses.

Many titles read "Name: what it does" ("FastSpeech 2: Fast and High-Quality End-to-End Text to
Speech"). A question that uses such a name ("How much does VALL-E R reduce inference time?") is
about that paper, however few of the abstract's other words it shares: search adds a small
boost to the named paper's score (``RetrievalSettings.title_name_boost``). The rules:

- only the part of a title before its first colon can be a name, and only if it has at most
  ``MAX_WORDS`` words and ``MAX_CHARS`` characters; one word needs a capital letter or a digit
  ("Moshi", "dMel"), several need a word shaped like a name: a digit, a hyphen or a capital after
  its first letter ("BASE TTS", "CosyVoice 2", "VALL-E R"), so that a catchy phrase ("Turning
  Trash into Treasure", "Speculative Decoding and Beyond") is not taken for a name;
- a name that more than ``MAX_SHARED`` papers share names none of them;
- a question uses a name when it contains it word for word, case included; the longest names are
  taken first and words are used once, so "VALL-E R" is not also "VALL-E".
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

MAX_WORDS = 4
MAX_CHARS = 40
MAX_SHARED = 3

_LEADING = re.compile("^[\"'(\\[{\u201c\u2018]+")
_TRAILING = re.compile("(?:['\u2019]s)?[\"'.,;:!?)\\]}\u201d\u2019]*$")


def title_name(title: str) -> str | None:
    """ "FastSpeech 2" for "FastSpeech 2: Fast and High-Quality ..."; None when the title names nothing."""
    head, colon, _ = title.partition(":")
    name = " ".join(head.split())
    if not colon or not name or len(name) > MAX_CHARS or len(name.split()) > MAX_WORDS:
        return None
    words = name.split()
    if len(words) == 1:
        return name if any(char.isupper() or char.isdigit() for char in name) else None
    return name if any(_name_shaped(word) for word in words) else None


def _name_shaped(word: str) -> bool:
    return any(char.isdigit() or char == "-" for char in word) or any(char.isupper() for char in word[1:])


def name_index(names: Iterable[tuple[str, str | None]]) -> dict[str, list[str]]:
    """``{name: paper ids}`` from ``(paper id, title name)`` pairs, without shared names."""
    index: dict[str, list[str]] = {}
    for paper_id, name in names:
        if name:
            index.setdefault(name, []).append(paper_id)
    return {name: ids for name, ids in index.items() if len(ids) <= MAX_SHARED}


def named_papers(question: str, index: Mapping[str, list[str]]) -> list[str]:
    """The papers whose title names the question uses, longest names first."""
    words = question.split()
    used = [False] * len(words)
    found: list[str] = []
    for size in range(min(MAX_WORDS, len(words)), 0, -1):
        for start in range(len(words) - size + 1):
            if any(used[start : start + size]):
                continue
            phrase = " ".join(words[start : start + size])
            phrase = _TRAILING.sub("", _LEADING.sub("", phrase))
            if phrase in index:
                used[start : start + size] = [True] * size
                found += [pid for pid in index[phrase] if pid not in found]
    return found
