"""Named things in a text (methods, models, datasets, measures) and whether a source states them.

A claim that names APNet2, ImageNet or BLEU is supported only by a source that names them too, or
whose title is the name. :func:`names` finds the name-shaped words of a text:

- a word with a digit and a letter ("APNet2", "Llama2-70B", "T5-XXL"), an inner capital
  ("HuBERT", "WavLM"), or two capitals or more ("CTC", "OPT", "BLEU");
- a capitalised word that does not open the sentence ("Whisper", "Spanish");
- consecutive name-shaped words are one name ("Very Attentive Tacotron", "Whisper large-v3"); a
  possessive ends a name ("Google's MAGVIT-v2" is two).

:class:`Text` is a source prepared for look-ups: a name is stated when its letters and digits, in
order, are some run of one to four of the text's words ("FastSpeech 2" = "FastSpeech2",
"MAGVIT-v2" = "MAGVIT v2"), in the singular or the plural ("LLMs"), or, for an acronym, when
consecutive words of the text start with its letters ("CTC": connectionist temporal
classification; "TTS": text-to-speech; a two-letter one from two content words: "LM", language
model). A name that a field's acronym qualifies ("Russian ASR", "TEDLIUM3 WER", "MR-HuBERT") is
stated when each acronym is and its other words are, together ("Multilingual LibriSpeech" is one
name, not "LibriSpeech" said to be multilingual).
"""

from __future__ import annotations

import re
from functools import lru_cache
from itertools import pairwise

_TOKEN = re.compile(r"[A-Za-z0-9][\w\-+.'\u2019/]*[\w+]|[A-Za-z0-9]")
_PIECES = re.compile(r"[A-Za-z0-9]+")
_OPENERS = frozenset(
    [
        "what",
        "which",
        "how",
        "who",
        "whom",
        "whose",
        "when",
        "where",
        "why",
        "is",
        "are",
        "was",
        "were",
        "do",
        "does",
        "did",
        "can",
        "could",
        "has",
        "have",
        "had",
        "will",
        "would",
        "should",
        "may",
        "might",
        "compared",
        "according",
        "in",
        "on",
        "for",
        "by",
        "at",
        "with",
        "from",
        "to",
        "of",
        "the",
        "a",
        "an",
        "and",
        "or",
        "but",
        "if",
        "as",
        "about",
        "roughly",
        "approximately",
        "around",
    ]
)
"""Capitalised words that open a question or clause without being names."""
_GENERIC = frozenset(
    [
        "I",
        "A",
        "An",
        "The",
        "We",
        "Our",
        "This",
        "These",
        "Those",
        "It",
        "Its",
        "In",
        "On",
        "For",
        "By",
        "At",
        "To",
        "Of",
        "And",
        "Or",
    ]
)
_MAX_RUN = 4
_QUOTES = re.compile("[\\s\"'\u2018\u2019\u201c\u201d]+$")
"""Quotes and spaces before a word: a quote opens a sentence only after a sentence's end ('... it."
Next'), not inside one ('this "Inner Monologue" method', where the quoted words are a name)."""


_FIGURE_WORD = re.compile(r"[\d.,]+(?:[kKmMbBxX%]|ms|Hz|kHz|h)?")
_SUFFIX = re.compile(r"-(?:[a-z]{4,}|[a-z]+-[a-z]+)$")
"""A lower-case ending that makes a name an adjective: "HuBERT-style", "ASR-derived", "LLM-based"."""
_UNIT_WORD = re.compile(r"[kMG]?Hz|[KMGT]i?B|[mµ]s|dB|FPS|fps|kbps|bps")
"""A unit of measure ("24 kHz", "16 GB", "3 dB") is no name."""


def _name_shaped(word: str, opening: bool) -> bool:
    letters = [c for c in word if c.isalpha()]
    if not letters or _FIGURE_WORD.fullmatch(word) or _FIGURE_WORD.fullmatch(_SUFFIX.sub("", word)):
        return False  # a figure, or one made an adjective ("128k-token", "10-second")
    if any(c.isdigit() for c in word):
        return True
    if sum(c.isupper() for c in word) >= 2 or any(c.isupper() for c in word[1:]):
        return True
    return word[0].isupper() and not opening and word not in _GENERIC


