"""Stage 2 of a related-work draft: group the gathered papers into themes and name each theme.

- :func:`cluster`: Ward-linkage clustering of the papers' vectors (plain numpy; a few dozen
  papers), about five papers a theme.
- :func:`label`: a theme's most distinctive title phrases (share of the theme's papers using a
  phrase, against its share in the other themes, times its IDF in the library).

A theme's name is a noun phrase its papers share, never a sentence: it ends in a noun (not an
adjective such as "low-latency", an adverb, nor a vague head such as "method"), and in a theme of
several papers it is shared by at least two of them. A name-like phrase (one word, or written with
capitals: "Medusa", "EAGLE", "Large Language Models") must be in at least two of their titles,
since a name only mentioned in abstracts is usually one paper's method compared against (Hydra's
and EAGLE's abstracts both name Medusa), and a paper's own name ("Hydra" of "Hydra: ...") never
names a theme it shares with others.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Sequence

import numpy as np

from rag.index.library import Library
from rag.related_work.statements import word_set
from rag.sources.corpus import Paper
from rag.sources.title_names import title_name

PAPERS_PER_THEME = 5
MAX_THEMES = 6
SECOND_PHRASE = 0.8
"""A theme's label gets a second phrase only if it scores at least this share of the first's."""


def cluster(vectors: np.ndarray, *, n_clusters: int, min_size: int = 2) -> list[list[int]]:
    """Ward-linkage clustering of the rows of ``vectors`` into ``n_clusters`` groups of row indices.

    Ward's criterion (merge the pair that least increases the within-cluster variance) gives
    themes of comparable size where average linkage makes one theme of nearly everything. Groups
    smaller than ``min_size`` then join the group whose centroid is nearest. Ties go to the lower
    indices, so the result depends only on the vectors and their order.
    """
    count = len(vectors)
    if count == 0:
        return []
    points = np.asarray(vectors, dtype=np.float64)
    distance = ((points[:, None, :] - points[None, :, :]) ** 2).sum(axis=2)
    np.fill_diagonal(distance, np.inf)
    clusters: dict[int, list[int]] = {i: [i] for i in range(count)}
    while len(clusters) > max(1, n_clusters):
        alive = sorted(clusters)
        sub = distance[np.ix_(alive, alive)]
        flat = int(np.argmin(sub))
        a, b = alive[flat // len(alive)], alive[flat % len(alive)]
        a, b = min(a, b), max(a, b)
        size_a, size_b = len(clusters[a]), len(clusters[b])
        for k in alive:
            if k in (a, b):
                continue
            size_k = len(clusters[k])
            merged = (size_a + size_k) * distance[k, a] + (size_b + size_k) * distance[k, b]
            merged = (merged - size_k * distance[a, b]) / (size_a + size_b + size_k)
            distance[k, a] = distance[a, k] = merged
        distance[b, :] = distance[:, b] = np.inf
        clusters[a] = sorted(clusters[a] + clusters.pop(b))
    groups = [clusters[key] for key in sorted(clusters)]
    while len(groups) > 1:
        small = [i for i, members in enumerate(groups) if len(members) < min_size]
        if not small:
            break
        i = small[0]
        centroid = points[groups[i]].mean(axis=0)
        j = min(
            (j for j in range(len(groups)) if j != i),
            key=lambda j: (float(((points[groups[j]].mean(axis=0) - centroid) ** 2).sum()), j),
        )
        groups[j] = sorted(groups[j] + groups[i])
        del groups[i]
    return groups


_FUNCTION_WORDS = word_set(
    "a an the and or but nor of on in at to for from by with without via into onto over under about",
    "as is are was were be been being can could may might will would should do does did has have had",
    "it its this that these those their our we they which who whose where when while than then such",
    "both each all any some more most other only not no also however thus between across through",
    "per within up down out so very well yet since because if how what why towards toward beyond",
    "every many much whether during before after below above one two",
)
_GENERIC = word_set(
    "propose proposed proposes present presents presented introduce introduces introduced approach",
    "approaches method methods paper work works study studies result results show shows shown novel",
    "new based using use used existing prior previous recent first achieve achieves achieved",
    "performance experiments experimental demonstrate demonstrates significantly significant",
    "improve improves improved improving improvement improvements effective efficient efficiently",
    "efficiency framework task tasks problem problems state art sota various different several",
    "further large compared comparable substantially including outperforms baseline baselines",
    "model models high low better best key leading strong fast faster simple single deep learn",
    "learning accelerating acceleration boosting enhancing unified unifying exploring rethinking",
    "revisiting towards scalable robust end toward make making enable enables enabling lessons",
)
_CLAUSE = re.compile(r"[.,;:!?()\[\]\"]|\s[-\u2013\u2014]\s")
_TOKEN = re.compile(r"[A-Za-z][A-Za-z0-9]*(?:[-.][A-Za-z0-9]+)*")
_LONGEST_PHRASE = 3


_ADJECTIVE_ENDINGS = ("al", "ive", "ous", "ic", "able", "ible", "ful", "less", "ed")
_NOUNS_ENDING_SO = word_set(
    "signal retrieval removal interval proposal trial tutorial potential material terminal",
    "objective alternative incentive music logic topic speed",
)
_ADJECTIVES = word_set(
    "discrete parallel continuous efficient robust multilingual lossless large small fast zero-shot",
    "real-time based level shot time only free aware like wise scale end step driven agnostic spoken",
    "hybrid direct pseudo",
)
_MODIFIER_FIRST = word_set(
    "low high zero few one two three multi non semi self cross billion million real long short fine",
    "coarse open full sub ultra",
)
"""First parts of hyphenated words that make a modifier: "low-latency", "billion-parameter"."""
_NOUNS_ENDING_LY = word_set("family assembly anomaly supply reply italy")
_VAGUE_HEADS = word_set(
    "method methods approach approaches framework frameworks technique techniques strategy",
    "strategies scheme schemes paper papers study studies work works way ways solution solutions",
)
"""Nouns too vague to end a theme's name ("decoding method")."""
_VERBS = word_set(
    "reduce reduces improve improves enable enables generate generates synthesize synthesizes",
    "achieve achieves allow allows provide provides address addresses remain remains require",
    "requires propose proposes present presents introduce introduces show shows use uses make",
    "makes outperform outperforms",
)
"""Verbs that open a clause of an abstract ("reduce latency"), never a theme's name."""


