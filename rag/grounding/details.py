"""Whether the paper a question is about states the details it asks for, beyond its subject.

A paper may be the right one and still not answer: it reports its speed-up on another model than
the one asked about ("What speedup does PARD achieve on Llama-2-13B?", where PARD reports
LLaMA3.1-8B), against another baseline ("faster than Medusa", where the paper compares with plain
decoding), or it says it used "a pretrained LLM" and never which. Read in the subject paper:

- :func:`stated_near`: the share of the IDF weight of the question's comparison target
  (:attr:`~rag.grounding.question.Question.compared`) and of its conditions
  (:attr:`~rag.grounding.question.Question.conditions`) that the answering sentence states with its
  neighbours. For a figure question the answering sentences are those with a figure that fits
  (the best of them counts: a figure about another model or data set has its own conditions
  beside it); otherwise the best sentence.
- :func:`unnamed_kind`: a "which" question asks for a kind of thing that has names (a data set,
  a model, an encoder, an optimizer: :data:`NAMED_KINDS`), and the paper never states a name
  beside that noun ("we combine flow matching with a pretrained autoregressive LLM" does not say
  which LLM): 1; 0.5 when its best sentence still names something the question does not; 0 when
  it names one, or the question asks for something else.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from rag.grounding.evidence import PaperSentences, TermStatistics, Vocabulary, is_rare
from rag.grounding.names import names, prepared
from rag.grounding.question import Question

NAMED_KINDS = re.compile(
    r"datasets?|corpus|corpora|benchmarks?|sets?|models?|LLMs?|encoders?|decoders?|vocoders?|tokenizers?|"
    r"codecs?|optimi[sz]ers?|GPUs?|toolkits?|backbones?|baselines?|extractors?|collections?|systems?",
    re.IGNORECASE,
)
"""Nouns whose instances researchers name (a "which dataset" question is answered by a name:
LibriSpeech, HiFi-GAN, AdamW), unlike "which component" or "which failure"."""
NAME_REACH = 6
"""A name this many words from the asked noun names an instance of it ("the Qwen2.5 series
models", "trained on LibriTTS and VCTK datasets")."""
_FILLER = frozenset(
    ["the", "a", "an", "of", "in", "on", "for", "to", "by", "with", "and", "or", "from", "at", "as",
     "its", "their", "this", "that"]
)  # fmt: skip


def stated_near(
    question: Question,
    paper: PaperSentences,
    answering: Sequence[int],
    words: TermStatistics,
    vocabulary: Vocabulary,
) -> tuple[float, float]:
    """The shares of the comparison target's and of the conditions' IDF weight stated beside the
    best of the ``answering`` sentences (1 when the question has none; 0 when nothing answers)."""
    asked = set(words.terms(question.asked)) if question.asked else set()
    target = _terms(question.compared, words) - asked
    conditions = _terms(question.conditions, words) - asked - target
    windows = [_window_terms(paper, index, vocabulary) for index in answering]
    return _best_share(target, windows, words), _best_share(conditions, windows, words)


def unnamed_kind(question: Question, paper: PaperSentences, best: int, vocabulary: Vocabulary) -> float:
    """See the module docstring."""
    nouns = [noun for noun in asked_nouns(question) if NAMED_KINDS.fullmatch(noun)]
    if question.kind != "which" or not nouns:
        return 0.0
    own = prepared(re.split(r":", paper.paper.title, maxsplit=1)[0])
    asked = prepared(question.text)

    def new_names(text: str) -> bool:
        return any(
            not asked.states(name) and not own.states(name) and is_rare(name, vocabulary)
            for name in names(text, opens=False)
        )

    for text in paper.texts:
        found = text.split()
        for noun in nouns:
            for at in _positions(found, noun):
                if new_names(" ".join(found[max(0, at - NAME_REACH) : at + NAME_REACH + 1])):
                    return 0.0
    return 0.5 if new_names(paper.text(best)) else 1.0


def asked_nouns(question: Question) -> list[str]:
    """The last word of each part of what is asked ("optimizer and learning rate": optimizer, rate)."""
    found = []
    for part in re.split(r"\s+(?:and|or)\s+|,\s*", question.asked):
        kept = [w for w in re.findall(r"[A-Za-z][\w\-]*", part) if w.lower() not in _FILLER]
        if kept:
            found.append(kept[-1])
    return found


def _positions(found: list[str], noun: str) -> list[int]:
    """Where ``noun`` is among the words ``found``: by its first letters ("corpora" for "corpus"),
    an acronym also spelled out ("large language models" for "LLM")."""
    if noun.isupper() and len(noun) >= 2:
        letters = noun.lower().rstrip("s")
        at = [i for i, w in enumerate(found) if re.sub(r"\W", "", w.lower()).rstrip("s") == letters]
        initials = "".join(w[0].lower() if w[0].isalpha() else "#" for w in found)
        spelled = initials.find(letters)
        return at or ([spelled + len(letters) - 1] if spelled >= 0 else [])
    stem = noun.lower()[: min(5, max(4, len(noun) - 1))]
    return [i for i, w in enumerate(found) if w.lower().lstrip("(\"'").startswith(stem)]


def _terms(texts: Iterable[str], words: TermStatistics) -> set[str]:
    return {term for text in texts for term in words.terms(text)}


def _window_terms(paper: PaperSentences, index: int, vocabulary: Vocabulary) -> frozenset[str]:
    found: set[str] = set()
    for near in range(max(0, index - 1), min(len(paper.spans), index + 2)):
        found |= paper.terms(near, vocabulary)
    return frozenset(found)


def _best_share(terms: set[str], windows: list[frozenset[str]], words: TermStatistics) -> float:
    total = sum(words.idf(term) for term in terms)
    if not total:
        return 1.0
    return max((sum(words.idf(term) for term in terms & window) / total for window in windows), default=0.0)
