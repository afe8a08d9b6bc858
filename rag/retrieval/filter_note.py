"""What a year filter left out, in words, for abstentions and empty results."""

from __future__ import annotations

from collections.abc import Iterable

from rag.sources.corpus import Paper
from rag.words import count, verb


def _outside(year_from: int | None, year_to: int | None) -> str:
    if year_from is not None and year_to is not None:
        return f"outside {year_from}\u2013{year_to}" if year_from != year_to else f"not from {year_from}"
    return f"from before {year_from}" if year_from is not None else f"from after {year_to}"


def excluded_note(papers: Iterable[Paper], year_from: int | None, year_to: int | None) -> str | None:
    """ "37 papers have no year and were left out by the year filter", or None when the filter left
    nothing out (or there is none)."""
    if year_from is None and year_to is None:
        return None
    undated = outside = 0
    for paper in papers:
        if paper.year is None:
            undated += 1
        elif (year_from is not None and paper.year < year_from) or (
            year_to is not None and paper.year > year_to
        ):
            outside += 1
    parts = []
    if undated:
        parts.append(f"{count(undated, 'paper')} {verb(undated, 'has', 'have')} no year")
    if outside:
        parts.append(f"{count(outside, 'paper')} {verb(outside, 'is', 'are')} {_outside(year_from, year_to)}")
    if len(parts) == 2:
        return f"{parts[0]} and {parts[1]}: the year filter left them out."
    if parts:
        return f"{parts[0]} and {verb(undated + outside, 'was', 'were')} left out by the year filter."
    return None
