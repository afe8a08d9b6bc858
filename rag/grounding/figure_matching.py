"""Whether a claimed figure is one a source states: equal within the rounding and approximation the
claim's wording allows, or the same relation said another way.

- **tolerance**: a figure may be rounded to the precision it is written with ("3x" for 3.01x, "40%"
  for 39.6%), within :data:`EXACT_TOLERANCE` otherwise; a round figure said with "about",
  "around", "roughly", "nearly", "almost" may differ by :data:`APPROX_TOLERANCE` ("around 91.8%"
  may not); "up to" compares with the upper end, "over", "more than", "under" with either end of
  a stated range ("under a hundred million" is its lower end, 85 million);
- **kinds** must agree (a plain number in the source, "a factor of 30", agrees with any kind); a
  ratio and a percentage compare as the ratios the percentage can mean ("half" = "50% fewer");
- **the same relation**: a ratio and its reciprocal ("a quarter of the GPUs" = "4x fewer GPUs"),
  one value of a stated range, or the ratio of two stated figures of one kind ("sixty times less
  data" where the source states 1k and 60k hours).
"""

from __future__ import annotations

import re

from rag.grounding.figures import Figure, figures

APPROX_TOLERANCE = 0.15
"""Relative difference allowed when a claim says "about", "nearly", "roughly"..."""
EXACT_TOLERANCE = 0.02
"""Relative difference allowed otherwise (beyond rounding to the digits written)."""


def _round(figure: Figure) -> bool:
    """A figure written with at most two significant digits ("about 30k", "roughly 40%"): "about"
    then allows :data:`APPROX_TOLERANCE`; "around 91.8%" does not."""
    digits = re.sub(r"[^0-9]", "", re.sub(r"\.?0+$", "", figure.text.split("%")[0]))
    return len(digits.lstrip("0")) <= 2 or not any(c.isdigit() for c in figure.text)


def _close(claimed: float, stated: float, step: float, tolerance: float) -> bool:
    return abs(claimed - stated) <= max(tolerance * abs(stated), step) + 1e-9


def _compatible(claim: Figure, source: Figure) -> bool:
    if claim.kind == source.kind or source.kind == "plain":  # "a factor of 30" states "30-fold"
        return True
    plainish = {"plain", "scale"}
    if claim.kind in plainish and source.kind in plainish:
        return True
    # "half" (ratio 0.5) and "50%"; "a 2x speed-up" and "100% faster" are checked by value below.
    return {claim.kind, source.kind} == {"ratio", "percent"}


def _as_ratio(figure: Figure) -> list[tuple[float, float]]:
    """A percentage read as the ratios it can mean: p/100, 1 - p/100 ("50% fewer" = half), 1 + p/100."""
    if figure.kind != "percent":
        return [(figure.low, figure.high)]
    return [
        (figure.low / 100, figure.high / 100),
        (1 - figure.high / 100, 1 - figure.low / 100),
        (1 + figure.low / 100, 1 + figure.high / 100),
    ]


def matches(claim: Figure, source: Figure) -> bool:
    """Whether ``source`` states the figure ``claim`` claims (kinds compatible, values within the
    rounding and approximation the claim's wording allows)."""
    if not _compatible(claim, source):
        return False
    tolerance = APPROX_TOLERANCE if claim.approx and _round(claim) else EXACT_TOLERANCE
    if claim.kind != source.kind and "ratio" in (claim.kind, source.kind):
        claims, states = _as_ratio(claim), _as_ratio(source)
        return any(
            _within(c_low, s_low, s_high, tolerance)
            if c_low == c_high and s_low != s_high
            else _close(c_low, s_low, 0.0, tolerance) and _close(c_high, s_high, 0.0, tolerance)
            for c_low, c_high in claims
            for s_low, s_high in states
        )
    step = claim.step
    if claim.approx in ("up to", "at most", "as much as", "as many as"):
        return _close(claim.high, source.high, step, tolerance)
    if claim.approx in ("over", "more than", "above", "at least", "just over"):  # either end of a range
        return claim.low <= source.high + step or _close(claim.low, source.low, step, tolerance)
    if claim.approx in ("less than", "fewer than", "shorter than", "under", "below", "just under"):
        return claim.high >= source.low - step or _close(claim.high, source.high, step, tolerance)
    if claim.low == claim.high and source.low != source.high:  # one value of a stated range
        return _within(claim.low, source.low, source.high, tolerance, step)
    return _close(claim.low, source.low, step, tolerance) and _close(claim.high, source.high, step, tolerance)


def _within(value: float, low: float, high: float, tolerance: float, step: float = 0.0) -> bool:
    """One value of a stated range ("a tenth" of "10-30%"), or its upper end within tolerance."""
    return low - step <= value <= high + step or _close(value, high, step, tolerance)


def _reciprocal(figure: Figure) -> Figure:
    """ "4x fewer" read as "a quarter of": the same relation seen from the other side."""
    low, high = 1 / figure.high, 1 / figure.low
    return Figure(
        low, high, figure.kind, figure.approx, 0.0, figure.named, figure.weak, figure.text, figure.start
    )


def _derived(claim: Figure, sources: list[Figure]) -> bool:
    """A claimed ratio that two stated figures of one kind make ("sixty times less data" where
    the source states 1k and 60k hours; "more than doubles" from 13% to 31%)."""
    ends = [(s.kind, value) for s in sources for value in {s.low, s.high}]  # "from 13% to 31%": two ends
    measured = [
        Figure(value, value, kind)
        for kind, value in ends
        if kind in ("duration", "scale", "percent", "size") and value > 0
    ]
    for first in measured:
        for second in measured:
            if first is second or first.kind != second.kind or second.low <= first.low:
                continue
            ratio = second.low / first.low
            made = Figure(ratio, ratio, "ratio", step=0.0)
            if matches(claim, made) or matches(claim, _reciprocal(made)):
                return True
    return False


def states(claim: Figure, sources: list[Figure]) -> bool:
    """Whether ``sources`` state the claimed figure: directly, as a reciprocal ratio ("a quarter
    of the GPUs" for "4x fewer GPUs"), or as the ratio of two of their figures."""
    if any(matches(claim, source) for source in sources):
        return True
    if claim.kind != "ratio" or claim.low <= 0:
        return False
    ratios = [s for s in sources if s.kind == "ratio" and s.low > 0]
    return any(matches(claim, _reciprocal(s)) for s in ratios) or _derived(claim, sources)


def unmatched(claim: str, sources: list[Figure]) -> list[Figure]:
    """The figures ``claim`` requires that ``sources`` do not state (:func:`states`)."""
    return [figure for figure in figures(claim) if figure.required and not states(figure, sources)]
