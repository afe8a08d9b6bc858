"""What the judge reads off a claim and the papers it cites: the named numbers of :data:`SUPPORT`.

Over all the cited papers' sentences:

- ``sim_sentence``, ``sim_window``: the best cosine similarity of the claim to one sentence, and
  to two adjacent sentences together; ``sim_top2``: to the two best sentences together, wherever
  they are (a claim may merge two facts of one abstract);
- ``coverage``: the share of the claim's IDF weight that the titles and abstracts contain;
  ``coverage_best``: that the best sentence or window contains;
- ``names_missing_rare``, ``names_missing_common``: named things of the claim that the sources do
  not state (:mod:`rag.grounding.names`), split by how many papers of the library use them;
- ``figures_unmatched``: figures of the claim that no source states, after normalisation
  (:mod:`rag.grounding.figures`), and ``figures_claimed``: how many it states;
- ``disagrees``: the claim moves something the other way from its best sentence, or says "unX"
  against "X"; ``negation_differs``: one of the two is negated and the other not
  (:mod:`rag.grounding.polarity`);
- ``figure_elsewhere``: figures of the claim that a source states, but about something else: no
  content word near the claimed figure is near the figure in the source ("2.7x over Medusa"
  where the abstract says 2.7x over autoregressive decoding);
- ``absolute_added``: the claim says "all", "every", "always", "first", "eliminates"... and no
  source does; ``better_than_parity``: the claim says "outperforms" where its best sentences say
  "comparable to";
- ``entailment``: the logit of the cross-encoder that reads the claim and its closest sentences
  together (:mod:`rag.grounding.entailment`), computed by the judge in one batch per call.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from rag.grounding import figure_matching, polarity
from rag.grounding import figures as figure_reading
from rag.grounding.evidence import PaperSentences, Unit, Vocabulary, best_units, coverage, is_rare
from rag.grounding.names import names

SUPPORT = (
    "sim_sentence",
    "sim_window",
    "sim_top2",
    "coverage",
    "coverage_best",
    "names_missing_rare",
    "names_missing_common",
    "figures_unmatched",
    "figures_claimed",
    "disagrees",
    "negation_differs",
    "absolute_added",
    "better_than_parity",
    "clause_sim_min",
    "clause_coverage_min",
    "figure_elsewhere",
    "entailment",
)
_ABSOLUTE = re.compile(
    r"\b(?:every|always|never|completely|entirely|eliminat\w*|guarantee\w*|universal\w*|perfect\w*|"
    r"(?:the|a) first\b(?! (?:stage|step|iteration|layer|pass|token|time)s?\b)|state[- ]of[- ]the[- ]art|"
    r"all (?!of\b)\w+|any (?:language|task|dataset|domain|setting|model|speaker)s?)\b",
    re.IGNORECASE,
)
"""Words that claim more than a source usually does ("on all benchmarks", "the first", "eliminates")."""
ALIGNED = 3
"""Direction, negation and parity are compared with this many best-matching sentences or windows."""


@dataclass(frozen=True)
class Findings:
    """What :func:`support_features` found, for the reason a verdict gives."""

    unit: Unit | None
    """The sentence (or two) of the sources most like the claim."""
    unmatched: list[str] = field(default_factory=list)
    """Figures of the claim, as written, that no source states."""
    missing: list[str] = field(default_factory=list)
    """Names of the claim that no source states."""
    absolute: list[str] = field(default_factory=list)
    """Words of the claim that claim more than the sources ("every", "the first")."""


def _first_word(match: str) -> str:
    return match.lower().split()[0] if match.lower().startswith(("all", "any")) else match.lower()


_UNIT_OF_WORK = re.compile(
    r"\s+(?:the\s+)?(?:[\w-]+\s+)?(?:steps?|tokens?|frames?|layers?|positions?|iterations?|modules?|candidates?|"
    r"codebooks?|drafts?|heads?|blocks?|passes|pass)\b",
    re.IGNORECASE,
)
"""After "every" or "all", a unit a method works through ("at every decoding step", "all
candidates", "every mel token"): a description of how it works, not a claim about all results."""


def absolute_words(text: str) -> set[str]:
    """The overclaiming words of ``text`` (:data:`_ABSOLUTE`), "every" and "all" before a unit of
    work (:data:`_UNIT_OF_WORK`) left out."""
    found = set()
    for match in _ABSOLUTE.finditer(text):
        word = _first_word(match.group(0))
        if word in ("every", "all") and _UNIT_OF_WORK.match(text, match.start() + len(word)):
            continue
        found.add(word)
    return found


_CLAUSE_BREAK = re.compile(
    r",?\s+(?:and|but|while|whereas|although|though|so that|so|thus|yet)\s+|[;:]\s+|,\s+(?=which\b|where\b|"
    r"with\b|(?:in \w+ \w+,?\s+)?\w+ing\b)"
    r"|\s+(?=—)|\s+-\s+",
    re.IGNORECASE,
)
MIN_CLAUSE_WORDS = 4


def clauses(claim: str) -> list[str]:
    """The parts of a claim that state something each ("X is faster, and Y needs no aligner")."""
    parts = [part.strip(" ,.;—") for part in _CLAUSE_BREAK.split(claim)]
    merged: list[str] = []
    for part in parts:
        if merged and len(part.split()) < MIN_CLAUSE_WORDS:
            merged[-1] = f"{merged[-1]} {part}"
        elif part:
            merged.append(part)
    if len(merged) > 1 and len(merged[0].split()) < MIN_CLAUSE_WORDS:
        merged[1] = f"{merged[0]} {merged[1]}"
        merged.pop(0)
    return merged if len(merged) > 1 else []


def support_features(
    claim: str,
    claim_vector: np.ndarray,
    sources: Sequence[PaperSentences],
    vocabulary: Vocabulary,
    clause_vectors: Sequence[np.ndarray] = (),
    *,
    entailment: float,
) -> tuple[np.ndarray, Findings]:
    """The :data:`SUPPORT` features of ``claim`` against ``sources``, and what they found.

    ``clause_vectors`` are the vectors of :func:`clauses` of the claim (none: the claim is one);
    ``entailment`` is the cross-encoder's logit for the claim and its
    :func:`~rag.grounding.entailment.premise`."""
    units = best_units(claim_vector, sources)
    if not units:
        return np.zeros(len(SUPPORT), dtype=np.float32), Findings(None)
    singles = [(score, unit) for score, unit in units if not unit.pair]
    pairs = [score for score, unit in units if unit.pair]
    best_score, best = units[0]
    top = [unit for _, unit in singles[:2]]
    together = sum(sources[u.source].vectors[u.first] for u in top)
    top2 = float(together @ claim_vector / max(np.linalg.norm(together), 1e-9))
    claim_terms = set(vocabulary.terms(claim))
    every_term: set[str] = set()
    for source in sources:
        every_term |= source.all_terms(vocabulary)
    best_terms: set[str] = set()
    for index in best.sentences():
        best_terms |= sources[best.source].terms(index, vocabulary)
    wanted = names(claim)
    missing = [name for name in wanted if not any(source.named.states(name) for source in sources)]
    rare = sum(is_rare(name, vocabulary) for name in missing)
    stated = [f for source in sources for sentence in source.figures for f in sentence]
    stated += [f for source in sources for f in source.title_figures]
    claimed = [f for f in figure_reading.figures(claim) if f.required]
    unmatched = [f for f in claimed if not figure_matching.states(f, stated)]
    elsewhere = _figures_elsewhere(claim, [f for f in claimed if f not in unmatched], sources, vocabulary)
    near = [unit.text(sources) for _, unit in units[:ALIGNED]]
    source_text = " ".join(f"{s.paper.title} {s.paper.abstract} {s.body_text}" for s in sources)
    absolute = absolute_words(claim) - absolute_words(source_text)
    values = [
        float(singles[0][0]) if singles else best_score,
        max(pairs) if pairs else (float(singles[0][0]) if singles else best_score),
        top2,
        coverage(claim_terms, every_term, vocabulary),
        coverage(claim_terms, best_terms, vocabulary),
        float(rare),
        float(len(missing) - rare),
        float(len(unmatched)),
        float(len(claimed)),
        float(any(polarity.disagree(claim, text) for text in near)),
        float(all(polarity.negated(claim) != polarity.negated(text) for text in near)),
        float(bool(absolute)),
        float(polarity.raises_parity(claim, " ".join(near))),
        *_clause_support(claim, clause_vectors, sources, every_term, vocabulary),
    ]
    if not clause_vectors:  # a claim of one clause is its own weakest clause
        values[-2:] = [values[0], values[3]]
    values += [float(elsewhere), entailment]
    shown = max(
        (unit for _, unit in units[: 2 * ALIGNED]), key=lambda unit: _states_figures(unit, claimed, sources)
    )
    evidence = shown if _states_figures(shown, claimed, sources) else best
    found = Findings(evidence, [f.text for f in unmatched], missing, sorted(absolute))
    return np.array(values, dtype=np.float32), found


def _states_figures(
    unit: Unit, claimed: list[figure_reading.Figure], sources: Sequence[PaperSentences]
) -> int:
    """How many of the claimed figures this sentence (or pair) states: the evidence shown for a claim
    with figures is, among the sentences most like it, the one that states them."""
    stated = [f for index in unit.sentences() for f in sources[unit.source].figures[index]]
    return sum(figure_matching.states(figure, stated) for figure in claimed)


FIGURE_REACH = 6
"""Words this close to a figure say what it is about."""


def _near(text: str, start: int, vocabulary: Vocabulary) -> set[str]:
    before = text[:start].split()[-FIGURE_REACH:]
    after = text[start:].split()[1 : FIGURE_REACH + 1]
    return set(vocabulary.terms(" ".join(before + after)))


def _figures_elsewhere(
    claim: str, stated: list[figure_reading.Figure], sources: Sequence[PaperSentences], vocabulary: Vocabulary
) -> int:
    """How many of the claim's stated figures share no nearby word with any source figure they match."""
    count = 0
    for figure in stated:
        mine = _near(claim, figure.start, vocabulary)
        if not mine:
            continue
        theirs: set[str] = set()
        for source in sources:
            for index, found in enumerate(source.figures):
                for candidate in found:
                    if figure_matching.matches(figure, candidate):
                        theirs |= _near(source.text(index), candidate.start, vocabulary)
        if theirs and not mine & theirs:
            count += 1
    return count


def _clause_support(
    claim: str,
    vectors: Sequence[np.ndarray],
    sources: Sequence[PaperSentences],
    every_term: set[str],
    vocabulary: Vocabulary,
) -> tuple[float, float]:
    """The weakest clause: its best similarity to any sentence or window, and its term coverage."""
    parts = clauses(claim)
    if not parts or len(vectors) != len(parts):
        return 1.0, 1.0
    sims = [max(score for score, _ in best_units(vector, sources)) for vector in vectors]
    coverages = [coverage(set(vocabulary.terms(part)), every_term, vocabulary) for part in parts]
    return min(sims), min(coverages)
