"""How the command line prints: results on stdout, notes, errors and progress bars on stderr.

stdout carries only what a command produces (text or ``--json``), so it can be piped; everything
else goes to stderr.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.markup import escape

from rag.terminal import one_line, printable

if TYPE_CHECKING:
    from rich.progress import Progress

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
