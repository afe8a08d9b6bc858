"""A long document for measurement and tests: a thesis of N pages, made with pdflatex.

:func:`thesis_tex` writes a doctoral thesis (LaTeX ``report``, one column, 11 pt) on acoustic
monitoring of coastal wetlands: page 1 holds the title and the abstract; then chapters (a
"Chapter 2" label above the chapter's title, :func:`chapter_heading`) of
:data:`PAGES_PER_CHAPTER` pages, each page one numbered section that opens with a survey's own
sentence (:func:`survey_sentence`, its number the page's) and goes on with paragraphs of
generated prose, every sentence a different one drawn from a seeded vocabulary
(:func:`page_paragraphs` gives them, page by page). Each section starts a page, so every sentence
is on a known page. Running heads (the chapter's name) and page numbers are printed as a thesis
prints them.

:func:`compile_thesis` compiles it (pdflatex, as :mod:`litrev_eval.fulltext_papers` compiles the
test papers, deterministically): 300 pages take under two seconds.
"""

from __future__ import annotations

import itertools
import math
import random
from pathlib import Path

from litrev_eval.fulltext_papers import compile_source

TITLE = "Listening to the Tide: Acoustic Monitoring of Coastal Wetland Fauna"
PAGES_PER_CHAPTER = 25
PARAGRAPHS_PER_PAGE = 4
SENTENCES_PER_PARAGRAPH = 4
UNIQUE_PAGES = 5_000
"""Pages before a generated sentence comes back (the vocabulary makes 120,000 sentences)."""
ABSTRACT = (
    "This thesis develops passive acoustic monitoring for coastal wetlands, where tides, wind and "
    "boat traffic mask the calls of the animals that ecologists need to count. It describes a "
    "network of low-cost recorders, a detector for the calls of frogs, rails and bats trained "
    "with few labels, and three seasons of surveys along salt marsh transects. Counts from the "
    "recordings agree with those of trained observers while covering far more nights."
)
_CHAPTERS = (
    "Introduction",
    "Recorders for Salt Marshes",
    "Detecting Calls under Tidal Noise",
    "Surveys of the Northern Marshes",
    "Surveys of the Southern Estuaries",
    "Counting Bats over Open Water",
    "Rails and the Spring Tides",
    "Frogs after Storm Surges",
    "Agreement with Field Observers",
    "Costs of a Recorder Network",
    "Limits of Passive Listening",
    "Conclusions",
)
_SITES = (
    "Kestrel Point",
    "Saltcote Creek",
    "Heron Flats",
    "Marram Spit",
    "Oyster Reach",
    "Curlew Bank",
    "Samphire Marsh",
    "Teal Hollow",
)
_SPECIES = ("tree frogs", "clapper rails", "pipistrelle bats", "marsh wrens", "bitterns", "toads")
_SUBJECTS = (
    "The recorder network",
    "Our call detector",
    "The tidal noise model",
    "Each hydrophone",
    "The survey schedule",
    "The spectrogram classifier",
    "Every transect",
    "The occupancy model",
    "The field team",
    "The calibration procedure",
    "The battery budget",
    "The labelling protocol",
)
_VERBS = (
    "improves",
    "underestimates",
    "stabilises",
    "complements",
    "reduces",
    "tracks",
    "explains",
    "overstates",
    "anticipates",
    "separates",
)
_OBJECTS = (
    "the nightly call counts",
    "the detection range of distant callers",
    "the masking effect of wind",
    "the seasonal peak of breeding activity",
    "the false alarms caused by boat engines",
    "the agreement with point counts",
    "the cost per surveyed night",
    "the uncertainty of occupancy estimates",
    "the drift of the recorder clocks",
    "the share of calls lost to rain",
)
_MODIFIERS = (
    "during the highest spring tides",
    "across all three seasons",
    "when the marsh is flooded",
    "on calm nights",
    "after the recorders were moved inland",
    "in the brackish lagoons",
    "with half of the labelled clips",
    "throughout the storm season",
    "at the most exposed stations",
    "without any manual review",
)
_REASONS = (
    "because the recorders sit closer to the water than any observer could stand",
    "since the detector was trained on calls recorded at the same stations",
    "as the tidal noise rises and falls twice a day with the water level",
    "which matters most where the reeds grow tall enough to muffle the calls",
    "although the observers heard fewer calls than the recorders captured",
    "because wind gusts above six metres per second mask the quieter callers",
    "since each recorder runs for three weeks on one set of batteries",
    "which the field notes of the previous decade had already suggested",
    "as long as the clocks of neighbouring recorders agree within a second",
    "because the labelled clips cover only the first two seasons of surveys",
)


