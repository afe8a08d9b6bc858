"""How the command line prints: results on stdout, notes, errors and progress bars on stderr.

stdout carries only what a command produces (text or ``--json``), so it can be piped; everything
else goes to stderr.
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.markup import escape

from rag.terminal import one_line, printable

if TYPE_CHECKING:
    from rich.progress import Progress

    from rag.library import Library

out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)


def shown(text: str, *, line: bool = False) -> str:
    """Corpus or model text as the terminal may print it: no escape sequences or control
    characters (:mod:`rag.terminal`), no Rich markup; ``line`` also folds line breaks."""
    return escape(one_line(text) if line else printable(text))


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
    from rag.filter_note import excluded_note

    if note := excluded_note(library.store.iter_papers(), year_from, year_to):
        err.print(f"note: {shown(note, line=True)}")
