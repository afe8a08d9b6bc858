"""How the command line prints: results on stdout, notes, errors and progress bars on stderr.

stdout carries only what a command produces (text or ``--json``), so it can be piped; everything
else goes to stderr. Corpus text, model text and file names are printed through :func:`shown`,
so the terminal shows them exactly as they are, never as Rich markup or escape sequences.
"""

from __future__ import annotations

import json
import os
import re
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.console import Console

from rag.terminal import one_line, printable

if TYPE_CHECKING:
    from rich.progress import Progress

    from rag.index.library import Library

# No emoji codes either: a title holding ":warning:" is printed as written.
out = Console(highlight=False, soft_wrap=True, emoji=False)
err = Console(stderr=True, highlight=False, soft_wrap=True, emoji=False)

_BRACKET = re.compile(r"(\\*)\[")
_TAG = re.compile(r"(\\*)\[[a-z#/@][^[]*?]")  # what Rich reads as a tag (rich.markup.RE_TAGS)


def _literal(match: re.Match[str]) -> str:
    backslashes = match.group(1)
    if _TAG.match(match.string, match.start()):  # "\\[bold]": each backslash doubled, the tag escaped
        return backslashes * 2 + "\\["
    # Rich drops one backslash of any other "\\[" ("\\[Click" prints "[Click"): give it one more.
    return backslashes + "\\[" if backslashes else "["


def markup_free(text: str) -> str:
    """``text`` as Rich markup that prints exactly ``text``. (``rich.markup.escape`` escapes only
    the brackets that look like tags, and Rich still drops the backslash of ``\\[Click``.)"""
    return _BRACKET.sub(_literal, text)


def shown(text: str | Path, *, line: bool = False) -> str:
    """Corpus or model text (or a file name) as the terminal may print it: no escape sequences or
    control characters (:mod:`rag.terminal`), printed as written, not as Rich markup; ``line``
    also folds line breaks."""
    return markup_free(one_line(str(text)) if line else printable(str(text)))


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False) + "\n")


def emit(data: Any, as_json: bool, render: Callable[[Any], str]) -> None:
    """A benchmark's figures: JSON for scripts, else the rendered table."""
    if as_json:
        print_json(data)
    else:
        out.print(render(data))


def progress_bar() -> Progress:
    """A progress bar on stderr (stdout stays clean for --json) that vanishes when done."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=True,
    )


def process_age() -> float | None:
    """Seconds since this process started (Linux, to 1/100 s), else None."""
    try:
        started = int(Path("/proc/self/stat").read_text().rsplit(")", 1)[1].split()[19])
        uptime = float(Path("/proc/uptime").read_text().split()[0])
    except (OSError, IndexError, ValueError):
        return None
    return uptime - started / os.sysconf("SC_CLK_TCK")


def load_stages(library: Library, question: str) -> dict[str, float]:
    """Load the library's parts one by one (as a first query would), timing each: ``ask --timings``."""
    stages: dict[str, float] = {}
    age = process_age()
    if age is not None:
        stages["start-up and imports"] = age
    for stage, load in (
        ("store", lambda: library.store.paper_count()),
        ("lexical index", lambda: library.lexical),
        ("query encoder", lambda: library.embedder.embed_query(question)),
    ):
        started = time.perf_counter()
        load()
        stages[stage] = time.perf_counter() - started
    return stages


def filter_note(library: Library, year_from: int | None, year_to: int | None) -> None:
    """Say on stderr what the year filter left out, when it left something out."""
    from rag.retrieval.filter_note import excluded_note

    if note := excluded_note(library.store.iter_papers(), year_from, year_to):
        err.print(f"note: {shown(note, line=True)}")
