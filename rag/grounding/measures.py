"""The ways researchers ask for a figure, and the kinds of figure that answer each: a lexicon that
question analysis (:func:`rag.grounding.question.measure_of`) reads a figure question with, and
that the figure-fit check (:func:`rag.grounding.answers.fits`) reads a sentence's figures with.

"how much quicker" wants a ratio or a percentage, "how many parameters" a count with a k/M/B scale,
"how many hours of recordings" a duration; :data:`ANY_FIGURE` is "how many / how much" with no
more specific measure word.
"""

from __future__ import annotations

from dataclasses import dataclass

from rag.grounding.figures import Kind as FigureKind


@dataclass(frozen=True)
class Measure:
    """A way of asking for a figure, and the kinds of figure that can answer it."""

    name: str
    label: str
    """How a message names it: "none of their abstracts states {label}"."""
    asks: str
    """Regex (case-insensitive) of the words that ask for it."""
    kinds: frozenset[FigureKind]
    near: str = ""
    """Regex of words that, near a figure, say it is this measure ("speed-up", "parameters")."""


def _measure(name: str, label: str, asks: str, *kinds: FigureKind, near: str = "") -> Measure:
    return Measure(name, label, asks, frozenset(kinds), near or asks)


MEASURES: tuple[Measure, ...] = (
    _measure(
        "speed",
        "a speed-up",
        r"speed-?ups?|\bspeed\b|faster|quicker|accelerat\w*|\bfactor\b|how many times|throughput|slower",
        "ratio", "percent", "plain",
        near=r"speed\w*|fast\w*|quick\w*|accelerat\w*|throughput|latency|slow\w*|\btimes?\b|wall-?clock|inference",
    ),
    _measure(
        "share",
        "a percentage",
        r"\bpercent\w*|\bshare\b|fraction|proportion|\bratio\b",
        "percent", "ratio", "plain",
    ),
    _measure(
        "parameters",
        "a model size",
        r"param(?:eter)?s?\b|model size|how (?:big|large) (?:is|are) (?:the|its|their)? ?models?|"
        r"how many (?:\w+ )?weights\b",
        "scale", "plain", "percent", "ratio",
        near=r"param\w*|\bmodels?\b|\bsizes?\b|\bweights\b|\b\d+(?:\.\d+)?\s?[mb]\b",
    ),
    _measure(
        "rate",
        "a rate",
        r"per second|tokens?/s\b|\bper (?:step|token)\b",
        "plain", "scale", "ratio", "frequency",
    ),
    _measure(
        "data",
        "an amount of data",
        r"\bhours?\b|how much (?:\w+ )?(?:speech|audio|data|recordings?|training data)|"
        r"amount of (?:\w+ )?data|"
        r"\bsamples\b|\btokens\b|\bwords\b",
        "duration", "scale", "plain", "ratio", "percent",
        near=r"hours?|\bh\b|\bdata\w*|samples?|utterances?|corpus|corpora|tokens?|words?|recordings?|speech|audio|"
        r"pairs?|dialogues?|examples?|sentences?|clips?",
    ),
    _measure(
        "time",
        "a duration",
        r"latenc\w*|\bdelay\b|how long|\bduration\b|\btime\b",
        "duration", "ratio", "percent", "plain",
        near=r"latenc\w*|delay|\btime\b|duration|\bms\b|seconds?|hours?|days?|minutes?|faster|slower|real-time",
    ),
    _measure(
        "setting",
        "a training setting",
        r"learning[\s-]rates?|batch[\s-]sizes?|weight[\s-]decay|dropout(?: rates?)?|warm-?up(?: steps)?|"
        r"beam (?:size|width)s?",
        "plain", "scale", "percent",
    ),
    _measure(
        "frequency",
        "a rate in Hz",
        r"sampling rate|sample rate|frame rate|token rate|\bhz\b|\bfps\b",
        "frequency", "plain",
    ),
    _measure(
        "storage",
        "a memory size",
        r"\bmemory\b|\bstorage\b|\bdisk\b|\bmegabytes?\b",
        "size", "percent", "ratio", "plain",
        near=r"memory|storage|disk|cache|\b[kmgt]i?b\b|bytes?",
    ),
    _measure(
        "score",
        "a score",
        r"\b[wcp]ers?\b|error rates?|\bbleu\b|\bmos\b|opinion score|\bfid\b|\baccuracy\b|\bf1\b|\beer\b|"
        r"\bscore\b|\bpoints?\b|\bsimilarity\b|\bgap\b|\bperplexity\b|\brouge\b|\bwin rate\b|acceptance",
        "plain", "percent", "ratio",
    ),
    _measure(
        "size",
        "a figure",
        r"\bsize\b|\bnumber of\b|how (?:large|big)|how many|how much",
        "plain", "scale", "percent", "ratio", "duration", "size", "frequency",
    ),
)  # fmt: skip
ANY_FIGURE = MEASURES[-1]