def _adjective(word: str) -> bool:
    """Whether ``word`` reads as an adjective or adverb ("Token-based", "semantic", "low-latency",
    "continuously"), so it cannot end a name."""
    low = word.lower()
    last = low.rsplit("-", 1)[-1]
    if "-" in low:
        first = low.split("-", 1)[0]
        if first in _MODIFIER_FIRST or first.endswith(("ly", "ed")) or first[:1].isdigit():
            return True
    if last in _NOUNS_ENDING_SO or last in _NOUNS_ENDING_LY:
        return False
    if last.endswith("ly") and len(last) > 4:
        return True
    return low in _ADJECTIVES or last in _ADJECTIVES or last.endswith(_ADJECTIVE_ENDINGS)


def _label_worthy(words: Sequence[str]) -> bool:
    """Whether a run of title words could name a theme (not "of the", "towards", "novel method",
    nor a phrase ending in an adjective such as "zero-shot" or "token-based")."""
    low = [word.lower() for word in words]
    if low[0] in _FUNCTION_WORDS or low[-1] in _FUNCTION_WORDS or len(low[-1]) < 2:
        return False
    if _adjective(words[-1]) or low[-1] in _VAGUE_HEADS:
        return False
    if low[0] in _VERBS or (len(low) > 1 and low[0] in _GENERIC and low[0].endswith(("s", "ed", "ing"))):
        return False  # a verb phrase ("Accelerating large language", "reduce latency")
    return not all(word in _GENERIC for word in low) and (len(low) > 1 or len(low[0]) > 2)


def _runs(text: str, stem: Callable[[str], tuple[str, ...]]) -> dict[tuple[str, ...], list[str]]:
    """Every run of 1-3 words inside a clause of ``text``: its stems -> how it was written."""
    runs: dict[tuple[str, ...], list[str]] = {}
    for clause in _CLAUSE.split(text):
        words = _TOKEN.findall(clause)
        stems = [stem(word) for word in words]
        for size in range(1, _LONGEST_PHRASE + 1):
            for start in range(len(words) - size + 1):
                if all(stems[start : start + size]):
                    key = tuple(term for part in stems[start : start + size] for term in part)
                    runs.setdefault(key, []).append(" ".join(words[start : start + size]))
    return runs