def chapter_heading(number: int) -> str:
    """The heading of chapter ``number`` (1-based) as a reader should find it."""
    return f"Chapter {number} {_CHAPTERS[(number - 1) % len(_CHAPTERS)]}"


def survey_sentence(page: int) -> str:
    """The sentence that opens page ``page`` of :func:`thesis_tex` (pages 2 onwards)."""
    site = _SITES[page % len(_SITES)]
    species = _SPECIES[page % len(_SPECIES)]
    return (
        f"Survey {page} at the {site} station recorded {17 * page % 900 + 40} calls of "
        f"{species} over {page % 11 + 3} nights."
    )


def page_paragraphs(pages: int, seed: int = 29) -> dict[int, list[list[str]]]:
    """The sentences :func:`thesis_tex` prints on each page from 2 to ``pages``, by paragraph. No
    sentence is printed twice in the first :data:`UNIQUE_PAGES` pages."""
    parts = (_SUBJECTS, _VERBS, _OBJECTS, _MODIFIERS, _REASONS)
    combinations = math.prod(len(words) for words in parts)
    order = random.Random(seed).sample(range(combinations), combinations)
    drawn = iter(itertools.cycle(order))
    printed = {}
    for page in range(2, pages + 1):
        paragraphs = [
            [_sentence(next(drawn), parts) for _ in range(SENTENCES_PER_PARAGRAPH)]
            for _ in range(PARAGRAPHS_PER_PAGE)
        ]
        paragraphs[0].insert(0, survey_sentence(page))
        printed[page] = paragraphs
    return printed


def _sentence(number: int, parts: tuple[tuple[str, ...], ...]) -> str:
    """The ``number``-th of all the sentences one phrase from each of ``parts`` makes."""
    phrases = []
    for choices in reversed(parts):
        number, at = divmod(number, len(choices))
        phrases.append(choices[at])
    *clause, reason = reversed(phrases)
    return f"{' '.join(clause)}, {reason}."


def thesis_tex(pages: int, seed: int = 29, chapter_pages: int = PAGES_PER_CHAPTER) -> str:
    """A thesis of exactly ``pages`` pages (at least 2) as LaTeX (see the module docstring), a
    chapter starting every ``chapter_pages`` pages."""
    if pages < 2:
        raise ValueError(f"a thesis needs at least 2 pages, got {pages}")
    body = []
    for page, paragraphs in page_paragraphs(pages, seed).items():
        chapter, at = divmod(page - 2, chapter_pages)
        if at == 0:
            body.append(rf"\chapter{{{_CHAPTERS[chapter % len(_CHAPTERS)]}}}")
        else:
            body.append(r"\clearpage")
        body.append(rf"\section{{Survey {page} at {_SITES[page % len(_SITES)]}}}")
        body.append("\n\n".join(" ".join(sentences) for sentences in paragraphs))
    return rf"""\documentclass[11pt,a4paper,oneside,notitlepage]{{report}}
\usepackage[margin=2.5cm]{{geometry}}
\pagestyle{{headings}}
\title{{{TITLE}}}
\author{{Rowan Example\\ A thesis submitted for the degree of Doctor of Philosophy\\
Institute of Made-Up Coastal Ecology}}
\date{{}}
\begin{{document}}
\maketitle
\thispagestyle{{plain}}
\begin{{abstract}}
{ABSTRACT}
\end{{abstract}}
{chr(10).join(body)}
\end{{document}}
"""


def compile_thesis(
    folder: Path, pages: int, name: str = "thesis", chapter_pages: int = PAGES_PER_CHAPTER
) -> Path:
    """:func:`thesis_tex` of ``pages`` pages compiled into ``folder`` (created if missing) as
    ``NAME.pdf``; a :class:`~rag.errors.DatasetError` when pdflatex is missing or fails."""
    folder.mkdir(parents=True, exist_ok=True)
    source = folder / f"{name}.tex"
    source.write_text(thesis_tex(pages, chapter_pages=chapter_pages), encoding="utf-8")
    return compile_source(source, folder)