def names(text: str, *, opens: bool = True) -> list[str]:
    """The names of ``text``, in order, each once (see the module docstring); ``opens=False``
    reads a fragment from inside a sentence (its first word may be a name by its capital)."""
    found: list[str] = []
    run: list[str] = []
    opening = opens

    def close() -> None:
        if run:
            name = " ".join(run)
            if name not in found:
                found.append(name)
            run.clear()

    for match in _TOKEN.finditer(text):
        word = match.group(0)
        possessive = word.endswith(("'s", "\u2019s"))
        word = word[:-2] if possessive else word.rstrip(".'\u2019")
        adjective = bool(_SUFFIX.search(word)) and _name_shaped(_SUFFIX.sub("", word), False)
        if adjective:  # "WavLM-based ASVspoof 5": the adjective's name stands alone
            close()
            word = _SUFFIX.sub("", word)
        if _UNIT_WORD.fullmatch(word):
            word = ""
        before = _QUOTES.sub("", text[max(0, match.start() - 4) : match.start()])
        if re.search(r"[.?!:;(]$", before) and not re.search(r"\d\.$", before):
            close()
            opening = True
        if word and _name_shaped(word, opening or (word.lower() in _OPENERS and opening)):
            run.append(word)
        else:
            close()
        if possessive or adjective or re.match(r"\s*[,;:()]", text[match.end() :]):
            close()
        opening = False
    close()
    return found


def _key(text: str) -> str:
    return "".join(_PIECES.findall(text)).lower()


def _singular(key: str) -> str:
    return key[:-1] if len(key) > 3 and key.endswith("s") and not key.endswith("ss") else key


class Text:
    """A source text (a paper's title and abstract) prepared for :meth:`states`."""

    def __init__(self, text: str) -> None:
        words = _PIECES.findall(text)
        self.keys: set[str] = set()
        for start in range(len(words)):
            joined = ""
            for end in range(start, min(start + _MAX_RUN, len(words))):
                joined += words[end].lower()
                self.keys.add(joined)
                self.keys.add(_singular(joined))
        self.initials = "".join(w[0].lower() for w in re.findall(r"[A-Za-z][a-z]*|\d+", text))
        content = [w.lower() for w in re.findall(r"[A-Za-z][a-z]*", text)]
        self.pairs = {
            first[0] + second[0]
            for first, second in pairwise(content)
            if len(first) >= 3 and len(second) >= 3 and not {first, second} & _FUNCTION_WORDS
        }
        self._lowered = [w.lower() for w in words]

    def states(self, name: str) -> bool:
        key = _key(name)
        if not key:
            return True
        if key in self.keys or _singular(key) in self.keys:
            return True
        if _is_acronym(name):
            letters = _key(name[:-1] if name.endswith("s") else name)
            return letters in self.initials if len(letters) >= 3 else letters in self.pairs
        words = re.split(r"[\s-]+", name)
        acronyms = [word for word in words if _is_acronym(word)]
        others = [word for word in words if not _is_acronym(word)]
        if not acronyms or not others or any(sum(c.isalpha() for c in word) < 3 for word in others):
            return False  # no acronym, or a version ("GPT-4", "GPT-4o"): one name
        return all(self.states(part) for part in [*acronyms, " ".join(others)])

    def missing(self, wanted: list[str]) -> list[str]:
        return [name for name in wanted if not self.states(name)]


_FUNCTION_WORDS = frozenset(
    {
        *("the", "and", "for", "with", "from", "that", "this", "these", "those", "their", "its", "than"),
        *("then", "into", "onto", "over", "under", "are", "was", "were", "has", "have", "had", "not"),
        *("can", "our", "all", "any", "each", "per", "via", "both", "also", "more", "most", "such", "only"),
    }
)
"""Words that spell no acronym's letter ("MT" is not "more than")."""


def _is_acronym(name: str) -> bool:
    letters = name.rstrip("s")
    return 2 <= len(letters) <= 6 and letters.isalpha() and letters.isupper()


@lru_cache(maxsize=4096)
def prepared(text: str) -> Text:
    """:class:`Text` for ``text``, kept for the texts judged again and again (cited abstracts)."""
    return Text(text)


_SUCCESSOR = re.compile(
    r"(?:[-\s](?:[A-Z]|\d+(?:\.\d+)*|v\d+(?:\.\d+)*)(?![\w-])|\+\+|-(?:based|style|like|inspired|derived|driven|powered)\b)"
)
"""What turns a name into another one: a version ("Clover-2", "VALL-E R", "EAGLE v2", "C++") or
an ending that makes it an adjective ("Mamba-based")."""


def only_extended(name: str, text: str, asked: str) -> bool:
    """Every mention of ``name`` in ``text`` continues into a longer name ("VALL-E R", "Clover-2",
    "Mamba-based") that ``asked`` (the question) does not write: a paper presenting "VALL-E R" does
    not present VALL-E."""
    pattern = re.compile(rf"(?<![\w-]){re.escape(name)}", re.IGNORECASE)
    wanted = {_key(m.group(0)) for q in pattern.finditer(asked) if (m := _SUCCESSOR.match(asked, q.end()))}
    mentions = list(pattern.finditer(text))
    if not mentions:
        return False
    for mention in mentions:
        after = _SUCCESSOR.match(text, mention.end())
        if after is None or _key(after.group(0)) in wanted:
            return False
    return True