def label(
    theme: Sequence[Paper], others: Sequence[Paper], *, library: Library, n_phrases: int = 2
) -> list[str]:
    """The theme's most distinctive phrases, best first, as its abstracts most often write them.

    Candidates are runs of title words that can name a theme (see the module docstring); a phrase
    scores its share of the theme's papers (title or abstract), times how much more common it is
    in the theme than among ``others``, times the square root of its IDF in the library. A phrase
    loses to a longer one that contains it and is nearly as common ("speculative" to "speculative
    decoding"), and single words lose to phrases of several words whenever the theme has one: a
    researcher names a topic, not a word.
    """
    lexical = library.lexical
    cache: dict[str, tuple[str, ...]] = {}

    def stem(word: str) -> tuple[str, ...]:
        if word not in cache:
            cache[word] = tuple(lexical.terms(word))
        return cache[word]

    inside = [_runs(f"{paper.title}. {paper.abstract}", stem) for paper in theme]
    outside = Counter(key for paper in others for key in _runs(f"{paper.title}. {paper.abstract}", stem))
    titles = [_runs(paper.title, stem) for paper in theme]
    abstracts = [_runs(paper.abstract, stem) for paper in theme]
    written = {
        key: _display(
            Counter(form for runs in titles for form in runs.get(key, ())),
            Counter(form for runs in abstracts for form in runs.get(key, ())),
        )
        for runs in titles + abstracts
        for key in runs
    }
    own_names = {name.casefold() for name in (title_name(paper.title) for paper in theme) if name}
    frequency = {key: sum(key in runs for runs in inside) for key in written}
    scores: dict[tuple[str, ...], float] = {}
    for from_titles in (True, False):  # phrases of the abstracts only when the titles share none
        for key, name in written.items():
            in_titles = sum(key in runs for runs in titles)
            if not _label_worthy(name.split()) or bool(in_titles) != from_titles:
                continue
            if not in_titles and (len(name.split()) < 2 or name != name.lower()):
                continue  # from the abstracts, only common noun phrases of several words
            if not in_titles and frequency[key] < max(2, len(theme) / 2):
                continue
            if len(theme) > 1:
                name_like = any(char.isupper() for char in name)
                lone_word = len(name.split()) == 1 and (
                    frequency[key] < len(theme) or name.endswith("ing") or len(name) < 4
                )
                if ((name_like or lone_word) and in_titles < 2) or name.casefold() in own_names:
                    continue  # a name only mentioned, one paper's own name, a word few share
            share = frequency[key] / len(theme)
            contrast = share - (outside[key] / len(others) if others else 0.0)
            if frequency[key] < min(2, len(theme)) or contrast <= 0:
                continue
            idf = float(np.mean([lexical.idf(term) for term in key]))
            scores[key] = share * contrast * np.sqrt(idf) * (1.5 if len(key) > 1 else 1.0)
        if scores:
            break
    if any(len(key) > 1 for key in scores):  # "speech synthesis", not "synthesis"
        scores = {key: score for key, score in scores.items() if len(key) > 1}
    subsumed = {
        key
        for key in scores
        for longer in scores
        if len(longer) > len(key) and _contains(longer, key) and frequency[longer] >= 0.6 * frequency[key]
    }
    chosen: list[tuple[str, ...]] = []
    for key in sorted(scores, key=lambda k: (-scores[k], k)):
        if chosen and scores[key] < SECOND_PHRASE * scores[chosen[0]]:
            break
        if chosen and len(written[key].split()) < 2:
            continue  # "speech synthesis and vocoders", never "... and data"
        if key not in subsumed and not any(_overlap(key, other) for other in chosen):
            chosen.append(key)
        if len(chosen) == n_phrases:
            break
    return [written[key] for key in chosen]


def _overlap(one: tuple[str, ...], other: tuple[str, ...]) -> bool:
    """Whether two phrases share a word, plurals aside ("LLM" and "LLMs")."""
    return bool({term.rstrip("s") for term in one} & {term.rstrip("s") for term in other})


def _contains(longer: tuple[str, ...], shorter: tuple[str, ...]) -> bool:
    size = len(shorter)
    return any(longer[i : i + size] == shorter for i in range(len(longer) - size + 1))


def _display(in_titles: Counter[str], in_abstracts: Counter[str]) -> str:
    """How to write a phrase: its commonest title form, cased as the abstracts write it (a phrase
    no title has: its commonest form in the abstracts).

    Words only ever seen title-cased are lowered ("Language Model" -> "language model"), while
    acronyms and names the abstracts capitalise stay so ("CTC", "Moshi").
    """
    if not in_titles:
        return max(sorted(in_abstracts), key=lambda form: (in_abstracts[form], form.islower()))
    title_form = max(sorted(in_titles), key=lambda form: in_titles[form])
    same = [form for form in sorted(in_abstracts) if form.lower() == title_form.lower()]
    if same:
        return max(same, key=lambda form: (in_abstracts[form], form.islower()))
    return " ".join(
        word.lower() if word[:1].isupper() and word[1:].islower() else word for word in title_form.split()
    )


def name_key(title: str) -> str:
    """What two theme names share when they read the same: case and plurals aside ("Language
    models" and "Language model")."""
    return " ".join(word.removesuffix("s") for word in title.casefold().split())


def theme_title(phrases: Sequence[str]) -> str:
    """``["speculative decoding", "draft heads"]`` -> ``"Speculative decoding and draft heads"``."""
    if not phrases:
        return "Other related work"
    text = " and ".join(phrases)
    return text[0].upper() + text[1:]
